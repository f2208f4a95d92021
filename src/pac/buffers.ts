/**
 * The PAC buffers that are not NDR: PAC_CLIENT_INFO (MS-PAC §2.7), UPN_DNS_INFO (§2.10),
 * PAC_CREDENTIAL_INFO (§2.6.1, kept encrypted), PAC_ATTRIBUTES_INFO (§2.14), PAC_REQUESTOR
 * (§2.15) and PAC_SIGNATURE_DATA (§2.8). All little-endian.
 *
 * @module
 */
import { checksumLength } from '../crypto/index.js'
import { ErrorCodes } from '../errors.js'
import { ByteReader, ByteWriter } from '../internal/bytes.js'
import { readUTF16LE } from './ndr.js'
import { readSIDBody, writeSIDBody } from './sid.js'
import type {
  PACAttributesInfo,
  PACClientInfo,
  PACCredentialInfo,
  PACSignature,
  UPNDNSInfo,
} from './types.js'
import { UPNDNSFlags } from './types.js'

function utf16(bytes: Uint8Array): string {
  return readUTF16LE(bytes, 0, bytes.length >> 1)
}

function reader(bytes: Uint8Array, what: string): ByteReader {
  return new ByteReader(bytes, { code: ErrorCodes.PAC_FORMAT, what, littleEndian: true })
}

function writer(): ByteWriter {
  return new ByteWriter(64, { littleEndian: true })
}

function utf16le(s: string): Uint8Array {
  const w = writer()
  for (let i = 0; i < s.length; i++) w.u16(s.charCodeAt(i))
  return w.finish()
}

/**
 * Decode PAC_CLIENT_INFO: the authtime as a FILETIME and the client name.
 *
 * @example
 * ```ts
 * decodePACClientInfo(buffer.data).name // 'alice'
 * ```
 */
export function decodePACClientInfo(bytes: Uint8Array): PACClientInfo {
  // The well-formed case without a reader (same checks); anything else takes the checked path.
  if (bytes.length >= 10) {
    const length = bytes[8]! | (bytes[9]! << 8)
    if (length % 2 === 0 && 10 + length === bytes.length) {
      const lo = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0
      const hi = (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)) >>> 0
      const clientId =
        hi < 0x200000 ? BigInt(hi * 0x100000000 + lo) : (BigInt(hi) << 32n) | BigInt(lo)
      return { clientId, name: readUTF16LE(bytes, 10, length >> 1) }
    }
  }
  const r = reader(bytes, 'PAC_CLIENT_INFO')
  const lo = r.u32('ClientId low')
  const hi = r.u32('ClientId high')
  const length = r.u16('NameLength')
  if (length % 2 !== 0) r.fail(`NameLength ${length} is odd`)
  const name = utf16(r.bytesView(length, 'Name'))
  r.end('PAC_CLIENT_INFO')
  return { clientId: (BigInt(hi) << 32n) | BigInt(lo), name }
}

/**
 * Encode PAC_CLIENT_INFO.
 *
 * @example
 * ```ts
 * encodePACClientInfo({ clientId: dateToFileTime(authtime), name: 'alice' })
 * ```
 */
export function encodePACClientInfo(v: PACClientInfo): Uint8Array {
  const name = utf16le(v.name)
  if (name.length > 0xffff) throw new RangeError(`expected a client name under 32768 characters`)
  const w = writer()
  w.u32(Number(v.clientId & 0xffffffffn)).u32(Number(v.clientId >> 32n))
  return w.u16(name.length).bytes(name).finish()
}

/** One (length, offset) string of UPN_DNS_INFO, checked against the buffer. */
function stringAt(
  bytes: Uint8Array,
  r: ByteReader,
  length: number,
  offset: number,
  label: string,
): Uint8Array {
  if (length % 2 !== 0 || offset + length > bytes.length) {
    r.fail(
      `${label} (offset ${offset}, length ${length}) lies outside the ${bytes.length}-byte buffer`,
    )
  }
  return bytes.subarray(offset, offset + length)
}

