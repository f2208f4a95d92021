import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as k from '../../src/asn1/index.js'
import { decodeKerberosStringBytes, encodeKerberosStringBytes } from '../../src/asn1/der.js'
import * as A from './arbitraries.js'
import { checkWithAsn1js, normalize } from './helpers.js'

const RUNS = 150

interface Case {
  readonly name: string
  readonly arb: fc.Arbitrary<unknown>
  readonly encode: (v: never) => Uint8Array
  readonly decode: (b: Uint8Array) => unknown
}

const cs = <V>(
  name: string,
  arb: fc.Arbitrary<V>,
  encode: (v: V) => Uint8Array,
  decode: (b: Uint8Array) => V,
): Case => ({
  name,
  arb,
  encode: encode as (v: never) => Uint8Array,
  decode,
})

const cases: Case[] = [
  cs('Int32', A.int32, k.encodeInt32, k.decodeInt32),
  cs('UInt32', A.uint32, k.encodeUInt32, k.decodeUInt32),
  cs('Microseconds', A.usec, k.encodeMicroseconds, k.decodeMicroseconds),
  cs('KerberosString', A.kstring, k.encodeKerberosString, k.decodeKerberosString),
  cs('Realm', A.kstring, k.encodeRealm, k.decodeRealm),
  cs('KerberosTime', A.time, k.encodeKerberosTime, k.decodeKerberosTime),
  cs('KerberosFlags', A.uint32, k.encodeKerberosFlags, k.decodeKerberosFlags),
  cs('PrincipalName', A.principalName, k.encodePrincipalName, k.decodePrincipalName),
  cs('EncryptedData', A.encryptedData, k.encodeEncryptedData, k.decodeEncryptedData),
  cs('EncryptionKey', A.key, k.encodeEncryptionKey, k.decodeEncryptionKey),
  cs('Checksum', A.checksum, k.encodeChecksum, k.decodeChecksum),
  cs('HostAddress', A.hostAddress, k.encodeHostAddress, k.decodeHostAddress),
  cs('HostAddresses', A.hostAddresses, k.encodeHostAddresses, k.decodeHostAddresses),
  cs('AuthorizationData', A.authData, k.encodeAuthorizationData, k.decodeAuthorizationData),
  cs('AD-IF-RELEVANT', A.authData, k.encodeADIfRelevant, k.decodeADIfRelevant),
  cs('AD-MANDATORY-FOR-KDC', A.authData, k.encodeADMandatoryForKDC, k.decodeADMandatoryForKDC),
  cs('AD-KDCIssued', A.adKDCIssued, k.encodeADKDCIssued, k.decodeADKDCIssued),
  cs('AD-AND-OR', A.adAndOr, k.encodeADAndOr, k.decodeADAndOr),
  cs('PA-DATA', A.paData, k.encodePAData, k.decodePAData),
  cs('METHOD-DATA', A.paList, k.encodeMethodData, k.decodeMethodData),
  cs('TYPED-DATA', A.typedData, k.encodeTypedData, k.decodeTypedData),
  cs('TransitedEncoding', A.transited, k.encodeTransitedEncoding, k.decodeTransitedEncoding),
  cs('LastReq', A.lastReq, k.encodeLastReq, k.decodeLastReq),
  cs('Ticket', A.ticket, k.encodeTicket, k.decodeTicket),
  cs('EncTicketPart', A.encTicketPart, k.encodeEncTicketPart, k.decodeEncTicketPart),
  cs('KDC-REQ-BODY', A.kdcReqBody, k.encodeKDCReqBody, k.decodeKDCReqBody),
  cs('KDC-REQ', A.kdcReq, k.encodeKDCReq, k.decodeKDCReq),
  cs('KDC-REP', A.kdcRep, k.encodeKDCRep, k.decodeKDCRep),
  cs('EncASRepPart', A.encKDCRepPart, k.encodeEncASRepPart, k.decodeEncASRepPart),
  cs('EncTGSRepPart', A.encKDCRepPart, k.encodeEncTGSRepPart, k.decodeEncTGSRepPart),
  cs('AP-REQ', A.apReq, k.encodeAPReq, k.decodeAPReq),
  cs('Authenticator', A.authenticator, k.encodeAuthenticator, k.decodeAuthenticator),
  cs('AP-REP', A.apRep, k.encodeAPRep, k.decodeAPRep),
  cs('EncAPRepPart', A.encAPRepPart, k.encodeEncAPRepPart, k.decodeEncAPRepPart),
  cs('KRB-SAFE', A.krbSafe, k.encodeKRBSafe, k.decodeKRBSafe),
  cs('KRB-PRIV', A.krbPriv, k.encodeKRBPriv, k.decodeKRBPriv),
  cs('EncKrbPrivPart', A.encKrbPrivPart, k.encodeEncKrbPrivPart, k.decodeEncKrbPrivPart),
  cs('KRB-CRED', A.krbCred, k.encodeKRBCred, k.decodeKRBCred),
  cs('EncKrbCredPart', A.encKrbCredPart, k.encodeEncKrbCredPart, k.decodeEncKrbCredPart),
  cs('KrbCredInfo', A.krbCredInfo, k.encodeKrbCredInfo, k.decodeKrbCredInfo),
  cs('KRB-ERROR', A.krbError, k.encodeKRBError, k.decodeKRBError),
  cs('PA-ENC-TS-ENC', A.paEncTSEnc, k.encodePAEncTSEnc, k.decodePAEncTSEnc),
  cs('ETYPE-INFO', A.eTypeInfo, k.encodeETypeInfo, k.decodeETypeInfo),
  cs('ETYPE-INFO2', A.eTypeInfo2, k.encodeETypeInfo2, k.decodeETypeInfo2),
  cs('PA-PAC-REQUEST', A.paPacRequest, k.encodePAPacRequest, k.decodePAPacRequest),
  cs('PA-PAC-OPTIONS', A.paPacOptions, k.encodePAPacOptions, k.decodePAPacOptions),
  cs('PA-FOR-USER', A.paForUser, k.encodePAForUser, k.decodePAForUser),
  cs('PA-S4U-X509-USER', A.paS4UX509User, k.encodePAS4UX509User, k.decodePAS4UX509User),
  cs('PA-FX-FAST-REQUEST', A.fastArmoredReq, k.encodePAFxFastRequest, k.decodePAFxFastRequest),
  cs('KrbFastReq', A.fastReq, k.encodeKrbFastReq, k.decodeKrbFastReq),
  cs('PA-FX-FAST-REPLY', A.fastReply, k.encodePAFxFastReply, k.decodePAFxFastReply),
  cs('KrbFastResponse', A.fastResponse, k.encodeKrbFastResponse, k.decodeKrbFastResponse),
]

