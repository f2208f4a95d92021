/**
 * KDC exchanges (RFC 4120 §5.4): KDC-REQ (AS-REQ, TGS-REQ), KDC-REQ-BODY, KDC-REP (AS-REP,
 * TGS-REP) and EncKDCRepPart (EncASRepPart, EncTGSRepPart).
 *
 * @module
 */
import {
  DerReader,
  DerWriter,
  Tag,
  type Mutable,
  decodeWith,
  encodeFail,
  encodeWith,
  rFlags,
  rInt32,
  rString,
  rTime,
  rUInt32,
  wFlags,
  wInt32,
  wString,
  wTime,
  wUInt32,
  writeField,
  writeOpt,
  writeSeqOf,
} from './der.js'
import {
  readEncryptedData,
  readEncryptionKey,
  readHostAddresses,
  readLastReq,
  readPADataList,
  readPrincipalName,
  writeEncryptedData,
  writeEncryptionKey,
  writeHostAddresses,
  writeLastReq,
  writePADataList,
  writePrincipalName,
} from './basic.js'
import {
  readTicket,
  readTickets,
  readVersion5,
  withRaw,
  writeTicket,
  writeTickets,
  writeVersion5,
} from './ticket.js'
import type { EncKDCRepPart, KDCRep, KDCReq, KDCReqBody } from './types.js'

const readEtypes = (r: DerReader): number[] => r.seqOf(rInt32)
const writeEtypes = (w: DerWriter, v: readonly number[]): void => writeSeqOf(w, v, wInt32)

export function readKDCReqBody(r: DerReader): KDCReqBody {
  const start = r.pos
  const s = r.enter(Tag.SEQUENCE, r.label)
  const kdcOptions = s.field(0, 'kdc-options', rFlags)
  const cname = s.opt(1, 'cname', readPrincipalName)
  const realm = s.field(2, 'realm', rString)
  const sname = s.opt(3, 'sname', readPrincipalName)
  const from = s.opt(4, 'from', rTime)
  const till = s.field(5, 'till', rTime)
  const rtime = s.opt(6, 'rtime', rTime)
  const nonce = s.field(7, 'nonce', rUInt32)
  const etype = s.field(8, 'etype', readEtypes)
  const addresses = s.opt(9, 'addresses', readHostAddresses)
  const encAuthorizationData = s.opt(10, 'enc-authorization-data', readEncryptedData)
  const additionalTickets = s.opt(11, 'additional-tickets', readTickets)
  s.done()
  const v = { kdcOptions } as Mutable<KDCReqBody>
  if (cname !== undefined) v.cname = cname
  v.realm = realm
  if (sname !== undefined) v.sname = sname
  if (from !== undefined) v.from = from
  v.till = till
  if (rtime !== undefined) v.rtime = rtime
  v.nonce = nonce
  v.etype = etype
  if (addresses !== undefined) v.addresses = addresses
  if (encAuthorizationData !== undefined) v.encAuthorizationData = encAuthorizationData
  if (additionalTickets !== undefined) v.additionalTickets = additionalTickets
  return withRaw(v, r.buf.subarray(start, r.pos))
}

