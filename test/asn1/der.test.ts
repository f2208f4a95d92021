import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as k from '../../src/asn1/index.js'
import { KerberosKey } from '../../src/key.js'
import { KDCError, KerberosError } from '../../src/errors.js'

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'))
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const decodeErr = { code: 'ERR_KRB_ASN1_DECODE' }
const encodeErr = { code: 'ERR_KRB_ASN1_ENCODE' }

test('INTEGER: minimal two’s complement at every boundary', () => {
  const cases: [number, string][] = [
    [0, '020100'],
    [127, '02017f'],
    [128, '02020080'],
    [-1, '0201ff'],
    [-128, '020180'],
    [-129, '0202ff7f'],
    [32767, '02027fff'],
    [32768, '0203008000'],
    [0x7fffffff, '02047fffffff'],
    [-0x80000000, '020480000000'],
  ]
  for (const [v, der] of cases) {
    assert.equal(hex(k.encodeInt32(v)), der, String(v))
    assert.equal(k.decodeInt32(h(der)), v)
  }
  assert.equal(hex(k.encodeUInt32(0xffffffff)), '020500ffffffff')
  assert.equal(hex(k.encodeUInt32(0x80000000)), '02050080000000')
  assert.equal(k.decodeUInt32(h('020500ffffffff')), 0xffffffff)
})

test('INTEGER: tolerant of non-minimal and signed UInt32 encodings, strict on range', () => {
  assert.equal(k.decodeInt32(h('02020005')), 5)
  assert.equal(k.decodeInt32(h('0203ffff80')), -128)
  // Some implementations send nonces and sequence numbers as negative Int32.
  assert.equal(k.decodeUInt32(h('0201ff')), 0xffffffff)
  assert.equal(k.decodeUInt32(h('020480000000')), 0x80000000)
  assert.throws(() => k.decodeInt32(h('020500ffffffff')), decodeErr)
  assert.throws(() => k.decodeUInt32(h('0205010000000000'.slice(0, 14))), decodeErr)
  assert.throws(() => k.decodeInt32(h('0200')), decodeErr)
  assert.throws(() => k.encodeInt32(0x80000000), encodeErr)
  assert.throws(() => k.encodeUInt32(-1), encodeErr)
  assert.throws(() => k.encodeInt32(1.5), encodeErr)
  assert.throws(() => k.encodeMicroseconds(1_000_000), RangeError)
})

test('KerberosTime: exactly YYYYMMDDHHMMSSZ', () => {
  const t = (s: string): Uint8Array => {
    const b = new TextEncoder().encode(s)
    return Uint8Array.from([0x18, b.length, ...b])
  }
  assert.deepEqual(k.decodeKerberosTime(t('19940610060317Z')), new Date('1994-06-10T06:03:17Z'))
  assert.deepEqual(k.decodeKerberosTime(t('00010101000000Z')), new Date('0001-01-01T00:00:00Z'))
  assert.deepEqual(k.decodeKerberosTime(t('00500101000000Z')).getUTCFullYear(), 50)
  assert.deepEqual(k.decodeKerberosTime(t('20240229235959Z')), new Date('2024-02-29T23:59:59Z'))
  for (const bad of [
    '19940610060317.5Z',
    '19940610060317',
    '199406100603Z',
    '19940610060317+0000',
    '1994061006031Z',
    '20230229000000Z',
    '19941310000000Z',
    '19940600000000Z',
    '19940610240000Z',
    '19940610006000Z',
    '19940610000060Z',
    '1994 610000000Z',
    '19940610060317z',
  ]) {
    assert.throws(() => k.decodeKerberosTime(t(bad)), decodeErr, bad)
  }
  // Milliseconds are dropped on encode.
  assert.equal(
    hex(k.encodeKerberosTime(new Date('1994-06-10T06:03:17.999Z'))),
    hex(t('19940610060317Z')),
  )
  assert.throws(() => k.encodeKerberosTime(new Date(NaN)), encodeErr)
  assert.throws(() => k.encodeKerberosTime(new Date('+010000-01-01T00:00:00Z')), encodeErr)
})