for (const c of cases) {
  test(`${c.name}: decode(encode(x)) equals x, re-encoding is stable, asn1js reads the same tree`, () => {
    fc.assert(
      fc.property(c.arb, (v) => {
        const der = c.encode(v as never)
        const back = c.decode(der)
        assert.deepStrictEqual(normalize(back), normalize(v))
        assert.deepStrictEqual(c.encode(back as never), der)
        // Primitive standalone values are single TLVs too; asn1js must agree on every one.
        checkWithAsn1js(der)
      }),
      { numRuns: RUNS },
    )
  })
}

test('decodeKerberosMessage dispatches every APPLICATION type and encodeKerberosMessage inverts it', () => {
  const arbs: [k.KerberosMessage['type'], fc.Arbitrary<unknown>][] = [
    ['Ticket', A.ticket],
    ['Authenticator', A.authenticator],
    ['EncTicketPart', A.encTicketPart],
    ['AP-REQ', A.apReq],
    ['AP-REP', A.apRep],
    ['KRB-SAFE', A.krbSafe],
    ['KRB-PRIV', A.krbPriv],
    ['KRB-CRED', A.krbCred],
    ['EncASRepPart', A.encKDCRepPart],
    ['EncTGSRepPart', A.encKDCRepPart],
    ['EncAPRepPart', A.encAPRepPart],
    ['EncKrbPrivPart', A.encKrbPrivPart],
    ['EncKrbCredPart', A.encKrbCredPart],
    ['KRB-ERROR', A.krbError],
  ]
  for (const [type, arb] of arbs) {
    fc.assert(
      fc.property(arb, (value) => {
        const msg = { type, value } as k.KerberosMessage
        const der = k.encodeKerberosMessage(msg)
        const back = k.decodeKerberosMessage(der)
        assert.equal(back.type, type)
        assert.deepStrictEqual(normalize(back.value), normalize(value))
      }),
      { numRuns: 30 },
    )
  }
  fc.assert(
    fc.property(A.kdcReq, A.kdcRep, (req, rep) => {
      assert.equal(
        k.decodeKerberosMessage(k.encodeKDCReq(req)).type,
        req.msgType === 10 ? 'AS-REQ' : 'TGS-REQ',
      )
      assert.equal(
        k.decodeKerberosMessage(k.encodeKDCRep(rep)).type,
        rep.msgType === 11 ? 'AS-REP' : 'TGS-REP',
      )
    }),
    { numRuns: 30 },
  )
})

test('KerberosString: any bytes decode and re-encode byte for byte', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
      const s = decodeKerberosStringBytes(b, 0, b.length)
      assert.deepStrictEqual(encodeKerberosStringBytes(s), b)
      const der = k.encodeKerberosString(s)
      assert.deepStrictEqual(der.subarray(2), b.length < 128 ? b : der.subarray(2))
    }),
    { numRuns: 2000 },
  )
})

test('KerberosString: valid UTF-8 decodes as UTF-8 (same as TextDecoder)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), (s) => {
      const b = new TextEncoder().encode(s)
      assert.equal(decodeKerberosStringBytes(b, 0, b.length), s)
      assert.deepStrictEqual(encodeKerberosStringBytes(s), b)
    }),
    { numRuns: 1000 },
  )
})
