/** fast-check arbitraries for every RFC 4120 type the codec handles. */
import fc from 'fast-check'
import { KerberosKey } from '../../src/key.js'
import type * as T from '../../src/asn1/index.js'

export const int32: fc.Arbitrary<number> = fc.integer({ min: -0x80000000, max: 0x7fffffff })
export const uint32: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffffffff })
export const smallInt: fc.Arbitrary<number> = fc.oneof(fc.integer({ min: -300, max: 300 }), int32)
export const usec: fc.Arbitrary<number> = fc.integer({ min: 0, max: 999999 })
export const bytes: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 48 })
/** Well-formed strings: ASCII most of the time, any Unicode sometimes. */
export const kstring: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
)
const MIN = Date.UTC(0, 0, 1) / 1000
const MAX = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000
export const time: fc.Arbitrary<Date> = fc
  .integer({ min: MIN, max: MAX })
  .map((s) => new Date(s * 1000))
/** Key sizes the decoder enforces for the implemented enctypes; other enctypes take any size. */
const KEY_LENGTHS: Readonly<Record<number, number>> = {
  17: 16,
  18: 32,
  19: 16,
  20: 32,
  23: 16,
  24: 16,
  25: 16,
  26: 32,
}
export const key: fc.Arbitrary<KerberosKey> = fc
  .tuple(fc.oneof(smallInt, fc.constantFrom(17, 18, 19, 20, 23, 25, 26)), bytes)
  .map(([e, b]) => {
    const n = KEY_LENGTHS[e]
    return new KerberosKey(
      e,
      n === undefined ? b : Uint8Array.from({ length: n }, (_, i) => b[i] ?? i),
    )
  })

const opt = <R extends Record<string, unknown>>(
  model: { [K in keyof R]: fc.Arbitrary<R[K]> },
  required: (keyof R)[],
): fc.Arbitrary<R> => fc.record(model, { requiredKeys: required }) as unknown as fc.Arbitrary<R>

export const principalName: fc.Arbitrary<T.PrincipalName> = fc.record({
  nameType: smallInt,
  nameString: fc.array(kstring, { maxLength: 3 }),
})
export const encryptedData: fc.Arbitrary<T.EncryptedData> = opt<
  T.EncryptedData & Record<string, unknown>
>({ etype: smallInt, kvno: uint32, cipher: bytes }, ['etype', 'cipher'])
export const checksum: fc.Arbitrary<T.Checksum> = fc.record({
  cksumtype: smallInt,
  checksum: bytes,
})
export const hostAddress: fc.Arbitrary<T.HostAddress> = fc.record({
  addrType: smallInt,
  address: bytes,
})
export const hostAddresses: fc.Arbitrary<T.HostAddress[]> = fc.array(hostAddress, { maxLength: 3 })
export const authData: fc.Arbitrary<T.AuthorizationDataEntry[]> = fc.array(
  fc.record({ adType: smallInt, adData: bytes }),
  { maxLength: 3 },
)
export const paData: fc.Arbitrary<T.PAData> = fc.record({
  padataType: smallInt,
  padataValue: bytes,
})
export const paList: fc.Arbitrary<T.PAData[]> = fc.array(paData, { maxLength: 3 })
export const transited: fc.Arbitrary<T.TransitedEncoding> = fc.record({
  trType: smallInt,
  contents: bytes,
})
export const lastReq: fc.Arbitrary<T.LastReqEntry[]> = fc.array(
  fc.record({ lrType: smallInt, lrValue: time }),
  {
    maxLength: 3,
  },
)

export const ticket: fc.Arbitrary<T.Ticket> = fc.record({
  tktVno: fc.constant(5 as const),
  realm: kstring,
  sname: principalName,
  encPart: encryptedData,
})

type Loose<X> = X & Record<string, unknown>

export const encTicketPart: fc.Arbitrary<T.EncTicketPart> = opt<Loose<T.EncTicketPart>>(
  {
    flags: uint32,
    key,
    crealm: kstring,
    cname: principalName,
    transited,
    authtime: time,
    starttime: time,
    endtime: time,
    renewTill: time,
    caddr: hostAddresses,
    authorizationData: authData,
  },
  ['flags', 'key', 'crealm', 'cname', 'transited', 'authtime', 'endtime'],
)

