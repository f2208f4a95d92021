/** MS-KKDCP KDC-PROXY-MESSAGE codec: round trips, the bytes Python kdcproxy expects, hostile input. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as asn1js from 'asn1js'
import {
  decodeKDCProxyMessage,
  encodeKDCProxyMessage,
  frameKerbMessage,
  unframeKerbMessage,
  unwrapKKDCPReply,
  wrapKKDCPRequest,
} from '../../src/protocol/kkdcp.js'
import { KerberosError } from '../../src/errors.js'

const isKrb = (code: string) => (e: unknown) => e instanceof KerberosError && e.code === code

test('KDC-PROXY-MESSAGE: a request with target-domain and dclocator-hint round-trips', () => {
  const asReq = Uint8Array.of(0x6a, 0x03, 0x30, 0x01, 0x00)
  const body = wrapKKDCPRequest(asReq, 'EXAMPLE.COM', { dclocatorHint: 0x40000000 })
  const m = decodeKDCProxyMessage(body)
  assert.equal(m.targetDomain, 'EXAMPLE.COM')
  assert.equal(m.dclocatorHint, 0x40000000)
  assert.deepEqual(unframeKerbMessage(m.kerbMessage), asReq)
  assert.deepEqual(encodeKDCProxyMessage(m), body)
})

test('KDC-PROXY-MESSAGE: exact DER layout (what MIT and kdcproxy produce)', () => {
  const body = wrapKKDCPRequest(Uint8Array.of(0x6a, 0x00), 'R')
  // 30 len [A0 len 04 06 00000002 6a00] [A1 len 1B 01 52]
  assert.equal(
    Buffer.from(body).toString('hex'),
    '300f' + 'a008' + '0406' + '000000026a00' + 'a103' + '1b0152',
  )
})

test('KDC-PROXY-MESSAGE: asn1js reads the same fields', () => {
  const body = wrapKKDCPRequest(Uint8Array.of(0x6c, 0x01, 0x05), 'KRBTS.TEST', {
    dclocatorHint: 7,
  })
  const parsed = asn1js.fromBER(body.slice().buffer)
  assert.notEqual(parsed.offset, -1)
  const seq = parsed.result as asn1js.Sequence
  const [f0, f1, f2] = seq.valueBlock.value as asn1js.Constructed[]
  const octets = f0!.valueBlock.value[0] as asn1js.OctetString
  assert.deepEqual(
    new Uint8Array(octets.valueBlock.valueHexView),
    Uint8Array.of(0, 0, 0, 3, 0x6c, 1, 5),
  )
  const realm = f1!.valueBlock.value[0] as asn1js.GeneralString
  assert.equal(realm.valueBlock.value, 'KRBTS.TEST')
  const hint = f2!.valueBlock.value[0] as asn1js.Integer
  assert.equal(hint.valueBlock.valueDec, 7)
})

test('review M: a kerb-message whose length prefix disagrees with its size is refused', () => {
  const good = frameKerbMessage(Uint8Array.of(0x6b, 0x00))
  for (const bad of [
    Uint8Array.of(0, 0, 0, 3, 0x6b, 0x00), // claims more
    Uint8Array.of(0, 0, 0, 1, 0x6b, 0x00), // trailing byte after the message
    Uint8Array.of(0x80, 0, 0, 2, 0x6b, 0x00), // high bit
    Uint8Array.of(0, 0, 0, 0), // empty
    Uint8Array.of(0, 0), // short
  ]) {
    assert.throws(() => unframeKerbMessage(bad), isKrb('ERR_KRB_TRANSPORT'))
    assert.throws(
      () => unwrapKKDCPReply(encodeKDCProxyMessage({ kerbMessage: bad })),
      isKrb('ERR_KRB_TRANSPORT'),
    )
  }
  assert.deepEqual(unframeKerbMessage(good), Uint8Array.of(0x6b, 0x00))
})

test('review M: trailing bytes, indefinite lengths, unknown fields and wrong tags are ERR_KRB_ASN1_DECODE', () => {
  const body = wrapKKDCPRequest(Uint8Array.of(0x6a, 0x00), 'R')
  const cases = [
    Uint8Array.of(...body, 0), // trailing
    Uint8Array.of(0x31, ...body.subarray(1)), // SET
    Uint8Array.of(0x30, 0x02, 0xa1, 0x00), // no kerb-message
    encodeKDCProxyMessage({ kerbMessage: Uint8Array.of(1) }).subarray(0, 3),
    Uint8Array.of(0x30, 0x80, 0x00, 0x00), // indefinite
  ]
  for (const c of cases) assert.throws(() => decodeKDCProxyMessage(c), isKrb('ERR_KRB_ASN1_DECODE'))
  // A field [3] after dclocator-hint: the structure has no extension marker.
  const extra = Uint8Array.of(...body.subarray(2), 0xa3, 0x03, 0x02, 0x01, 0x00)
  assert.throws(
    () => decodeKDCProxyMessage(Uint8Array.of(0x30, extra.length, ...extra)),
    isKrb('ERR_KRB_ASN1_DECODE'),
  )
})

test('KDC-PROXY-MESSAGE: random bytes give a KerberosError or a value, never anything else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        unwrapKKDCPReply(bytes)
      } catch (e) {
        assert.ok(e instanceof KerberosError, String(e))
      }
    }),
    { numRuns: 2000 },
  )
})

test('wrapKKDCPRequest: argument errors are TypeError/RangeError', () => {
  assert.throws(() => wrapKKDCPRequest(Uint8Array.of(1), ''), TypeError)
  assert.throws(() => wrapKKDCPRequest(new Uint8Array(0), 'R'), RangeError)
})
