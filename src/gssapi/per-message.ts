/**
 * RFC 4121 §4.2 per-message tokens of the krb5 mechanism: MIC tokens (TOK_ID 04 04) and Wrap
 * tokens (05 04) with and without confidentiality, as pure functions over a key and a sequence
 * number. The context objects ({@link InitiatorContext}, {@link AcceptorContext}) keep the
 * sequence state and call these.
 *
 * @module
 */
import {
  checksumTypeOf,
  decrypt,
  encrypt,
  makeChecksum,
  type CryptoOptions,
} from '../crypto/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { KeyUsage, describeEncType } from '../iana.js'
import { constantTimeEqual, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'

/** The Flags octet of RFC 4121 §4.2.2. */
export const TokenFlags = {
  SENT_BY_ACCEPTOR: 0x01,
  SEALED: 0x02,
  ACCEPTOR_SUBKEY: 0x04,
} as const
export type TokenFlags = (typeof TokenFlags)[keyof typeof TokenFlags]

/** Which key protects a context's tokens, and which side we are. */
export interface TokenKeys {
  /** The acceptor subkey when one was asserted, else the initiator subkey, else the session key. */
  readonly key: KerberosKey
  /** True when `key` is the acceptor's subkey (tokens carry the AcceptorSubkey flag). */
  readonly acceptorSubkey: boolean
  /** True for the acceptor side. */
  readonly isAcceptor: boolean
}

/** Options for making tokens. */
export interface TokenOptions extends CryptoOptions {
  readonly random?: RandomSource
  /** Right rotation count for Wrap tokens (RFC 4121 §4.2.5); 0 by default, as MIT sends. */
  readonly rrc?: number
}

/** A received token's sequence number and (for Wrap) whether it was sealed. */
export interface ReadToken {
  readonly seq: number
  readonly sealed: boolean
}

const HEADER = 16

function tokenError(
  message: string,
  context: Readonly<Record<string, unknown>> = {},
): KerberosError {
  return new KerberosError(ErrorCodes.GSS_TOKEN, message, { context })
}

/**
 * Refuse rc4-hmac keys: their GSS tokens use RFC 4757's format (`makeRC4WrapToken` and
 * friends in rc4-tokens.ts; the contexts choose the format by key).
 */
export function checkCFXKey(key: KerberosKey): void {
  if (key.enctype === 23 || key.enctype === 24) {
    throw new KerberosError(
      ErrorCodes.UNSUPPORTED,
      `RFC 4121 GSS tokens cannot use ${describeEncType(key.enctype)}: its tokens are RFC 4757's (makeRC4WrapToken, makeRC4MICToken)`,
      { context: { enctype: key.enctype } },
    )
  }
}

function writeSeq(b: Uint8Array, seq: number): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  dv.setUint32(8, Math.floor(seq / 0x100000000))
  dv.setUint32(12, seq >>> 0)
}

function readSeq(b: Uint8Array): number {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return dv.getUint32(8) * 0x100000000 + dv.getUint32(12)
}

function flagsFor(keys: TokenKeys, sealed: boolean): number {
  return (
    (keys.isAcceptor ? TokenFlags.SENT_BY_ACCEPTOR : 0) |
    (sealed ? TokenFlags.SEALED : 0) |
    (keys.acceptorSubkey ? TokenFlags.ACCEPTOR_SUBKEY : 0)
  )
}

const signUsage = (fromAcceptor: boolean): number =>
  fromAcceptor ? KeyUsage.GSS_ACCEPTOR_SIGN : KeyUsage.GSS_INITIATOR_SIGN
const sealUsage = (fromAcceptor: boolean): number =>
  fromAcceptor ? KeyUsage.GSS_ACCEPTOR_SEAL : KeyUsage.GSS_INITIATOR_SEAL

