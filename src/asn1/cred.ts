/**
 * KRB-SAFE (RFC 4120 §5.6), KRB-PRIV (§5.7) and KRB-CRED (§5.8).
 *
 * @module
 */
import {
  DerReader,
  DerWriter,
  Tag,
  type Mutable,
  decodeWith,
  encodeWith,
  rFlags,
  rInt32,
  rOctets,
  rString,
  rTime,
  rUInt32,
  wFlags,
  wInt32,
  wOctets,
  wString,
  wTime,
  wUInt32,
  writeField,
  writeOpt,
  writeSeqOf,
} from './der.js'
import {
  readChecksum,
  readEncryptedData,
  readEncryptionKey,
  readHostAddress,
  readHostAddresses,
  readPrincipalName,
  writeChecksum,
  writeEncryptedData,
  writeEncryptionKey,
  writeHostAddress,
  writeHostAddresses,
  writePrincipalName,
} from './basic.js'
import { readConst, writeConst } from './ap.js'
import { readTickets, readVersion5, withRaw, writeTickets, writeVersion5 } from './ticket.js'
import type {
  EncKrbCredPart,
  EncKrbPrivPart,
  KRBCred,
  KRBPriv,
  KRBSafe,
  KRBSafeBody,
  KrbCredInfo,
} from './types.js'

/** The fields KRB-SAFE-BODY and EncKrbPrivPart share, read from `s`. */
function readSafeFields(s: DerReader, addressRequired: boolean): Mutable<EncKrbPrivPart> {
  const userData = s.field(0, 'user-data', rOctets)
  const timestamp = s.opt(1, 'timestamp', rTime)
  const usec = s.opt(2, 'usec', rInt32)
  const seqNumber = s.opt(3, 'seq-number', rUInt32)
  const sAddress = addressRequired
    ? s.field(4, 's-address', readHostAddress)
    : s.opt(4, 's-address', readHostAddress)
  const rAddress = s.opt(5, 'r-address', readHostAddress)
  s.done()
  const v: Mutable<EncKrbPrivPart> = { userData }
  if (timestamp !== undefined) v.timestamp = timestamp
  if (usec !== undefined) v.usec = usec
  if (seqNumber !== undefined) v.seqNumber = seqNumber
  if (sAddress !== undefined) v.sAddress = sAddress
  if (rAddress !== undefined) v.rAddress = rAddress
  return v
}

function writeSafeFields(w: DerWriter, v: EncKrbPrivPart): void {
  writeOpt(w, 5, v.rAddress, writeHostAddress)
  writeOpt(w, 4, v.sAddress, writeHostAddress)
  writeOpt(w, 3, v.seqNumber, wUInt32)
  writeOpt(w, 2, v.usec, wInt32)
  writeOpt(w, 1, v.timestamp, wTime)
  writeField(w, 0, v.userData, wOctets)
}

function readSafeBody(r: DerReader): KRBSafeBody {
  const start = r.pos
  const s = r.enter(Tag.SEQUENCE, r.label)
  const v = readSafeFields(s, true) as KRBSafeBody
  return withRaw(v, r.buf.subarray(start, r.pos))
}

function writeSafeBody(w: DerWriter, v: KRBSafeBody): void {
  if (v.raw !== undefined) {
    w.bytes(v.raw)
    return
  }
  if (v.sAddress === undefined) throw new TypeError('KRB-SAFE-BODY needs an s-address')
  const m = w.size
  writeSafeFields(w, v)
  w.wrap(Tag.SEQUENCE, m)
}

/** Encode a KRB-SAFE-BODY (the bytes the KRB-SAFE checksum covers). */
export function encodeKRBSafeBody(v: KRBSafeBody): Uint8Array {
  return encodeWith(v, writeSafeBody)
}

export function readKRBSafe(r: DerReader): KRBSafe {
  const a = r.enter(0x74, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const pvno = s.field(0, 'pvno', readVersion5)
  const msgType = s.field(1, 'msg-type', (c) => readConst(c, 20 as const))
  const safeBody = s.field(2, 'safe-body', readSafeBody)
  const cksum = s.field(3, 'cksum', readChecksum)
  s.done()
  a.done()
  return { pvno, msgType, safeBody, cksum }
}

export function writeKRBSafe(w: DerWriter, v: KRBSafe): void {
  const m = w.size
  writeField(w, 3, v.cksum, writeChecksum)
  writeField(w, 2, v.safeBody, writeSafeBody)
  writeField(w, 1, v.msgType, (x, t) => writeConst(x, t, 20))
  writeField(w, 0, v.pvno, writeVersion5)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x74, m)
}

