/**
 * Typed contents of PA-DATA and authorization-data elements: PA-ENC-TS-ENC, ETYPE-INFO,
 * ETYPE-INFO2 (RFC 4120 §5.2.7), KERB-PA-PAC-REQUEST (MS-KILE), AD-KDCIssued and AD-AND-OR
 * (RFC 4120 §5.2.6). FAST (RFC 6113) and S4U (MS-SFU) types slot in the same way.
 *
 * @module
 */
import {
  DerReader,
  DerWriter,
  Tag,
  decodeWith,
  encodeWith,
  rBoolean,
  rInt32,
  rOctets,
  rString,
  rTime,
  wBoolean,
  wInt32,
  wOctets,
  wString,
  wTime,
  writeField,
  writeOpt,
  writeSeqOf,
} from './der.js'
import {
  readAuthorizationData,
  readChecksum,
  readPrincipalName,
  writeAuthorizationData,
  writeChecksum,
  writePrincipalName,
} from './basic.js'
import type {
  ADAndOr,
  ADKDCIssued,
  ETypeInfo2Entry,
  ETypeInfoEntry,
  PAEncTSEnc,
  PAPacRequest,
} from './types.js'

function readPAEncTSEnc(r: DerReader): PAEncTSEnc {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const patimestamp = s.field(0, 'patimestamp', rTime)
  const pausec = s.opt(1, 'pausec', rInt32)
  s.done()
  return pausec === undefined ? { patimestamp } : { patimestamp, pausec }
}

