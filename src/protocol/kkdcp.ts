/**
 * MS-KKDCP (Kerberos KDC Proxy Protocol) framing, sans-I/O: the KDC-PROXY-MESSAGE that carries
 * a KDC request or reply inside an HTTPS POST (`Content-Type: application/kerberos`).
 *
 * MS-KKDCP §2.2.2:
 *
 * ```asn1
 * KDC-PROXY-MESSAGE ::= SEQUENCE {
 *     kerb-message    [0] OCTET STRING,
 *     target-domain   [1] KERB-REALM OPTIONAL,
 *     dclocator-hint  [2] INTEGER OPTIONAL
 * }
 * ```
 *
 * `kerb-message` holds the Kerberos message *with* the 4-byte big-endian length prefix of the
 * TCP transport (RFC 4120 §7.2.2), in both directions. `target-domain` names the realm the
 * request is for; a client must send it (the proxy has no other way to know), a reply omits it.
 *
 * @module
 */
import {
  DerReader,
  DerWriter,
  Tag,
  decodeWith,
  encodeWith,
  rInt32,
  rOctets,
  rString,
  wInt32,
  wOctets,
  wString,
  writeField,
  writeOpt,
} from '../asn1/der.js'
import { ErrorCodes, KerberosError } from '../errors.js'

/** The media type of a KKDCP request and reply body (MS-KKDCP §2.1). */
export const KKDCP_CONTENT_TYPE = 'application/kerberos'

/** One KDC-PROXY-MESSAGE (MS-KKDCP §2.2.2). */
export interface KDCProxyMessage {
  /** The Kerberos message with its 4-byte TCP length prefix. */
  readonly kerbMessage: Uint8Array
  /** The realm the request is for (requests only). */
  readonly targetDomain?: string
  /** DC locator flags (MS-NRPC `DS_*`), a hint for Windows proxies; others ignore it. */
  readonly dclocatorHint?: number
}

function readProxyMessage(r: DerReader): KDCProxyMessage {
  const s = r.enter(Tag.SEQUENCE, r.label)
  const kerbMessage = s.field(0, 'kerb-message', rOctets)
  const targetDomain = s.opt(1, 'target-domain', rString)
  const dclocatorHint = s.opt(2, 'dclocator-hint', rInt32)
  s.done()
  return {
    kerbMessage,
    ...(targetDomain !== undefined ? { targetDomain } : {}),
    ...(dclocatorHint !== undefined ? { dclocatorHint } : {}),
  }
}

function writeProxyMessage(w: DerWriter, v: KDCProxyMessage): void {
  const m = w.size
  writeOpt(w, 2, v.dclocatorHint, wInt32)
  writeOpt(w, 1, v.targetDomain, wString)
  writeField(w, 0, v.kerbMessage, wOctets)
  w.wrap(Tag.SEQUENCE, m)
}

/**
 * Encode a KDC-PROXY-MESSAGE. `kerbMessage` must already carry its length prefix; see
 * {@link wrapKKDCPRequest} for the usual case.
 *
 * @example
 * ```ts
 * import { encodeKDCProxyMessage } from 'kerberos-ts/protocol'
 * const body = encodeKDCProxyMessage({ kerbMessage: framed, targetDomain: 'EXAMPLE.COM' })
 * ```
 */
export function encodeKDCProxyMessage(v: KDCProxyMessage): Uint8Array {
  if (!(v.kerbMessage instanceof Uint8Array))
    throw new TypeError(`expected kerbMessage to be a Uint8Array, got ${typeof v.kerbMessage}`)
  return encodeWith(v, writeProxyMessage)
}

/**
 * Decode a KDC-PROXY-MESSAGE strictly (DER, no trailing bytes); malformed input throws
 * `ERR_KRB_ASN1_DECODE`. The length prefix inside is not checked here: see
 * {@link unframeKerbMessage}.
 *
 * @example
 * ```ts
 * import { decodeKDCProxyMessage } from 'kerberos-ts/protocol'
 * const { kerbMessage, targetDomain } = decodeKDCProxyMessage(body)
 * ```
 */
export function decodeKDCProxyMessage(bytes: Uint8Array): KDCProxyMessage {
  return decodeWith(bytes, 'KDC-PROXY-MESSAGE', readProxyMessage)
}

/** Prefix `message` with its 4-byte big-endian length (RFC 4120 §7.2.2). */
export function frameKerbMessage(message: Uint8Array): Uint8Array {
  if (message.length === 0 || message.length > 0x7fffffff)
    throw new RangeError(`expected a message of 1 to 2^31-1 bytes, got ${message.length}`)
  const out = new Uint8Array(message.length + 4)
  new DataView(out.buffer).setUint32(0, message.length)
  out.set(message, 4)
  return out
}

/**
 * The message inside a `kerb-message`: the 4-byte length must equal exactly the bytes that follow
 * (no trailing bytes, no short message, high bit clear), else `ERR_KRB_TRANSPORT`.
 */
export function unframeKerbMessage(framed: Uint8Array): Uint8Array {
  if (framed.length < 5) {
    throw new KerberosError(
      ErrorCodes.TRANSPORT,
      `expected a KKDCP kerb-message of at least 5 bytes, got ${framed.length}`,
      { context: { bytes: framed.length } },
    )
  }
  const declared = new DataView(framed.buffer, framed.byteOffset, 4).getUint32(0)
  if (declared !== framed.length - 4) {
    throw new KerberosError(
      ErrorCodes.TRANSPORT,
      `expected a KKDCP kerb-message length prefix of ${framed.length - 4}, got ${declared}`,
      { context: { declared, bytes: framed.length - 4 } },
    )
  }
  return framed.subarray(4)
}

/** Options for {@link wrapKKDCPRequest}. */
export interface WrapKKDCPRequestOptions {
  /** MS-NRPC DC locator flags to pass as `dclocator-hint`; omitted by default (as MIT). */
  readonly dclocatorHint?: number
}

/**
 * The HTTPS body for a KDC request to `realm`: the request framed and wrapped in a
 * KDC-PROXY-MESSAGE with `target-domain` set.
 *
 * @example
 * ```ts
 * import { wrapKKDCPRequest, unwrapKKDCPReply } from 'kerberos-ts/protocol'
 * const body = wrapKKDCPRequest(asReqBytes, 'EXAMPLE.COM')
 * const reply = unwrapKKDCPReply(new Uint8Array(await (await fetch(url, { method: 'POST', body })).arrayBuffer()))
 * ```
 */
export function wrapKKDCPRequest(
  request: Uint8Array,
  realm: string,
  options: WrapKKDCPRequestOptions = {},
): Uint8Array {
  if (typeof realm !== 'string' || realm === '')
    throw new TypeError('expected a non-empty realm name')
  return encodeKDCProxyMessage({
    kerbMessage: frameKerbMessage(request),
    targetDomain: realm,
    ...(options.dclocatorHint !== undefined ? { dclocatorHint: options.dclocatorHint } : {}),
  })
}

/** The KDC reply inside a proxy's HTTPS body; malformed bodies throw a `KerberosError`. */
export function unwrapKKDCPReply(body: Uint8Array): Uint8Array {
  return unframeKerbMessage(decodeKDCProxyMessage(body).kerbMessage)
}