test('KerberosFlags: 32-bit BIT STRING out, any length in', () => {
  assert.equal(hex(k.encodeKerberosFlags(k.setFlags(1))), '030500' + '40000000')
  assert.equal(hex(k.encodeKerberosFlags(0xfedcba98)), '030500fedcba98')
  assert.equal(k.decodeKerberosFlags(h('03020780')), 0x80000000)
  assert.equal(k.decodeKerberosFlags(h('030100')), 0)
  assert.equal(k.decodeKerberosFlags(h('0306001122334455')), 0x11223344)
  assert.throws(() => k.decodeKerberosFlags(h('03020880')), decodeErr)
  assert.throws(() => k.decodeKerberosFlags(h('030107')), decodeErr)
  assert.throws(() => k.decodeKerberosFlags(h('0300')), decodeErr)
  const f = k.setFlags(0, 1, 8, 31)
  assert.equal(f, 0xc0800001)
  assert.ok(k.hasFlag(f, 0) && k.hasFlag(f, 8) && k.hasFlag(f, 31) && !k.hasFlag(f, 2))
  assert.deepEqual(k.listFlags(f), [0, 1, 8, 31])
  assert.throws(() => k.setFlags(32), RangeError)
  assert.throws(() => k.hasFlag(0, -1), RangeError)
})

test('DER structure: indefinite lengths, long length fields, high tags, short data are refused', () => {
  assert.throws(() => k.decodeEncryptedData(h('3080a003020100a2020400 0000')), /indefinite length/)
  assert.throws(() => k.decodeEncryptedData(h('30850000000001')), /length field of 5 bytes/)
  assert.throws(() => k.decodeInt32(h('1f0201')), /high tag numbers/)
  assert.throws(() => k.decodeEncryptedData(h('3084ffffffff')), /runs past/)
  assert.throws(() => k.decodeEncryptedData(new Uint8Array(0)), /found end of data/)
  assert.throws(() => k.decodeEncryptedData(h('30')), /truncated length/)
  // Fields out of order or unknown extra fields.
  assert.throws(() => k.decodeEncryptedData(h('300aa2020400a0030201 00')), decodeErr)
  assert.throws(
    () => k.decodeEncryptedData(h('300da003020100a2020400a3020500')),
    /after the last field/,
  )
  assert.throws(() => k.decodeEncryptedData('not bytes' as unknown as Uint8Array), TypeError)
})

test('DER structure: non-minimal lengths are read (BER-minded encoders), output is minimal', () => {
  const ber = h('3081 0c a0 81 03 020112 a2 82 0002 0400')
  const v = k.decodeEncryptedData(ber)
  assert.deepEqual(v, { etype: 18, cipher: new Uint8Array(0) })
  assert.equal(hex(k.encodeEncryptedData(v)), '3009a003020112a2020400')
})

test('decoded byte fields are views into the input; keys are copies', () => {
  const key = new KerberosKey(18, new Uint8Array(32).fill(9))
  const der = k.encodeEncryptionKey(key)
  const back = k.decodeEncryptionKey(der)
  der.fill(0)
  assert.equal(back.bytes[0], 9)
  assert.equal(String(back), 'KerberosKey(aes256-cts-hmac-sha1-96 (18), 32 bytes)')
})

test('Ticket keeps its exact bytes (non-enumerable raw); a spread copy is re-encoded from fields', () => {
  // A ticket with a non-minimal length: only raw reproduces it.
  const ber = h(
    '61 81 2c 30 2a a0 03 020105 a1 05 1b03 522e53 a2 0e 300c a0 03 020101 a1 05 3003 1b0178 a3 0c 300a a0 03 020112 a2 03 0401ff',
  )
  const t = k.decodeTicket(ber)
  assert.equal(hex(t.raw!), hex(ber))
  assert.deepEqual(Object.keys(t), ['tktVno', 'realm', 'sname', 'encPart'])
  assert.equal(hex(k.encodeTicket(t)), hex(ber))
  const copy = { ...t, realm: 'R.T' }
  assert.equal(copy.raw, undefined)
  assert.equal(k.decodeTicket(k.encodeTicket(copy)).realm, 'R.T')
  const ap = k.decodeAPReq(
    k.encodeAPReq({
      pvno: 5,
      msgType: 14,
      apOptions: 0,
      ticket: t,
      authenticator: { etype: 18, cipher: h('00') },
    }),
  )
  assert.equal(hex(ap.ticket.raw!), hex(ber))
})