/**
 * ```asn1
 * KRB-SAFE ::= [APPLICATION 20] SEQUENCE {
 *   pvno      [0] INTEGER (5),
 *   msg-type  [1] INTEGER (20),
 *   safe-body [2] KRB-SAFE-BODY,
 *   cksum     [3] Checksum
 * }
 * KRB-SAFE-BODY ::= SEQUENCE {
 *   user-data  [0] OCTET STRING,
 *   timestamp  [1] KerberosTime OPTIONAL,
 *   usec       [2] Microseconds OPTIONAL,
 *   seq-number [3] UInt32 OPTIONAL,
 *   s-address  [4] HostAddress,
 *   r-address  [5] HostAddress OPTIONAL
 * }
 * ```
 * A decoded safe-body keeps its exact bytes in a non-enumerable `raw`.
 * @example
 * ```ts
 * const safe = decodeKRBSafe(bytes)
 * verify(safe.cksum, safe.safeBody.raw!)
 * ```
 */
export function encodeKRBSafe(v: KRBSafe): Uint8Array {
  return encodeWith(v, writeKRBSafe)
}

/** Decode a KRB-SAFE; see {@link encodeKRBSafe}. */
export function decodeKRBSafe(bytes: Uint8Array): KRBSafe {
  return decodeWith(bytes, 'KRB-SAFE', readKRBSafe)
}

export function readKRBPriv(r: DerReader): KRBPriv {
  const a = r.enter(0x75, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const pvno = s.field(0, 'pvno', readVersion5)
  const msgType = s.field(1, 'msg-type', (c) => readConst(c, 21 as const))
  // RFC 4120 skips [2] here.
  const encPart = s.field(3, 'enc-part', readEncryptedData)
  s.done()
  a.done()
  return { pvno, msgType, encPart }
}

export function writeKRBPriv(w: DerWriter, v: KRBPriv): void {
  const m = w.size
  writeField(w, 3, v.encPart, writeEncryptedData)
  writeField(w, 1, v.msgType, (x, t) => writeConst(x, t, 21))
  writeField(w, 0, v.pvno, writeVersion5)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x75, m)
}

/**
 * ```asn1
 * KRB-PRIV ::= [APPLICATION 21] SEQUENCE {
 *   pvno     [0] INTEGER (5),
 *   msg-type [1] INTEGER (21),
 *            -- NOTE: there is no [2] tag
 *   enc-part [3] EncryptedData -- EncKrbPrivPart
 * }
 * ```
 * @example
 * ```ts
 * encodeKRBPriv({ pvno: 5, msgType: 21, encPart })
 * ```
 */
export function encodeKRBPriv(v: KRBPriv): Uint8Array {
  return encodeWith(v, writeKRBPriv)
}

/** Decode a KRB-PRIV; see {@link encodeKRBPriv}. */
export function decodeKRBPriv(bytes: Uint8Array): KRBPriv {
  return decodeWith(bytes, 'KRB-PRIV', readKRBPriv)
}

export function readEncKrbPrivPart(r: DerReader): EncKrbPrivPart {
  const a = r.enter(0x7c, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const v = readSafeFields(s, false)
  a.done()
  return v
}

export function writeEncKrbPrivPart(w: DerWriter, v: EncKrbPrivPart): void {
  const m = w.size
  writeSafeFields(w, v)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x7c, m)
}

/**
 * ```asn1
 * EncKrbPrivPart ::= [APPLICATION 28] SEQUENCE {
 *   user-data  [0] OCTET STRING,
 *   timestamp  [1] KerberosTime OPTIONAL,
 *   usec       [2] Microseconds OPTIONAL,
 *   seq-number [3] UInt32 OPTIONAL,
 *   s-address  [4] HostAddress -- sender's addr --,
 *   r-address  [5] HostAddress OPTIONAL -- recip's addr
 * }
 * ```
 * `sAddress` is optional here, as MIT treats it.
 * @example
 * ```ts
 * encodeEncKrbPrivPart({ userData, seqNumber: 1 })
 * ```
 */
