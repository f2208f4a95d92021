/**
 * Issue 12 item 4 without a DC: the AD salt rules against keys a Samba 4.17 DC exported
 * (fixtures/ad, made by fixtures/ad/make.sh with the suite's own setup script). Runs everywhere;
 * test/ad/salt.test.ts checks the same against a live DC and its KDC's ETYPE-INFO2.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { fromUtf8, toHex } from '../../src/internal/bytes.js'
import {
  keytabEntriesFromPassword,
  parseKeytab,
  passwordSalt,
  type PasswordSalt,
} from '../../src/keytab/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { fixturePath, readJsonFixture } from '../helpers/paths.js'

interface Account {
  readonly sam: string
  readonly password: string
  readonly upn?: string
  readonly spns?: readonly string[]
  readonly computer?: boolean
  readonly salt: string
  readonly keytabs: Readonly<Record<string, string>>
}

const accounts = readJsonFixture<Account[]>('ad', 'accounts.json')

/** The documented rule for a principal of an account: what a keytab generator should pass. */
function ruleFor(a: Account, principal: string): PasswordSalt {
  if (a.computer === true) return { type: 'ad-computer' }
  const isAccountName = principal.startsWith(`${a.sam}@`)
  return {
    type: 'ad-user',
    ...(isAccountName ? {} : { samAccountName: a.sam }),
    ...(a.upn !== undefined ? { userPrincipalName: a.upn } : {}),
  }
}

describe('AD salt rules against keys a Samba DC exported (fixtures/ad)', () => {
  for (const a of accounts) {
    for (const [file, principal] of Object.entries(a.keytabs)) {
      it(`${principal} (${file}): salt ${a.salt}, keys equal exportkeytab's`, () => {
        const kt = parseKeytab(readFileSync(fixturePath('ad', 'keytabs', file)))
        const rule = ruleFor(a, principal)
        assert.equal(fromUtf8(passwordSalt(parsePrincipal(principal), rule)), a.salt)
        const want = kt.entries.map((e) => `${e.enctype}:${e.kvno}:${toHex(e.key.bytes)}`).sort()
        const got = keytabEntriesFromPassword({
          principal,
          password: a.password,
          kvno: kt.entries[0]!.kvno,
          enctypes: kt.entries.map((e) => e.enctype),
          salt: rule,
          allowWeak: true,
        })
          .map((e) => `${e.enctype}:${e.kvno}:${toHex(e.key.bytes)}`)
          .sort()
        assert.deepEqual(got, want)
      })
    }
  }

  it('review 12.4a: the UPN decides a user salt (JDoe → AD.TESTjdoe), ktpass: the SPN default salt', () => {
    const jdoe = parsePrincipal('JDoe@AD.TEST')
    assert.equal(fromUtf8(passwordSalt(jdoe, { type: 'ad-user' })), 'AD.TESTJDoe')
    assert.equal(
      fromUtf8(passwordSalt(jdoe, { type: 'ad-user', userPrincipalName: 'jdoe@ad.test' })),
      'AD.TESTjdoe',
    )
    const spn = parsePrincipal('HTTP/web.ad.test@AD.TEST')
    assert.equal(fromUtf8(passwordSalt(spn, { type: 'default' })), 'AD.TESTHTTPweb.ad.test')
  })

  it('review 12.4b: host/FQDN with ad-computer salts with the first label', () => {
    const host = parsePrincipal('host/web01.ad.test@AD.TEST')
    assert.equal(fromUtf8(passwordSalt(host, { type: 'ad-computer' })), 'AD.TESThostweb01.ad.test')
  })

  it('review 12.4c: ad-user on an SPN without its account throws instead of a silent wrong salt', () => {
    const spn = parsePrincipal('HTTP/vault.ad.test@AD.TEST')
    assert.throws(() => passwordSalt(spn, { type: 'ad-user' }), RangeError)
    assert.equal(
      fromUtf8(passwordSalt(spn, { type: 'ad-user', samAccountName: 'Svc-Vault' })),
      'AD.TESTSvc-Vault',
    )
  })
})