test('KDC-REQ-BODY keeps its exact bytes for the TGS checksum', () => {
  const body: k.KDCReqBody = {
    kdcOptions: k.setFlags(1, 8),
    realm: 'EXAMPLE.COM',
    sname: { nameType: 2, nameString: ['krbtgt', 'EXAMPLE.COM'] },
    till: new Date('2026-11-24T00:00:00Z'),
    nonce: 0x9abcdef0,
    etype: [18, 17],
  }
  const der = k.encodeKDCReqBody(body)
  const req = k.decodeTGSReq(k.encodeTGSReq({ pvno: 5, msgType: 12, padata: [], reqBody: body }))
  assert.equal(hex(req.reqBody.raw!), hex(der))
  assert.equal(req.reqBody.nonce, 0x9abcdef0)
})

test('EncKDCRepPart: both APPLICATION tags accepted and reported; strict variants refuse the other', () => {
  const part: k.EncKDCRepPart = {
    key: new KerberosKey(18, new Uint8Array(32)),
    lastReq: [],
    nonce: 1,
    flags: 0,
    authtime: new Date(0),
    endtime: new Date(3600_000),
    srealm: 'R',
    sname: { nameType: 2, nameString: ['krbtgt', 'R'] },
  }
  const as = k.encodeEncASRepPart(part)
  const tgs = k.encodeEncTGSRepPart(part)
  assert.equal(as[0], 0x79)
  assert.equal(tgs[0], 0x7a)
  assert.equal(k.decodeEncKDCRepPart(as).tag, 'EncASRepPart')
  assert.equal(k.decodeEncKDCRepPart(tgs).tag, 'EncTGSRepPart')
  assert.throws(() => k.decodeEncASRepPart(tgs), decodeErr)
  assert.throws(() => k.decodeEncTGSRepPart(as), decodeErr)
  assert.equal(k.decodeKerberosMessage(tgs).type, 'EncTGSRepPart')
})

test('pvno and msg-type are checked against the APPLICATION tag', () => {
  const rep = k.encodeAPRep({ pvno: 5, msgType: 15, encPart: { etype: 18, cipher: h('00') } })
  const wrongType = Uint8Array.from(rep)
  wrongType[wrongType.indexOf(0x0f, 8)] = 0x0e
  assert.throws(() => k.decodeAPRep(wrongType), /expected 15, got 14/)
  const wrongVno = Uint8Array.from(rep)
  wrongVno[wrongVno.indexOf(0x05)] = 0x04
  assert.throws(() => k.decodeAPRep(wrongVno), /protocol version 5/)
  assert.throws(
    () => k.encodeAPRep({ pvno: 4 as 5, msgType: 15, encPart: { etype: 1, cipher: h('') } }),
    encodeErr,
  )
  assert.throws(
    () =>
      k.encodeASReq({
        pvno: 5,
        msgType: 12,
        reqBody: { kdcOptions: 0, realm: 'R', till: new Date(0), nonce: 1, etype: [] },
      }),
    encodeErr,
  )
})

test('KerberosString: UTF-8 names decode as text; invalid UTF-8 (Latin-1) round-trips byte for byte', () => {
  const utf8 = k.encodePrincipalName({ nameType: 1, nameString: ['jösé', '名前'] })
  assert.deepEqual(k.decodePrincipalName(utf8).nameString, ['jösé', '名前'])
  const latin1 = h('300f a003020101 a1 08 3006 1b04 6ae97365')
  const name = k.decodePrincipalName(latin1)
  assert.equal(name.nameString[0], 'j\udce9se')
  assert.equal(hex(k.encodePrincipalName(name)), hex(latin1))
})

test('PA-PAC-REQUEST, PA-ENC-TS-ENC, ETYPE-INFO2, METHOD-DATA helpers', () => {
  assert.equal(hex(k.encodePAPacRequest({ includePac: true })), '3005a0030101ff')
  assert.deepEqual(k.decodePAPacRequest(h('3005a003010101')), { includePac: true })
  assert.deepEqual(k.decodePAPacRequest(h('3005a003010100')), { includePac: false })
  assert.throws(() => k.decodePAPacRequest(h('3006a00401020000')), decodeErr)
  const ts = { patimestamp: new Date('2026-11-23T05:00:00Z'), pausec: 5 }
  assert.deepEqual(k.decodePAEncTSEnc(k.encodePAEncTSEnc(ts)), ts)
  const info = [{ etype: 18, salt: 'EXAMPLE.COMalice' }, { etype: 17 }]
  assert.deepEqual(k.decodeETypeInfo2(k.encodeETypeInfo2(info)), info)
  const md = [{ padataType: 19, padataValue: k.encodeETypeInfo2(info) }]
  assert.deepEqual(
    k.decodeETypeInfo2(k.decodeMethodData(k.encodeMethodData(md))[0]!.padataValue),
    info,
  )
})

