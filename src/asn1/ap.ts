/**
 * Client/server authentication (RFC 4120 §5.5): AP-REQ, Authenticator, AP-REP, EncAPRepPart.
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
} from './der.js'
import {
  readAuthorizationData,
  readChecksum,
  readEncryptedData,
  readEncryptionKey,
  readPrincipalName,
  writeAuthorizationData,
  writeChecksum,
  writeEncryptedData,
  writeEncryptionKey,
  writePrincipalName,
} from './basic.js'
import { readTicket, readVersion5, writeTicket, writeVersion5 } from './ticket.js'
import type { APRep, APReq, Authenticator, EncAPRepPart } from './types.js'

/** Read an INTEGER that must equal `expected` (msg-type). */
export function readConst<T extends number>(r: DerReader, expected: T): T {
  const at = r.pos
  const v = r.int32()
  if (v !== expected) r.fail(`expected ${expected}, got ${v}`, at)
  return expected
}

/** Write an INTEGER that must equal `expected`. */
export function writeConst(w: DerWriter, v: number, expected: number): void {
  if (v !== expected) encodeFail(`expected msg-type ${expected}, got ${String(v)}`)
  w.int32(v)
}

export function readAPReq(r: DerReader): APReq {
  const a = r.enter(0x6e, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const pvno = s.field(0, 'pvno', readVersion5)
  const msgType = s.field(1, 'msg-type', (c) => readConst(c, 14 as const))
  const apOptions = s.field(2, 'ap-options', rFlags)
  const ticket = s.field(3, 'ticket', readTicket)
  const authenticator = s.field(4, 'authenticator', readEncryptedData)
  s.done()
  a.done()
  return { pvno, msgType, apOptions, ticket, authenticator }
}

export function writeAPReq(w: DerWriter, v: APReq): void {
  const m = w.size
  writeField(w, 4, v.authenticator, writeEncryptedData)
  writeField(w, 3, v.ticket, writeTicket)
  writeField(w, 2, v.apOptions, wFlags)
  writeField(w, 1, v.msgType, (x, t) => writeConst(x, t, 14))
  writeField(w, 0, v.pvno, writeVersion5)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x6e, m)
}

/**
 * ```asn1
 * AP-REQ ::= [APPLICATION 14] SEQUENCE {
 *   pvno          [0] INTEGER (5),
 *   msg-type      [1] INTEGER (14),
 *   ap-options    [2] APOptions,
 *   ticket        [3] Ticket,
 *   authenticator [4] EncryptedData -- Authenticator
 * }
 * APOptions ::= KerberosFlags -- reserved(0), use-session-key(1), mutual-required(2)
 * ```
 * A ticket decoded from a KDC reply is written with its exact bytes.
 * @example
 * ```ts
 * const apReq = encodeAPReq({ pvno: 5, msgType: 14, apOptions: setFlags(2), ticket, authenticator })
 * ```
 */
export function encodeAPReq(v: APReq): Uint8Array {
  return encodeWith(v, writeAPReq)
}

/** Decode an AP-REQ; see {@link encodeAPReq}. */
export function decodeAPReq(bytes: Uint8Array): APReq {
  return decodeWith(bytes, 'AP-REQ', readAPReq)
}

export function readAuthenticator(r: DerReader): Authenticator {
  const a = r.enter(0x62, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const authenticatorVno = s.field(0, 'authenticator-vno', readVersion5)
  const crealm = s.field(1, 'crealm', rString)
  const cname = s.field(2, 'cname', readPrincipalName)
  const cksum = s.opt(3, 'cksum', readChecksum)
  const cusec = s.field(4, 'cusec', rInt32)
  const ctime = s.field(5, 'ctime', rTime)
  const subkey = s.opt(6, 'subkey', readEncryptionKey)
  const seqNumber = s.opt(7, 'seq-number', rUInt32)
  const authorizationData = s.opt(8, 'authorization-data', readAuthorizationData)
  s.done()
  a.done()
  const v = { authenticatorVno, crealm, cname } as Mutable<Authenticator>
  if (cksum !== undefined) v.cksum = cksum
  v.cusec = cusec
  v.ctime = ctime
  if (subkey !== undefined) v.subkey = subkey
  if (seqNumber !== undefined) v.seqNumber = seqNumber
  if (authorizationData !== undefined) v.authorizationData = authorizationData
  return v
}

export function writeAuthenticator(w: DerWriter, v: Authenticator): void {
  const m = w.size
  writeOpt(w, 8, v.authorizationData, writeAuthorizationData)
  writeOpt(w, 7, v.seqNumber, wUInt32)
  writeOpt(w, 6, v.subkey, writeEncryptionKey)
  writeField(w, 5, v.ctime, wTime)
  writeField(w, 4, v.cusec, wInt32)
  writeOpt(w, 3, v.cksum, writeChecksum)
  writeField(w, 2, v.cname, writePrincipalName)
  writeField(w, 1, v.crealm, wString)
  writeField(w, 0, v.authenticatorVno, writeVersion5)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x62, m)
}