function writePAEncTSEnc(w: DerWriter, v: PAEncTSEnc): void {
  const m = w.size
  writeOpt(w, 1, v.pausec, wInt32)
  writeField(w, 0, v.patimestamp, wTime)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * PA-ENC-TIMESTAMP ::= EncryptedData -- PA-ENC-TS-ENC
 * PA-ENC-TS-ENC ::= SEQUENCE {
 *   patimestamp [0] KerberosTime -- client's time --,
 *   pausec      [1] Microseconds OPTIONAL
 * }
 * ```
 * @example
 * ```ts
 * const plain = encodePAEncTSEnc({ patimestamp: now, pausec: 123456 })
 * ```
 */
export function encodePAEncTSEnc(v: PAEncTSEnc): Uint8Array {
  return encodeWith(v, writePAEncTSEnc)
}

/** Decode PA-ENC-TS-ENC; see {@link encodePAEncTSEnc}. */
export function decodePAEncTSEnc(bytes: Uint8Array): PAEncTSEnc {
  return decodeWith(bytes, 'PA-ENC-TS-ENC', readPAEncTSEnc)
}

function readETypeInfoEntry(r: DerReader): ETypeInfoEntry {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const etype = s.field(0, 'etype', rInt32)
  const salt = s.opt(1, 'salt', rOctets)
  s.done()
  return salt === undefined ? { etype } : { etype, salt }
}

function writeETypeInfoEntry(w: DerWriter, v: ETypeInfoEntry): void {
  const m = w.size
  writeOpt(w, 1, v.salt, wOctets)
  writeField(w, 0, v.etype, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * ETYPE-INFO-ENTRY ::= SEQUENCE {
 *   etype [0] Int32,
 *   salt  [1] OCTET STRING OPTIONAL
 * }
 * ETYPE-INFO ::= SEQUENCE OF ETYPE-INFO-ENTRY
 * ```
 * @example
 * ```ts
 * encodeETypeInfo([{ etype: 23 }])
 * ```
 */
export function encodeETypeInfo(v: readonly ETypeInfoEntry[]): Uint8Array {
  return encodeWith(v, (w, x) => writeSeqOf(w, x, writeETypeInfoEntry))
}

/** Decode ETYPE-INFO (PA-DATA type 11); see {@link encodeETypeInfo}. */
export function decodeETypeInfo(bytes: Uint8Array): readonly ETypeInfoEntry[] {
  return decodeWith(bytes, 'ETYPE-INFO', (r) => r.seqOf(readETypeInfoEntry))
}

function readETypeInfo2Entry(r: DerReader): ETypeInfo2Entry {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const etype = s.field(0, 'etype', rInt32)
  const salt = s.opt(1, 'salt', rString)
  const s2kparams = s.opt(2, 's2kparams', rOctets)
  s.done()
  const v: { etype: number; salt?: string; s2kparams?: Uint8Array } = { etype }
  if (salt !== undefined) v.salt = salt
  if (s2kparams !== undefined) v.s2kparams = s2kparams
  return v
}

function writeETypeInfo2Entry(w: DerWriter, v: ETypeInfo2Entry): void {
  const m = w.size
  writeOpt(w, 2, v.s2kparams, wOctets)
  writeOpt(w, 1, v.salt, wString)
  writeField(w, 0, v.etype, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * ETYPE-INFO2-ENTRY ::= SEQUENCE {
 *   etype     [0] Int32,
 *   salt      [1] KerberosString OPTIONAL,
 *   s2kparams [2] OCTET STRING OPTIONAL
 * }
 * ETYPE-INFO2 ::= SEQUENCE SIZE (1..MAX) OF ETYPE-INFO2-ENTRY
 * ```
 * @example
 * ```ts
 * const [best] = decodeETypeInfo2(pa.padataValue)
 * best.salt // 'EXAMPLE.COMalice'
 * ```
 */
export function encodeETypeInfo2(v: readonly ETypeInfo2Entry[]): Uint8Array {
  return encodeWith(v, (w, x) => writeSeqOf(w, x, writeETypeInfo2Entry))
}

/** Decode ETYPE-INFO2 (PA-DATA type 19); see {@link encodeETypeInfo2}. */
export function decodeETypeInfo2(bytes: Uint8Array): readonly ETypeInfo2Entry[] {
  return decodeWith(bytes, 'ETYPE-INFO2', (r) => r.seqOf(readETypeInfo2Entry))
}

/**
 * ```asn1
 * KERB-PA-PAC-REQUEST ::= SEQUENCE {
 *   include-pac [0] BOOLEAN
 * }
 * ```
 * PA-DATA type 128 (MS-KILE §2.2.3).
 * @example
 * ```ts
 * encodePAPacRequest({ includePac: true }) // 30 05 a0 03 01 01 ff
 * ```
 */
export function encodePAPacRequest(v: PAPacRequest): Uint8Array {
  return encodeWith(v, (w, x) => {
    const m = w.size
    writeField(w, 0, x.includePac, wBoolean)
    w.wrap(Tag.SEQUENCE, m)
  })
}

/** Decode KERB-PA-PAC-REQUEST; see {@link encodePAPacRequest}. */
export function decodePAPacRequest(bytes: Uint8Array): PAPacRequest {
  return decodeWith(bytes, 'PA-PAC-REQUEST', (r) => {
    const s = r.enter(Tag.SEQUENCE, r.label)
    const includePac = s.field(0, 'include-pac', rBoolean)
    s.done()
    return { includePac }
  })
}

function readADKDCIssued(r: DerReader): ADKDCIssued {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const adChecksum = s.field(0, 'ad-checksum', readChecksum)
  const iRealm = s.opt(1, 'i-realm', rString)
  const iSname = s.opt(2, 'i-sname', readPrincipalName)
  const elements = s.field(3, 'elements', readAuthorizationData)
  s.done()
  const v: {
    adChecksum: ADKDCIssued['adChecksum']
    iRealm?: string
    iSname?: ADKDCIssued['iSname']
  } = {
    adChecksum,
  }
  if (iRealm !== undefined) v.iRealm = iRealm
  if (iSname !== undefined) v.iSname = iSname
  return { ...v, elements }
}

function writeADKDCIssued(w: DerWriter, v: ADKDCIssued): void {
  const m = w.size
  writeField(w, 3, v.elements, writeAuthorizationData)
  writeOpt(w, 2, v.iSname, writePrincipalName)
  writeOpt(w, 1, v.iRealm, wString)
  writeField(w, 0, v.adChecksum, writeChecksum)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * AD-KDCIssued ::= SEQUENCE {
 *   ad-checksum [0] Checksum,
 *   i-realm     [1] Realm OPTIONAL,
 *   i-sname     [2] PrincipalName OPTIONAL,
 *   elements    [3] AuthorizationData
 * }
 * ```
 * The ad-data of ad-type 4.
 * @example
 * ```ts
 * const issued = decodeADKDCIssued(entry.adData)
 * ```
 */
export function encodeADKDCIssued(v: ADKDCIssued): Uint8Array {
  return encodeWith(v, writeADKDCIssued)
}

/** Decode AD-KDCIssued; see {@link encodeADKDCIssued}. */
export function decodeADKDCIssued(bytes: Uint8Array): ADKDCIssued {
  return decodeWith(bytes, 'AD-KDCIssued', readADKDCIssued)
}

/**
 * ```asn1
 * AD-AND-OR ::= SEQUENCE {
 *   condition-count [0] Int32,
 *   elements        [1] AuthorizationData
 * }
 * ```
 * The ad-data of ad-type 5.
 * @example
 * ```ts
 * encodeADAndOr({ conditionCount: 1, elements })
 * ```
 */
export function encodeADAndOr(v: ADAndOr): Uint8Array {
  return encodeWith(v, (w, x) => {
    const m = w.size
    writeField(w, 1, x.elements, writeAuthorizationData)
    writeField(w, 0, x.conditionCount, wInt32)
    w.wrap(Tag.SEQUENCE, m)
  })
}

/** Decode AD-AND-OR; see {@link encodeADAndOr}. */
export function decodeADAndOr(bytes: Uint8Array): ADAndOr {
  return decodeWith(bytes, 'AD-AND-OR', (r) => {
    const s = r.enter(Tag.SEQUENCE, r.label)
    const conditionCount = s.field(0, 'condition-count', rInt32)
    const elements = s.field(1, 'elements', readAuthorizationData)
    s.done()
    return { conditionCount, elements }
  })
}
