/**
 * RFC 4757 §7 per-message tokens for arcfour-hmac (23) contexts: the RFC 1964 token layout with
 * SGN_ALG 0x11 (HMAC-MD5) and SEAL_ALG 0x10 (RC4), as MIT krb5 (k5seal.c, k5unseal.c) and
 * Windows make them. Tokens carry the RFC 2743 framing (`60 len 06 OID`), unlike RFC 4121's.
 *
 * After the framing and the two-octet TOK_ID (01 01 MIC, 02 01 Wrap):
 *
 * ```
 *  0..1  SGN_ALG   11 00
 *  2..3  SEAL_ALG  10 00 (sealed Wrap) or FF FF
 *  4..5  Filler    FF FF
 *  6..13 SND_SEQ   RC4(Kseq, seq (32-bit big-endian) | 4 direction octets: 00 initiator, FF acceptor)
 * 14..21 SGN_CKSUM first 8 octets of hmac-md5-arcfour(key, usage, TOK_ID..Filler | plain)
 * Wrap only:
 * 22..29 confounder, then the message and one pad octet 01 (RC4 in sealed tokens)
 * ```
 *
 * usage is 13 for Wrap and 15 for MIC; Kseq = HMAC-MD5(HMAC-MD5(key, 0), SGN_CKSUM);
 * Kcrypt = HMAC-MD5(HMAC-MD5(key XOR F0, 0), seq (big-endian)), the 0 being a 32-bit LE integer.
 * RC4 is a stream cipher and SND_SEQ is outside the checksum: an attacker can flip bits of the
 * sequence number of a MIC or integrity-only Wrap token undetected (a weakness of RFC 4757,
 * shared by every implementation). rc4-hmac is weak; these functions refuse it unless
 * `allowWeak` is set. arcfour-hmac-exp (24) is not supported.
 *
 * @module
 */
import {
  getCryptoBackend,
  getProfile,
  makeChecksum,
  rc4,
  type CryptoOptions,
} from '../crypto/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { constantTimeEqual, randomBytes, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import { MechOID, frameGSSToken, isKrb5OID, unframeGSSToken } from './framing.js'
import type { ReadToken, TokenKeys } from './per-message.js'

/** RFC 4757 / RFC 1964 token identifiers. */
export const RC4TokenId = {
  MIC: 0x0101,
  WRAP: 0x0201,
} as const
export type RC4TokenId = (typeof RC4TokenId)[keyof typeof RC4TokenId]

/** SGN_ALG HMAC-MD5 and SEAL_ALG RC4 / none, as their little-endian values. */
export const RC4Alg = { SGN_HMAC_MD5: 0x0011, SEAL_RC4: 0x0010, SEAL_NONE: 0xffff } as const

/** Options for RFC 4757 tokens. */
export interface RC4TokenOptions extends CryptoOptions {
  readonly random?: RandomSource
  /** Mechanism OID for the framing; default krb5. */
  readonly mech?: string
}

/** Octets from TOK_ID to the end of SGN_CKSUM. */
const HEADER = 24
const CONFOUNDER = 8
/** RFC 4757 §7.3: the usage for Wrap tokens (MIT: KG_USAGE_SIGN 23, translated to 13). */
const USAGE_WRAP = 13
/** RFC 4757 §7.2: the usage for MIC tokens. */
const USAGE_MIC = 15

/** True for a key whose context uses RFC 4757 tokens (arcfour-hmac and its -exp variant). */
export function isRC4Key(key: KerberosKey): boolean {
  return key.enctype === 23 || key.enctype === 24
}

function tokenError(message: string): KerberosError {
  return new KerberosError(ErrorCodes.GSS_TOKEN, message, { context: { format: 'rfc4757' } })
}

function integrityError(what: string): KerberosError {
  return new KerberosError(ErrorCodes.INTEGRITY, `GSS ${what} token checksum is wrong`)
}

/** Only arcfour-hmac, and only with `allowWeak` (the weak-crypto gate). */
function checkKey(key: KerberosKey, options: CryptoOptions): void {
  if (key.enctype !== 23) {
    throw new KerberosError(
      ErrorCodes.UNSUPPORTED,
      `RFC 4757 GSS tokens are implemented for arcfour-hmac (23) only, not enctype ${key.enctype}`,
      { context: { enctype: key.enctype } },
    )
  }
  getProfile(23, options)
}

const le32 = (n: number): Uint8Array =>
  Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff)
const be32 = (n: number): Uint8Array =>
  Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)

