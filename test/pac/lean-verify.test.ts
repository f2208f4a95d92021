/**
 * The PAC verifier of a lean Acceptor (enablePAC(), docs/bundling.md): verifyPACIdentity decodes
 * only the buffers verification and the identity use (signatures, CLIENT_INFO, LOGON_INFO,
 * UPN_DNS_INFO) and keeps the others raw, so their decoders stay out of the bundle. It must
 * make the same decisions as verifyPAC: every byte of every buffer is still covered by the
 * server signature, and every refusal of verifyPAC is a refusal here too.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomKey } from '../../src/crypto/index.js'
import { KerberosError } from '../../src/errors.js'
import {
  dateToFileTime,
  decodePAC,
  encodePAC,
  PACBufferType,
  readPACLayout,
  verifyPAC,
  type PACInput,
  type VerifyPACOptions,
} from '../../src/pac/index.js'
import { verifyPACIdentity } from '../../src/pac/verify.js'
import { parsePrincipal } from '../../src/principal.js'
import { DOMAIN_SID, pacInputFor } from './build.js'

const client = parsePrincipal('alice@EXAMPLE.COM')
const authTime = new Date(Date.UTC(2026, 0, 2, 3, 4, 5))
const serverKey = randomKey(18)
const kdcKey = randomKey(18)

/** A PAC with every typed buffer an AD KDC may add besides the identity ones. */
const extra: PACInput = {
  credentialInfo: { version: 0, encryptionType: 18, serializedData: new Uint8Array(24).fill(7) },
  delegationInfo: { proxyTarget: 'HTTP/back.example.com', transitedServices: ['HTTP/front'] },
  deviceInfo: {
    userId: 1105,
    primaryGroupId: 515,
    accountDomainId: DOMAIN_SID,
    accountGroupIds: [{ rid: 515, attributes: 7 }],
    extraSids: [{ sid: 'S-1-18-1', attributes: 7 }],
    domainGroups: [],
  },
  attributes: { flagsLength: 2, flags: [1] },
  requestorSid: `${DOMAIN_SID}-1105`,
  clientClaims: new Uint8Array([1, 2, 3, 4]),
}
const pacBytes = encodePAC(pacInputFor(client, authTime, extra), {
  serverKey,
  kdcKey,
  fullSignature: true,
})
const options: VerifyPACOptions = { serviceKey: serverKey, clientName: client, authTime }

/** The refusal of `f` as `code/reason` (reason only for ERR_KRB_PAC_VERIFY), or 'accepted'. */
function outcome(f: () => unknown): string {
  try {
    f()
    return 'accepted'
  } catch (err) {
    assert.ok(err instanceof KerberosError, `not a KerberosError: ${String(err)}`)
    return err.code === 'ERR_KRB_PAC_VERIFY'
      ? `${err.code}/${String(err.context.reason)}`
      : err.code
  }
}

test('lean enablePAC verifier: the same identity and identity buffers as verifyPAC; other buffers stay raw and decodePAC still decodes them', () => {
  const full = verifyPAC(pacBytes, { ...options, kdcKey })
  const lean = verifyPACIdentity(pacBytes, { ...options, kdcKey })
  assert.deepEqual(lean.identity, full.identity)
  assert.equal(lean.kdcSignatureVerified, true)
  for (const k of [
    'logonInfo',
    'clientInfo',
    'upnDnsInfo',
    'serverSignature',
    'kdcSignature',
    'fullSignature',
    'clientClaims',
  ] as const) {
    assert.deepEqual(lean.pac[k], full.pac[k], k)
  }
  for (const k of [
    'credentialInfo',
    'delegationInfo',
    'deviceInfo',
    'attributes',
    'requestorSid',
  ] as const) {
    assert.notEqual(full.pac[k], undefined, k)
    assert.equal(lean.pac[k], undefined, k)
  }
  assert.deepEqual(lean.pac.buffers, full.pac.buffers)
  const later = decodePAC(pacBytes)
  assert.deepEqual(later.deviceInfo, extra.deviceInfo)
  assert.equal(later.requestorSid, extra.requestorSid)
})