/**
 * Decode UPN_DNS_INFO, with the SAM name and SID when flag S (bit 2) is set.
 *
 * @example
 * ```ts
 * decodeUPNDNSInfo(buffer.data).upn // 'alice@example.com'
 * ```
 */
export function decodeUPNDNSInfo(bytes: Uint8Array): UPNDNSInfo {
  const r = reader(bytes, 'UPN_DNS_INFO')
  const upnLength = r.u16('UpnLength')
  const upnOffset = r.u16('UpnOffset')
  const dnsLength = r.u16('DnsDomainNameLength')
  const dnsOffset = r.u16('DnsDomainNameOffset')
  const flags = r.u32('Flags')
  const upn = utf16(stringAt(bytes, r, upnLength, upnOffset, 'Upn'))
  const dnsDomainName = utf16(stringAt(bytes, r, dnsLength, dnsOffset, 'DnsDomainName'))
  if ((flags & UPNDNSFlags.SAM_NAME_AND_SID) === 0) return { upn, dnsDomainName, flags }
  const samLength = r.u16('SamNameLength')
  const samOffset = r.u16('SamNameOffset')
  const sidLength = r.u16('SidLength')
  const sidOffset = r.u16('SidOffset')
  const samName = utf16(stringAt(bytes, r, samLength, samOffset, 'SamName'))
  if (sidOffset + sidLength > bytes.length) r.fail(`Sid lies outside the buffer`)
  const sr = reader(bytes.subarray(sidOffset, sidOffset + sidLength), 'UPN_DNS_INFO Sid')
  const sid = readSIDBody(sr, 'Sid')
  sr.end('UPN_DNS_INFO Sid')
  return { upn, dnsDomainName, flags, samName, sid }
}

/**
 * Encode UPN_DNS_INFO; each string 8-aligned as Windows and Samba lay it out.
 *
 * @example
 * ```ts
 * encodeUPNDNSInfo({ upn: 'alice@example.com', dnsDomainName: 'EXAMPLE.COM', flags: 0 })
 * ```
 */
export function encodeUPNDNSInfo(v: UPNDNSInfo): Uint8Array {
  const ext = v.samName !== undefined && v.sid !== undefined
  const flags = ext
    ? v.flags | UPNDNSFlags.SAM_NAME_AND_SID
    : v.flags & ~UPNDNSFlags.SAM_NAME_AND_SID
  const parts = [utf16le(v.upn), utf16le(v.dnsDomainName)]
  if (ext) {
    parts.push(utf16le(v.samName!))
    const s = writer()
    writeSIDBody(s, v.sid!)
    parts.push(s.finish())
  }
  const offsets: number[] = []
  let at = ext ? 20 : 12
  for (const p of parts) {
    at = (at + 7) & ~7
    offsets.push(at)
    at += p.length
  }
  const w = writer()
  for (let i = 0; i < 2; i++) w.u16(parts[i]!.length).u16(offsets[i]!)
  w.u32(flags)
  if (ext) for (let i = 2; i < 4; i++) w.u16(parts[i]!.length).u16(offsets[i]!)
  parts.forEach((p, i) => {
    while (w.length < offsets[i]!) w.u8(0)
    w.bytes(p)
  })
  return w.finish()
}

/**
 * Decode PAC_CREDENTIAL_INFO's clear header; the data stays encrypted.
 *
 * @example
 * ```ts
 * decodePACCredentialInfo(buffer.data).encryptionType // 18
 * ```
 */
export function decodePACCredentialInfo(bytes: Uint8Array): PACCredentialInfo {
  const r = reader(bytes, 'PAC_CREDENTIAL_INFO')
  const version = r.u32('Version')
  const encryptionType = r.u32('EncryptionType')
  return { version, encryptionType, serializedData: r.bytesView(r.remaining, 'SerializedData') }
}

/**
 * Encode PAC_CREDENTIAL_INFO.
 *
 * @example
 * ```ts
 * encodePACCredentialInfo({ version: 0, encryptionType: 18, serializedData })
 * ```
 */
export function encodePACCredentialInfo(v: PACCredentialInfo): Uint8Array {
  return writer().u32(v.version).u32(v.encryptionType).bytes(v.serializedData).finish()
}

