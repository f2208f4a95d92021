/**
 * FAST (RFC 6113 §5.4) PA-DATA contents: PA-FX-FAST-REQUEST / KrbFastArmoredReq, KrbFastArmor,
 * KrbFastReq, PA-FX-FAST-REPLY / KrbFastArmoredRep, KrbFastResponse, KrbFastFinished. The
 * encrypted challenge (PA-ENC-CHALLENGE) is EncryptedData over PA-ENC-TS-ENC: use
 * `encodeEncryptedData` and `encodePAEncTSEnc`. Extension fields after the known ones (`...`) are
 * skipped on decode.
 *
 * @module
 */
import type { KerberosKey } from '../key.js'
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
} from './der.js'
import {
  readChecksum,
  readEncryptedData,
  readEncryptionKey,
  readPADataList,
  readPrincipalName,
  writeChecksum,
  writeEncryptedData,
  writeEncryptionKey,
  writePADataList,
  writePrincipalName,
} from './basic.js'
import { readKDCReqBody, writeKDCReqBody } from './kdc.js'
import type { Checksum, EncryptedData, KDCReqBody, PAData, PrincipalName } from './types.js'

/** KrbFastArmor (RFC 6113 §5.4.1). */
export interface KrbFastArmor {
  readonly armorType: number
  readonly armorValue: Uint8Array
}

/** KrbFastArmoredReq, the content of PA-FX-FAST-REQUEST's `armored-data` choice. */
export interface KrbFastArmoredReq {
  readonly armor?: KrbFastArmor
  readonly reqChecksum: Checksum
  readonly encFastReq: EncryptedData
}

/** KrbFastReq (RFC 6113 §5.4.2), the plaintext of `enc-fast-req`. */
export interface KrbFastReq {
  readonly fastOptions: number
  readonly padata: readonly PAData[]
  readonly reqBody: KDCReqBody
}

/** KrbFastFinished (RFC 6113 §5.4.3). */
export interface KrbFastFinished {
  readonly timestamp: Date
  readonly usec: number
  readonly crealm: string
  readonly cname: PrincipalName
  readonly ticketChecksum: Checksum
}

/** KrbFastResponse (RFC 6113 §5.4.3), the plaintext of `enc-fast-rep`. */
export interface KrbFastResponse {
  readonly padata: readonly PAData[]
  readonly strengthenKey?: KerberosKey
  readonly finished?: KrbFastFinished
  readonly nonce: number
}

function readArmor(r: DerReader): KrbFastArmor {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const armorType = s.field(0, 'armor-type', rInt32)
  const armorValue = s.field(1, 'armor-value', rOctets)
  s.skipExtensions(1)
  return { armorType, armorValue }
}

function writeArmor(w: DerWriter, v: KrbFastArmor): void {
  const m = w.size
  writeField(w, 1, v.armorValue, wOctets)
  writeField(w, 0, v.armorType, wInt32)
  w.wrap(Tag.SEQUENCE, m)
}

function readArmoredReq(r: DerReader): KrbFastArmoredReq {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const armor = s.opt(0, 'armor', readArmor)
  const reqChecksum = s.field(1, 'req-checksum', readChecksum)
  const encFastReq = s.field(2, 'enc-fast-req', readEncryptedData)
  s.done()
  return armor === undefined ? { reqChecksum, encFastReq } : { armor, reqChecksum, encFastReq }
}

