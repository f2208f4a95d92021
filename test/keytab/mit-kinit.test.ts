/**
 * Keytabs we generate from a password (a `ktpass`-style keytab) log in with MIT `kinit -k -t`
 * against a real MIT KDC: the keys are right, not just the bytes. Also after a password change
 * (kvno 2), with the salt the KDC uses for a non-default-salt principal, and a wrong password
 * is refused by the KDC.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { EncType } from '../../src/iana.js'
import { createKeytab, keytabEntriesFromPassword, serializeKeytab } from '../../src/keytab/index.js'
import { MIT_BIN, skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'

const skip = skipWithoutMIT()
let realm: Realm | undefined

before(async () => {
  if (skip) return
  realm = await startRealm({ realm: 'KTGEN.TEST' })
  await realm.addPrincipal('backup-agent', { password: 'Rotate-Me-1', requiresPreauth: true })
  await realm.addPrincipal('svc-special', {
    password: 'Special-Salt-1',
    requiresPreauth: true,
    keysalts: ['aes256-cts-hmac-sha1-96:special', 'aes128-cts-hmac-sha1-96:special'],
  })
})

after(async () => {
  await realm?.stop()
})

async function writeKeytab(
  name: string,
  principal: string,
  password: string,
  kvno: number,
  salt?: { type: 'explicit'; salt: Uint8Array },
): Promise<string> {
  const entries = keytabEntriesFromPassword({
    principal: realm!.qualify(principal),
    password,
    kvno,
    enctypes: [
      EncType.AES256_CTS_HMAC_SHA1_96,
      EncType.AES128_CTS_HMAC_SHA1_96,
      EncType.AES256_CTS_HMAC_SHA384_192,
      EncType.AES128_CTS_HMAC_SHA256_128,
    ],
    ...(salt ? { salt } : {}),
  })
  const path = realm!.path(name)
  writeFileSync(path, serializeKeytab(createKeytab(entries)))
  return path
}

async function mitKinit(
  principal: string,
  keytab: string,
): Promise<{ code: number | null; out: string }> {
  const cc = realm!.path(`${principal.replace(/\W/g, '_')}.cc`)
  const r = await realm!.run(MIT_BIN.kinit, ['-k', '-t', keytab, '-c', cc, principal], {
    allowFailure: true,
  })
  const list = r.code === 0 ? await realm!.run(MIT_BIN.klist, ['-c', cc]) : undefined
  return { code: r.code, out: (list?.stdout ?? '') + r.stderr }
}

test('MIT kinit -k -t logs in with a keytab we generated from the password', { skip }, async () => {
  const kt = await writeKeytab('agent.keytab', 'backup-agent', 'Rotate-Me-1', 1)
  const r = await mitKinit('backup-agent', kt)
  assert.equal(r.code, 0, r.out)
  assert.match(r.out, /Default principal: backup-agent@KTGEN\.TEST/)
  assert.match(r.out, /krbtgt\/KTGEN\.TEST@KTGEN\.TEST/)
})

test('after a password change (kvno 2) the regenerated keytab works again', { skip }, async () => {
  await realm!.cpw('backup-agent', 'Rotate-Me-2')
  assert.equal(await realm!.getKvno('backup-agent'), 2)
  const kt = await writeKeytab('agent2.keytab', 'backup-agent', 'Rotate-Me-2', 2)
  assert.equal((await mitKinit('backup-agent', kt)).code, 0)
})

test('a keytab made with the wrong password is refused by the KDC', { skip }, async () => {
  const kt = await writeKeytab('wrong.keytab', 'backup-agent', 'not-the-password', 2)
  const r = await mitKinit('backup-agent', kt)
  assert.notEqual(r.code, 0)
  assert.match(r.out, /[Pp]assword incorrect|[Pp]reauthentication failed/)
})

test(
  'a principal with a non-default salt logs in when the keytab uses that salt',
  { skip },
  async () => {
    // MIT's "special" salt is random per key; read it back from the database with getprinc.
    const info = await realm!.kadmin('getprinc svc-special')
    assert.match(info, /aes256-cts-hmac-sha1-96:special/)
    // The KDC tells clients the salt through ETYPE-INFO2; MIT kinit -k reads it from there too,
    // but the keytab's keys must be made with it: derive them as MIT did, from the KDC's salt.
    const salt = await saltFromKDC('svc-special')
    const kt = await writeKeytab('special.keytab', 'svc-special', 'Special-Salt-1', 1, {
      type: 'explicit',
      salt,
    })
    assert.equal((await mitKinit('svc-special', kt)).code, 0)
  },
)

/** The salt the KDC announces for a principal, as MIT kinit's KRB5_TRACE shows it. */
async function saltFromKDC(principal: string): Promise<Uint8Array> {
  const trace = realm!.path(`${principal}.trace`)
  await realm!.run(MIT_BIN.kinit, ['-c', realm!.path('probe.cc'), principal], {
    input: 'wrong\n',
    allowFailure: true,
    env: { KRB5_TRACE: trace },
  })
  const text = readFileSync(trace, 'utf8')
  const m = /Selected etype info: etype aes256-cts, salt "([^"]*)"/.exec(text)
  assert.ok(m, `no salt in the trace:\n${text}`)
  return unescapeTrace(m[1]!)
}

/** MIT's trace prints non-printable salt bytes as \xNN. */
function unescapeTrace(s: string): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === 'x') {
      out.push(parseInt(s.slice(i + 2, i + 4), 16))
      i += 3
    } else if (s[i] === '\\' && s[i + 1] === '\\') {
      out.push(0x5c)
      i += 1
    } else out.push(s.charCodeAt(i))
  }
  return Uint8Array.from(out)
}
