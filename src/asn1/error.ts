/**
 * KRB-ERROR and TYPED-DATA (RFC 4120 §5.9.1), and the bridge to {@link KDCError}.
 *
 * @module
 */
import { KDCError } from '../errors.js'
import { formatPrincipal } from '../principal.js'
import {
  DerReader,
  DerWriter,
  Tag,
  type Mutable,
  decodeWith,
  encodeWith,
  rInt32,
  rOctets,
  rString,
  rTime,
  wInt32,
  wOctets,
  wString,
  wTime,
  writeField,
  writeOpt,
  writeSeqOf,
} from './der.js'
import { principalFromName, readPrincipalName, writePrincipalName } from './basic.js'
import { readConst, writeConst } from './ap.js'
import { readVersion5, writeVersion5 } from './ticket.js'
import type { KRBError, TypedData, TypedDataEntry } from './types.js'

export function readKRBError(r: DerReader): KRBError {
  const a = r.enter(0x7e, r.label)
  const s = a.enter(Tag.SEQUENCE, a.label)
  const pvno = s.field(0, 'pvno', readVersion5)
  const msgType = s.field(1, 'msg-type', (c) => readConst(c, 30 as const))
  const v = { pvno, msgType } as Mutable<KRBError>
  const ctime = s.opt(2, 'ctime', rTime)
  if (ctime !== undefined) v.ctime = ctime
  const cusec = s.opt(3, 'cusec', rInt32)
  if (cusec !== undefined) v.cusec = cusec
  v.stime = s.field(4, 'stime', rTime)
  v.susec = s.field(5, 'susec', rInt32)
  v.errorCode = s.field(6, 'error-code', rInt32)
  const crealm = s.opt(7, 'crealm', rString)
  if (crealm !== undefined) v.crealm = crealm
  const cname = s.opt(8, 'cname', readPrincipalName)
  if (cname !== undefined) v.cname = cname
  v.realm = s.field(9, 'realm', rString)
  v.sname = s.field(10, 'sname', readPrincipalName)
  const eText = s.opt(11, 'e-text', rString)
  if (eText !== undefined) v.eText = eText
  const eData = s.opt(12, 'e-data', rOctets)
  if (eData !== undefined) v.eData = eData
  s.done()
  a.done()
  return v
}

export function writeKRBError(w: DerWriter, v: KRBError): void {
  const m = w.size
  writeOpt(w, 12, v.eData, wOctets)
  writeOpt(w, 11, v.eText, wString)
  writeField(w, 10, v.sname, writePrincipalName)
  writeField(w, 9, v.realm, wString)
  writeOpt(w, 8, v.cname, writePrincipalName)
  writeOpt(w, 7, v.crealm, wString)
  writeField(w, 6, v.errorCode, wInt32)
  writeField(w, 5, v.susec, wInt32)
  writeField(w, 4, v.stime, wTime)
  writeOpt(w, 3, v.cusec, wInt32)
  writeOpt(w, 2, v.ctime, wTime)
  writeField(w, 1, v.msgType, (x, t) => writeConst(x, t, 30))
  writeField(w, 0, v.pvno, writeVersion5)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0x7e, m)
}

/**
 * ```asn1
 * KRB-ERROR ::= [APPLICATION 30] SEQUENCE {
 *   pvno       [0] INTEGER (5),
 *   msg-type   [1] INTEGER (30),
 *   ctime      [2] KerberosTime OPTIONAL,
 *   cusec      [3] Microseconds OPTIONAL,
 *   stime      [4] KerberosTime,
 *   susec      [5] Microseconds,
 *   error-code [6] Int32,
 *   crealm     [7] Realm OPTIONAL,
 *   cname      [8] PrincipalName OPTIONAL,
 *   realm      [9] Realm -- service realm --,
 *   sname      [10] PrincipalName -- service name --,
 *   e-text     [11] KerberosString OPTIONAL,
 *   e-data     [12] OCTET STRING OPTIONAL
 * }
 * ```
 * @example
 * ```ts
 * const err = decodeKRBError(bytes)
 * if (err.errorCode === 25 && err.eData) decodeMethodData(err.eData)
 * ```
 */
export function encodeKRBError(v: KRBError): Uint8Array {
  return encodeWith(v, writeKRBError)
}

/** Decode a KRB-ERROR; see {@link encodeKRBError}. */
export function decodeKRBError(bytes: Uint8Array): KRBError {
  return decodeWith(bytes, 'KRB-ERROR', readKRBError)
}

function readTypedDataEntry(r: DerReader): TypedDataEntry {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const dataType = s.field(0, 'data-type', rInt32)
  const dataValue = s.opt(1, 'data-value', rOctets)
  s.done()
  return dataValue === undefined ? { dataType } : { dataType, dataValue }
}

function writeTypedDataEntry(w: DerWriter, v: TypedDataEntry): void {
  const m = w.size
  writeOpt(w, 1, v.dataValue, wOctets)
  writeField(w, 0, v.dataType, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * TYPED-DATA ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE {
 *   data-type  [0] Int32,
 *   data-value [1] OCTET STRING OPTIONAL
 * }
 * ```
 * @example
 * ```ts
 * encodeTypedData([{ dataType: 1, dataValue: bytes }])
 * ```
 */
export function encodeTypedData(v: TypedData): Uint8Array {
  return encodeWith(v, (w, x) => writeSeqOf(w, x, writeTypedDataEntry))
}

/** Decode TYPED-DATA; see {@link encodeTypedData}. */
export function decodeTypedData(bytes: Uint8Array): TypedData {
  return decodeWith(bytes, 'TYPED-DATA', (r) => r.seqOf(readTypedDataEntry))
}

/**
 * A {@link KDCError} (code `ERR_KRB_KDC_ERROR`) for a decoded KRB-ERROR: number and RFC name,
 * e-text, e-data, the KDC's time (stime + susec) and the principals for the message.
 *
 * @example
 * ```ts
 * throw krbErrorToKDCError(decodeKRBError(reply))
 * ```
 */
export function krbErrorToKDCError(err: KRBError): KDCError {
  const ms = err.stime.getTime() + Math.floor(err.susec / 1000)
  return new KDCError({
    errorCode: err.errorCode,
    ...(err.eText !== undefined ? { eText: err.eText } : {}),
    ...(err.eData !== undefined ? { eData: err.eData } : {}),
    serverTime: new Date(ms),
    realm: err.realm,
    server: formatPrincipal(principalFromName(err.sname, err.realm)),
    ...(err.cname !== undefined
      ? { client: formatPrincipal(principalFromName(err.cname, err.crealm ?? err.realm)) }
      : {}),
  })
}
