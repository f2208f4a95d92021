/**
 * Codecs for the building blocks of RFC 4120 §5.2: PrincipalName, EncryptedData, EncryptionKey,
 * Checksum, HostAddress(es), AuthorizationData, PA-DATA, TransitedEncoding, LastReq, and the
 * KerberosFlags helpers.
 *
 * @module
 */
import { EncTypeKeyLength } from '../iana.js'
import { KerberosKey } from '../key.js'
import type { Principal } from '../principal.js'
import {
  DerReader,
  DerWriter,
  Tag,
  decodeWith,
  encodeWith,
  rInt32,
  rOctets,
  rString,
  rTime,
  rUInt32,
  wInt32,
  wOctets,
  wString,
  wTime,
  wUInt32,
  writeField,
  writeOpt,
  writeSeqOf,
} from './der.js'
import type {
  AuthorizationData,
  AuthorizationDataEntry,
  Checksum,
  EncryptedData,
  HostAddress,
  HostAddresses,
  LastReq,
  LastReqEntry,
  PAData,
  PrincipalName,
  TransitedEncoding,
} from './types.js'

// ---- PrincipalName ----

export function readPrincipalName(r: DerReader): PrincipalName {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const nameType = s.field(0, 'name-type', rInt32)
  const nameString = s.field(1, 'name-string', readStrings)
  s.done()
  return { nameType, nameString }
}

const readStrings = (r: DerReader): string[] => r.seqOf(rString)