/** MIT krb5int_arcfour_gsscrypt with usage 0: RC4 keyed by HMAC(HMAC(key, 0), kd). */
function gssCrypt(
  key: Uint8Array,
  kd: Uint8Array,
  data: Uint8Array,
  options: CryptoOptions,
): Uint8Array {
  const backend = getCryptoBackend(options)
  const usageKey = backend.hmac('md5', key).digest(le32(0))
  return rc4(backend.hmac('md5', usageKey).digest(kd), data)
}

/** Kcrypt's base: the key with every octet XORed with F0 (RFC 4757 §7.3 Klocal). */
function localKey(key: KerberosKey): Uint8Array {
  return key.bytes.map((b) => b ^ 0xf0)
}

/** The 8-octet SGN_CKSUM over the first 8 header octets and `plain`. */
function signature(
  key: KerberosKey,
  usage: number,
  head: Uint8Array,
  plain: Uint8Array,
  options: CryptoOptions,
): Uint8Array {
  const data = new Uint8Array(8 + plain.length)
  data.set(head.subarray(0, 8))
  data.set(plain, 8)
  return makeChecksum(-138, key, usage, data, options).subarray(0, 8)
}

/** Header: TOK_ID, SGN_ALG, SEAL_ALG, filler; SND_SEQ and SGN_CKSUM filled in later. */
function header(tokId: number, sealAlg: number): Uint8Array {
  const h = new Uint8Array(HEADER)
  h.set([tokId >> 8, tokId & 0xff, 0x11, 0x00, sealAlg & 0xff, sealAlg >> 8, 0xff, 0xff])
  return h
}

/** Put SGN_CKSUM and the encrypted SND_SEQ into `h`. */
function seal(
  keys: TokenKeys,
  h: Uint8Array,
  seq: number,
  cksum: Uint8Array,
  options: CryptoOptions,
): void {
  h.set(cksum, 16)
  const dir = keys.isAcceptor ? 0xff : 0x00
  const plainSeq = Uint8Array.of(...be32(seq >>> 0), dir, dir, dir, dir)
  h.set(gssCrypt(keys.key.bytes, cksum, plainSeq, options), 8)
}

/**
 * Make an RFC 4757 MIC token (TOK_ID 01 01) over `message`, framed.
 *
 * @example
 * ```ts
 * const mic = makeRC4MICToken(keys, seq, message, { allowWeak: true })
 * ```
 */
export function makeRC4MICToken(
  keys: TokenKeys,
  seq: number,
  message: Uint8Array,
  options: RC4TokenOptions = {},
): Uint8Array {
  checkKey(keys.key, options)
  const h = header(RC4TokenId.MIC, RC4Alg.SEAL_NONE)
  seal(keys, h, seq, signature(keys.key, USAGE_MIC, h, message, options), options)
  return frameGSSToken(options.mech ?? MechOID.KRB5, h)
}

/**
 * Make an RFC 4757 Wrap token (TOK_ID 02 01): confounder, message and a pad octet, RC4-encrypted
 * when `conf`, else in clear; framed.
 *
 * @example
 * ```ts
 * const token = makeRC4WrapToken(keys, seq, message, true, { allowWeak: true })
 * ```
 */
export function makeRC4WrapToken(
  keys: TokenKeys,
  seq: number,
  message: Uint8Array,
  conf: boolean,
  options: RC4TokenOptions = {},
): Uint8Array {
  checkKey(keys.key, options)
  const h = header(RC4TokenId.WRAP, conf ? RC4Alg.SEAL_RC4 : RC4Alg.SEAL_NONE)
  const plain = new Uint8Array(CONFOUNDER + message.length + 1)
  plain.set((options.random ?? randomBytes)(CONFOUNDER))
  plain.set(message, CONFOUNDER)
  plain[plain.length - 1] = 1
  seal(keys, h, seq, signature(keys.key, USAGE_WRAP, h, plain, options), options)
  const body = conf ? gssCrypt(localKey(keys.key), be32(seq >>> 0), plain, options) : plain
  const inner = new Uint8Array(HEADER + body.length)
  inner.set(h)
  inner.set(body, HEADER)
  return frameGSSToken(options.mech ?? MechOID.KRB5, inner)
}