function writeArmoredReq(w: DerWriter, v: KrbFastArmoredReq): void {
  const m = w.size
  writeField(w, 2, v.encFastReq, writeEncryptedData)
  writeField(w, 1, v.reqChecksum, writeChecksum)
  writeOpt(w, 0, v.armor, writeArmor)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * PA-FX-FAST-REQUEST ::= CHOICE {
 *   armored-data [0] KrbFastArmoredReq,
 *   ...
 * }
 * KrbFastArmoredReq ::= SEQUENCE {
 *   armor        [0] KrbFastArmor OPTIONAL,
 *   req-checksum [1] Checksum,
 *   enc-fast-req [2] EncryptedData -- KrbFastReq --
 * }
 * KrbFastArmor ::= SEQUENCE {
 *   armor-type  [0] Int32,
 *   armor-value [1] OCTET STRING,
 *   ...
 * }
 * ```
 * PA-DATA type 136.
 * @example
 * ```ts
 * encodePAFxFastRequest({ armor: { armorType: 1, armorValue: apReq }, reqChecksum, encFastReq })
 * ```
 */
export function encodePAFxFastRequest(v: KrbFastArmoredReq): Uint8Array {
  return encodeWith(v, (w, x) => writeField(w, 0, x, writeArmoredReq))
}

/** Decode PA-FX-FAST-REQUEST (the `armored-data` choice); see {@link encodePAFxFastRequest}. */
export function decodePAFxFastRequest(bytes: Uint8Array): KrbFastArmoredReq {
  return decodeWith(bytes, 'PA-FX-FAST-REQUEST', (r) => r.field(0, 'armored-data', readArmoredReq))
}

/**
 * ```asn1
 * KrbFastReq ::= SEQUENCE {
 *   fast-options [0] FastOptions,
 *   padata       [1] SEQUENCE OF PA-DATA,
 *   req-body     [2] KDC-REQ-BODY,
 *   ...
 * }
 * FastOptions ::= KerberosFlags -- reserved(0), hide-client-names(1), kdc-follow-referrals(16)
 * ```
 * @example
 * ```ts
 * encodeKrbFastReq({ fastOptions: 0, padata: [encTimestamp], reqBody })
 * ```
 */
export function encodeKrbFastReq(v: KrbFastReq): Uint8Array {
  return encodeWith(v, (w, x) => {
    const m = w.size
    writeField(w, 2, x.reqBody, writeKDCReqBody)
    writeField(w, 1, x.padata, writePADataList)
    writeField(w, 0, x.fastOptions, wFlags)
    w.wrap(Tag.SEQUENCE, m)
  })
}

/** Decode KrbFastReq; see {@link encodeKrbFastReq}. */
export function decodeKrbFastReq(bytes: Uint8Array): KrbFastReq {
  return decodeWith(bytes, 'KrbFastReq', (r) => {
    const s = r.enter(Tag.SEQUENCE, r.label)
    const fastOptions = s.field(0, 'fast-options', rFlags)
    const padata = s.field(1, 'padata', readPADataList)
    const reqBody = s.field(2, 'req-body', readKDCReqBody)
    s.skipExtensions(2)
    return { fastOptions, padata, reqBody }
  })
}

/**
 * ```asn1
 * PA-FX-FAST-REPLY ::= CHOICE {
 *   armored-data [0] KrbFastArmoredRep,
 *   ...
 * }
 * KrbFastArmoredRep ::= SEQUENCE {
 *   enc-fast-rep [0] EncryptedData, -- KrbFastResponse --
 *   ...
 * }
 * ```
 * @example
 * ```ts
 * const { encFastRep } = decodePAFxFastReply(pa.padataValue)
 * ```
 */
export function encodePAFxFastReply(v: { readonly encFastRep: EncryptedData }): Uint8Array {
  return encodeWith(v, (w, x) => {
    const m = w.size
    const inner = w.size
    writeField(w, 0, x.encFastRep, writeEncryptedData)
    w.wrap(Tag.SEQUENCE, inner)
    w.wrap(0xa0, m)
  })
}

/** Decode PA-FX-FAST-REPLY (the `armored-data` choice); see {@link encodePAFxFastReply}. */
export function decodePAFxFastReply(bytes: Uint8Array): { readonly encFastRep: EncryptedData } {
  return decodeWith(bytes, 'PA-FX-FAST-REPLY', (r) =>
    r.field(0, 'armored-data', (c) => {
      const s = c.enter(Tag.SEQUENCE, c.label)
      const encFastRep = s.field(0, 'enc-fast-rep', readEncryptedData)
      s.skipExtensions(0)
      return { encFastRep }
    }),
  )
}

function readFinished(r: DerReader): KrbFastFinished {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const timestamp = s.field(0, 'timestamp', rTime)
  const usec = s.field(1, 'usec', rInt32)
  const crealm = s.field(2, 'crealm', rString)
  const cname = s.field(3, 'cname', readPrincipalName)
  const ticketChecksum = s.field(4, 'ticket-checksum', readChecksum)
  s.skipExtensions(4)
  return { timestamp, usec, crealm, cname, ticketChecksum }
}

function writeFinished(w: DerWriter, v: KrbFastFinished): void {
  const m = w.size
  writeField(w, 4, v.ticketChecksum, writeChecksum)
  writeField(w, 3, v.cname, writePrincipalName)
  writeField(w, 2, v.crealm, wString)
  writeField(w, 1, v.usec, wInt32)
  writeField(w, 0, v.timestamp, wTime)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * ```asn1
 * KrbFastResponse ::= SEQUENCE {
 *   padata         [0] SEQUENCE OF PA-DATA,
 *   strengthen-key [1] EncryptionKey OPTIONAL,
 *   finished       [2] KrbFastFinished OPTIONAL,
 *   nonce          [3] UInt32,
 *   ...
 * }
 * KrbFastFinished ::= SEQUENCE {
 *   timestamp       [0] KerberosTime,
 *   usec            [1] Microseconds,
 *   crealm          [2] Realm,
 *   cname           [3] PrincipalName,
 *   ticket-checksum [4] Checksum,
 *   ...
 * }
 * ```
 * @example
 * ```ts
 * const rep = decodeKrbFastResponse(plaintext)
 * rep.strengthenKey // combine with the reply key (KRB-FX-CF2)
 * ```
 */
export function encodeKrbFastResponse(v: KrbFastResponse): Uint8Array {
  return encodeWith(v, (w, x) => {
    const m = w.size
    writeField(w, 3, x.nonce, wUInt32)
    writeOpt(w, 2, x.finished, writeFinished)
    writeOpt(w, 1, x.strengthenKey, writeEncryptionKey)
    writeField(w, 0, x.padata, writePADataList)
    w.wrap(Tag.SEQUENCE, m)
  })
}

/** Decode KrbFastResponse; see {@link encodeKrbFastResponse}. */
export function decodeKrbFastResponse(bytes: Uint8Array): KrbFastResponse {
  return decodeWith(bytes, 'KrbFastResponse', (r) => {
    const s = r.enter(Tag.SEQUENCE, r.label)
    const padata = s.field(0, 'padata', readPADataList)
    const strengthenKey = s.opt(1, 'strengthen-key', readEncryptionKey)
    const finished = s.opt(2, 'finished', readFinished)
    const nonce = s.field(3, 'nonce', rUInt32)
    s.skipExtensions(3)
    const v: Partial<Mutable<KrbFastResponse>> = { padata }
    if (strengthenKey !== undefined) v.strengthenKey = strengthenKey
    if (finished !== undefined) v.finished = finished
    v.nonce = nonce
    return v as KrbFastResponse
  })
}
