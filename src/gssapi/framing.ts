/**
 * RFC 2743 §3.1 token framing: `[APPLICATION 0] { thisMech OBJECT IDENTIFIER, innerToken }`,
 * and the krb5 mechanism's two-octet TOK_ID in front of its inner tokens (RFC 4121 §4.1).
 *
 * @module
 */
import { DerReader, DerWriter } from '../asn1/der.js'
import { ErrorCodes, KerberosError } from '../errors.js'

/** Mechanism OIDs, in dotted form. */
export const MechOID = {
  /** The krb5 mechanism (RFC 1964 / RFC 4121). */
  KRB5: '1.2.840.113554.1.2.2',
  /** Microsoft's mistaken krb5 OID, sent first by Windows; treated as krb5. */
  MS_KRB5: '1.2.840.48018.1.2.2',
  /** SPNEGO (RFC 4178). */
  SPNEGO: '1.3.6.1.5.5.2',
  /** NTLMSSP, as SPNEGO lists it. */
  NTLMSSP: '1.3.6.1.4.1.311.2.2.10',
} as const
export type MechOID = (typeof MechOID)[keyof typeof MechOID]

/** krb5 mechanism token identifiers (RFC 4121 §4.1, §4.2.6). */
export const TokenId = {
  AP_REQ: 0x0100,
  AP_REP: 0x0200,
  KRB_ERROR: 0x0300,
  MIC: 0x0404,
  WRAP: 0x0504,
} as const
export type TokenId = (typeof TokenId)[keyof typeof TokenId]

/** Most octets a framed token may have (bounds hostile input; tickets with big PACs stay far below). */
export const MAX_TOKEN_LENGTH: number = 1 << 20

function gssError(message: string, context: Readonly<Record<string, unknown>> = {}): KerberosError {
  return new KerberosError(ErrorCodes.GSS_TOKEN, message, { context })
}

/** DER contents of an OBJECT IDENTIFIER in dotted form. */
export function encodeOID(dotted: string): Uint8Array {
  const parts = dotted.split('.').map((p) => {
    if (!/^\d+$/.test(p)) throw new TypeError(`malformed OID ${JSON.stringify(dotted)}`)
    return Number(p)
  })
  if (parts.length < 2) throw new TypeError(`malformed OID ${JSON.stringify(dotted)}`)
  const out: number[] = []
  const arcs = [parts[0]! * 40 + parts[1]!, ...parts.slice(2)]
  for (const arc of arcs) {
    const tmp = [arc & 0x7f]
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128))
      tmp.unshift(0x80 | (v & 0x7f))
    out.push(...tmp)
  }
  return Uint8Array.from(out)
}

/** Dotted form of DER OBJECT IDENTIFIER contents. */
export function decodeOID(b: Uint8Array): string {
  if (b.length === 0 || (b[b.length - 1]! & 0x80) !== 0)
    throw gssError('malformed OBJECT IDENTIFIER')
  const arcs: number[] = []
  let v = 0
  for (const x of b) {
    v = v * 128 + (x & 0x7f)
    if ((x & 0x80) === 0) {
      arcs.push(v)
      v = 0
    }
  }
  const first = arcs[0]!
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80]
  return [...head, ...arcs.slice(1)].join('.')
}

/** True for either krb5 mechanism OID. */
export function isKrb5OID(oid: string): boolean {
  return oid === MechOID.KRB5 || oid === MechOID.MS_KRB5
}

/** A token with its RFC 2743 framing removed. */
export interface FramedToken {
  /** The mechanism OID, dotted. */
  readonly mech: string
  /** Everything after the OID (for krb5: TOK_ID then the message). */
  readonly inner: Uint8Array
}

/**
 * Wrap `inner` in the RFC 2743 framing for `mech`.
 *
 * @example
 * ```ts
 * const token = frameGSSToken(MechOID.KRB5, concatBytes(Uint8Array.of(1, 0), apReq))
 * ```
 */
export function frameGSSToken(mech: string, inner: Uint8Array): Uint8Array {
  const w = new DerWriter(inner.length + 32)
  w.bytes(inner)
  const oid = encodeOID(mech)
  w.bytes(oid)
  w.header(0x06, oid.length)
  w.header(0x60, w.size)
  return w.finish()
}

/**
 * Remove the RFC 2743 framing. Throws ERR_KRB_GSS_TOKEN when the token is not framed or
 * longer than {@link MAX_TOKEN_LENGTH}.
 *
 * @example
 * ```ts
 * const { mech, inner } = unframeGSSToken(token)
 * ```
 */
export function unframeGSSToken(token: Uint8Array): FramedToken {
  if (token.length > MAX_TOKEN_LENGTH) throw gssError(`token of ${token.length} octets is too long`)
  if (token[0] !== 0x60)
    throw gssError('token does not start with the RFC 2743 [APPLICATION 0] header')
  try {
    const r = new DerReader(token, 0, token.length, 'InitialContextToken')
    const a = r.enter(0x60, 'InitialContextToken')
    r.done()
    const oidEnd = a.next(0x06)
    const mech = decodeOID(token.subarray(a.valueStart, oidEnd))
    return { mech, inner: token.subarray(oidEnd, a.end) }
  } catch (err) {
    if (err instanceof KerberosError && err.code === ErrorCodes.GSS_TOKEN) throw err
    throw new KerberosError(ErrorCodes.GSS_TOKEN, 'malformed RFC 2743 token framing', {
      cause: err,
    })
  }
}

/** A krb5 mechanism token: TOK_ID and message. */
export interface Krb5Token {
  readonly mech: string
  readonly tokId: number
  readonly body: Uint8Array
}

/**
 * Frame a krb5 mechanism token (RFC 4121 §4.1: OID, two-octet TOK_ID, message).
 *
 * @example
 * ```ts
 * frameKrb5Token(TokenId.AP_REP, apRep)
 * ```
 */
export function frameKrb5Token(
  tokId: number,
  body: Uint8Array,
  mech: string = MechOID.KRB5,
): Uint8Array {
  const inner = new Uint8Array(2 + body.length)
  inner[0] = tokId >> 8
  inner[1] = tokId & 0xff
  inner.set(body, 2)
  return frameGSSToken(mech, inner)
}

/**
 * Unframe a krb5 mechanism token; the OID must be krb5 (either form).
 *
 * @example
 * ```ts
 * const { tokId, body } = unframeKrb5Token(token) // tokId 0x0100: body is an AP-REQ
 * ```
 */
export function unframeKrb5Token(token: Uint8Array): Krb5Token {
  const { mech, inner } = unframeGSSToken(token)
  if (!isKrb5OID(mech)) throw gssError(`token is for mechanism ${mech}, not krb5`, { mech })
  if (inner.length < 2) throw gssError('krb5 token has no TOK_ID')
  return { mech, tokId: (inner[0]! << 8) | inner[1]!, body: inner.subarray(2) }
}
