/**
 * What the AS and TGS exchanges share: reading a KDC reply (KDC-REP or KRB-ERROR), decrypting its
 * encrypted part, the checks every reply must pass, and the {@link Credentials} a reply yields.
 *
 * @module
 */
import {
  decodeEncKDCRepPart,
  decodeKDCReplyMessage,
  encodeTicket,
  principalFromName,
  krbErrorToKDCError,
  type DecodedEncKDCRepPart,
} from '../asn1/index.js'
import type { EncKDCRepPart, KDCRep, KRBError, Ticket } from '../asn1/index.js'
import { decrypt } from '../crypto/index.js'
import { ErrorCodes, KerberosError, type KDCError, type ErrorContext } from '../errors.js'
import { describeEncType } from '../iana.js'
import type { KerberosKey } from '../key.js'
import { formatPrincipal, principalEquals, type Principal } from '../principal.js'

/**
 * A ticket and what the client needs to use it: the decrypted reply's session key, times and
 * flags, plus the ticket both decoded and as the exact bytes the KDC sent.
 */
export interface Credentials {
  /** The client (as the KDC named it in the reply). */
  readonly client: Principal
  /** The server the ticket is for (from the ticket: `krbtgt/REALM@REALM` for a TGT). */
  readonly server: Principal
  /** The session key; its bytes never print. */
  readonly sessionKey: KerberosKey
  readonly authtime: Date
  readonly starttime?: Date
  readonly endtime: Date
  readonly renewTill?: Date
  /** Ticket flags; RFC 4120 flag bit n is `0x80000000 >>> n` (test with `hasFlag`). */
  readonly flags: number
  /** The decoded ticket (its `raw` property keeps the KDC's bytes). */
  readonly ticket: Ticket
  /** The ticket's DER exactly as received. */
  readonly ticketBytes: Uint8Array
  /** Version of the server key the ticket is encrypted in (the ticket enc-part's kvno). */
  readonly ticketKvno?: number
  /** Enctype and kvno of the key the KDC encrypted its reply in (the client key for AS). */
  readonly replyEtype?: number
  readonly replyKvno?: number
  /** When the client's key expires, if the KDC said. */
  readonly keyExpiration?: Date
}

/** A KDC reply as received: a KDC-REP of the expected kind, or a KRB-ERROR. */
export type KDCReply =
  | { readonly kind: 'rep'; readonly rep: KDCRep }
  | { readonly kind: 'error'; readonly error: KRBError; readonly kdcError: KDCError }

/** Throw `ERR_KRB_KDC_REPLY` (a reply that failed a check; never accepted). */
export function replyFailure(message: string, context: ErrorContext = {}): never {
  throw new KerberosError(ErrorCodes.KDC_REPLY, message, { context })
}

/**
 * Decode a KDC reply and check its message type: `AS-REP` (11) or `TGS-REP` (13) as expected,
 * or `KRB-ERROR`. Garbage throws `ERR_KRB_ASN1_DECODE`; any other message `ERR_KRB_KDC_REPLY`.
 *
 * @example
 * ```ts
 * const reply = parseKDCReply(bytes, 11)
 * if (reply.kind === 'error') throw reply.kdcError
 * ```
 */
export function parseKDCReply(bytes: Uint8Array, expected: 11 | 13): KDCReply {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('expected the KDC reply as a Uint8Array')
  const msg = decodeKDCReplyMessage(bytes)
  if (msg.type === 'KRB-ERROR') {
    return { kind: 'error', error: msg.value, kdcError: krbErrorToKDCError(msg.value) }
  }
  const want = expected === 11 ? 'AS-REP' : 'TGS-REP'
  if (msg.type !== want) replyFailure(`expected ${want} or KRB-ERROR from the KDC, got ${msg.type}`)
  return { kind: 'rep', rep: (msg as { readonly value: KDCRep }).value }
}

/**
 * Decrypt the reply's enc-part with `key` for `usage` (3 for AS, 8 or 9 for TGS) and decode it,
 * accepting either APPLICATION tag (RFC 4120 §5.4.2: MIT tags AS replies EncTGSRepPart).
 * A wrong key throws `ERR_KRB_INTEGRITY`.
 */
