/**
 * `fetchSaltInfo` / `keytab add -f` against MIT krb5kdc (the Samba side is test/ad/salt.test.ts):
 * a principal with a random ("special") salt, with and without required preauth (the answer is
 * a PREAUTH_REQUIRED error, or an AS-REP), aes-sha1 and aes-sha2; keys derived from the KDC's
 * salt equal the keys `ktadd -norandkey` exports.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { toHex } from '../../src/internal/bytes.js'
import { keytabEntriesFromPassword, parseKeytab } from '../../src/keytab/index.js'
import { runCli } from '../cli/run-cli.js'
import { skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { clientFor } from './helpers.js'

const PW = 'salt probe password'
const KEYSALTS = ['aes256-cts-hmac-sha1-96:special', 'aes256-cts-hmac-sha384-192:special']
const ETYPES = [18, 20]

describe('asking MIT krb5kdc for salts (ktutil addent -f)', { skip: skipWithoutMIT() }, () => {
  let realm: Realm
  before(async () => {
    realm = await startRealm({ realm: 'SALT.TEST' })
    await realm.addPrincipal('salty', { password: PW, keysalts: KEYSALTS, requiresPreauth: true })
    await realm.addPrincipal('salty-nopreauth', { password: PW, keysalts: KEYSALTS })
    for (const p of ['salty', 'salty-nopreauth'])
      await realm.ktadd(p, realm.path(`${p}.keytab`), { norandkey: true })
  })
  after(async () => {
    await realm?.stop()
  })

  const exported = (name: string): string[] =>
    parseKeytab(readFileSync(realm.path(`${name}.keytab`)))
      .entries.map((e) => `${e.enctype}:${e.kvno}:${toHex(e.key.bytes)}`)
      .sort()

  for (const [name, source] of [
    ['salty', 'preauth-required'],
    ['salty-nopreauth', 'as-rep'],
  ] as const) {
    test(`${name}: the KDC's salt (${source}) derives the exported keys`, async () => {
      const { client } = clientFor(realm)
      const info = await client.fetchSaltInfo(name, { etypes: ETYPES })
      assert.deepEqual(
        info.map((i) => i.etype),
        ETYPES,
      )
      // A "special" salt is random: not the default salt.
      for (const i of info) assert.notEqual(Buffer.from(i.salt).toString(), `SALT.TEST${name}`)
      const keys = info.flatMap((i) =>
        keytabEntriesFromPassword({
          principal: `${name}@SALT.TEST`,
          password: PW,
          kvno: 1,
          enctypes: [i.etype],
          salt: { type: 'explicit', salt: i.salt },
          ...(i.s2kparams !== undefined ? { params: i.s2kparams } : {}),
        }),
      )
      assert.deepEqual(
        keys.map((e) => `${e.enctype}:${e.kvno}:${toHex(e.key.bytes)}`).sort(),
        exported(name),
      )
    })
  }

  test('keytab add -f writes the keys ktadd exports; an unknown principal is exit 1', () => {
    const out = realm.path('cli-f.keytab')
    const r = runCli(
      ['keytab', 'add', '-p', 'salty@SALT.TEST', '-e', ETYPES.join(','), '-f', out],
      { input: PW + '\n', env: { KRB5_CONFIG: realm.krb5ConfPath } },
    )
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(
      parseKeytab(readFileSync(out))
        .entries.map((e) => `${e.enctype}:${e.kvno}:${toHex(e.key.bytes)}`)
        .sort(),
      exported('salty'),
    )
    const bad = runCli(['keytab', 'add', '-p', 'nobody@SALT.TEST', '-f', out], {
      input: PW + '\n',
      env: { KRB5_CONFIG: realm.krb5ConfPath },
    })
    assert.equal(bad.status, 1)
    assert.match(bad.stderr, /C_PRINCIPAL_UNKNOWN/)
  })

  test('an etype the principal has no key of is left out; the CLI refuses to guess', async () => {
    const { client } = clientFor(realm)
    const info = await client.fetchSaltInfo('salty', { etypes: [17, 18] })
    assert.deepEqual(
      info.map((i) => i.etype),
      [18],
    )
    const r = runCli(
      [
        'keytab',
        'add',
        '-p',
        'salty@SALT.TEST',
        '-e',
        'aes128-cts-hmac-sha1-96',
        '-f',
        realm.path('x.kt'),
      ],
      { input: PW + '\n', env: { KRB5_CONFIG: realm.krb5ConfPath } },
    )
    assert.equal(r.status, 1)
    assert.match(r.stderr, /named no salt for aes128-cts-hmac-sha1-96/)
  })
})
