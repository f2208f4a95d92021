import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as k from '../../src/asn1/index.js'
import type { PAData } from '../../src/asn1/index.js'
import {
  baseName,
  checkWithAsn1js,
  loadCaptured,
  loadReferenceVectors,
  referenceCodec,
  referenceSkipped,
  stripRaw,
} from './helpers.js'

const vectors = loadReferenceVectors()
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

test('reference_encode.out: every line is a type we implement or one listed as skipped', () => {
  assert.ok(vectors.length >= 60, `expected the whole file, got ${vectors.length} lines`)
  for (const v of vectors) {
    const known = referenceCodec(v.name) !== undefined || baseName(v.name) in referenceSkipped
    assert.ok(known, `unclassified vector ${v.name}`)
  }
})

for (const v of vectors) {
  const codec = referenceCodec(v.name)
  if (codec === undefined) continue
  test(`MIT ${v.name}: decode → encode is byte-exact, from fields too, and asn1js agrees`, () => {
    const decoded = codec.decode(v.bytes)
    assert.equal(hex(codec.encode(decoded as never)), hex(v.bytes))
    assert.equal(
      hex(codec.encode(stripRaw(decoded) as never)),
      hex(v.bytes),
      'encoded from fields (raw dropped)',
    )
    checkWithAsn1js(v.bytes)
  })
}

const ktestTime = new Date('1994-06-10T06:03:17Z')
const find = (name: string): Uint8Array => {
  const v = vectors.find((x) => x.name === name)
  assert.ok(v, name)
  return v.bytes
}

test('MIT sample values decode to what ktest.c builds', () => {
  const auth = k.decodeAuthenticator(find('encode_krb5_authenticator'))
  assert.equal(auth.crealm, 'ATHENA.MIT.EDU')
  assert.deepEqual(auth.cname, { nameType: 1, nameString: ['hftsai', 'extra'] })
  assert.equal(auth.cusec, 123456)
  assert.deepEqual(auth.ctime, ktestTime)
  assert.equal(auth.seqNumber, 17)
  assert.equal(auth.subkey?.enctype, 1)
  assert.equal(Buffer.from(auth.subkey!.bytes).toString(), '12345678')
  assert.deepEqual(auth.cksum, { cksumtype: 1, checksum: new TextEncoder().encode('1234') })

  const etp = k.decodeEncTicketPart(find('encode_krb5_enc_tkt_part'))
  assert.equal(etp.flags, 0xfedcba98)
  assert.equal(etp.transited.contents.length, 35)
  assert.equal(etp.caddr?.length, 2)
  assert.deepEqual(etp.caddr?.[0], { addrType: 2, address: Uint8Array.of(0x12, 0xd0, 0x00, 0x23) })

  const rep = k.decodeEncKDCRepPart(find('encode_krb5_enc_kdc_rep_part'))
  assert.equal(rep.tag, 'EncTGSRepPart')
  assert.equal(rep.value.nonce, 42)
  assert.deepEqual(rep.value.lastReq[0], { lrType: -5, lrValue: ktestTime })

  const err = k.decodeKRBError(find('encode_krb5_error'))
  assert.equal(err.errorCode, 60)
  assert.equal(err.eText, 'krb5data')
  assert.equal(err.susec, 123456)

  const req = k.decodeASReq(find('encode_krb5_as_req'))
  assert.equal(req.reqBody.kdcOptions, 0xfedcba90)
  assert.deepEqual(req.reqBody.etype, [0, 1])
  assert.equal(req.reqBody.additionalTickets?.length, 2)
  assert.equal(hex(req.reqBody.raw!), hex(find('encode_krb5_kdc_req_body')))

  const info2 = k.decodeETypeInfo2(find('encode_krb5_etype_info2'))
  assert.deepEqual(info2[1], { etype: 1, s2kparams: new TextEncoder().encode('s2k: 1') })
  assert.equal(info2[0]!.salt, "Morton's #0")
})

const captured = loadCaptured()

/** Decode and re-encode PA-DATA values of the types we know; return how many were checked. */
function checkPaData(list: readonly PAData[] | undefined): number {
  let n = 0
  for (const pa of list ?? []) {
    const v = pa.padataValue
    if (v.length === 0) continue // a hint in METHOD-DATA, not an encoding
    const roundTrip = (
      decode: (b: Uint8Array) => unknown,
      encode: (x: never) => Uint8Array,
    ): void => {
      assert.equal(
        hex(encode(stripRaw(decode(v)) as never)),
        hex(v),
        `padata type ${pa.padataType}`,
      )
      n++
    }
    if (pa.padataType === 1) {
      roundTrip(k.decodeAPReq, k.encodeAPReq)
    } else if (pa.padataType === 2) roundTrip(k.decodeEncryptedData, k.encodeEncryptedData)
    else if (pa.padataType === 11) roundTrip(k.decodeETypeInfo, k.encodeETypeInfo)
    else if (pa.padataType === 19) roundTrip(k.decodeETypeInfo2, k.encodeETypeInfo2)
    else if (pa.padataType === 128) roundTrip(k.decodePAPacRequest, k.encodePAPacRequest)
  }
  return n
}

test(`captured KDC messages (${captured.length} files): type from the tag, byte-exact round trip`, (t) => {
  if (captured.length === 0) {
    t.skip('no fixtures/asn1/captured/*.der yet')
    return
  }
  let nested = 0
  for (const f of captured) {
    const msg = k.decodeKerberosMessage(f.bytes)
    assert.equal(hex(k.encodeKerberosMessage(msg)), hex(f.bytes), f.name)
    assert.equal(hex(k.encodeKerberosMessage(stripRaw(msg))), hex(f.bytes), `${f.name} from fields`)
    checkWithAsn1js(f.bytes)
    if (
      msg.type === 'AS-REQ' ||
      msg.type === 'TGS-REQ' ||
      msg.type === 'AS-REP' ||
      msg.type === 'TGS-REP'
    ) {
      nested += checkPaData(msg.value.padata)
    }
    if (msg.type === 'KRB-ERROR' && msg.value.errorCode === 25 && msg.value.eData) {
      const md = k.decodeMethodData(msg.value.eData)
      assert.equal(hex(k.encodeMethodData(md)), hex(msg.value.eData))
      nested += checkPaData(md)
    }
  }
  t.diagnostic(
    `checked ${captured.length} captured messages and ${nested} typed PA-DATA values inside them`,
  )
})

test('captured AS-REP: tag-driven dispatch agrees with decodeASRep', (t) => {
  const f = captured.find((x) => x.name.endsWith('as-rep.der'))
  if (!f) return t.skip('no captured as-rep.der')
  const rep = k.decodeASRep(f.bytes)
  assert.equal(rep.msgType, 11)
  assert.ok(rep.ticket.raw && rep.ticket.raw.length > 0)
  // The exact ticket bytes are forwarded into an AP-REQ.
  const ap = k.encodeAPReq({
    pvno: 5,
    msgType: 14,
    apOptions: 0,
    ticket: rep.ticket,
    authenticator: { etype: 18, cipher: new Uint8Array(8) },
  })
  assert.ok(hex(ap).includes(hex(rep.ticket.raw!)))
  assert.throws(() => k.decodeTGSRep(f.bytes), { code: 'ERR_KRB_ASN1_DECODE' })
})
