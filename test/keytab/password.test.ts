import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { EncTypeAliases } from '../../src/iana.js'
import { KerberosError } from '../../src/errors.js'
import { fromUtf8, toHex } from '../../src/internal/bytes.js'
import {
  createKeytab,
  findKeytabEntry,
  keytabEntriesFromPassword,
  parseKeytab,
  passwordSalt,
  serializeKeytab,
  type PasswordSalt,
} from '../../src/keytab/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { fixturePath, readJsonFixture } from '../helpers/paths.js'
import { klistOn, parseKlistKeytab, requireKlist } from './mit-tools.js'

interface PasswordFixture {
  readonly keytab: string
  readonly principal: string
  readonly kvno: number
  readonly enctype: string
  readonly password: string
  readonly salt: string | null
}

const fixtures = readJsonFixture<PasswordFixture[]>('keytab', 'passwords.json')

describe('keys from passwords equal the keys MIT ktutil stored', () => {
  for (const f of fixtures) {
    test(`${f.principal} kvno ${f.kvno} ${f.enctype}${f.salt ? ' salt ' + f.salt : ''}`, () => {
      const enctype = EncTypeAliases[f.enctype]!
      const kt = parseKeytab(new Uint8Array(readFileSync(fixturePath('keytab', f.keytab))))
      const stored = findKeytabEntry(kt, { principal: f.principal, kvno: f.kvno, enctype })
      const salt: PasswordSalt =
        f.salt === null ? { type: 'default' } : { type: 'explicit', salt: f.salt }
      const [mine] = keytabEntriesFromPassword({
        principal: f.principal,
        password: f.password,
        kvno: f.kvno,
        enctypes: [enctype],
        salt,
        allowWeak: true,
      })
      assert.ok(mine!.key.equals(stored.key), `key mismatch for ${f.enctype}`)
      assert.equal(mine!.kvno, stored.kvno)
    })
  }
})

describe('salt rules', () => {
  const user = parsePrincipal('svc-web@AD.EXAMPLE.COM')
  const computer = parsePrincipal('WEB01$@AD.EXAMPLE.COM')
  test('AD user and computer salts match the salts given to ktutil -s', () => {
    assert.equal(fromUtf8(passwordSalt(user, { type: 'ad-user' })), 'AD.EXAMPLE.COMsvc-web')
    assert.equal(
      fromUtf8(passwordSalt(user, { type: 'ad-user', samAccountName: 'SVC-Web' })),
      'AD.EXAMPLE.COMSVC-Web',
    )
    assert.equal(
      fromUtf8(
        passwordSalt(computer, {
          type: 'ad-computer',
          computerName: 'WEB01$',
          dnsDomain: 'AD.Example.com',
        }),
      ),
      'AD.EXAMPLE.COMhostweb01.ad.example.com',
    )
    assert.equal(
      fromUtf8(passwordSalt(parsePrincipal('HTTP/web.example.com@EXAMPLE.COM'))),
      'EXAMPLE.COMHTTPweb.example.com',
    )
  })
  test('typed AD salts give the ktutil keys', () => {
    const kt = parseKeytab(
      new Uint8Array(readFileSync(fixturePath('keytab', 'ktutil-salts.keytab'))),
    )
    const [u] = keytabEntriesFromPassword({
      principal: user,
      password: 'Sup3r$ecret',
      kvno: 2,
      salt: { type: 'ad-user' },
    })
    assert.ok(u!.key.equals(findKeytabEntry(kt, { principal: user, kvno: 2, enctype: 18 }).key))
    const [c] = keytabEntriesFromPassword({
      principal: computer,
      password: 'machine-pw',
      kvno: 5,
      enctypes: [18],
      salt: { type: 'ad-computer', computerName: 'WEB01$', dnsDomain: 'ad.example.com' },
    })
    assert.ok(c!.key.equals(findKeytabEntry(kt, { principal: computer, enctype: 18 }).key))
  })
  test('defaults: aes256 + aes128 (sha1), timestamp now; rc4 needs allowWeak', () => {
    const es = keytabEntriesFromPassword({
      principal: 'a@R',
      password: 'p',
      kvno: 1,
      timestamp: 42,
    })
    assert.deepEqual(
      es.map((e) => [e.enctype, e.kvno, e.timestamp]),
      [
        [18, 1, 42],
        [17, 1, 42],
      ],
    )
    assert.throws(
      () => keytabEntriesFromPassword({ principal: 'a@R', password: 'p', kvno: 1, enctypes: [23] }),
      (err: unknown) => err instanceof KerberosError && err.code === 'ERR_KRB_WEAK_CRYPTO',
    )
    assert.throws(
      () => keytabEntriesFromPassword({ principal: 'a', password: 'p', kvno: 1 }),
      RangeError,
    )
  })
  test('MIT klist lists a password keytab we write with the same keys ktutil made', (t) => {
    if (!requireKlist(t)) return
    const es = fixtures
      .filter((f) => f.keytab === 'ktutil-enctypes.keytab')
      .flatMap((f) =>
        keytabEntriesFromPassword({
          principal: f.principal,
          password: f.password,
          kvno: f.kvno,
          enctypes: [EncTypeAliases[f.enctype]!],
          allowWeak: true,
        }),
      )
    const ours = parseKlistKeytab(
      klistOn(serializeKeytab(createKeytab(es)), ['-k', '-t', '-K', '-e'], 'keytab'),
    )
    const theirs = parseKlistKeytab(
      readFileSync(fixturePath('keytab', 'ktutil-enctypes.klist.txt'), 'utf8'),
    )
    assert.deepEqual(
      ours.map((l) => [l.kvno, l.principal, l.enctype, l.keyHex]),
      theirs.map((l) => [l.kvno, l.principal, l.enctype, l.keyHex]),
    )
    assert.ok(es.every((e) => toHex(e.key.bytes).length > 0))
  })
})