/**
 * ```asn1
 * Authenticator ::= [APPLICATION 2] SEQUENCE {
 *   authenticator-vno  [0] INTEGER (5),
 *   crealm             [1] Realm,
 *   cname              [2] PrincipalName,
 *   cksum              [3] Checksum OPTIONAL,
 *   cusec              [4] Microseconds,
 *   ctime              [5] KerberosTime,
 *   subkey             [6] EncryptionKey OPTIONAL,
 *   seq-number         [7] UInt32 OPTIONAL,
 *   authorization-data [8] AuthorizationData OPTIONAL
 * }
 * ```
 * @example
 * ```ts
 * const auth = decodeAuthenticator(plaintext)
 * auth.ctime.getTime() // whole seconds; auth.cusec holds the microseconds
 * ```
 */
export function encodeAuthenticator(v: Authenticator): Uint8Array {
  return encodeWith(v, writeAuthenticator)
}

/** Decode an Authenticator; see {@link encodeAuthenticator}. */
export function decodeAuthenticator(bytes: Uint8Array): Authenticator {
  return decodeWith(bytes, 'Authenticator', readAuthenticator)
}

export function readAPRep(r: DerReader): APRep {
  const a = r.enter(0x6f, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const pvno = s.field(0, 'pvno', readVersion5)
  const msgType = s.field(1, 'msg-type', (c) => readConst(c, 15 as const))
  const encPart = s.field(2, 'enc-part', readEncryptedData)
  s.done()
  a.done()
  return { pvno, msgType, encPart }
}

export function writeAPRep(w: DerWriter, v: APRep): void {
  const m = w.size
  writeField(w, 2, v.encPart, writeEncryptedData)
  writeField(w, 1, v.msgType, (x, t) => writeConst(x, t, 15))
  writeField(w, 0, v.pvno, writeVersion5)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x6f, m)
}

/**
 * ```asn1
 * AP-REP ::= [APPLICATION 15] SEQUENCE {
 *   pvno     [0] INTEGER (5),
 *   msg-type [1] INTEGER (15),
 *   enc-part [2] EncryptedData -- EncAPRepPart
 * }
 * ```
 * @example
 * ```ts
 * encodeAPRep({ pvno: 5, msgType: 15, encPart })
 * ```
 */
export function encodeAPRep(v: APRep): Uint8Array {
  return encodeWith(v, writeAPRep)
}

/** Decode an AP-REP; see {@link encodeAPRep}. */
export function decodeAPRep(bytes: Uint8Array): APRep {
  return decodeWith(bytes, 'AP-REP', readAPRep)
}

export function readEncAPRepPart(r: DerReader): EncAPRepPart {
  const a = r.enter(0x7b, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const ctime = s.field(0, 'ctime', rTime)
  const cusec = s.field(1, 'cusec', rInt32)
  const subkey = s.opt(2, 'subkey', readEncryptionKey)
  const seqNumber = s.opt(3, 'seq-number', rUInt32)
  s.done()
  a.done()
  const v: Mutable<EncAPRepPart> = { ctime, cusec }
  if (subkey !== undefined) v.subkey = subkey
  if (seqNumber !== undefined) v.seqNumber = seqNumber
  return v
}

export function writeEncAPRepPart(w: DerWriter, v: EncAPRepPart): void {
  const m = w.size
  writeOpt(w, 3, v.seqNumber, wUInt32)
  writeOpt(w, 2, v.subkey, writeEncryptionKey)
  writeField(w, 1, v.cusec, wInt32)
  writeField(w, 0, v.ctime, wTime)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x7b, m)
}

/**
 * ```asn1
 * EncAPRepPart ::= [APPLICATION 27] SEQUENCE {
 *   ctime      [0] KerberosTime,
 *   cusec      [1] Microseconds,
 *   subkey     [2] EncryptionKey OPTIONAL,
 *   seq-number [3] UInt32 OPTIONAL
 * }
 * ```
 * @example
 * ```ts
 * encodeEncAPRepPart({ ctime: auth.ctime, cusec: auth.cusec, seqNumber: 1234 })
 * ```
 */
export function encodeEncAPRepPart(v: EncAPRepPart): Uint8Array {
  return encodeWith(v, writeEncAPRepPart)
}

/** Decode an EncAPRepPart; see {@link encodeEncAPRepPart}. */
export function decodeEncAPRepPart(bytes: Uint8Array): EncAPRepPart {
  return decodeWith(bytes, 'EncAPRepPart', readEncAPRepPart)
}
