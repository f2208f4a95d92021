/** AD salt helpers (issue 12 item 4): UPN name parts, computer names, the ad-user decision. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  adAccountSalt,
  adComputerName,
  adComputerSalt,
  adUpnSalt,
  saltFor,
} from '../../src/crypto/index.js'
import { fromUtf8 } from '../../src/internal/bytes.js'
import { parsePrincipal } from '../../src/principal.js'

describe('AD salts', () => {
  it('adUpnSalt: REALM (upper case) + the UPN name part, components joined; the suffix does not matter', () => {
    assert.equal(fromUtf8(adUpnSalt('ad.test', 'jdoe@ad.test')), 'AD.TESTjdoe')
    assert.equal(fromUtf8(adUpnSalt('AD.TEST', 'JDoe@other.example')), 'AD.TESTJDoe')
    assert.equal(
      fromUtf8(adUpnSalt('AD.TEST', 'HTTP/web.ad.test@AD.TEST')),
      'AD.TESTHTTPweb.ad.test',
    )
    assert.equal(fromUtf8(adUpnSalt('AD.TEST', 'a\\@b@ad.test')), 'AD.TESTa@b')
    assert.equal(fromUtf8(adUpnSalt('AD.TEST', 'noat')), 'AD.TESTnoat')
    assert.throws(() => adUpnSalt('AD.TEST', '@ad.test'), RangeError)
  })

  it('adComputerName / adComputerSalt: WEB01$, WEB01, web01.ad.test and host/web01.ad.test name the same computer', () => {
    for (const n of ['WEB01$', 'WEB01', 'web01.ad.test', 'Web01.AD.test']) {
      assert.equal(fromUtf8(adComputerSalt('ad.test', n, 'AD.test')), 'AD.TESThostweb01.ad.test')
    }
    assert.equal(adComputerName(parsePrincipal('host/web01.ad.test@AD.TEST')), 'web01')
    assert.equal(adComputerName(parsePrincipal('WEB01$@AD.TEST')), 'WEB01')
    assert.throws(() => adComputerName('$'), RangeError)
    const host = parsePrincipal('host/web01.ad.test@AD.TEST')
    assert.equal(
      fromUtf8(saltFor({ kind: 'ad-computer', principal: host })),
      'AD.TESThostweb01.ad.test',
    )
    assert.equal(
      fromUtf8(saltFor({ kind: 'ad-computer', principal: host, dnsDomain: 'corp.example' })),
      'AD.TESThostweb01.corp.example',
    )
  })

  it('adAccountSalt: UPN wins, then sAMAccountName, then a one-component name; an SPN alone throws', () => {
    const spn = parsePrincipal('HTTP/vault.ad.test@AD.TEST')
    const user = parsePrincipal('JDoe@AD.TEST')
    assert.equal(
      fromUtf8(adAccountSalt(user, { samAccountName: 'JDoe', userPrincipalName: 'jdoe@ad.test' })),
      'AD.TESTjdoe',
    )
    assert.equal(fromUtf8(adAccountSalt(user)), 'AD.TESTJDoe')
    assert.equal(fromUtf8(adAccountSalt(spn, { samAccountName: 'Svc-Vault' })), 'AD.TESTSvc-Vault')
    assert.throws(() => adAccountSalt(spn), /service name/)
    assert.throws(() => saltFor({ kind: 'ad-user', principal: spn }), RangeError)
  })
})