export function encodeEncKrbPrivPart(v: EncKrbPrivPart): Uint8Array {
  return encodeWith(v, writeEncKrbPrivPart)
}

/** Decode an EncKrbPrivPart; see {@link encodeEncKrbPrivPart}. */
export function decodeEncKrbPrivPart(bytes: Uint8Array): EncKrbPrivPart {
  return decodeWith(bytes, 'EncKrbPrivPart', readEncKrbPrivPart)
}

export function readKRBCred(r: DerReader): KRBCred {
  const a = r.enter(0x76, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const pvno = s.field(0, 'pvno', readVersion5)
  const msgType = s.field(1, 'msg-type', (c) => readConst(c, 22 as const))
  const tickets = s.field(2, 'tickets', readTickets)
  const encPart = s.field(3, 'enc-part', readEncryptedData)
  s.done()
  a.done()
  return { pvno, msgType, tickets, encPart }
}

export function writeKRBCred(w: DerWriter, v: KRBCred): void {
  const m = w.size
  writeField(w, 3, v.encPart, writeEncryptedData)
  writeField(w, 2, v.tickets, writeTickets)
  writeField(w, 1, v.msgType, (x, t) => writeConst(x, t, 22))
  writeField(w, 0, v.pvno, writeVersion5)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x76, m)
}

/**
 * ```asn1
 * KRB-CRED ::= [APPLICATION 22] SEQUENCE {
 *   pvno     [0] INTEGER (5),
 *   msg-type [1] INTEGER (22),
 *   tickets  [2] SEQUENCE OF Ticket,
 *   enc-part [3] EncryptedData -- EncKrbCredPart
 * }
 * ```
 * @example
 * ```ts
 * encodeKRBCred({ pvno: 5, msgType: 22, tickets: [tgt], encPart })
 * ```
 */
export function encodeKRBCred(v: KRBCred): Uint8Array {
  return encodeWith(v, writeKRBCred)
}

/** Decode a KRB-CRED; see {@link encodeKRBCred}. */
export function decodeKRBCred(bytes: Uint8Array): KRBCred {
  return decodeWith(bytes, 'KRB-CRED', readKRBCred)
}

function readKrbCredInfo(r: DerReader): KrbCredInfo {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const key = s.field(0, 'key', readEncryptionKey)
  const v: Mutable<KrbCredInfo> = { key }
  const prealm = s.opt(1, 'prealm', rString)
  if (prealm !== undefined) v.prealm = prealm
  const pname = s.opt(2, 'pname', readPrincipalName)
  if (pname !== undefined) v.pname = pname
  const flags = s.opt(3, 'flags', rFlags)
  if (flags !== undefined) v.flags = flags
  const authtime = s.opt(4, 'authtime', rTime)
  if (authtime !== undefined) v.authtime = authtime
  const starttime = s.opt(5, 'starttime', rTime)
  if (starttime !== undefined) v.starttime = starttime
  const endtime = s.opt(6, 'endtime', rTime)
  if (endtime !== undefined) v.endtime = endtime
  const renewTill = s.opt(7, 'renew-till', rTime)
  if (renewTill !== undefined) v.renewTill = renewTill
  const srealm = s.opt(8, 'srealm', rString)
  if (srealm !== undefined) v.srealm = srealm
  const sname = s.opt(9, 'sname', readPrincipalName)
  if (sname !== undefined) v.sname = sname
  const caddr = s.opt(10, 'caddr', readHostAddresses)
  if (caddr !== undefined) v.caddr = caddr
  s.done()
  return v
}

function writeKrbCredInfo(w: DerWriter, v: KrbCredInfo): void {
  const m = w.size
  writeOpt(w, 10, v.caddr, writeHostAddresses)
  writeOpt(w, 9, v.sname, writePrincipalName)
  writeOpt(w, 8, v.srealm, wString)
  writeOpt(w, 7, v.renewTill, wTime)
  writeOpt(w, 6, v.endtime, wTime)
  writeOpt(w, 5, v.starttime, wTime)
  writeOpt(w, 4, v.authtime, wTime)
  writeOpt(w, 3, v.flags, wFlags)
  writeOpt(w, 2, v.pname, writePrincipalName)
  writeOpt(w, 1, v.prealm, wString)
  writeField(w, 0, v.key, writeEncryptionKey)
  w.wrap(Tag.SEQUENCE, m)
}