/**
 * Decode PAC_ATTRIBUTES_INFO.
 *
 * @example
 * ```ts
 * decodePACAttributesInfo(buffer.data).flags[0]! & 1 // PAC_WAS_REQUESTED
 * ```
 */
export function decodePACAttributesInfo(bytes: Uint8Array): PACAttributesInfo {
  const r = reader(bytes, 'PAC_ATTRIBUTES_INFO')
  const flagsLength = r.u32('FlagsLength')
  const words = Math.ceil(flagsLength / 32)
  if (words * 4 !== r.remaining) {
    r.fail(`FlagsLength ${flagsLength} needs ${words * 4} bytes but ${r.remaining} remain`)
  }
  const flags: number[] = []
  for (let i = 0; i < words; i++) flags.push(r.u32('Flags'))
  return { flagsLength, flags }
}

/**
 * Encode PAC_ATTRIBUTES_INFO.
 *
 * @example
 * ```ts
 * encodePACAttributesInfo({ flagsLength: 2, flags: [1] })
 * ```
 */
export function encodePACAttributesInfo(v: PACAttributesInfo): Uint8Array {
  if (v.flags.length !== Math.ceil(v.flagsLength / 32)) {
    throw new RangeError(
      `expected ${Math.ceil(v.flagsLength / 32)} flag words, got ${v.flags.length}`,
    )
  }
  const w = writer().u32(v.flagsLength)
  for (const f of v.flags) w.u32(f)
  return w.finish()
}

/**
 * Decode PAC_REQUESTOR: the SID of the client the KDC issued the ticket to.
 *
 * @example
 * ```ts
 * decodePACRequestor(buffer.data) // 'S-1-5-21-…-1105'
 * ```
 */
export function decodePACRequestor(bytes: Uint8Array): string {
  const r = reader(bytes, 'PAC_REQUESTOR')
  const sid = readSIDBody(r, 'Sid')
  r.end('PAC_REQUESTOR')
  return sid
}

/**
 * Encode PAC_REQUESTOR.
 *
 * @example
 * ```ts
 * encodePACRequestor('S-1-5-21-1-2-3-1105')
 * ```
 */
export function encodePACRequestor(sid: string): Uint8Array {
  const w = writer()
  writeSIDBody(w, sid)
  return w.finish()
}

/**
 * The signature length of a checksum type, or undefined when the type is unknown.
 *
 * @example
 * ```ts
 * signatureLength(16) // 12
 * ```
 */
export function signatureLength(type: number): number | undefined {
  try {
    return checksumLength(type)
  } catch {
    return undefined
  }
}

/**
 * Decode PAC_SIGNATURE_DATA: type, signature, and the RODC identifier when present.
 *
 * @example
 * ```ts
 * decodePACSignature(buffer.data).type // 16 (hmac-sha1-96-aes256)
 * ```
 */
export function decodePACSignature(bytes: Uint8Array, what = 'PAC_SIGNATURE_DATA'): PACSignature {
  // The usual shape (a signature of the type's length, no RODC identifier) without a reader;
  // anything else, including every malformed buffer, takes the checked path below.
  if (bytes.length >= 4) {
    const type = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)
    if (signatureLength(type) === bytes.length - 4) return { type, signature: bytes.subarray(4) }
  }
  const r = reader(bytes, what)
  const type = r.i32('SignatureType')
  const len = signatureLength(type) ?? r.remaining
  const signature = r.bytesView(len, 'Signature')
  if (r.remaining === 0) return { type, signature }
  if (r.remaining !== 2) r.fail(`${r.remaining} bytes follow the signature (expected 0 or 2)`)
  return { type, signature, rodcIdentifier: r.u16('RODCIdentifier') }
}

/**
 * Encode PAC_SIGNATURE_DATA.
 *
 * @example
 * ```ts
 * encodePACSignature({ type: 16, signature: new Uint8Array(12) })
 * ```
 */
export function encodePACSignature(v: PACSignature): Uint8Array {
  const w = writer().i32(v.type).bytes(v.signature)
  if (v.rodcIdentifier !== undefined) w.u16(v.rodcIdentifier)
  return w.finish()
}