export const kdcReqBody: fc.Arbitrary<T.KDCReqBody> = opt<Loose<T.KDCReqBody>>(
  {
    kdcOptions: uint32,
    cname: principalName,
    realm: kstring,
    sname: principalName,
    from: time,
    till: time,
    rtime: time,
    nonce: uint32,
    etype: fc.array(smallInt, { maxLength: 4 }),
    addresses: hostAddresses,
    encAuthorizationData: encryptedData,
    additionalTickets: fc.array(ticket, { maxLength: 2 }),
  },
  ['kdcOptions', 'realm', 'till', 'nonce', 'etype'],
)

export const kdcReq: fc.Arbitrary<T.KDCReq> = opt<Loose<T.KDCReq>>(
  {
    pvno: fc.constant(5 as const),
    msgType: fc.constantFrom(10 as const, 12 as const),
    padata: paList,
    reqBody: kdcReqBody,
  },
  ['pvno', 'msgType', 'reqBody'],
)

export const kdcRep: fc.Arbitrary<T.KDCRep> = opt<Loose<T.KDCRep>>(
  {
    pvno: fc.constant(5 as const),
    msgType: fc.constantFrom(11 as const, 13 as const),
    padata: paList,
    crealm: kstring,
    cname: principalName,
    ticket,
    encPart: encryptedData,
  },
  ['pvno', 'msgType', 'crealm', 'cname', 'ticket', 'encPart'],
)

export const encKDCRepPart: fc.Arbitrary<T.EncKDCRepPart> = opt<Loose<T.EncKDCRepPart>>(
  {
    key,
    lastReq,
    nonce: uint32,
    keyExpiration: time,
    flags: uint32,
    authtime: time,
    starttime: time,
    endtime: time,
    renewTill: time,
    srealm: kstring,
    sname: principalName,
    caddr: hostAddresses,
    encryptedPaData: paList,
  },
  ['key', 'lastReq', 'nonce', 'flags', 'authtime', 'endtime', 'srealm', 'sname'],
)

export const apReq: fc.Arbitrary<T.APReq> = fc.record({
  pvno: fc.constant(5 as const),
  msgType: fc.constant(14 as const),
  apOptions: uint32,
  ticket,
  authenticator: encryptedData,
})

export const authenticator: fc.Arbitrary<T.Authenticator> = opt<Loose<T.Authenticator>>(
  {
    authenticatorVno: fc.constant(5 as const),
    crealm: kstring,
    cname: principalName,
    cksum: checksum,
    cusec: usec,
    ctime: time,
    subkey: key,
    seqNumber: uint32,
    authorizationData: authData,
  },
  ['authenticatorVno', 'crealm', 'cname', 'cusec', 'ctime'],
)

export const apRep: fc.Arbitrary<T.APRep> = fc.record({
  pvno: fc.constant(5 as const),
  msgType: fc.constant(15 as const),
  encPart: encryptedData,
})

export const encAPRepPart: fc.Arbitrary<T.EncAPRepPart> = opt<Loose<T.EncAPRepPart>>(
  { ctime: time, cusec: usec, subkey: key, seqNumber: uint32 },
  ['ctime', 'cusec'],
)

const safeModel = {
  userData: bytes,
  timestamp: time,
  usec,
  seqNumber: uint32,
  sAddress: hostAddress,
  rAddress: hostAddress,
}

export const krbSafe: fc.Arbitrary<T.KRBSafe> = fc.record({
  pvno: fc.constant(5 as const),
  msgType: fc.constant(20 as const),
  safeBody: opt<Loose<T.KRBSafeBody>>(safeModel, ['userData', 'sAddress']),
  cksum: checksum,
})

export const krbPriv: fc.Arbitrary<T.KRBPriv> = fc.record({
  pvno: fc.constant(5 as const),
  msgType: fc.constant(21 as const),
  encPart: encryptedData,
})

export const encKrbPrivPart: fc.Arbitrary<T.EncKrbPrivPart> = opt<Loose<T.EncKrbPrivPart>>(
  safeModel,
  ['userData'],
)

export const krbCred: fc.Arbitrary<T.KRBCred> = fc.record({
  pvno: fc.constant(5 as const),
  msgType: fc.constant(22 as const),
  tickets: fc.array(ticket, { maxLength: 2 }),
  encPart: encryptedData,
})

export const krbCredInfo: fc.Arbitrary<T.KrbCredInfo> = opt<Loose<T.KrbCredInfo>>(
  {
    key,
    prealm: kstring,
    pname: principalName,
    flags: uint32,
    authtime: time,
    starttime: time,
    endtime: time,
    renewTill: time,
    srealm: kstring,
    sname: principalName,
    caddr: hostAddresses,
  },
  ['key'],
)