const readCredInfos = (r: DerReader): KrbCredInfo[] => r.seqOf(readKrbCredInfo)
const writeCredInfos = (w: DerWriter, v: readonly KrbCredInfo[]): void =>
  writeSeqOf(w, v, writeKrbCredInfo)

export function readEncKrbCredPart(r: DerReader): EncKrbCredPart {
  const a = r.enter(0x7d, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const ticketInfo = s.field(0, 'ticket-info', readCredInfos)
  const v: Mutable<EncKrbCredPart> = { ticketInfo }
  const nonce = s.opt(1, 'nonce', rUInt32)
  if (nonce !== undefined) v.nonce = nonce
  const timestamp = s.opt(2, 'timestamp', rTime)
  if (timestamp !== undefined) v.timestamp = timestamp
  const usec = s.opt(3, 'usec', rInt32)
  if (usec !== undefined) v.usec = usec
  const sAddress = s.opt(4, 's-address', readHostAddress)
  if (sAddress !== undefined) v.sAddress = sAddress
  const rAddress = s.opt(5, 'r-address', readHostAddress)
  if (rAddress !== undefined) v.rAddress = rAddress
  s.done()
  a.done()
  return v
}

export function writeEncKrbCredPart(w: DerWriter, v: EncKrbCredPart): void {
  const m = w.size
  writeOpt(w, 5, v.rAddress, writeHostAddress)
  writeOpt(w, 4, v.sAddress, writeHostAddress)
  writeOpt(w, 3, v.usec, wInt32)
  writeOpt(w, 2, v.timestamp, wTime)
  writeOpt(w, 1, v.nonce, wUInt32)
  writeField(w, 0, v.ticketInfo, writeCredInfos)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x7d, m)
}

/**
 * ```asn1
 * EncKrbCredPart ::= [APPLICATION 29] SEQUENCE {
 *   ticket-info [0] SEQUENCE OF KrbCredInfo,
 *   nonce       [1] UInt32 OPTIONAL,
 *   timestamp   [2] KerberosTime OPTIONAL,
 *   usec        [3] Microseconds OPTIONAL,
 *   s-address   [4] HostAddress OPTIONAL,
 *   r-address   [5] HostAddress OPTIONAL
 * }
 * KrbCredInfo ::= SEQUENCE {
 *   key        [0] EncryptionKey,
 *   prealm     [1] Realm OPTIONAL,
 *   pname      [2] PrincipalName OPTIONAL,
 *   flags      [3] TicketFlags OPTIONAL,
 *   authtime   [4] KerberosTime OPTIONAL,
 *   starttime  [5] KerberosTime OPTIONAL,
 *   endtime    [6] KerberosTime OPTIONAL,
 *   renew-till [7] KerberosTime OPTIONAL,
 *   srealm     [8] Realm OPTIONAL,
 *   sname      [9] PrincipalName OPTIONAL,
 *   caddr      [10] HostAddresses OPTIONAL
 * }
 * ```
 * @example
 * ```ts
 * encodeEncKrbCredPart({ ticketInfo: [{ key: sessionKey, prealm: 'EXAMPLE.COM' }] })
 * ```
 */
export function encodeEncKrbCredPart(v: EncKrbCredPart): Uint8Array {
  return encodeWith(v, writeEncKrbCredPart)
}

/** Decode an EncKrbCredPart; see {@link encodeEncKrbCredPart}. */
export function decodeEncKrbCredPart(bytes: Uint8Array): EncKrbCredPart {
  return decodeWith(bytes, 'EncKrbCredPart', readEncKrbCredPart)
}

/** Encode one KrbCredInfo; see {@link encodeEncKrbCredPart}. */
export function encodeKrbCredInfo(v: KrbCredInfo): Uint8Array {
  return encodeWith(v, writeKrbCredInfo)
}

/** Decode one KrbCredInfo. */
export function decodeKrbCredInfo(bytes: Uint8Array): KrbCredInfo {
  return decodeWith(bytes, 'KrbCredInfo', readKrbCredInfo)
}
