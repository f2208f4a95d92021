/**
 * Ticket and EncTicketPart (RFC 4120 §5.3).
 *
 * @module
 */
import {
  DerReader,
  DerWriter,
  Tag,
  decodeWith,
  encodeFail,
  encodeWith,
  type Mutable,
  rFlags,
  rString,
  rTime,
  wFlags,
  wString,
  wTime,
  writeField,
  writeOpt,
  writeSeqOf,
} from './der.js'
import {
  readAuthorizationData,
  readEncryptedData,
  readEncryptionKey,
  readHostAddresses,
  readPrincipalName,
  readTransited,
  writeAuthorizationData,
  writeEncryptedData,
  writeEncryptionKey,
  writeHostAddresses,
  writePrincipalName,
  writeTransited,
} from './basic.js'
import type { EncTicketPart, Ticket } from './types.js'

/** Attach `raw` as a non-enumerable property (kept out of deep-equality, spread and JSON). */
export function withRaw<T extends object>(value: T, raw: Uint8Array): T {
  Object.defineProperty(value, 'raw', {
    value: raw,
    enumerable: false,
    writable: false,
    configurable: false,
  })
  return value
}

export function readVersion5(r: DerReader): 5 {
  const at = r.pos
  const v = r.int32()
  if (v !== 5) r.fail(`expected protocol version 5, got ${v}`, at)
  return 5
}

const w5 = (w: DerWriter, v: number): void => {
  if (v !== 5) encodeFail(`expected protocol version 5, got ${String(v)}`)
  w.int32(v)
}
export { w5 as writeVersion5 }

export function readTicket(r: DerReader): Ticket {
  const start = r.pos
  const a = r.enter(0x61, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const tktVno = s.field(0, 'tkt-vno', readVersion5)
  const realm = s.field(1, 'realm', rString)
  const sname = s.field(2, 'sname', readPrincipalName)
  const encPart = s.field(3, 'enc-part', readEncryptedData)
  s.done()
  a.done()
  return withRaw({ tktVno, realm, sname, encPart }, r.buf.subarray(start, r.pos))
}

export function writeTicket(w: DerWriter, v: Ticket): void {
  if (v.raw !== undefined) {
    w.bytes(v.raw)
    return
  }
  const m = w.size
  writeField(w, 3, v.encPart, writeEncryptedData)
  writeField(w, 2, v.sname, writePrincipalName)
  writeField(w, 1, v.realm, wString)
  writeField(w, 0, v.tktVno, w5)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x61, m)
}

export const readTickets = (r: DerReader): Ticket[] => r.seqOf(readTicket)
export const writeTickets = (w: DerWriter, v: readonly Ticket[]): void =>
  writeSeqOf(w, v, writeTicket)

/**
 * ```asn1
 * Ticket ::= [APPLICATION 1] SEQUENCE {
 *   tkt-vno  [0] INTEGER (5),
 *   realm    [1] Realm,
 *   sname    [2] PrincipalName,
 *   enc-part [3] EncryptedData -- EncTicketPart
 * }
 * ```
 * A ticket with a `raw` property (every decoded ticket) is written as those exact bytes.
 * @example
 * ```ts
 * const t = decodeTicket(bytes)
 * encodeTicket(t) // the same bytes
 * ```
 */
export function encodeTicket(v: Ticket): Uint8Array {
  return encodeWith(v, writeTicket)
}

/** Decode a Ticket; the result has a non-enumerable `raw` with its exact bytes. */
export function decodeTicket(bytes: Uint8Array): Ticket {
  return decodeWith(bytes, 'Ticket', readTicket)
}

export function readEncTicketPart(r: DerReader): EncTicketPart {
  const a = r.enter(0x63, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const flags = s.field(0, 'flags', rFlags)
  const key = s.field(1, 'key', readEncryptionKey)
  const crealm = s.field(2, 'crealm', rString)
  const cname = s.field(3, 'cname', readPrincipalName)
  const transited = s.field(4, 'transited', readTransited)
  const authtime = s.field(5, 'authtime', rTime)
  const starttime = s.opt(6, 'starttime', rTime)
  const endtime = s.field(7, 'endtime', rTime)
  const renewTill = s.opt(8, 'renew-till', rTime)
  const caddr = s.opt(9, 'caddr', readHostAddresses)
  const authorizationData = s.opt(10, 'authorization-data', readAuthorizationData)
  s.done()
  a.done()
  const v = { flags, key, crealm, cname, transited, authtime } as Mutable<EncTicketPart>
  if (starttime !== undefined) v.starttime = starttime
  v.endtime = endtime
  if (renewTill !== undefined) v.renewTill = renewTill
  if (caddr !== undefined) v.caddr = caddr
  if (authorizationData !== undefined) v.authorizationData = authorizationData
  return v
}

export function writeEncTicketPart(w: DerWriter, v: EncTicketPart): void {
  const m = w.size
  writeOpt(w, 10, v.authorizationData, writeAuthorizationData)
  writeOpt(w, 9, v.caddr, writeHostAddresses)
  writeOpt(w, 8, v.renewTill, wTime)
  writeField(w, 7, v.endtime, wTime)
  writeOpt(w, 6, v.starttime, wTime)
  writeField(w, 5, v.authtime, wTime)
  writeField(w, 4, v.transited, writeTransited)
  writeField(w, 3, v.cname, writePrincipalName)
  writeField(w, 2, v.crealm, wString)
  writeField(w, 1, v.key, writeEncryptionKey)
  writeField(w, 0, v.flags, wFlags)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x63, m)
}

/**
 * ```asn1
 * EncTicketPart ::= [APPLICATION 3] SEQUENCE {
 *   flags              [0] TicketFlags,
 *   key                [1] EncryptionKey,
 *   crealm             [2] Realm,
 *   cname              [3] PrincipalName,
 *   transited          [4] TransitedEncoding,
 *   authtime           [5] KerberosTime,
 *   starttime          [6] KerberosTime OPTIONAL,
 *   endtime            [7] KerberosTime,
 *   renew-till         [8] KerberosTime OPTIONAL,
 *   caddr              [9] HostAddresses OPTIONAL,
 *   authorization-data [10] AuthorizationData OPTIONAL
 * }
 * ```
 * @example
 * ```ts
 * const part = decodeEncTicketPart(plaintext)
 * part.key.enctype // the session key's enctype
 * ```
 */
export function encodeEncTicketPart(v: EncTicketPart): Uint8Array {
  return encodeWith(v, writeEncTicketPart)
}

/** Decode an EncTicketPart; see {@link encodeEncTicketPart}. */
export function decodeEncTicketPart(bytes: Uint8Array): EncTicketPart {
  return decodeWith(bytes, 'EncTicketPart', readEncTicketPart)
}
