/**
 * MS-PAC decoding and verification against the sample PACs of MIT krb5's t_pac.c and gokrb5's
 * testdata: every field their tests state, every server signature with the keys they give, the
 * KDC signature where the key is known, and MIT's re-sign round trip.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { decodeAuthorizationData } from '../../src/asn1/index.js'
import { KerberosError } from '../../src/errors.js'
import {
  decodeKerbValidationInfo,
  decodePAC,
  decodePACSignature,
  encodeKerbValidationInfo,
  fileTimeToDate,
  findPAC,
  pacIdentity,
  signPAC,
  verifyPAC,
  FILETIME_NEVER,
  PACBufferType,
} from '../../src/pac/index.js'
import { MIT_KDC_KEY, MIT_MEMBER_KEY, pacFixture, samplePACs } from './samples.js'

const code = (e: unknown): string => (e instanceof KerberosError ? e.code : String(e))
const reason = (e: unknown): unknown => (e instanceof KerberosError ? e.context.reason : undefined)

describe('MS-PAC samples from MIT krb5 and gokrb5', () => {
  for (const s of samplePACs()) {
    it(`${s.name}: decodes and its server signature verifies`, () => {
      const v = verifyPAC(s.bytes, {
        serviceKey: s.serviceKey,
        clientName: s.client,
        authTime: s.authTime,
        allowWeak: true,
        ...(s.kdcKey ? { kdcKey: s.kdcKey } : {}),
      })
      assert.equal(v.kdcSignatureVerified, s.kdcKey !== undefined)
      assert.ok(v.pac.clientInfo)
      // Re-signing with the same keys reproduces the bytes (MIT t_pac.c's sign/verify loop).
      if (s.kdcKey) {
        const again = signPAC(s.bytes, {
          serverKey: s.serviceKey,
          kdcKey: s.kdcKey,
          allowWeak: true,
        })
        assert.deepEqual(again, s.bytes)
      }
    })
  }

  it('saved_pac (Windows 2003 via Samba torture): logon info, client info, identity', () => {
    const pac = decodePAC(pacFixture('saved-pac.bin'))
    assert.deepEqual(
      pac.buffers.map((b) => [b.type, b.data.length]),
      [
        [1, 472],
        [10, 32],
        [6, 20],
        [7, 20],
      ],
    )
    const li = pac.logonInfo!
    assert.equal(li.effectiveName, 'W2003FINAL$')
    assert.equal(li.logonDomainName, 'WIN2K3THINK')
    assert.equal(li.logonServer, 'W2003FINAL')
    assert.equal(li.userId, 1005)
    assert.equal(li.primaryGroupId, 516)
    assert.equal(li.logoffTime, FILETIME_NEVER)
    assert.deepEqual(li.extraSids, [{ sid: 'S-1-5-9', attributes: 7 }])
    assert.equal(pac.clientInfo!.name, 'w2003final$')
    assert.equal(fileTimeToDate(pac.clientInfo!.clientId)!.getTime(), 1120440609 * 1000)
    assert.equal(pac.serverSignature!.type, -138)
    const id = pacIdentity(pac)
    assert.equal(id.userSid, 'S-1-5-21-3048156945-3961193616-3706469200-1005')
    assert.deepEqual(id.groupSids, ['S-1-5-21-3048156945-3961193616-3706469200-516', 'S-1-5-9'])
  })

  it('S4U2Self PACs (Windows 2008): UPN_DNS_INFO, enterprise and cross-realm client names', () => {
    const pac = decodePAC(pacFixture('s4u-pac-ent-xrealm.bin'))
    assert.deepEqual(pac.upnDnsInfo, { upn: 'w2k8u@abc', dnsDomainName: 'ACME.COM', flags: 0 })
    assert.equal(pac.clientInfo!.name, 'w2k8u@abc@ACME.COM')
    assert.equal(pac.logonInfo!.effectiveName, 'w2k8u')
    assert.equal(pac.logonInfo!.logonDomainName, 'ACME')
    assert.equal(pac.serverSignature!.type, 16)
    assert.equal(pac.kdcSignature!.type, -138)
    const id = pacIdentity(pac)
    assert.equal(id.userSid, 'S-1-5-21-9281652-3921847615-585208160-1142')
    assert.equal(id.upn, 'w2k8u@abc')
    assert.equal(id.dnsDomainName, 'ACME.COM')
  })

  it('gokrb5 MS sample (top-level AD-WIN2K-PAC): every field gokrb5 checks', () => {
    const bytes = findPAC(decodeAuthorizationData(pacFixture('gokrb5-ad-ms.der')))!
    const li = decodePAC(bytes).logonInfo!
    assert.equal(fileTimeToDate(li.logonTime)!.toISOString(), '2006-04-28T01:42:50.925Z')
    assert.equal(li.logoffTime, FILETIME_NEVER)
    assert.equal(fileTimeToDate(li.passwordCanChange)!.toISOString(), '2006-03-19T10:44:54.837Z')
    assert.equal(li.effectiveName, 'lzhu')
    assert.equal(li.fullName, 'Liqiang(Larry) Zhu')
    assert.equal(li.logonScript, 'ntds2.bat')
    assert.equal(li.logonCount, 4180)
    assert.equal(li.userId, 2914711)
    assert.equal(li.primaryGroupId, 513)
    assert.equal(li.groupIds.length, 26)
    assert.deepEqual(li.groupIds[0], { rid: 3392609, attributes: 7 })
    assert.deepEqual(li.groupIds[25], { rid: 3018354, attributes: 7 })
    assert.equal(li.userFlags, 32)
    assert.equal(li.logonServer, 'NTDEV-DC-05')
    assert.equal(li.logonDomainName, 'NTDEV')
    assert.equal(li.logonDomainId, 'S-1-5-21-397955417-626881126-188441444')
    assert.equal(li.userAccountControl, 16)
    assert.equal(li.extraSids.length, 13)
    assert.deepEqual(li.extraSids[0], {
      sid: 'S-1-5-21-773533881-1816936887-355810188-513',
      attributes: 7,
    })
    assert.deepEqual(li.extraSids[11], {
      sid: 'S-1-5-21-397955417-626881126-188441444-3248111',
      attributes: 536870919,
    })
    assert.equal(li.resourceGroupDomainSid, undefined)
    assert.deepEqual(li.resourceGroupIds, [])
  })

  it('gokrb5 trust sample: resource groups join the group SIDs', () => {
    const li = decodeKerbValidationInfo(pacFixture('gokrb5-kvi-trust.bin'))
    assert.equal(li.userFlags, 544)
    assert.equal(li.logonDomainId, 'S-1-5-21-2284869408-3503417140-1141177250')
    assert.equal(li.resourceGroupDomainSid, 'S-1-5-21-3062750306-1230139592-1973306805')
    assert.deepEqual(li.resourceGroupIds, [
      { rid: 1107, attributes: 536870919 },
      { rid: 1108, attributes: 536870919 },
    ])
    const id = pacIdentity({ version: 0, buffers: [], logonInfo: li })
    assert.deepEqual(
      [...id.groupSids].sort(),
      [
        'S-1-5-21-2284869408-3503417140-1141177250-1110',
        'S-1-5-21-2284869408-3503417140-1141177250-513',
        'S-1-5-21-2284869408-3503417140-1141177250-1109',
        'S-1-18-1',
        'S-1-5-21-3062750306-1230139592-1973306805-1107',
        'S-1-5-21-3062750306-1230139592-1973306805-1108',
      ].sort(),
    )
  })

  it('gokrb5 testuser1 PAC: identity with UPN and DNS domain', () => {
    const s = samplePACs().find((x) => x.name.includes('GOKRB5'))!
    const { identity } = verifyPAC(s.bytes, {
      serviceKey: s.serviceKey,
      clientName: s.client,
      authTime: s.authTime,
    })
    assert.equal(identity.accountName, 'testuser1')
    assert.equal(identity.fullName, 'Test1 User1')
    assert.equal(identity.userSid, 'S-1-5-21-3167651404-3865080224-2280184895-1105')
    assert.equal(identity.upn, 'testuser1@test.gokrb5')
    assert.equal(identity.dnsDomainName, 'TEST.GOKRB5')
    assert.equal(identity.logonDomainName, 'TEST')
    const rids = identity.groupSids.map((g) => g.split('-').pop())
    assert.deepEqual(rids, ['513', '1108', '1109', '1115', '1116', '1114', '1111'])
  })

  it('NDR round trip: every sample KERB_VALIDATION_INFO re-encodes to the same value', () => {
    const infos = [
      ...samplePACs().map((s) => decodePAC(s.bytes).logonInfo!),
      decodePAC(findPAC(decodeAuthorizationData(pacFixture('gokrb5-ad-ms.der')))!).logonInfo!,
      decodeKerbValidationInfo(pacFixture('gokrb5-kvi-trust.bin')),
    ]
    for (const li of infos) {
      assert.deepEqual(decodeKerbValidationInfo(encodeKerbValidationInfo(li)), li)
    }
  })

  it('rc4 signatures need allowWeak; unkeyed or mismatched checksum types are refused', () => {
    const saved = pacFixture('saved-pac.bin')
    const opts = {
      serviceKey: MIT_MEMBER_KEY,
      clientName: { nameType: 1, components: ['w2003final$'], realm: 'WIN2K3.THINKER.LOCAL' },
      authTime: new Date(1120440609 * 1000),
    }
    assert.throws(
      () => verifyPAC(saved, opts),
      (e) => code(e) === 'ERR_KRB_WEAK_CRYPTO',
    )
    const aes = samplePACs()[1]!
    assert.throws(
      () =>
        verifyPAC(aes.bytes, {
          ...opts,
          serviceKey: MIT_KDC_KEY,
          clientName: aes.client,
          authTime: aes.authTime,
          allowWeak: true,
        }),
      (e) => code(e) === 'ERR_KRB_PAC_VERIFY' && reason(e) === 'checksum-type',
    )
    const sig = decodePACSignature(decodePAC(saved).buffers[2]!.data)
    assert.equal(sig.signature.length, 16)
    assert.equal(decodePAC(saved).buffers[2]!.type, PACBufferType.SERVER_CHECKSUM)
  })
})
