/**
 * Encoding PACs (what an embedded KDC needs): every buffer type round-trips through
 * encodePAC/decodePAC, the signatures verify, and the ticket signature binds the PAC to its
 * ticket.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { setFlags, type EncTicketPart } from '../../src/asn1/index.js'
import { randomKey } from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import { TicketFlags } from '../../src/iana.js'
import {
  dateToFileTime,
  decodePAC,
  encodePAC,
  encodePACSignature,
  layoutPAC,
  readPACLayout,
  signPAC,
  PACBufferType,
  formatSID,
  makeTicketSignature,
  parseSID,
  verifyPAC,
  verifyTicketSignature,
  type PACInput,
} from '../../src/pac/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { DOMAIN_SID, pacAuthorizationData, pacInputFor } from './build.js'
import { pacFixture } from './samples.js'

const serverKey = randomKey(18)
const kdcKey = randomKey(17)
const alice = parsePrincipal('alice@EXAMPLE.COM')
const authTime = new Date(Date.UTC(2026, 1, 3, 4, 5, 6))

describe('encodePAC', () => {
  it('every buffer type round-trips and the signatures verify', () => {
    const input: PACInput = pacInputFor(alice, authTime, {
      credentialInfo: { version: 0, encryptionType: 18, serializedData: new Uint8Array([1, 2, 3]) },
      delegationInfo: {
        proxyTarget: 'cifs/files.example.com',
        transitedServices: ['HTTP/web.example.com@EXAMPLE.COM', 'HTTP/api.example.com@EXAMPLE.COM'],
      },
      upnDnsInfo: {
        upn: 'alice@example.com',
        dnsDomainName: 'EXAMPLE.COM',
        flags: 2,
        samName: 'alice',
        sid: `${DOMAIN_SID}-1105`,
      },
      clientClaims: pacFixture('gokrb5-client-claims-str.bin'),
      deviceInfo: {
        userId: 1601,
        primaryGroupId: 515,
        accountDomainId: DOMAIN_SID,
        accountGroupIds: [{ rid: 515, attributes: 7 }],
        extraSids: [{ sid: 'S-1-18-1', attributes: 7 }],
        domainGroups: [
          { domainId: 'S-1-5-21-1-2-3', groupIds: [{ rid: 1000, attributes: 7 }] },
          { domainId: 'S-1-5-21-4-5-6', groupIds: [] },
        ],
      },
      deviceClaims: new Uint8Array([9, 9, 9]),
      attributes: { flagsLength: 2, flags: [1] },
      requestorSid: `${DOMAIN_SID}-1105`,
    })
    const bytes = encodePAC(input, { serverKey, kdcKey, fullSignature: true })
    const pac = decodePAC(bytes)
    for (const k of Object.keys(input) as (keyof PACInput)[]) {
      assert.deepEqual(pac[k as keyof typeof pac], input[k], k)
    }
    assert.equal(pac.serverSignature!.type, 16)
    assert.equal(pac.kdcSignature!.type, 15)
    assert.equal(pac.fullSignature!.type, 15)
    assert.equal(bytes.length % 8, 0)
    const v = verifyPAC(bytes, { serviceKey: serverKey, kdcKey, clientName: alice, authTime })
    assert.ok(v.kdcSignatureVerified)
    assert.equal(v.identity.userSid, `${DOMAIN_SID}-1105`)
  })

  it('a KDC signature with an RODC identifier: signed and verified with the identifier in place', () => {
    const buffers = decodePAC(
      encodePAC(pacInputFor(alice, authTime), { serverKey, kdcKey }),
    ).buffers.map((b) =>
      b.type === PACBufferType.PRIVSVR_CHECKSUM
        ? {
            type: b.type,
            data: encodePACSignature({
              type: 15,
              signature: new Uint8Array(12),
              rodcIdentifier: 7,
            }),
          }
        : b,
    )
    const signed = signPAC(layoutPAC(buffers), { serverKey, kdcKey })
    const v = verifyPAC(signed, { serviceKey: serverKey, kdcKey, clientName: alice, authTime })
    assert.equal(v.pac.kdcSignature!.rodcIdentifier, 7)
    // The identifier is covered by the server signature (MS-PAC §2.8: only Signature is zeroed).
    const l = readPACLayout(signed).find((x) => x.type === PACBufferType.PRIVSVR_CHECKSUM)!
    const moved = signed.slice()
    moved[l.offset + l.size - 2] = 8
    assert.throws(
      () => verifyPAC(moved, { serviceKey: serverKey, clientName: alice, authTime }),
      (e) => e instanceof KerberosError && e.context.reason === 'server-signature',
    )
  })

  it('SIDs: text form both ways, a large authority in hex', () => {
    assert.equal(formatSID(parseSID('S-1-5-21-1-2-3-500')), 'S-1-5-21-1-2-3-500')
    assert.equal(formatSID(parseSID('S-1-0x0100000000FF-7')), 'S-1-0x0100000000FF-7')
    assert.equal(formatSID(parseSID('S-1-0x0000000100FF-7')), 'S-1-65791-7')
    assert.throws(() => parseSID('S-1-5-x'), TypeError)
  })

  it('issue 12 PAC: the ticket signature binds the PAC to its ticket (a transplant is refused)', () => {
    const part: EncTicketPart = {
      flags: setFlags(TicketFlags.PRE_AUTHENT),
      key: randomKey(18),
      crealm: 'EXAMPLE.COM',
      cname: { nameType: 1, nameString: ['alice'] },
      transited: { trType: 1, contents: new Uint8Array(0) },
      authtime: authTime,
      endtime: new Date(authTime.getTime() + 36e5),
      authorizationData: pacAuthorizationData(new Uint8Array([0])),
    }
    const ticketSignature = makeTicketSignature(part, kdcKey)
    const pac = encodePAC(
      { clientInfo: { clientId: dateToFileTime(authTime), name: 'alice' } },
      { serverKey, kdcKey, ticketSignature },
    )
    const issued = { ...part, authorizationData: pacAuthorizationData(pac) }
    assert.equal(verifyTicketSignature(issued, kdcKey), true)
    const other = { ...issued, endtime: new Date(authTime.getTime() + 72e5) }
    assert.throws(
      () => verifyTicketSignature(other, kdcKey),
      (e) => e instanceof KerberosError && e.context.reason === 'ticket-signature',
    )
  })
})