/** Check a received token's flags against our side and keys; returns the flags. */
function checkFlags(keys: TokenKeys, flags: number): void {
  const fromAcceptor = (flags & TokenFlags.SENT_BY_ACCEPTOR) !== 0
  if (fromAcceptor === keys.isAcceptor) {
    throw tokenError(
      `token direction is wrong: it was ${fromAcceptor ? 'sent by the acceptor' : 'sent by the initiator'}, as we are`,
    )
  }
  if ((flags & TokenFlags.ACCEPTOR_SUBKEY) !== 0 && !keys.acceptorSubkey) {
    throw tokenError('token claims the acceptor subkey, but none was established')
  }
  if ((flags & ~0x07) !== 0) throw tokenError(`unknown token flags 0x${flags.toString(16)}`)
}

/**
 * Make a MIC token (RFC 4121 §4.2.6.1): header, then the checksum over message + header.
 *
 * @example
 * ```ts
 * const mic = makeMICToken(keys, seq, message)
 * ```
 */
export function makeMICToken(
  keys: TokenKeys,
  seq: number,
  message: Uint8Array,
  options: CryptoOptions = {},
): Uint8Array {
  checkCFXKey(keys.key)
  const header = new Uint8Array(HEADER)
  header.set([0x04, 0x04, flagsFor(keys, false), 0xff, 0xff, 0xff, 0xff, 0xff])
  writeSeq(header, seq)
  const cksum = makeChecksum(
    checksumTypeOf(keys.key.enctype),
    keys.key,
    signUsage(keys.isAcceptor),
    concat(message, header),
    options,
  )
  return concat(header, cksum)
}

/**
 * Verify a MIC token over `message`; returns its sequence number. A wrong checksum throws
 * ERR_KRB_INTEGRITY, a malformed token ERR_KRB_GSS_TOKEN.
 *
 * @example
 * ```ts
 * const { seq } = verifyMICToken(keys, token, message)
 * ```
 */
export function verifyMICToken(
  keys: TokenKeys,
  token: Uint8Array,
  message: Uint8Array,
  options: CryptoOptions = {},
): ReadToken {
  checkCFXKey(keys.key)
  if (token.length < HEADER + 1 || token[0] !== 0x04 || token[1] !== 0x04)
    throw tokenError('not an RFC 4121 MIC token (TOK_ID 04 04)')
  for (let i = 3; i < 8; i++) if (token[i] !== 0xff) throw tokenError('MIC token filler is not FF')
  checkFlags(keys, token[2]!)
  const header = token.subarray(0, HEADER)
  const fromAcceptor = (token[2]! & TokenFlags.SENT_BY_ACCEPTOR) !== 0
  const want = makeChecksum(
    checksumTypeOf(keys.key.enctype),
    keys.key,
    signUsage(fromAcceptor),
    concat(message, header),
    options,
  )
  if (!constantTimeEqual(want, token.subarray(HEADER))) {
    throw new KerberosError(ErrorCodes.INTEGRITY, 'GSS MIC token checksum is wrong')
  }
  return { seq: readSeq(token), sealed: false }
}

/**
 * Make a Wrap token (RFC 4121 §4.2.6.2). With `conf` the message is encrypted together with a
 * copy of the header (EC 0, since every supported enctype is a stream cipher mode); without it,
 * the message travels in clear followed by a checksum. `options.rrc` rotates the data.
 *
 * @example
 * ```ts
 * const token = makeWrapToken(keys, seq, message, true)
 * ```
 */
export function makeWrapToken(
  keys: TokenKeys,
  seq: number,
  message: Uint8Array,
  conf: boolean,
  options: TokenOptions = {},
): Uint8Array {
  checkCFXKey(keys.key)
  const header = new Uint8Array(HEADER)
  header.set([0x05, 0x04, flagsFor(keys, conf), 0xff])
  writeSeq(header, seq)
  let data: Uint8Array
  if (conf) {
    // EC 0, RRC 0 inside the encrypted copy of the header.
    data = encrypt(keys.key, sealUsage(keys.isAcceptor), concat(message, header), options)
  } else {
    // Integrity-only Wrap tokens use the SEAL usage too (RFC 4121 §2; MIT k5sealv3.c).
    const cksum = makeChecksum(
      checksumTypeOf(keys.key.enctype),
      keys.key,
      sealUsage(keys.isAcceptor),
      concat(message, header),
      options,
    )
    new DataView(header.buffer).setUint16(4, cksum.length)
    data = concat(message, cksum)
  }
  const rrc = options.rrc ?? 0
  if (!Number.isInteger(rrc) || rrc < 0 || rrc > 0xffff)
    throw new RangeError(`expected an RRC in 0..65535, got ${rrc}`)
  new DataView(header.buffer).setUint16(6, rrc)
  return concat(header, rotateRight(data, rrc))
}

