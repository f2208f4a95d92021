/**
 * Making an AP-REQ (RFC 4120 §3.2.2, §5.5.1): a ticket plus an authenticator encrypted in the
 * ticket's session key. Used by the TGS exchange (PA-TGS-REQ, usage 7, checksum over the
 * request body with usage 6) and by application clients such as the GSS initiator (usage 11,
 * with the GSS 0x8003 checksum passed in as an explicit {@link Checksum}).
 *
 * @module
 */
import { encodeAPReq, encodeAuthenticator, principalToName, setFlags } from '../asn1/index.js'
import type { APReq, Authenticator, AuthorizationData, Checksum, Ticket } from '../asn1/index.js'
import { checksumTypeOf, encrypt, makeChecksum } from '../crypto/index.js'
import { APOptions, KeyUsage } from '../iana.js'
import { randomBytes, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import type { Principal } from '../principal.js'

/** Options for {@link makeAPReq}. */
export interface MakeAPReqOptions {
  /** The ticket for the server (as received; its `raw` bytes are sent unchanged). */
  readonly ticket: Ticket
  /** The ticket's session key: the authenticator is encrypted (and checksummed) with it. */
  readonly sessionKey: KerberosKey
  /** The client named in the ticket (authenticator crealm/cname). */
  readonly client: Principal
  /**
   * A ready checksum to put in the authenticator as is (for example the GSS-API 0x8003
   * checksum of RFC 4121 §4.1.1). Wins over `checksumData`.
   */
  readonly checksum?: Checksum
  /**
   * Bytes to protect with a keyed checksum in the session key (for TGS: the encoded
   * KDC-REQ-BODY). The type is `checksumType` or {@link checksumTypeOf} the session key's enctype.
   */
  readonly checksumData?: Uint8Array
  /** Key usage of the keyed checksum; default 10 (AP-REQ authenticator checksum), 6 for TGS. */
  readonly checksumUsage?: number
  /** Checksum type for `checksumData`; default the session key enctype's mandatory type. */
  readonly checksumType?: number
  /** A subkey to offer (RFC 4120 §5.5.1 subkey). */
  readonly subkey?: KerberosKey
  /** The initial sequence number to announce. */
  readonly seqNumber?: number
  /** Set MUTUAL-REQUIRED in ap-options (the server must answer with an AP-REP). */
  readonly mutualRequired?: boolean
  /** Set USE-SESSION-KEY in ap-options (user-to-user). */
  readonly useSessionKey?: boolean
  /** Raw ap-options bits, OR-ed with the two flags above. */
  readonly apOptions?: number
  /** Authorization data for the authenticator. */
  readonly authorizationData?: AuthorizationData
  /** Key usage of the authenticator encryption; default 11 (AP-REQ), 7 for PA-TGS-REQ. */
  readonly usage?: number
  /** The client clock (already corrected by any KDC offset); default `new Date()`. */
  readonly now?: Date
  /** Randomness for the confounder; default `globalThis.crypto`. */
  readonly random?: RandomSource
  /** Allow rc4-hmac session keys. */
  readonly allowWeak?: boolean
}

/** What {@link makeAPReq} returns: the message and the authenticator values to check an AP-REP against. */
export interface APReqResult {
  /** The DER-encoded AP-REQ. */
  readonly bytes: Uint8Array
  readonly apReq: APReq
  /** The authenticator as sent (before encryption). */
  readonly authenticator: Authenticator
  /** ctime and cusec: an AP-REP must echo them (RFC 4120 §3.2.4). */
  readonly ctime: Date
  readonly cusec: number
  readonly subkey?: KerberosKey
  readonly seqNumber?: number
}

/**
 * Build an AP-REQ: an authenticator (client name, ctime/cusec from `now` through
 * {@link authenticatorTime}, so never the same twice in a process, a checksum — explicit
 * or keyed over `checksumData` — and the optional subkey, sequence number and authorization
 * data) encrypted in the session key with `usage`, next to the ticket. The signature is stable:
 * the TGS exchange and the GSS initiator both build on it.
 *
 * @example
 * ```ts
 * const { bytes, ctime, cusec } = makeAPReq({
 *   ticket: creds.ticket,
 *   sessionKey: creds.sessionKey,
 *   client: creds.client,
 *   checksum: gssChecksum, // { cksumtype: 0x8003, checksum: ... }
 *   subkey,
 *   seqNumber: 12345,
 *   mutualRequired: true,
 * })
 * ```
 */
export function makeAPReq(options: MakeAPReqOptions): APReqResult {
  const { ctime, cusec } = authenticatorTime(options.now ?? new Date())
  const cname = principalToName(options.client)
  const checksum = options.checksum ?? keyedChecksum(options)
  const authenticator: Authenticator = {
    authenticatorVno: 5,
    crealm: cname.realm,
    cname: cname.name,
    ...(checksum !== undefined ? { cksum: checksum } : {}),
    cusec,
    ctime,
    ...(options.subkey !== undefined ? { subkey: options.subkey } : {}),
    ...(options.seqNumber !== undefined ? { seqNumber: options.seqNumber >>> 0 } : {}),
    ...(options.authorizationData !== undefined
      ? { authorizationData: options.authorizationData }
      : {}),
  }
  const cipher = encrypt(
    options.sessionKey,
    options.usage ?? KeyUsage.AP_REQ_AUTH,
    encodeAuthenticator(authenticator),
    { random: options.random ?? randomBytes, allowWeak: options.allowWeak === true },
  )
  const apReq: APReq = {
    pvno: 5,
    msgType: 14,
    apOptions: apOptionsOf(options),
    ticket: options.ticket,
    authenticator: { etype: options.sessionKey.enctype, cipher },
  }
  return {
    bytes: encodeAPReq(apReq),
    apReq,
    authenticator,
    ctime,
    cusec,
    ...(options.subkey !== undefined ? { subkey: options.subkey } : {}),
    ...(authenticator.seqNumber !== undefined ? { seqNumber: authenticator.seqNumber } : {}),
  }
}

/** The last authenticator time handed out, in microseconds since the epoch (per process). */
let lastMicros = Number.NEGATIVE_INFINITY

/**
 * ctime/cusec for an authenticator from `now`, strictly increasing per process: a time at or
 * before the last one given (same millisecond, or a clock stepped back by less than a second)
 * becomes the last one plus 1 µs, as MIT's `krb5_us_timeofday` does. Two AP-REQs made in the
 * same millisecond therefore never share ctime/cusec (RFC 4120 §3.2.3: an acceptor's replay
 * cache keys on them). A clock set back further (a frozen test clock, a stepped system clock)
 * is taken as is. Sans I/O: the time comes from the caller.
 *
 * @example
 * ```ts
 * const t = new Date()
 * authenticatorTime(t).cusec !== authenticatorTime(t).cusec // true
 * ```
 */
export function authenticatorTime(now: Date): { readonly ctime: Date; readonly cusec: number } {
  const ms = now.getTime()
  if (!Number.isFinite(ms)) throw new RangeError('expected a valid Date for the authenticator time')
  let micros = ms * 1000
  if (micros <= lastMicros && lastMicros - micros < 1_000_000) micros = lastMicros + 1
  lastMicros = micros
  const cusec = ((micros % 1_000_000) + 1_000_000) % 1_000_000
  return { ctime: new Date((micros - cusec) / 1000), cusec }
}

function apOptionsOf(o: MakeAPReqOptions): number {
  const bits: number[] = []
  if (o.mutualRequired === true) bits.push(APOptions.MUTUAL_REQUIRED)
  if (o.useSessionKey === true) bits.push(APOptions.USE_SESSION_KEY)
  return (setFlags(...bits) | (o.apOptions ?? 0)) >>> 0
}

function keyedChecksum(o: MakeAPReqOptions): Checksum | undefined {
  if (o.checksumData === undefined) return undefined
  const cksumtype = o.checksumType ?? checksumTypeOf(o.sessionKey.enctype)
  const usage = o.checksumUsage ?? KeyUsage.AP_REQ_AUTH_CKSUM
  const checksum = makeChecksum(cksumtype, o.sessionKey, usage, o.checksumData, {
    allowWeak: o.allowWeak === true,
  })
  return { cksumtype, checksum }
}

/** A random initial sequence number below 2^30 (as MIT, for peers that treat it as signed). */
export function randomSeqNumber(random: RandomSource = randomBytes): number {
  const b = random(4)
  return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) & 0x3fffffff) >>> 0
}