export function writePrincipalName(w: DerWriter, v: PrincipalName): void {
  const m = w.size
  writeField(w, 1, v.nameString, writeStrings)
  writeField(w, 0, v.nameType, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

const writeStrings = (w: DerWriter, v: readonly string[]): void => writeSeqOf(w, v, wString)

/**
 * ```asn1
 * PrincipalName ::= SEQUENCE {
 *   name-type   [0] Int32,
 *   name-string [1] SEQUENCE OF KerberosString
 * }
 * ```
 * @example
 * ```ts
 * const der = encodePrincipalName({ nameType: 1, nameString: ['alice'] })
 * decodePrincipalName(der).nameString // ['alice']
 * ```
 */
export function encodePrincipalName(v: PrincipalName): Uint8Array {
  return encodeWith(v, writePrincipalName)
}

/** Decode a PrincipalName; see {@link encodePrincipalName}. */
export function decodePrincipalName(bytes: Uint8Array): PrincipalName {
  return decodeWith(bytes, 'PrincipalName', readPrincipalName)
}

/**
 * A {@link Principal} from a PrincipalName and its realm.
 *
 * @example
 * ```ts
 * principalFromName({ nameType: 1, nameString: ['alice'] }, 'EXAMPLE.COM').realm // 'EXAMPLE.COM'
 * ```
 */
export function principalFromName(name: PrincipalName, realm: string): Principal {
  return { nameType: name.nameType, components: [...name.nameString], realm }
}

/** The PrincipalName and realm of a {@link Principal}. */
export function principalToName(p: Principal): {
  readonly name: PrincipalName
  readonly realm: string
} {
  return { name: { nameType: p.nameType, nameString: [...p.components] }, realm: p.realm }
}

// ---- EncryptedData ----

export function readEncryptedData(r: DerReader): EncryptedData {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const etype = s.field(0, 'etype', rInt32)
  const kvno = s.opt(1, 'kvno', rUInt32)
  const cipher = s.field(2, 'cipher', rOctets)
  s.done()
  return kvno === undefined ? { etype, cipher } : { etype, kvno, cipher }
}

export function writeEncryptedData(w: DerWriter, v: EncryptedData): void {
  const m = w.size
  writeField(w, 2, v.cipher, wOctets)
  writeOpt(w, 1, v.kvno, wUInt32)
  writeField(w, 0, v.etype, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * EncryptedData ::= SEQUENCE {
 *   etype  [0] Int32,
 *   kvno   [1] UInt32 OPTIONAL,
 *   cipher [2] OCTET STRING
 * }
 * ```
 * Also PA-ENC-TIMESTAMP ::= EncryptedData.
 * @example
 * ```ts
 * encodeEncryptedData({ etype: 18, kvno: 2, cipher: new Uint8Array(44) })
 * ```
 */
export function encodeEncryptedData(v: EncryptedData): Uint8Array {
  return encodeWith(v, writeEncryptedData)
}

/** Decode EncryptedData; see {@link encodeEncryptedData}. */
export function decodeEncryptedData(bytes: Uint8Array): EncryptedData {
  return decodeWith(bytes, 'EncryptedData', readEncryptedData)
}

// ---- EncryptionKey ----

// A key whose size does not fit its (implemented) enctype is malformed data: refused here, where
// it arrives, rather than as a RangeError from the crypto layer when it is first used.
export function readEncryptionKey(r: DerReader): KerberosKey {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const keytype = s.field(0, 'keytype', rInt32)
  // Key bytes are copied so that wiping the key never touches the caller's buffer.
  const keyvalue = s.field(1, 'keyvalue', rOctets).slice()
  const want = EncTypeKeyLength.get(keytype)
  if (want !== undefined && keyvalue.length !== want) {
    s.fail(`keyvalue of enctype ${keytype} has ${keyvalue.length} octets, expected ${want}`)
  }
  s.done()
  return new KerberosKey(keytype, keyvalue)
}

export function writeEncryptionKey(w: DerWriter, v: KerberosKey): void {
  if (!(v instanceof KerberosKey)) throw new TypeError('expected a KerberosKey')
  const m = w.size
  writeField(w, 1, v.bytes, wOctets)
  writeField(w, 0, v.enctype, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * EncryptionKey ::= SEQUENCE {
 *   keytype   [0] Int32,
 *   keyvalue  [1] OCTET STRING
 * }
 * ```
 * Decodes to a {@link KerberosKey} (keytype = `enctype`, keyvalue = `bytes`).
 * @example
 * ```ts
 * decodeEncryptionKey(encodeEncryptionKey(new KerberosKey(18, keyBytes))).enctype // 18
 * ```
 */
export function encodeEncryptionKey(v: KerberosKey): Uint8Array {
  return encodeWith(v, writeEncryptionKey)
}

/** Decode an EncryptionKey; see {@link encodeEncryptionKey}. */
export function decodeEncryptionKey(bytes: Uint8Array): KerberosKey {
  return decodeWith(bytes, 'EncryptionKey', readEncryptionKey)
}

// ---- Checksum ----

export function readChecksum(r: DerReader): Checksum {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const cksumtype = s.field(0, 'cksumtype', rInt32)
  const checksum = s.field(1, 'checksum', rOctets)
  s.done()
  return { cksumtype, checksum }
}

export function writeChecksum(w: DerWriter, v: Checksum): void {
  const m = w.size
  writeField(w, 1, v.checksum, wOctets)
  writeField(w, 0, v.cksumtype, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * Checksum ::= SEQUENCE {
 *   cksumtype [0] Int32,
 *   checksum  [1] OCTET STRING
 * }
 * ```
 * @example
 * ```ts
 * encodeChecksum({ cksumtype: 16, checksum: mac })
 * ```
 */
export function encodeChecksum(v: Checksum): Uint8Array {
  return encodeWith(v, writeChecksum)
}

/** Decode a Checksum; see {@link encodeChecksum}. */
export function decodeChecksum(bytes: Uint8Array): Checksum {
  return decodeWith(bytes, 'Checksum', readChecksum)
}

// ---- HostAddress(es) ----

export function readHostAddress(r: DerReader): HostAddress {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const addrType = s.field(0, 'addr-type', rInt32)
  const address = s.field(1, 'address', rOctets)
  s.done()
  return { addrType, address }
}

export function writeHostAddress(w: DerWriter, v: HostAddress): void {
  const m = w.size
  writeField(w, 1, v.address, wOctets)
  writeField(w, 0, v.addrType, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

export const readHostAddresses = (r: DerReader): HostAddress[] => r.seqOf(readHostAddress)
export const writeHostAddresses = (w: DerWriter, v: HostAddresses): void =>
  writeSeqOf(w, v, writeHostAddress)

/**
 * ```asn1
 * HostAddress ::= SEQUENCE {
 *   addr-type [0] Int32,
 *   address   [1] OCTET STRING
 * }
 * ```
 * @example
 * ```ts
 * encodeHostAddress({ addrType: 2, address: new Uint8Array([127, 0, 0, 1]) })
 * ```
 */
export function encodeHostAddress(v: HostAddress): Uint8Array {
  return encodeWith(v, writeHostAddress)
}

/** Decode a HostAddress; see {@link encodeHostAddress}. */
export function decodeHostAddress(bytes: Uint8Array): HostAddress {
  return decodeWith(bytes, 'HostAddress', readHostAddress)
}

/** `HostAddresses ::= SEQUENCE OF HostAddress`. */
export function encodeHostAddresses(v: HostAddresses): Uint8Array {
  return encodeWith(v, writeHostAddresses)
}

/** Decode HostAddresses; see {@link encodeHostAddresses}. */
export function decodeHostAddresses(bytes: Uint8Array): HostAddresses {
  return decodeWith(bytes, 'HostAddresses', readHostAddresses)
}

// ---- AuthorizationData ----

function readADEntry(r: DerReader): AuthorizationDataEntry {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const adType = s.field(0, 'ad-type', rInt32)
  const adData = s.field(1, 'ad-data', rOctets)
  s.done()
  return { adType, adData }
}

function writeADEntry(w: DerWriter, v: AuthorizationDataEntry): void {
  const m = w.size
  writeField(w, 1, v.adData, wOctets)
  writeField(w, 0, v.adType, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

export const readAuthorizationData = (r: DerReader): AuthorizationDataEntry[] =>
  r.seqOf(readADEntry)
export const writeAuthorizationData = (w: DerWriter, v: AuthorizationData): void =>
  writeSeqOf(w, v, writeADEntry)

/**
 * ```asn1
 * AuthorizationData ::= SEQUENCE OF SEQUENCE {
 *   ad-type [0] Int32,
 *   ad-data [1] OCTET STRING
 * }
 * AD-IF-RELEVANT        ::= AuthorizationData
 * AD-MANDATORY-FOR-KDC  ::= AuthorizationData
 * ```
 * @example
 * ```ts
 * encodeAuthorizationData([{ adType: 128, adData: pac }])
 * ```
 */
export function encodeAuthorizationData(v: AuthorizationData): Uint8Array {
  return encodeWith(v, writeAuthorizationData)
}

/** Decode AuthorizationData; see {@link encodeAuthorizationData}. */
export function decodeAuthorizationData(bytes: Uint8Array): AuthorizationData {
  return decodeWith(bytes, 'AuthorizationData', readAuthorizationData)
}

/** Decode the ad-data of AD-IF-RELEVANT (ad-type 1). */
export function decodeADIfRelevant(bytes: Uint8Array): AuthorizationData {
  return decodeWith(bytes, 'AD-IF-RELEVANT', readAuthorizationData)
}

/** Encode AD-IF-RELEVANT's ad-data. */
export function encodeADIfRelevant(v: AuthorizationData): Uint8Array {
  return encodeAuthorizationData(v)
}

/** Decode the ad-data of AD-MANDATORY-FOR-KDC (ad-type 8). */
export function decodeADMandatoryForKDC(bytes: Uint8Array): AuthorizationData {
  return decodeWith(bytes, 'AD-MANDATORY-FOR-KDC', readAuthorizationData)
}

/** Encode AD-MANDATORY-FOR-KDC's ad-data. */
export function encodeADMandatoryForKDC(v: AuthorizationData): Uint8Array {
  return encodeAuthorizationData(v)
}

// ---- PA-DATA ----

export function readPAData(r: DerReader): PAData {
  const s = r.enter(Tag.SEQUENCE, r.label)
  // RFC 4120 numbers PA-DATA's fields from 1.
  const padataType = s.field(1, 'padata-type', rInt32)
  const padataValue = s.field(2, 'padata-value', rOctets)
  s.done()
  return { padataType, padataValue }
}

export function writePAData(w: DerWriter, v: PAData): void {
  const m = w.size
  writeField(w, 2, v.padataValue, wOctets)
  writeField(w, 1, v.padataType, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

export const readPADataList = (r: DerReader): PAData[] => r.seqOf(readPAData)
export const writePADataList = (w: DerWriter, v: readonly PAData[]): void =>
  writeSeqOf(w, v, writePAData)

/**
 * ```asn1
 * PA-DATA ::= SEQUENCE {
 *   -- NOTE: first tag is [1], not [0]
 *   padata-type  [1] Int32,
 *   padata-value [2] OCTET STRING -- might be encoded AP-REQ
 * }
 * ```
 * @example
 * ```ts
 * encodePAData({ padataType: 2, padataValue: encodeEncryptedData(encTs) })
 * ```
 */
export function encodePAData(v: PAData): Uint8Array {
  return encodeWith(v, writePAData)
}

/** Decode PA-DATA; see {@link encodePAData}. */
export function decodePAData(bytes: Uint8Array): PAData {
  return decodeWith(bytes, 'PA-DATA', readPAData)
}

/**
 * ```asn1
 * METHOD-DATA ::= SEQUENCE OF PA-DATA
 * ```
 * The e-data of KDC_ERR_PREAUTH_REQUIRED.
 * @example
 * ```ts
 * const hints = decodeMethodData(krbError.eData!)
 * ```
 */
export function encodeMethodData(v: readonly PAData[]): Uint8Array {
  return encodeWith(v, writePADataList)
}

/** Decode METHOD-DATA; see {@link encodeMethodData}. */
export function decodeMethodData(bytes: Uint8Array): readonly PAData[] {
  return decodeWith(bytes, 'METHOD-DATA', readPADataList)
}

// ---- TransitedEncoding ----

export function readTransited(r: DerReader): TransitedEncoding {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const trType = s.field(0, 'tr-type', rInt32)
  const contents = s.field(1, 'contents', rOctets)
  s.done()
  return { trType, contents }
}

export function writeTransited(w: DerWriter, v: TransitedEncoding): void {
  const m = w.size
  writeField(w, 1, v.contents, wOctets)
  writeField(w, 0, v.trType, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * TransitedEncoding ::= SEQUENCE {
 *   tr-type  [0] Int32 -- must be registered --,
 *   contents [1] OCTET STRING
 * }
 * ```
 * @example
 * ```ts
 * encodeTransitedEncoding({ trType: 1, contents: new Uint8Array() })
 * ```
 */
export function encodeTransitedEncoding(v: TransitedEncoding): Uint8Array {
  return encodeWith(v, writeTransited)
}

/** Decode TransitedEncoding; see {@link encodeTransitedEncoding}. */
export function decodeTransitedEncoding(bytes: Uint8Array): TransitedEncoding {
  return decodeWith(bytes, 'TransitedEncoding', readTransited)
}

// ---- LastReq ----

function readLastReqEntry(r: DerReader): LastReqEntry {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const lrType = s.field(0, 'lr-type', rInt32)
  const lrValue = s.field(1, 'lr-value', rTime)
  s.done()
  return { lrType, lrValue }
}

function writeLastReqEntry(w: DerWriter, v: LastReqEntry): void {
  const m = w.size
  writeField(w, 1, v.lrValue, wTime)
  writeField(w, 0, v.lrType, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

export const readLastReq = (r: DerReader): LastReqEntry[] => r.seqOf(readLastReqEntry)
export const writeLastReq = (w: DerWriter, v: LastReq): void => writeSeqOf(w, v, writeLastReqEntry)

/**
 * ```asn1
 * LastReq ::= SEQUENCE OF SEQUENCE {
 *   lr-type  [0] Int32,
 *   lr-value [1] KerberosTime
 * }
 * ```
 * @example
 * ```ts
 * encodeLastReq([{ lrType: 0, lrValue: new Date(0) }])
 * ```
 */
export function encodeLastReq(v: LastReq): Uint8Array {
  return encodeWith(v, writeLastReq)
}

/** Decode LastReq; see {@link encodeLastReq}. */
export function decodeLastReq(bytes: Uint8Array): LastReq {
  return decodeWith(bytes, 'LastReq', readLastReq)
}