/**
 * Read a Wrap token: undo the rotation, decrypt or check the checksum, check the header copy.
 * Returns the message, whether it was sealed, and the sequence number.
 *
 * @example
 * ```ts
 * const { message, sealed, seq } = unwrapToken(keys, token)
 * ```
 */
export function unwrapToken(
  keys: TokenKeys,
  token: Uint8Array,
  options: CryptoOptions = {},
): ReadToken & { readonly message: Uint8Array } {
  checkCFXKey(keys.key)
  if (token.length < HEADER || token[0] !== 0x05 || token[1] !== 0x04)
    throw tokenError('not an RFC 4121 Wrap token (TOK_ID 05 04)')
  if (token[3] !== 0xff) throw tokenError('Wrap token filler is not FF')
  const flags = token[2]!
  checkFlags(keys, flags)
  const fromAcceptor = (flags & TokenFlags.SENT_BY_ACCEPTOR) !== 0
  const dv = new DataView(token.buffer, token.byteOffset, token.byteLength)
  const ec = dv.getUint16(4)
  const rrc = dv.getUint16(6)
  const seq = readSeq(token)
  const data = rotateLeft(token.subarray(HEADER), rrc)
  if ((flags & TokenFlags.SEALED) !== 0) {
    const plain = decrypt(keys.key, sealUsage(fromAcceptor), data, options)
    if (plain.length < HEADER + ec) throw tokenError('sealed Wrap token is too short for its EC')
    const inner = plain.subarray(plain.length - HEADER)
    // The encrypted header copy must match the outer one in everything but RRC (RFC 4121
    // §4.2.4: RRC is zero inside, and the only field that may change in transit). EC is compared
    // too: the plaintext is trimmed by it, so a clear EC that differs from the protected one
    // would let a man in the middle cut the end off a sealed message (CVE-2024-37370; MIT
    // compares it since 1.21.3).
    let diff = 0
    for (let i = 0; i < HEADER; i++) if (i < 6 || i >= 8) diff |= inner[i]! ^ token[i]!
    if (diff !== 0)
      throw new KerberosError(
        ErrorCodes.INTEGRITY,
        'sealed Wrap token header does not match its encrypted copy',
      )
    return { message: plain.slice(0, plain.length - HEADER - ec), sealed: true, seq }
  }
  if (data.length < ec) throw tokenError('Wrap token is shorter than its checksum')
  const message = data.subarray(0, data.length - ec)
  const header = token.slice(0, HEADER)
  header[4] = header[5] = header[6] = header[7] = 0
  const want = makeChecksum(
    checksumTypeOf(keys.key.enctype),
    keys.key,
    sealUsage(fromAcceptor),
    concat(message, header),
    options,
  )
  if (!constantTimeEqual(want, data.subarray(data.length - ec))) {
    throw new KerberosError(ErrorCodes.INTEGRITY, 'GSS Wrap token checksum is wrong')
  }
  return { message: message.slice(), sealed: false, seq }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/** Rotate right by `n` (RFC 4121 §4.2.5): the last n octets move to the front. */
export function rotateRight(data: Uint8Array, n: number): Uint8Array {
  if (data.length === 0) return data
  const r = n % data.length
  if (r === 0) return data
  return concat(data.subarray(data.length - r), data.subarray(0, data.length - r))
}

/** Undo {@link rotateRight}. */
export function rotateLeft(data: Uint8Array, n: number): Uint8Array {
  if (data.length === 0) return data
  const r = n % data.length
  if (r === 0) return data
  return concat(data.subarray(r), data.subarray(0, r))
}