export function decryptKDCRepPart(
  rep: KDCRep,
  key: KerberosKey,
  usage: number,
  options: { readonly allowWeak?: boolean } = {},
): DecodedEncKDCRepPart {
  if (rep.encPart.etype !== key.enctype) {
    replyFailure(
      `KDC reply is encrypted with ${describeEncType(rep.encPart.etype)}, expected ${describeEncType(key.enctype)}`,
      { etype: rep.encPart.etype },
    )
  }
  const plain = decrypt(key, usage, rep.encPart.cipher, { allowWeak: options.allowWeak === true })
  return decodeEncKDCRepPart(plain)
}

/** What {@link checkKDCRepPart} compares against. */
export interface KDCRepExpectations {
  readonly nonce: number
  /** Seconds of clock skew allowed in time checks. */
  readonly clockskew: number
  /** Requested end time: the reply must not end later (plus skew). */
  readonly till?: Date
  /** Requested renew-till, when RENEWABLE was asked. */
  readonly rtime?: Date
}

/**
 * The checks shared by AS and TGS replies (RFC 4120 §3.1.5, §3.3.4): nonce, the enc-part's
 * server equal to the ticket's, times that make sense.
 */
export function checkKDCRepPart(rep: KDCRep, part: EncKDCRepPart, exp: KDCRepExpectations): void {
  if (part.nonce !== exp.nonce) {
    replyFailure(`KDC reply nonce ${part.nonce} does not match the request's ${exp.nonce}`, {
      nonce: part.nonce,
    })
  }
  const fromTicket = principalFromName(rep.ticket.sname, rep.ticket.realm)
  const fromPart = principalFromName(part.sname, part.srealm)
  if (!principalEquals(fromTicket, fromPart)) {
    replyFailure(
      `KDC reply names server ${formatPrincipal(fromPart)} but its ticket is for ${formatPrincipal(fromTicket)}`,
    )
  }
  const skewMs = exp.clockskew * 1000
  if (part.endtime.getTime() <= (part.starttime ?? part.authtime).getTime()) {
    replyFailure('KDC reply ticket ends before it starts')
  }
  if (exp.till !== undefined && part.endtime.getTime() > exp.till.getTime() + skewMs) {
    replyFailure(
      `KDC reply end time ${part.endtime.toISOString()} is after the requested ${exp.till.toISOString()}`,
    )
  }
  if (exp.rtime !== undefined && part.renewTill !== undefined) {
    if (part.renewTill.getTime() > exp.rtime.getTime() + skewMs) {
      replyFailure(
        `KDC reply renew-till ${part.renewTill.toISOString()} is after the requested one`,
      )
    }
  }
}

/** Build {@link Credentials} from a checked reply. */
export function credentialsFromReply(rep: KDCRep, part: EncKDCRepPart): Credentials {
  const ticket = rep.ticket
  return {
    client: principalFromName(rep.cname, rep.crealm),
    server: principalFromName(ticket.sname, ticket.realm),
    sessionKey: part.key,
    authtime: part.authtime,
    ...(part.starttime !== undefined ? { starttime: part.starttime } : {}),
    endtime: part.endtime,
    ...(part.renewTill !== undefined ? { renewTill: part.renewTill } : {}),
    flags: part.flags,
    ticket,
    ticketBytes: ticketDER(ticket),
    ...(ticket.encPart.kvno !== undefined ? { ticketKvno: ticket.encPart.kvno } : {}),
    replyEtype: rep.encPart.etype,
    ...(rep.encPart.kvno !== undefined ? { replyKvno: rep.encPart.kvno } : {}),
    ...(part.keyExpiration !== undefined ? { keyExpiration: part.keyExpiration } : {}),
  }
}

/** The ticket's DER: the received bytes when present, else a fresh encoding. */
export function ticketDER(ticket: Ticket): Uint8Array {
  return ticket.raw ?? encodeTicket(ticket)
}
