/**
 * The PACTYPE container (MS-PAC §2.3, §2.4): a count, a version, PAC_INFO_BUFFER entries
 * (type, size, 8-aligned offset) and the buffers. {@link decodePAC} reads every buffer type of
 * §2.4; {@link encodePAC} lays buffers out and signs them (§2.8: zeroed signature fields, the
 * server signature over the whole PAC, the KDC signature over the server signature).
 *
 * @module
 */
import { checksumTypeOf, makeChecksum, type CryptoOptions } from '../crypto/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { ByteReader, ByteWriter } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import {
  decodePACAttributesInfo,
  decodePACClientInfo,
  decodePACCredentialInfo,
  decodePACRequestor,
  decodePACSignature,
  decodeUPNDNSInfo,
  encodePACAttributesInfo,
  encodePACClientInfo,
  encodePACCredentialInfo,
  encodePACRequestor,
  encodePACSignature,
  encodeUPNDNSInfo,
  signatureLength,
} from './buffers.js'
import {
  decodeKerbValidationInfo,
  decodePACDeviceInfo,
  decodeS4UDelegationInfo,
  encodeKerbValidationInfo,
  encodePACDeviceInfo,
  encodeS4UDelegationInfo,
} from './logon-info.js'
import type {
  KerbValidationInfo,
  PAC,
  PACAttributesInfo,
  PACBuffer,
  PACClientInfo,
  PACCredentialInfo,
  PACDeviceInfo,
  PACSignature,
  S4UDelegationInfo,
  UPNDNSInfo,
} from './types.js'
import { PACBufferType as T, PACBufferTypeNames } from './types.js'

/** Key usage of every PAC signature (MS-PAC §2.8: KERB_NON_KERB_CKSUM_SALT). */
export const PAC_SIGNATURE_KEY_USAGE = 17

const SIGNATURE_TYPES: ReadonlySet<number> = new Set([
  T.SERVER_CHECKSUM,
  T.PRIVSVR_CHECKSUM,
  T.TICKET_CHECKSUM,
  T.FULL_CHECKSUM,
])

type Mutable<X> = { -readonly [K in keyof X]: X[K] }

/** Where each buffer sits in the PAC bytes. */
export interface PACLayout {
  readonly type: number
  readonly offset: number
  readonly size: number
}

/**
 * Read the PACTYPE header and the PAC_INFO_BUFFER table, checking every offset and size.
 *
 * @example
 * ```ts
 * readPACLayout(pacBytes).map((l) => l.type) // [1, 10, 12, 6, 7]
 * ```
 */
export function readPACLayout(bytes: Uint8Array): PACLayout[] {
  const r = new ByteReader(bytes, { code: ErrorCodes.PAC_FORMAT, what: 'PAC', littleEndian: true })
  const count = r.u32('cBuffers')
  const version = r.u32('Version')
  if (version !== 0) r.fail(`version ${version} is not 0`)
  if (count > r.remaining / 16) r.fail(`cBuffers ${count} does not fit in ${bytes.length} bytes`)
  const headerLength = 8 + count * 16
  const layout: PACLayout[] = []
  const seen = new Set<number>()
  for (let i = 0; i < count; i++) {
    const type = r.u32('ulType')
    const size = r.u32('cbBufferSize')
    const offset = r.u32('Offset low')
    const high = r.u32('Offset high')
    const name = describeBufferType(type)
    if (high !== 0 || offset % 8 !== 0 || offset < headerLength || offset + size > bytes.length) {
      r.fail(
        `buffer ${name} at offset ${high === 0 ? offset : 'beyond 2^32'} (size ${size}) is misaligned or outside the PAC`,
        {
          bufferType: type,
        },
      )
    }
    if (seen.has(type)) r.fail(`buffer ${name} appears twice`, { bufferType: type })
    seen.add(type)
    layout.push({ type, offset, size })
  }
  return layout
}

/**
 * `LOGON_INFO (1)`, or `type 42` for an unknown type.
 *
 * @example
 * ```ts
 * describeBufferType(1) // 'LOGON_INFO (1)'
 * ```
 */
export function describeBufferType(type: number): string {
  const n = PACBufferTypeNames[type]
  return n === undefined ? `type ${type}` : `${n} (${type})`
}

/**
 * Decode one of the buffers that verification and the identity use (signatures, CLIENT_INFO,
 * LOGON_INFO, UPN_DNS_INFO; claims stay raw) into `pac`; any other type goes to `others`.
 */
