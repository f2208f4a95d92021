/**
 * AP-REP (RFC 4120 §3.2.4, §5.5.2): the acceptor's answer for mutual authentication. It echoes
 * the authenticator's ctime and cusec, encrypted in the ticket's session key (key usage 12), and
 * may carry a subkey and an initial sequence number for the acceptor's side.
 *
 * @module
 */
import { decodeAPRep, decodeEncAPRepPart, encodeAPRep, encodeEncAPRepPart } from '../asn1/index.js'
import type { EncAPRepPart } from '../asn1/index.js'
import { decrypt, encrypt, type CryptoOptions, type EncryptOptions } from '../crypto/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { KeyUsage } from '../iana.js'
import type { RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'

/** Options for {@link makeAPRep}. */
export interface MakeAPRepOptions extends CryptoOptions {
  /** The ticket's session key (never the authenticator subkey: RFC 4120 §5.5.2). */
  readonly sessionKey: KerberosKey
  /** The authenticator's ctime and cusec, echoed back. */
  readonly ctime: Date
  readonly cusec: number
  /** The acceptor's subkey, when it asserts one. */
  readonly subkey?: KerberosKey
  /** The acceptor's initial sequence number. */
  readonly seqNumber?: number
  readonly random?: RandomSource
}

/**
 * Build an AP-REP.
 *
 * @example
 * ```ts
 * const apRep = makeAPRep({ sessionKey, ctime: auth.ctime, cusec: auth.cusec, seqNumber: 7 })
 * ```
 */
export function makeAPRep(options: MakeAPRepOptions): Uint8Array {
  const part: { -readonly [K in keyof EncAPRepPart]: EncAPRepPart[K] } = {
    ctime: options.ctime,
    cusec: options.cusec,
  }
  if (options.subkey !== undefined) part.subkey = options.subkey
  if (options.seqNumber !== undefined) part.seqNumber = options.seqNumber
  // Built by assignment (no spreads): an acceptor makes one AP-REP per request.
  const enc: { -readonly [K in keyof EncryptOptions]: EncryptOptions[K] } = {}
  if (options.allowWeak !== undefined) enc.allowWeak = options.allowWeak
  if (options.backend !== undefined) enc.backend = options.backend
  if (options.random !== undefined) enc.random = options.random
  const cipher = encrypt(options.sessionKey, KeyUsage.AP_REP_ENCPART, encodeEncAPRepPart(part), enc)
  return encodeAPRep({
    pvno: 5,
    msgType: 15,
    encPart: { etype: options.sessionKey.enctype, cipher },
  })
}

/** Options for {@link verifyAPRep}. */
export interface VerifyAPRepOptions extends CryptoOptions {
  /** The session key of the ticket the AP-REQ carried. */
  readonly sessionKey: KerberosKey
  /** The ctime and cusec of the authenticator we sent. */
  readonly ctime: Date
  readonly cusec: number
}

/**
 * Check an AP-REP against the AP-REQ we sent: it must decrypt under the session key and echo our
 * ctime and cusec exactly. Returns the acceptor's subkey and sequence number, when present.
 * Failures throw ERR_KRB_AP_ERROR (`context.reason`: `decrypt`, `mutual-mismatch`) or
 * ERR_KRB_ASN1_DECODE.
 *
 * @example
 * ```ts
 * const { subkey, seqNumber } = verifyAPRep(apRepBytes, { sessionKey, ctime, cusec })
 * ```
 */
export function verifyAPRep(bytes: Uint8Array, options: VerifyAPRepOptions): EncAPRepPart {
  const apRep = decodeAPRep(bytes)
  if (apRep.encPart.etype !== options.sessionKey.enctype) {
    throw apError(
      'decrypt',
      `AP-REP is encrypted with enctype ${apRep.encPart.etype}, expected the session key's ${options.sessionKey.enctype}`,
    )
  }
  let plain: Uint8Array
  try {
    plain = decrypt(options.sessionKey, KeyUsage.AP_REP_ENCPART, apRep.encPart.cipher, options)
  } catch (err) {
    throw apError('decrypt', 'AP-REP does not decrypt with the session key', err)
  }
  const part = decodeEncAPRepPart(plain)
  if (
    part.ctime.getTime() !== Math.floor(options.ctime.getTime() / 1000) * 1000 ||
    part.cusec !== options.cusec
  ) {
    throw apError(
      'mutual-mismatch',
      'AP-REP does not echo the authenticator time: mutual authentication failed',
    )
  }
  return part
}

function apError(reason: string, message: string, cause?: unknown): KerberosError {
  return new KerberosError(ErrorCodes.AP_ERROR, message, {
    context: { reason },
    ...(cause === undefined ? {} : { cause }),
  })
}