export const encKrbCredPart: fc.Arbitrary<T.EncKrbCredPart> = opt<Loose<T.EncKrbCredPart>>(
  {
    ticketInfo: fc.array(krbCredInfo, { maxLength: 2 }),
    nonce: uint32,
    timestamp: time,
    usec,
    sAddress: hostAddress,
    rAddress: hostAddress,
  },
  ['ticketInfo'],
)

export const krbError: fc.Arbitrary<T.KRBError> = opt<Loose<T.KRBError>>(
  {
    pvno: fc.constant(5 as const),
    msgType: fc.constant(30 as const),
    ctime: time,
    cusec: usec,
    stime: time,
    susec: usec,
    errorCode: smallInt,
    crealm: kstring,
    cname: principalName,
    realm: kstring,
    sname: principalName,
    eText: kstring,
    eData: bytes,
  },
  ['pvno', 'msgType', 'stime', 'susec', 'errorCode', 'realm', 'sname'],
)

export const typedData: fc.Arbitrary<T.TypedDataEntry[]> = fc.array(
  opt<Loose<T.TypedDataEntry>>({ dataType: smallInt, dataValue: bytes }, ['dataType']),
  { maxLength: 3 },
)
export const paEncTSEnc: fc.Arbitrary<T.PAEncTSEnc> = opt<Loose<T.PAEncTSEnc>>(
  { patimestamp: time, pausec: usec },
  ['patimestamp'],
)
export const eTypeInfo: fc.Arbitrary<T.ETypeInfoEntry[]> = fc.array(
  opt<Loose<T.ETypeInfoEntry>>({ etype: smallInt, salt: bytes }, ['etype']),
  { maxLength: 3 },
)
export const eTypeInfo2: fc.Arbitrary<T.ETypeInfo2Entry[]> = fc.array(
  opt<Loose<T.ETypeInfo2Entry>>({ etype: smallInt, salt: kstring, s2kparams: bytes }, ['etype']),
  { maxLength: 3 },
)
export const paPacRequest: fc.Arbitrary<T.PAPacRequest> = fc.record({ includePac: fc.boolean() })
export const adKDCIssued: fc.Arbitrary<T.ADKDCIssued> = opt<Loose<T.ADKDCIssued>>(
  { adChecksum: checksum, iRealm: kstring, iSname: principalName, elements: authData },
  ['adChecksum', 'elements'],
)
export const adAndOr: fc.Arbitrary<T.ADAndOr> = fc.record({
  conditionCount: int32,
  elements: authData,
})

export const paForUser: fc.Arbitrary<T.PAForUser> = fc.record({
  userName: principalName,
  userRealm: kstring,
  cksum: checksum,
  authPackage: kstring,
})
export const paS4UX509User: fc.Arbitrary<T.PAS4UX509User> = fc.record({
  userId: opt<Loose<T.S4UUserID>>(
    {
      nonce: uint32,
      cname: principalName,
      crealm: kstring,
      subjectCertificate: bytes,
      options: uint32,
    },
    ['nonce', 'crealm'],
  ),
  checksum,
})
export const paPacOptions: fc.Arbitrary<T.PAPacOptions> = fc.record({ flags: uint32 })
const armor = fc.record({ armorType: smallInt, armorValue: bytes })
export const fastArmoredReq: fc.Arbitrary<T.KrbFastArmoredReq> = opt<Loose<T.KrbFastArmoredReq>>(
  { armor, reqChecksum: checksum, encFastReq: encryptedData },
  ['reqChecksum', 'encFastReq'],
)
export const fastReq: fc.Arbitrary<T.KrbFastReq> = fc.record({
  fastOptions: uint32,
  padata: paList,
  reqBody: kdcReqBody,
})
export const fastReply: fc.Arbitrary<{ encFastRep: T.EncryptedData }> = fc.record({
  encFastRep: encryptedData,
})
export const fastResponse: fc.Arbitrary<T.KrbFastResponse> = opt<Loose<T.KrbFastResponse>>(
  {
    padata: paList,
    strengthenKey: key,
    finished: fc.record({
      timestamp: time,
      usec,
      crealm: kstring,
      cname: principalName,
      ticketChecksum: checksum,
    }),
    nonce: uint32,
  },
  ['padata', 'nonce'],
)