function decodeBuffer(
  pac: Mutable<PAC>,
  type: number,
  data: Uint8Array,
  others: OtherBufferDecoder | undefined,
): void {
  switch (type) {
    case T.LOGON_INFO:
      return void (pac.logonInfo = decodeKerbValidationInfo(data))
    case T.CLIENT_INFO:
      return void (pac.clientInfo = decodePACClientInfo(data))
    case T.UPN_DNS_INFO:
      return void (pac.upnDnsInfo = decodeUPNDNSInfo(data))
    case T.CLIENT_CLAIMS_INFO:
      return void (pac.clientClaims = data)
    case T.DEVICE_CLAIMS_INFO:
      return void (pac.deviceClaims = data)
    case T.SERVER_CHECKSUM:
      return void (pac.serverSignature = decodePACSignature(data))
    case T.PRIVSVR_CHECKSUM:
      return void (pac.kdcSignature = decodePACSignature(data))
    case T.TICKET_CHECKSUM:
      return void (pac.ticketSignature = decodePACSignature(data))
    case T.FULL_CHECKSUM:
      return void (pac.fullSignature = decodePACSignature(data))
    default:
      if (others !== undefined) others(pac, type, data)
  }
}

/**
 * Decodes the typed buffers that neither verification nor the identity needs (credentials,
 * S4U delegation, device info, attributes, requestor) into `pac`; unknown types stay raw.
 *
 * @internal
 */
export type OtherBufferDecoder = (pac: Mutable<PAC>, type: number, data: Uint8Array) => void

/**
 * The {@link OtherBufferDecoder} of {@link decodePAC}: every other known type. A lean
 * Acceptor (docs/bundling.md) passes none, so this code is not in its bundle.
 *
 * @internal
 */
export const decodeOtherBuffer: OtherBufferDecoder = (pac, type, data) => {
  switch (type) {
    case T.CREDENTIALS_INFO:
      return void (pac.credentialInfo = decodePACCredentialInfo(data))
    case T.DELEGATION_INFO:
      return void (pac.delegationInfo = decodeS4UDelegationInfo(data))
    case T.DEVICE_INFO:
      return void (pac.deviceInfo = decodePACDeviceInfo(data))
    case T.ATTRIBUTES_INFO:
      return void (pac.attributes = decodePACAttributesInfo(data))
    case T.REQUESTOR:
      return void (pac.requestorSid = decodePACRequestor(data))
  }
}

/**
 * Decode a PAC (the contents of an AD-WIN2K-PAC element). Every buffer is kept raw in
 * `buffers`; the known types are decoded too. Any malformed header, offset, NDR count or string
 * length throws ERR_KRB_PAC_FORMAT naming the buffer. This checks no signature: see
 * {@link verifyPAC}.
 *
 * @example
 * ```ts
 * const pac = decodePAC(adWin2kPacBytes)
 * pac.logonInfo?.effectiveName // 'alice'
 * ```
 */
export function decodePAC(bytes: Uint8Array): PAC {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('expected the PAC as a Uint8Array')
  return decodePACWithLayout(bytes, readPACLayout(bytes), decodeOtherBuffer)
}

/**
 * {@link decodePAC} with the layout already read by {@link readPACLayout} from the same bytes
 * (verifyPAC reads it once for both decoding and the signing data). Without `others`, only the
 * buffers of verification and the identity are decoded; the rest stay raw in `buffers`.
 *
 * @internal
 */
export function decodePACWithLayout(
  bytes: Uint8Array,
  layout: readonly PACLayout[],
  others: OtherBufferDecoder | undefined,
): PAC {
  const buffers: PACBuffer[] = new Array<PACBuffer>(layout.length)
  for (let i = 0; i < layout.length; i++) {
    const l = layout[i]!
    buffers[i] = { type: l.type, data: bytes.subarray(l.offset, l.offset + l.size) }
  }
  const pac: Mutable<PAC> = { version: 0, buffers }
  for (let i = 0; i < buffers.length; i++) {
    const b = buffers[i]!
    try {
      decodeBuffer(pac, b.type, b.data, others)
    } catch (err) {
      if (!(err instanceof KerberosError)) throw err
      throw new KerberosError(
        ErrorCodes.PAC_FORMAT,
        `PAC buffer ${describeBufferType(b.type)} at offset ${layout[i]!.offset}: ${err.message}`,
        {
          cause: err,
          context: { ...err.context, bufferType: b.type, bufferOffset: layout[i]!.offset },
        },
      )
    }
  }
  return pac
}