export function writeKDCReqBody(w: DerWriter, v: KDCReqBody): void {
  if (v.raw !== undefined) {
    w.bytes(v.raw)
    return
  }
  const m = w.size
  writeOpt(w, 11, v.additionalTickets, writeTickets)
  writeOpt(w, 10, v.encAuthorizationData, writeEncryptedData)
  writeOpt(w, 9, v.addresses, writeHostAddresses)
  writeField(w, 8, v.etype, writeEtypes)
  writeField(w, 7, v.nonce, wUInt32)
  writeOpt(w, 6, v.rtime, wTime)
  writeField(w, 5, v.till, wTime)
  writeOpt(w, 4, v.from, wTime)
  writeOpt(w, 3, v.sname, writePrincipalName)
  writeField(w, 2, v.realm, wString)
  writeOpt(w, 1, v.cname, writePrincipalName)
  writeField(w, 0, v.kdcOptions, wFlags)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * KDC-REQ-BODY ::= SEQUENCE {
 *   kdc-options             [0] KDCOptions,
 *   cname                   [1] PrincipalName OPTIONAL -- Used only in AS-REQ --,
 *   realm                   [2] Realm -- Server's realm; also client's in AS-REQ --,
 *   sname                   [3] PrincipalName OPTIONAL,
 *   from                    [4] KerberosTime OPTIONAL,
 *   till                    [5] KerberosTime,
 *   rtime                   [6] KerberosTime OPTIONAL,
 *   nonce                   [7] UInt32,
 *   etype                   [8] SEQUENCE OF Int32 -- EncryptionType in preference order --,
 *   addresses               [9] HostAddresses OPTIONAL,
 *   enc-authorization-data  [10] EncryptedData OPTIONAL -- AuthorizationData --,
 *   additional-tickets      [11] SEQUENCE OF Ticket OPTIONAL
 * }
 * ```
 * The TGS-REQ authenticator checksum is computed over these bytes. A decoded body keeps them in
 * a non-enumerable `raw` property and is re-encoded from them.
 * @example
 * ```ts
 * const bodyBytes = encodeKDCReqBody(body) // checksum these, then build the TGS-REQ
 * ```
 */
export function encodeKDCReqBody(v: KDCReqBody): Uint8Array {
  return encodeWith(v, writeKDCReqBody)
}

/** Decode a KDC-REQ-BODY; see {@link encodeKDCReqBody}. */
export function decodeKDCReqBody(bytes: Uint8Array): KDCReqBody {
  return decodeWith(bytes, 'KDC-REQ-BODY', readKDCReqBody)
}

function msgTypeReader(allowed: readonly number[]): (r: DerReader) => number {
  return (r) => {
    const at = r.pos
    const v = r.int32()
    if (!allowed.includes(v)) r.fail(`expected msg-type ${allowed.join(' or ')}, got ${v}`, at)
    return v
  }
}

/** Read `[APPLICATION tag] SEQUENCE` and return the SEQUENCE reader and the outer reader. */
function enterApp(
  r: DerReader,
  tags: readonly number[],
): { a: DerReader; s: DerReader; tag: number } {
  const id = r.peek()
  const tag = tags.find((t) => (0x60 | t) === id) ?? tags[0]!
  const a = r.enter(0x60 | tag, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  return { a, s, tag }
}

function readKDCReqTagged(r: DerReader, tags: readonly (10 | 12)[]): KDCReq {
  const { a, s, tag } = enterApp(r, tags)
  const pvno = s.field(1, 'pvno', readVersion5)
  const msgType = s.field(2, 'msg-type', msgTypeReader([tag])) as 10 | 12
  const padata = s.opt(3, 'padata', readPADataList)
  const reqBody = s.field(4, 'req-body', readKDCReqBody)
  s.done()
  a.done()
  return padata === undefined ? { pvno, msgType, reqBody } : { pvno, msgType, padata, reqBody }
}

export const readKDCReq = (r: DerReader): KDCReq => readKDCReqTagged(r, [10, 12])

function writeMsgType(expected: readonly number[]): (w: DerWriter, v: number) => void {
  return (w, v) => {
    if (!expected.includes(v))
      encodeFail(`expected msg-type ${expected.join(' or ')}, got ${String(v)}`)
    w.int32(v)
  }
}
const wReqType = writeMsgType([10, 12])
const wRepType = writeMsgType([11, 13])

export function writeKDCReq(w: DerWriter, v: KDCReq): void {
  const m = w.size
  writeField(w, 4, v.reqBody, writeKDCReqBody)
  writeOpt(w, 3, v.padata, writePADataList)
  writeField(w, 2, v.msgType, wReqType)
  writeField(w, 1, v.pvno, writeVersion5)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x60 | v.msgType, m)
}

/**
 * ```asn1
 * AS-REQ  ::= [APPLICATION 10] KDC-REQ
 * TGS-REQ ::= [APPLICATION 12] KDC-REQ
 * KDC-REQ ::= SEQUENCE {
 *   -- NOTE: first tag is [1], not [0]
 *   pvno     [1] INTEGER (5),
 *   msg-type [2] INTEGER (10 -- AS -- | 12 -- TGS --),
 *   padata   [3] SEQUENCE OF PA-DATA OPTIONAL,
 *   req-body [4] KDC-REQ-BODY
 * }
 * ```
 * The APPLICATION tag follows `msgType`.
 * @example
 * ```ts
 * const asReq = encodeKDCReq({ pvno: 5, msgType: 10, reqBody })
 * ```
 */
export function encodeKDCReq(v: KDCReq): Uint8Array {
  return encodeWith(v, writeKDCReq)
}

/** Decode an AS-REQ or a TGS-REQ. */
export function decodeKDCReq(bytes: Uint8Array): KDCReq {
  return decodeWith(bytes, 'KDC-REQ', readKDCReq)
}

/** Encode an AS-REQ (`msgType` must be 10). */
export function encodeASReq(v: KDCReq): Uint8Array {
  if (v.msgType !== 10) encodeFail(`expected AS-REQ msg-type 10, got ${String(v.msgType)}`)
  return encodeKDCReq(v)
}

/** Decode an AS-REQ (APPLICATION 10 only). */
export function decodeASReq(bytes: Uint8Array): KDCReq {
  return decodeWith(bytes, 'AS-REQ', (r) => readKDCReqTagged(r, [10]))
}

/** Encode a TGS-REQ (`msgType` must be 12). */
export function encodeTGSReq(v: KDCReq): Uint8Array {
  if (v.msgType !== 12) encodeFail(`expected TGS-REQ msg-type 12, got ${String(v.msgType)}`)
  return encodeKDCReq(v)
}

/** Decode a TGS-REQ (APPLICATION 12 only). */
export function decodeTGSReq(bytes: Uint8Array): KDCReq {
  return decodeWith(bytes, 'TGS-REQ', (r) => readKDCReqTagged(r, [12]))
}

function readKDCRepTagged(r: DerReader, tags: readonly (11 | 13)[]): KDCRep {
  const { a, s, tag } = enterApp(r, tags)
  const pvno = s.field(0, 'pvno', readVersion5)
  const msgType = s.field(1, 'msg-type', msgTypeReader([tag])) as 11 | 13
  const padata = s.opt(2, 'padata', readPADataList)
  const crealm = s.field(3, 'crealm', rString)
  const cname = s.field(4, 'cname', readPrincipalName)
  const ticket = s.field(5, 'ticket', readTicket)
  const encPart = s.field(6, 'enc-part', readEncryptedData)
  s.done()
  a.done()
  return padata === undefined
    ? { pvno, msgType, crealm, cname, ticket, encPart }
    : { pvno, msgType, padata, crealm, cname, ticket, encPart }
}

export const readKDCRep = (r: DerReader): KDCRep => readKDCRepTagged(r, [11, 13])

export function writeKDCRep(w: DerWriter, v: KDCRep): void {
  const m = w.size
  writeField(w, 6, v.encPart, writeEncryptedData)
  writeField(w, 5, v.ticket, writeTicket)
  writeField(w, 4, v.cname, writePrincipalName)
  writeField(w, 3, v.crealm, wString)
  writeOpt(w, 2, v.padata, writePADataList)
  writeField(w, 1, v.msgType, wRepType)
  writeField(w, 0, v.pvno, writeVersion5)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x60 | v.msgType, m)
}

/**
 * ```asn1
 * AS-REP  ::= [APPLICATION 11] KDC-REP
 * TGS-REP ::= [APPLICATION 13] KDC-REP
 * KDC-REP ::= SEQUENCE {
 *   pvno     [0] INTEGER (5),
 *   msg-type [1] INTEGER (11 -- AS -- | 13 -- TGS --),
 *   padata   [2] SEQUENCE OF PA-DATA OPTIONAL,
 *   crealm   [3] Realm,
 *   cname    [4] PrincipalName,
 *   ticket   [5] Ticket,
 *   enc-part [6] EncryptedData -- EncASRepPart or EncTGSRepPart
 * }
 * ```
 * @example
 * ```ts
 * const rep = decodeKDCRep(bytes)
 * rep.msgType === 11 // AS-REP
 * ```
 */
export function encodeKDCRep(v: KDCRep): Uint8Array {
  return encodeWith(v, writeKDCRep)
}

/** Decode an AS-REP or a TGS-REP. */
export function decodeKDCRep(bytes: Uint8Array): KDCRep {
  return decodeWith(bytes, 'KDC-REP', readKDCRep)
}

/** Encode an AS-REP (`msgType` must be 11). */
export function encodeASRep(v: KDCRep): Uint8Array {
  if (v.msgType !== 11) encodeFail(`expected AS-REP msg-type 11, got ${String(v.msgType)}`)
  return encodeKDCRep(v)
}

/** Decode an AS-REP (APPLICATION 11 only). */
export function decodeASRep(bytes: Uint8Array): KDCRep {
  return decodeWith(bytes, 'AS-REP', (r) => readKDCRepTagged(r, [11]))
}

/** Encode a TGS-REP (`msgType` must be 13). */
export function encodeTGSRep(v: KDCRep): Uint8Array {
  if (v.msgType !== 13) encodeFail(`expected TGS-REP msg-type 13, got ${String(v.msgType)}`)
  return encodeKDCRep(v)
}

/** Decode a TGS-REP (APPLICATION 13 only). */
export function decodeTGSRep(bytes: Uint8Array): KDCRep {
  return decodeWith(bytes, 'TGS-REP', (r) => readKDCRepTagged(r, [13]))
}

/** Which APPLICATION tag an EncKDCRepPart carried. */
export type EncKDCRepPartTag = 'EncASRepPart' | 'EncTGSRepPart'

/** A decoded EncKDCRepPart and the tag it came with. */
export interface DecodedEncKDCRepPart {
  readonly tag: EncKDCRepPartTag
  readonly value: EncKDCRepPart
}

function readEncKDCRepPartTagged(r: DerReader, tags: readonly (25 | 26)[]): DecodedEncKDCRepPart {
  const { a, s, tag } = enterApp(r, tags)
  const key = s.field(0, 'key', readEncryptionKey)
  const lastReq = s.field(1, 'last-req', readLastReq)
  const nonce = s.field(2, 'nonce', rUInt32)
  const keyExpiration = s.opt(3, 'key-expiration', rTime)
  const flags = s.field(4, 'flags', rFlags)
  const authtime = s.field(5, 'authtime', rTime)
  const starttime = s.opt(6, 'starttime', rTime)
  const endtime = s.field(7, 'endtime', rTime)
  const renewTill = s.opt(8, 'renew-till', rTime)
  const srealm = s.field(9, 'srealm', rString)
  const sname = s.field(10, 'sname', readPrincipalName)
  const caddr = s.opt(11, 'caddr', readHostAddresses)
  const encryptedPaData = s.opt(12, 'encrypted-pa-data', readPADataList)
  s.done()
  a.done()
  const v: Partial<Mutable<EncKDCRepPart>> = { key, lastReq, nonce }
  if (keyExpiration !== undefined) v.keyExpiration = keyExpiration
  v.flags = flags
  v.authtime = authtime
  if (starttime !== undefined) v.starttime = starttime
  v.endtime = endtime
  if (renewTill !== undefined) v.renewTill = renewTill
  v.srealm = srealm
  v.sname = sname
  if (caddr !== undefined) v.caddr = caddr
  if (encryptedPaData !== undefined) v.encryptedPaData = encryptedPaData
  return { tag: tag === 25 ? 'EncASRepPart' : 'EncTGSRepPart', value: v as EncKDCRepPart }
}

function writeEncKDCRepPartTagged(w: DerWriter, v: EncKDCRepPart, tag: 25 | 26): void {
  const m = w.size
  writeOpt(w, 12, v.encryptedPaData, writePADataList)
  writeOpt(w, 11, v.caddr, writeHostAddresses)
  writeField(w, 10, v.sname, writePrincipalName)
  writeField(w, 9, v.srealm, wString)
  writeOpt(w, 8, v.renewTill, wTime)
  writeField(w, 7, v.endtime, wTime)
  writeOpt(w, 6, v.starttime, wTime)
  writeField(w, 5, v.authtime, wTime)
  writeField(w, 4, v.flags, wFlags)
  writeOpt(w, 3, v.keyExpiration, wTime)
  writeField(w, 2, v.nonce, wUInt32)
  writeField(w, 1, v.lastReq, writeLastReq)
  writeField(w, 0, v.key, writeEncryptionKey)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x60 | tag, m)
}

export const writeEncASRepPart = (w: DerWriter, v: EncKDCRepPart): void =>
  writeEncKDCRepPartTagged(w, v, 25)
export const writeEncTGSRepPart = (w: DerWriter, v: EncKDCRepPart): void =>
  writeEncKDCRepPartTagged(w, v, 26)
export const readEncKDCRepPart = (r: DerReader): DecodedEncKDCRepPart =>
  readEncKDCRepPartTagged(r, [25, 26])

/**
 * ```asn1
 * EncASRepPart  ::= [APPLICATION 25] EncKDCRepPart
 * EncTGSRepPart ::= [APPLICATION 26] EncKDCRepPart
 * EncKDCRepPart ::= SEQUENCE {
 *   key               [0] EncryptionKey,
 *   last-req          [1] LastReq,
 *   nonce             [2] UInt32,
 *   key-expiration    [3] KerberosTime OPTIONAL,
 *   flags             [4] TicketFlags,
 *   authtime          [5] KerberosTime,
 *   starttime         [6] KerberosTime OPTIONAL,
 *   endtime           [7] KerberosTime,
 *   renew-till        [8] KerberosTime OPTIONAL,
 *   srealm            [9] Realm,
 *   sname             [10] PrincipalName,
 *   caddr             [11] HostAddresses OPTIONAL,
 *   encrypted-pa-data [12] SEQUENCE OF PA-DATA OPTIONAL -- RFC 6806
 * }
 * ```
 * @example
 * ```ts
 * const plain = encodeEncASRepPart(part)
 * ```
 */
export function encodeEncASRepPart(v: EncKDCRepPart): Uint8Array {
  return encodeWith(v, writeEncASRepPart)
}

/** Encode an EncTGSRepPart ([APPLICATION 26]); see {@link encodeEncASRepPart}. */
export function encodeEncTGSRepPart(v: EncKDCRepPart): Uint8Array {
  return encodeWith(v, writeEncTGSRepPart)
}

/**
 * Decode an EncKDCRepPart tagged either EncASRepPart (25) or EncTGSRepPart (26), and say which:
 * several KDCs (MIT among them) tag the AS-REP's encrypted part as EncTGSRepPart (RFC 4120 §5.4.2
 * asks receivers to accept that).
 *
 * @example
 * ```ts
 * const { tag, value } = decodeEncKDCRepPart(plaintext)
 * ```
 */
export function decodeEncKDCRepPart(bytes: Uint8Array): DecodedEncKDCRepPart {
  return decodeWith(bytes, 'EncKDCRepPart', readEncKDCRepPart)
}

/** Decode an EncASRepPart (APPLICATION 25 only). */
export function decodeEncASRepPart(bytes: Uint8Array): EncKDCRepPart {
  return decodeWith(bytes, 'EncASRepPart', (r) => readEncKDCRepPartTagged(r, [25]).value)
}

/** Decode an EncTGSRepPart (APPLICATION 26 only). */
export function decodeEncTGSRepPart(bytes: Uint8Array): EncKDCRepPart {
  return decodeWith(bytes, 'EncTGSRepPart', (r) => readEncKDCRepPartTagged(r, [26]).value)
}
