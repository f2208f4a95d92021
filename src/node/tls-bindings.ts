/**
 * TLS channel bindings for GSS-API (RFC 5929 `tls-server-end-point`): the hash of the server's
 * certificate, so that a Kerberos authentication made inside one TLS connection cannot be relayed
 * into another (a man in the middle terminates TLS with a different certificate).
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { ErrorCodes, KerberosError } from '../errors.js'
import { decodeOID } from '../gssapi/framing.js'
import { utf8 } from '../internal/bytes.js'
import type { ChannelBindings } from '../protocol/gss-checksum.js'

/** Signature algorithm OID → the hash RFC 5929 §4.1 uses (MD5 and SHA-1 become SHA-256). */
const SIGNATURE_HASH: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha256', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
}

/** Digest OIDs inside RSASSA-PSS parameters. */
const DIGEST: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha256', // SHA-1 → SHA-256
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.4': 'sha224',
}

const RSASSA_PSS = '1.2.840.113549.1.1.10'

function certError(message: string): KerberosError {
  return new KerberosError(ErrorCodes.ASN1_DECODE, message, {
    context: { structure: 'Certificate' },
  })
}

/** One DER element at `at` inside `b`: its tag, where its value starts and ends. */
function tlv(b: Uint8Array, at: number, end: number): { tag: number; start: number; end: number } {
  if (at + 2 > end) throw certError('certificate DER is truncated')
  const tag = b[at]!
  let len = b[at + 1]!
  let start = at + 2
  if (len & 0x80) {
    const n = len & 0x7f
    if (n === 0 || n > 4 || start + n > end) throw certError('certificate DER has a bad length')
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!
    start += n
  }
  if (start + len > end) throw certError('certificate DER element runs past its parent')
  return { tag, start, end: start + len }
}

/** The hash name RFC 5929 picks for a DER certificate. */
export function tlsServerEndPointHashName(certDer: Uint8Array): string {
  const cert = tlv(certDer, 0, certDer.length)
  if (cert.tag !== 0x30) throw certError('certificate is not a DER SEQUENCE')
  const tbs = tlv(certDer, cert.start, cert.end)
  const alg = tlv(certDer, tbs.end, cert.end)
  if (tbs.tag !== 0x30 || alg.tag !== 0x30) throw certError('certificate has no signatureAlgorithm')
  const oidEl = tlv(certDer, alg.start, alg.end)
  if (oidEl.tag !== 0x06) throw certError('signatureAlgorithm has no OID')
  const oid = decodeOID(certDer.subarray(oidEl.start, oidEl.end))
  const known = SIGNATURE_HASH[oid]
  if (known !== undefined) return known
  if (oid === RSASSA_PSS) {
    // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] HashAlgorithm DEFAULT sha1, ... }
    if (oidEl.end >= alg.end) return 'sha256'
    const params = tlv(certDer, oidEl.end, alg.end)
    if (params.start >= params.end) return 'sha256'
    const first = tlv(certDer, params.start, params.end)
    if (first.tag !== 0xa0) return 'sha256'
    const hashAlg = tlv(certDer, first.start, first.end)
    const hashOid = tlv(certDer, hashAlg.start, hashAlg.end)
    const digest = DIGEST[decodeOID(certDer.subarray(hashOid.start, hashOid.end))]
    if (digest !== undefined) return digest
  }
  throw new KerberosError(
    ErrorCodes.UNSUPPORTED,
    `tls-server-end-point bindings are not defined for certificates signed with ${oid}`,
    { context: { oid } },
  )
}

/**
 * The `tls-server-end-point` hash of a DER certificate (RFC 5929 §4.1): the certificate hashed
 * with its signature's hash function, SHA-256 for MD5 and SHA-1.
 *
 * @example
 * ```ts
 * const hash = tlsServerEndPointHash(new Uint8Array(socket.getPeerCertificate().raw))
 * ```
 */
export function tlsServerEndPointHash(certDer: Uint8Array): Uint8Array {
  const name = tlsServerEndPointHashName(certDer)
  return new Uint8Array(createHash(name).update(certDer).digest())
}

/**
 * GSS channel bindings for a TLS server certificate: application data
 * `tls-server-end-point:` + {@link tlsServerEndPointHash}, no addresses (as curl, browsers and
 * MIT's GSS applications build them).
 *
 * @example
 * ```ts
 * const ctx = new InitiatorContext({ credentials, channelBindingsHash: channelBindingsHash(tlsServerEndPoint(certDer)) })
 * ```
 */
export function tlsServerEndPoint(certDer: Uint8Array): ChannelBindings {
  const hash = tlsServerEndPointHash(certDer)
  const prefix = utf8('tls-server-end-point:')
  const applicationData = new Uint8Array(prefix.length + hash.length)
  applicationData.set(prefix)
  applicationData.set(hash, prefix.length)
  return { applicationData }
}

interface CertSocket {
  getCertificate?(): { raw?: Uint8Array } | null
}

const perSocket = new WeakMap<object, ChannelBindings | undefined>()

/**
 * Server side: the `tls-server-end-point` bindings of the connection a request arrived on (our
 * own certificate, from `req.socket.getCertificate()`), or undefined on plain HTTP. Pass it as
 * the Negotiate middleware's `channelBindings`. Computed once per connection.
 *
 * @example
 * ```ts
 * negotiateMiddleware({ acceptor, channelBindings: tlsServerEndPointBindings, requireChannelBindings: true })
 * ```
 */
export function tlsServerEndPointBindings(req: {
  readonly socket?: unknown
}): ChannelBindings | undefined {
  const socket = req.socket as CertSocket | undefined
  if (socket === undefined || socket === null || typeof socket.getCertificate !== 'function')
    return undefined
  if (perSocket.has(socket)) return perSocket.get(socket)
  const raw = socket.getCertificate()?.raw
  const out = raw instanceof Uint8Array && raw.length > 0 ? tlsServerEndPoint(raw) : undefined
  perSocket.set(socket, out)
  return out
}