test('lean enablePAC verifier: a PAC with one byte changed in any buffer (also one it does not decode) is refused, as verifyPAC refuses it', () => {
  const layout = readPACLayout(pacBytes)
  const signatureTypes: number[] = [
    PACBufferType.SERVER_CHECKSUM,
    PACBufferType.PRIVSVR_CHECKSUM,
    PACBufferType.FULL_CHECKSUM,
  ]
  const undecoded: number[] = [
    PACBufferType.CREDENTIALS_INFO,
    PACBufferType.DELEGATION_INFO,
    PACBufferType.DEVICE_INFO,
    PACBufferType.ATTRIBUTES_INFO,
    PACBufferType.REQUESTOR,
  ]
  let tried = 0
  for (const l of layout) {
    // The KDC and full signatures are checked only with the krbtgt key (below).
    if (signatureTypes.includes(l.type) && l.type !== PACBufferType.SERVER_CHECKSUM) continue
    // First, middle and last octet of the buffer; in a signature buffer, of the signature.
    const from = signatureTypes.includes(l.type) ? l.offset + 4 : l.offset
    for (const at of [from, (from + l.offset + l.size) >> 1, l.offset + l.size - 1]) {
      const bad = pacBytes.slice()
      bad[at]! ^= 0x01
      const full = outcome(() => verifyPAC(bad, options))
      const lean = outcome(() => verifyPACIdentity(bad, options))
      assert.notEqual(full, 'accepted', `type ${l.type} at ${at}`)
      assert.notEqual(lean, 'accepted', `type ${l.type} at ${at}`)
      // A buffer the lean verifier does not decode is refused by the server signature.
      if (undecoded.includes(l.type)) {
        assert.equal(lean, 'ERR_KRB_PAC_VERIFY/server-signature', `type ${l.type} at ${at}`)
      } else {
        assert.equal(lean, full, `type ${l.type} at ${at}`)
      }
      tried++
    }
  }
  assert.ok(tried >= 27, `only ${tried} alterations`)
  // The KDC and full signatures, with the krbtgt key.
  for (const type of [PACBufferType.PRIVSVR_CHECKSUM, PACBufferType.FULL_CHECKSUM]) {
    const l = layout.find((x) => x.type === type)!
    const bad = pacBytes.slice()
    bad[l.offset + 4]! ^= 0x80
    const o = { ...options, kdcKey }
    assert.equal(
      outcome(() => verifyPACIdentity(bad, o)),
      outcome(() => verifyPAC(bad, o)),
    )
    assert.notEqual(
      outcome(() => verifyPACIdentity(bad, o)),
      'accepted',
    )
  }
})

test('lean enablePAC verifier: the refusals of verifyPAC (client name, authtime, missing CLIENT_INFO, wrong key) are the same', () => {
  const cases: [string, Uint8Array, VerifyPACOptions][] = [
    ['other client', pacBytes, { ...options, clientName: parsePrincipal('mallory@EXAMPLE.COM') }],
    ['other authtime', pacBytes, { ...options, authTime: new Date(authTime.getTime() + 1000) }],
    ['wrong service key', pacBytes, { ...options, serviceKey: randomKey(18) }],
    ['wrong krbtgt key', pacBytes, { ...options, kdcKey: randomKey(18) }],
    [
      'no CLIENT_INFO',
      encodePAC(
        { logonInfo: pacInputFor(client, authTime).logonInfo!, ...extra },
        { serverKey, kdcKey },
      ),
      options,
    ],
    [
      'CLIENT_INFO of another client',
      encodePAC(
        pacInputFor(client, authTime, {
          ...extra,
          clientInfo: { clientId: dateToFileTime(authTime), name: 'mallory' },
        }),
        { serverKey, kdcKey },
      ),
      options,
    ],
  ]
  for (const [what, bytes, o] of cases) {
    const full = outcome(() => verifyPAC(bytes, o))
    assert.notEqual(full, 'accepted', what)
    assert.equal(
      outcome(() => verifyPACIdentity(bytes, o)),
      full,
      what,
    )
  }
})
