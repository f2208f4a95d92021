/**
 * Cross-check string-to-key and the salt rules against MIT krb5 itself: ktutil derives keys from
 * passwords (default salt, or an explicit `-s` salt as AD uses), `klist -kK` prints them.
 * Skipped loudly without MIT tools; fails under CI=true.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fromUtf8 } from '../../src/internal/bytes.js'
import { parsePrincipal } from '../../src/principal.js'
import { adComputerSalt, adUserSalt, defaultSalt, stringToKey } from '../../src/crypto/index.js'
import { EncTypeAliases } from '../../src/iana.js'
import { MIT_BIN, skipWithoutMIT } from '../helpers/realm.js'
import { x } from './backends.js'
import { BACKENDS } from './backends.js'

interface Entry {
  readonly principal: string
  readonly enctype: string
  readonly password: string
  readonly salt?: Uint8Array
}

const ALL = [
  'aes128-cts-hmac-sha1-96',
  'aes256-cts-hmac-sha1-96',
  'aes128-cts-hmac-sha256-128',
  'aes256-cts-hmac-sha384-192',
  'camellia128-cts-cmac',
  'camellia256-cts-cmac',
  'arcfour-hmac',
]

const ENTRIES: readonly Entry[] = [
  ...ALL.map((enctype) => ({ principal: 'alice@EXAMPLE.COM', enctype, password: 'pässwörd' })),
  ...ALL.slice(0, 2).map((enctype) => ({
    principal: 'HTTP/web.example.com@EXAMPLE.COM',
    enctype,
    password: 's3cret!',
  })),
  {
    principal: 'HTTP/web01.example.com@EXAMPLE.COM',
    enctype: 'aes256-cts-hmac-sha1-96',
    password: 'machine password',
    salt: adComputerSalt('example.com', 'WEB01$', 'Example.com'),
  },
  {
    principal: 'bob@EXAMPLE.COM',
    enctype: 'aes128-cts-hmac-sha1-96',
    password: 'hunter2',
    salt: adUserSalt('example.com', 'Bob'),
  },
]

/** Build a keytab with ktutil, one kvno per entry so klist's lines map back to entries. */
function mitKeys(dir: string): Map<number, string> {
  const keytab = join(dir, 'interop.keytab')
  const script = ENTRIES.map((e, i) => {
    const salt = e.salt === undefined ? '' : ` -s ${fromUtf8(e.salt)}`
    return `addent -password -p ${e.principal} -k ${i + 1} -e ${e.enctype}${salt}\n${e.password}\n`
  }).join('')
  const env = { ...process.env, KRB5_CONFIG: '/dev/null', LC_ALL: 'C.UTF-8' }
  const kt = spawnSync(MIT_BIN.ktutil, [], {
    input: `${script}wkt ${keytab}\nq\n`,
    env,
    timeout: 20_000,
  })
  assert.equal(kt.status, 0, String(kt.stderr))
  const list = spawnSync(MIT_BIN.klist, ['-kK', keytab], { env, encoding: 'utf8', timeout: 20_000 })
  assert.equal(list.status, 0, list.stderr)
  const keys = new Map<number, string>()
  for (const m of list.stdout.matchAll(/^\s*(\d+)\s+\S+.*\(0x([0-9a-f]+)\)\s*$/gm))
    keys.set(Number(m[1]), m[2]!)
  return keys
}

describe('MIT krb5 interop (ktutil string-to-key)', { skip: skipWithoutMIT() }, () => {
  it(`string-to-key equals MIT's for ${ENTRIES.length} principal/enctype/salt cases on both backends`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'krb-crypto-'))
    try {
      const keys = mitKeys(dir)
      assert.equal(keys.size, ENTRIES.length)
      ENTRIES.forEach((e, i) => {
        const etype = EncTypeAliases[e.enctype]!
        const salt = e.salt ?? defaultSalt(parsePrincipal(e.principal))
        for (const backend of BACKENDS) {
          const ours = stringToKey(etype, e.password, salt, { allowWeak: true, backend })
          assert.equal(
            x(ours.bytes),
            keys.get(i + 1),
            `${e.principal} ${e.enctype} (${backend.name})`,
          )
        }
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