/** What {@link encodePAC} builds a PAC from. Absent fields give no buffer. */
export interface PACInput {
  readonly logonInfo?: KerbValidationInfo
  readonly credentialInfo?: PACCredentialInfo
  readonly clientInfo?: PACClientInfo
  readonly delegationInfo?: S4UDelegationInfo
  readonly upnDnsInfo?: UPNDNSInfo
  readonly clientClaims?: Uint8Array
  readonly deviceInfo?: PACDeviceInfo
  readonly deviceClaims?: Uint8Array
  readonly attributes?: PACAttributesInfo
  readonly requestorSid?: string
  /** Further buffers as raw bytes, after the typed ones (signature types are ignored here). */
  readonly buffers?: readonly PACBuffer[]
}

/** Keys and choices for {@link encodePAC} and {@link signPAC}. */
export interface SignPACOptions extends CryptoOptions {
  /** The service's long-term key: signs the whole PAC (server signature). */
  readonly serverKey: KerberosKey
  /** The KDC's (krbtgt) key: signs the server signature (KDC signature). */
  readonly kdcKey: KerberosKey
  /** Add a FULL_CHECKSUM (type 19, the extended KDC signature) made with `kdcKey`. */
  readonly fullSignature?: boolean
  /** A TICKET_CHECKSUM (type 16) computed by the caller over the ticket, added as is. */
  readonly ticketSignature?: PACSignature
}

function typedBuffers(input: PACInput): PACBuffer[] {
  const out: PACBuffer[] = []
  const add = (type: number, data: Uint8Array | undefined): void => {
    if (data !== undefined) out.push({ type, data })
  }
  const map = <X>(v: X | undefined, f: (x: X) => Uint8Array): Uint8Array | undefined =>
    v === undefined ? undefined : f(v)
  add(T.LOGON_INFO, map(input.logonInfo, encodeKerbValidationInfo))
  add(T.CREDENTIALS_INFO, map(input.credentialInfo, encodePACCredentialInfo))
  add(T.CLIENT_INFO, map(input.clientInfo, encodePACClientInfo))
  add(T.DELEGATION_INFO, map(input.delegationInfo, encodeS4UDelegationInfo))
  add(T.UPN_DNS_INFO, map(input.upnDnsInfo, encodeUPNDNSInfo))
  add(T.CLIENT_CLAIMS_INFO, input.clientClaims)
  add(T.DEVICE_INFO, map(input.deviceInfo, encodePACDeviceInfo))
  add(T.DEVICE_CLAIMS_INFO, input.deviceClaims)
  add(T.ATTRIBUTES_INFO, map(input.attributes, encodePACAttributesInfo))
  add(T.REQUESTOR, map(input.requestorSid, encodePACRequestor))
  for (const b of input.buffers ?? []) if (!SIGNATURE_TYPES.has(b.type)) out.push(b)
  return out
}

/**
 * Lay buffers out after the header, each 8-aligned and zero-padded (MS-PAC §2.3). Signs
 * nothing: see {@link signPAC}.
 *
 * @example
 * ```ts
 * const unsigned = layoutPAC([{ type: 10, data: clientInfoBytes }])
 * ```
 */
export function layoutPAC(buffers: readonly PACBuffer[]): Uint8Array {
  const types = new Set<number>()
  let at = 8 + buffers.length * 16
  const offsets = buffers.map((b) => {
    if (types.has(b.type))
      throw new RangeError(`expected one buffer of each type, got ${b.type} twice`)
    types.add(b.type)
    const o = at
    at = (at + b.data.length + 7) & ~7
    return o
  })
  const w = new ByteWriter(at, { littleEndian: true })
  w.u32(buffers.length).u32(0)
  buffers.forEach((b, i) => w.u32(b.type).u32(b.data.length).u32(offsets[i]!).u32(0))
  buffers.forEach((b, i) => {
    while (w.length < offsets[i]!) w.u8(0)
    w.bytes(b.data)
  })
  while (w.length < at) w.u8(0)
  return w.finish()
}

function zeroSignature(type: number): Uint8Array {
  const len = signatureLength(type)
  if (len === undefined) throw new RangeError(`expected a known checksum type, got ${type}`)
  return encodePACSignature({ type, signature: new Uint8Array(len) })
}

/**
 * Build and sign a PAC: the typed buffers, then SERVER_CHECKSUM and PRIVSVR_CHECKSUM (and the
 * optional TICKET_CHECKSUM / FULL_CHECKSUM), each checksum of the key's mandatory type.
 *
 * @example
 * ```ts
 * const bytes = encodePAC(
 *   { logonInfo, clientInfo: { clientId: dateToFileTime(authtime), name: 'alice' } },
 *   { serverKey, kdcKey },
 * )
 * ```
 */