/** Unframe, check TOK_ID, length, algorithms and filler; returns the inner token (from TOK_ID). */
function parse(token: Uint8Array, tokId: number, minLength: number): Uint8Array {
  const { mech, inner } = unframeGSSToken(token)
  if (!isKrb5OID(mech)) throw tokenError(`token is for mechanism ${mech}, not krb5`)
  const what = tokId === RC4TokenId.MIC ? 'MIC' : 'Wrap'
  if (inner.length < 2 || ((inner[0]! << 8) | inner[1]!) !== tokId) {
    throw tokenError(
      `not an RFC 4757 ${what} token (TOK_ID ${tokId.toString(16).padStart(4, '0')})`,
    )
  }
  if (inner.length < minLength)
    throw tokenError(`RFC 4757 ${what} token of ${inner.length} octets is truncated`)
  if (inner[2] !== 0x11 || inner[3] !== 0x00)
    throw tokenError(`RFC 4757 ${what} token SGN_ALG is not HMAC-MD5 (11 00)`)
  const sealAlg = inner[4]! | (inner[5]! << 8)
  const sealOk =
    sealAlg === RC4Alg.SEAL_NONE || (tokId === RC4TokenId.WRAP && sealAlg === RC4Alg.SEAL_RC4)
  if (!sealOk)
    throw tokenError(`RFC 4757 ${what} token SEAL_ALG 0x${sealAlg.toString(16)} is not allowed`)
  if (inner[6] !== 0xff || inner[7] !== 0xff)
    throw tokenError(`RFC 4757 ${what} token filler is not FF FF`)
  return inner
}

/** Decrypt SND_SEQ: the sequence number and the sender's direction octet. */
function readSeq(
  key: KerberosKey,
  inner: Uint8Array,
  options: CryptoOptions,
): { seq: number; dir: number; ok: boolean } {
  const p = gssCrypt(key.bytes, inner.subarray(16, 24), inner.subarray(8, 16), options)
  const seq = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0
  return { seq, dir: p[4]!, ok: p[4] === p[5] && p[4] === p[6] && p[4] === p[7] }
}

/** After the checksum verified: the direction must be the peer's (a reflected token is refused). */
function checkDirection(keys: TokenKeys, dir: number): void {
  const want = keys.isAcceptor ? 0x00 : 0xff
  if (dir === want) return
  if (dir === (want ^ 0xff)) {
    throw tokenError(
      `token direction is wrong: it was sent by the ${keys.isAcceptor ? 'acceptor' : 'initiator'}, as we are`,
    )
  }
  // Neither 00 nor FF: the (unprotected, stream-encrypted) SND_SEQ field was altered.
  throw new KerberosError(ErrorCodes.INTEGRITY, 'GSS token sequence field was altered')
}

/**
 * Verify an RFC 4757 MIC token over `message`; returns its sequence number. A wrong checksum (or
 * garbled sequence field) throws ERR_KRB_INTEGRITY, a malformed token ERR_KRB_GSS_TOKEN.
 *
 * @example
 * ```ts
 * const { seq } = verifyRC4MICToken(keys, token, message, { allowWeak: true })
 * ```
 */
export function verifyRC4MICToken(
  keys: TokenKeys,
  token: Uint8Array,
  message: Uint8Array,
  options: CryptoOptions = {},
): ReadToken {
  checkKey(keys.key, options)
  const inner = parse(token, RC4TokenId.MIC, HEADER)
  if (inner.length !== HEADER) throw tokenError('RFC 4757 MIC token has trailing octets')
  const s = readSeq(keys.key, inner, options)
  const want = signature(keys.key, USAGE_MIC, inner, message, options)
  if (!constantTimeEqual(want, inner.subarray(16, 24)) || !s.ok) throw integrityError('MIC')
  checkDirection(keys, s.dir)
  return { seq: s.seq, sealed: false }
}

/**
 * Read an RFC 4757 Wrap token: decrypt when sealed, check the checksum, the pad and the
 * direction. Returns the message, whether it was sealed, and the sequence number.
 *
 * @example
 * ```ts
 * const { message, sealed, seq } = unwrapRC4Token(keys, token, { allowWeak: true })
 * ```
 */
export function unwrapRC4Token(
  keys: TokenKeys,
  token: Uint8Array,
  options: CryptoOptions = {},
): ReadToken & { readonly message: Uint8Array } {
  checkKey(keys.key, options)
  const inner = parse(token, RC4TokenId.WRAP, HEADER + CONFOUNDER + 1)
  const sealed = inner[4] === 0x10
  const s = readSeq(keys.key, inner, options)
  const body = inner.subarray(HEADER)
  const plain = sealed ? gssCrypt(localKey(keys.key), be32(s.seq), body, options) : body
  const pad = plain[plain.length - 1]!
  // A bad pad counts as a checksum failure, after the checksum, so it cannot be told apart
  // (MIT k5unseal.c: no padding oracle). The pad is covered by the checksum.
  const padOk = pad <= plain.length - CONFOUNDER
  const want = signature(keys.key, USAGE_WRAP, inner, plain, options)
  if (!constantTimeEqual(want, inner.subarray(16, 24)) || !s.ok || !padOk)
    throw integrityError('Wrap')
  checkDirection(keys, s.dir)
  return { message: plain.slice(CONFOUNDER, plain.length - pad), sealed, seq: s.seq }
}