test('krbErrorToKDCError carries number, name, e-text, e-data, KDC time and principals', () => {
  const eData = k.encodeMethodData([{ padataType: 2, padataValue: new Uint8Array(0) }])
  const err = k.decodeKRBError(
    k.encodeKRBError({
      pvno: 5,
      msgType: 30,
      stime: new Date('2026-11-23T05:00:00Z'),
      susec: 250_000,
      errorCode: 25,
      crealm: 'EXAMPLE.COM',
      cname: { nameType: 1, nameString: ['alice'] },
      realm: 'EXAMPLE.COM',
      sname: { nameType: 2, nameString: ['krbtgt', 'EXAMPLE.COM'] },
      eText: 'NEEDED_PREAUTH',
      eData,
    }),
  )
  const kdc = k.krbErrorToKDCError(err)
  assert.ok(kdc instanceof KDCError && kdc instanceof KerberosError)
  assert.equal(kdc.code, 'ERR_KRB_KDC_ERROR')
  assert.equal(kdc.errorCode, 25)
  assert.equal(kdc.errorName, 'KDC_ERR_PREAUTH_REQUIRED')
  assert.equal(kdc.eText, 'NEEDED_PREAUTH')
  assert.deepEqual(kdc.eData, eData)
  assert.deepEqual(kdc.serverTime, new Date('2026-11-23T05:00:00.250Z'))
  assert.equal(kdc.context.client, 'alice@EXAMPLE.COM')
  assert.equal(kdc.context.server, 'krbtgt/EXAMPLE.COM@EXAMPLE.COM')
})

test('principalFromName / principalToName', () => {
  const p = k.principalFromName({ nameType: 3, nameString: ['HTTP', 'web'] }, 'R')
  assert.deepEqual(p, { nameType: 3, components: ['HTTP', 'web'], realm: 'R' })
  assert.deepEqual(k.principalToName(p), {
    name: { nameType: 3, nameString: ['HTTP', 'web'] },
    realm: 'R',
  })
})

test('encoders reject values of the wrong type with TypeError', () => {
  assert.throws(
    () =>
      k.encodeEncryptionKey({ enctype: 18, bytes: new Uint8Array(1) } as unknown as KerberosKey),
    TypeError,
  )
  assert.throws(
    () => k.encodeChecksum({ cksumtype: 1, checksum: 'x' as unknown as Uint8Array }),
    TypeError,
  )
  assert.throws(() => k.encodeKerberosTime('2020' as unknown as Date), TypeError)
})

test('extensible SEQUENCEs (FAST, S4U) skip later extension fields, in order, and nothing else', () => {
  const rep = k.encodeKrbFastResponse({ padata: [], nonce: 7 })
  // An extension field [5] { INTEGER 1 } after nonce [3].
  const ext = Uint8Array.from([...rep.subarray(2), 0xa5, 0x03, 0x02, 0x01, 0x01])
  const withExt = Uint8Array.from([0x30, ext.length, ...ext])
  assert.deepEqual(k.decodeKrbFastResponse(withExt), { padata: [], nonce: 7 })
  const backwards = Uint8Array.from([
    0x30,
    ext.length,
    ...ext.subarray(0, ext.length - 5),
    0xa2,
    0x03,
    0x02,
    0x01,
    0x01,
  ])
  assert.throws(() => k.decodeKrbFastResponse(backwards), decodeErr)
  const universal = Uint8Array.from([
    0x30,
    ext.length,
    ...ext.subarray(0, ext.length - 5),
    0x02,
    0x03,
    0x02,
    0x01,
    0x01,
  ])
  assert.throws(() => k.decodeKrbFastResponse(universal), decodeErr)
})

test('PA-S4U-X509-USER: MIT sample nonce 13243546 and 32-bit options', () => {
  const v = k.decodePAS4UX509User(
    h(
      '3068A0553053A006020400CA149AA11A3018A003020101A111300F1B066866747361691B056578747261A2101B0E415448454E412E4D49542E454455A31204107061' +
        '5F7334755F783530395F75736572A40703050080000000A10F300DA003020101A10604043132333' +
        '4',
    ),
  )
  assert.equal(v.userId.nonce, 13243546)
  assert.equal(v.userId.options, 0x80000000)
  assert.equal(new TextDecoder().decode(v.userId.subjectCertificate), 'pa_s4u_x509_user')
})