export function encodePAC(input: PACInput, options: SignPACOptions): Uint8Array {
  const buffers = typedBuffers(input)
  if (options.ticketSignature !== undefined) {
    buffers.push({ type: T.TICKET_CHECKSUM, data: encodePACSignature(options.ticketSignature) })
  }
  if (options.fullSignature === true) {
    buffers.push({
      type: T.FULL_CHECKSUM,
      data: zeroSignature(checksumTypeOf(options.kdcKey.enctype)),
    })
  }
  buffers.push({
    type: T.SERVER_CHECKSUM,
    data: zeroSignature(checksumTypeOf(options.serverKey.enctype)),
  })
  buffers.push({
    type: T.PRIVSVR_CHECKSUM,
    data: zeroSignature(checksumTypeOf(options.kdcKey.enctype)),
  })
  return signPAC(layoutPAC(buffers), options)
}

/** The signature field (after the 4-byte type) of a signature buffer, as a view into `bytes`. */
function signatureField(bytes: Uint8Array, l: PACLayout): { type: number; field: Uint8Array } {
  const data = bytes.subarray(l.offset, l.offset + l.size)
  const sig = decodePACSignature(data)
  return { type: sig.type, field: data.subarray(4, 4 + sig.signature.length) }
}

/**
 * A copy of the PAC with the SERVER_CHECKSUM and PRIVSVR_CHECKSUM signature fields zeroed
 * (and FULL_CHECKSUM too when `withFull`): the data the server (and full) signatures cover.
 *
 * @example
 * ```ts
 * const signed = pacSigningData(pacBytes, readPACLayout(pacBytes))
 * ```
 */
export function pacSigningData(
  bytes: Uint8Array,
  layout: readonly PACLayout[],
  withFull = false,
): Uint8Array {
  const copy = bytes.slice()
  for (const l of layout) {
    const zero =
      l.type === T.SERVER_CHECKSUM ||
      l.type === T.PRIVSVR_CHECKSUM ||
      (withFull && l.type === T.FULL_CHECKSUM)
    if (zero) signatureField(copy, l).field.fill(0)
  }
  return copy
}

/**
 * Recompute the signatures of an encoded PAC in place of the old ones (a copy is returned):
 * FULL_CHECKSUM (when present) and SERVER_CHECKSUM over the PAC with the signature fields
 * zeroed, then PRIVSVR_CHECKSUM over the server signature. The existing signature buffers must
 * have room for the keys' checksum types.
 *
 * @example
 * ```ts
 * const resigned = signPAC(pacBytes, { serverKey, kdcKey })
 * ```
 */
export function signPAC(bytes: Uint8Array, options: SignPACOptions): Uint8Array {
  const layout = readPACLayout(bytes)
  const out = bytes.slice()
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  const slot = (type: number, key: KerberosKey, required: boolean): SigningSlot | undefined => {
    const l = layout.find((x) => x.type === type)
    if (l === undefined) {
      if (required) throw new RangeError(`expected a ${describeBufferType(type)} buffer to sign`)
      return undefined
    }
    const cksumtype = checksumTypeOf(key.enctype)
    const len = signatureLength(cksumtype)!
    // Room for the signature, optionally followed by a 2-octet RODC identifier that is kept.
    if (l.size !== 4 + len && l.size !== 6 + len) {
      throw new RangeError(
        `expected room for a ${len}-octet signature in ${describeBufferType(type)}, got ${l.size - 4}`,
      )
    }
    view.setInt32(l.offset, cksumtype, true)
    out.fill(0, l.offset + 4, l.offset + 4 + len)
    return { l, key, cksumtype, field: out.subarray(l.offset + 4, l.offset + 4 + len) }
  }
  const full = slot(T.FULL_CHECKSUM, options.kdcKey, false)
  const server = slot(T.SERVER_CHECKSUM, options.serverKey, true)!
  const kdc = slot(T.PRIVSVR_CHECKSUM, options.kdcKey, true)!
  const sign = (s: SigningSlot, data: Uint8Array): void =>
    s.field.set(makeChecksum(s.cksumtype, s.key, PAC_SIGNATURE_KEY_USAGE, data, options))
  // MS-PAC §2.8: the full signature first (all three fields zeroed), then the server
  // signature (server and KDC fields zeroed), then the KDC signature over the server's.
  if (full !== undefined) sign(full, pacSigningData(out, layout, true))
  sign(server, pacSigningData(out, layout))
  sign(kdc, server.field)
  return out
}

interface SigningSlot {
  readonly l: PACLayout
  readonly key: KerberosKey
  readonly cksumtype: number
  readonly field: Uint8Array
}
