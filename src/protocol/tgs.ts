/**
 * The TGS exchange (RFC 4120 §3.3), sans I/O: build a TGS-REQ whose PA-TGS-REQ carries an AP-REQ
 * with a checksum over the request body, and read and check the TGS-REP, recognising referral
 * TGTs (RFC 6806 §8). The loop that follows referrals lives in `client/`.
 *
 * @module
 */
import {
  encodeKDCReqBody,
  encodeTGSReq,
  principalFromName,
  principalToName,
} from '../asn1/index.js'
import type { EncKDCRepPart, KDCRep, KDCReq, KDCReqBody, KRBError, Ticket } from '../asn1/index.js'
import { checksumTypeOf, randomKey } from '../crypto/index.js'
import { KeyUsage, PADataType } from '../iana.js'
import { randomBytes, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import type { KDCError } from '../errors.js'
import { formatPrincipal, isTGSPrincipal, principalEquals, type Principal } from '../principal.js'
import { makeAPReq } from './ap-req.js'
import { fastReplyKey, openFastReply, unwrapFastError, type FastRequestState } from './fast.js'
import {
  checkKDCRepPart,
  credentialsFromReply,
  decryptKDCRepPart,
  parseKDCReply,
  replyFailure,
  type Credentials,
} from './kdc-rep.js'

/** Options for {@link buildTGSReq}. */
export interface TGSRequestOptions {
  /** The TGT (or, for renewal, the ticket to renew) and its session key. */
  readonly tgt: Credentials
  /**
   * The server asked for. The request goes to the realm of the TGT's TGS (`krbtgt/REALM@...`),
   * and the body's realm is that realm whatever `server.realm` says.
   */
  readonly server: Principal
  /** KDCOptions bits (see `kdcOptionsFor`). */
  readonly kdcOptions?: number
  readonly etypes: readonly number[]
  readonly nonce: number
  /** Client clock (already corrected by a known KDC offset). */
  readonly now: Date
  /** Requested lifetime in seconds; default: up to the TGT's end time. */
  readonly lifetime?: number
  /** Requested end time; wins over `lifetime` (renewal asks past the old end time). */
  readonly till?: Date
  /** Requested renew-till, for RENEWABLE requests. */
  readonly rtime?: Date
  /** Send a subkey in the authenticator: `true` = a fresh random key of the session key's etype. */
  readonly subkey?: KerberosKey | boolean
  /** Tickets for `additional-tickets` (user-to-user, S4U2Proxy). */
  readonly additionalTickets?: readonly Ticket[]
  readonly random?: RandomSource
  readonly allowWeak?: boolean
}

/** A built TGS request: bytes, the realm to send it to, and what the reply is checked against. */
export interface TGSRequest {
  readonly bytes: Uint8Array
  readonly req: KDCReq
  /** The realm whose KDC gets the request (the TGT's TGS realm). */
  readonly realm: string
  readonly nonce: number
  readonly server: Principal
  readonly till: Date
  readonly rtime?: Date
  readonly subkey?: KerberosKey
  readonly tgt: Credentials
  /** Set on an armored request (`armorTGSRequest`): the reply is read through FAST. */
  readonly fast?: FastRequestState
}

/** The realm whose TGS a TGT is for: `krbtgt/THAT@ISSUER` → `THAT`. */
export function tgsRealmOf(tgt: Credentials): string {
  const s = tgt.server
  return isTGSPrincipal(s) ? s.components[1]! : s.realm
}

/**
 * Build a TGS-REQ (RFC 4120 §5.4.1, §7.2): the body, then an authenticator with a checksum over
 * the encoded body (usage 6, the session key etype's checksum type) encrypted with usage 7.
 *
 * @example
 * ```ts
 * const req = buildTGSReq({ tgt, server: parsePrincipal('HTTP/web.example.com@EXAMPLE.COM'),
 *   etypes: [18, 17], nonce: makeNonce(), now: new Date() })
 * const reply = await transport.sendToKDC(req.realm, req.bytes)
 * ```
 */
export function buildTGSReq(o: TGSRequestOptions): TGSRequest {
  if (o.etypes.length === 0) throw new RangeError('expected at least one etype for the TGS-REQ')
  const realm = tgsRealmOf(o.tgt)
  const random = o.random ?? randomBytes
  const nowMs = o.now.getTime()
  const tgtEnd = o.tgt.endtime.getTime()
  const tillMs =
    o.till !== undefined
      ? o.till.getTime()
      : o.lifetime !== undefined
        ? Math.min(nowMs + o.lifetime * 1000, tgtEnd)
        : tgtEnd
  const till = new Date(Math.floor(tillMs / 1000) * 1000)
  const body: KDCReqBody = {
    kdcOptions: (o.kdcOptions ?? 0) >>> 0,
    realm,
    sname: principalToName(o.server).name,
    till,
    ...(o.rtime !== undefined ? { rtime: o.rtime } : {}),
    nonce: o.nonce,
    etype: [...o.etypes],
    ...(o.additionalTickets !== undefined && o.additionalTickets.length > 0
      ? { additionalTickets: o.additionalTickets }
      : {}),
  }
  const bodyBytes = encodeKDCReqBody(body)
  const subkey = subkeyFor(o, random)
  const ap = makeAPReq({
    ticket: o.tgt.ticket,
    sessionKey: o.tgt.sessionKey,
    client: o.tgt.client,
    checksumData: bodyBytes,
    checksumUsage: KeyUsage.TGS_REQ_AUTH_CKSUM,
    checksumType: checksumTypeOf(o.tgt.sessionKey.enctype),
    ...(subkey !== undefined ? { subkey } : {}),
    usage: KeyUsage.TGS_REQ_AUTH,
    now: o.now,
    random,
    ...(o.allowWeak !== undefined ? { allowWeak: o.allowWeak } : {}),
  })
  const req: KDCReq = {
    pvno: 5,
    msgType: 12,
    padata: [{ padataType: PADataType.TGS_REQ, padataValue: ap.bytes }],
    // The body is sent as the very bytes the checksum covers.
    reqBody: withRaw(body, bodyBytes),
  }
  return {
    bytes: encodeTGSReq(req),
    req,
    realm,
    nonce: o.nonce,
    server: { ...o.server, realm },
    till,
    ...(o.rtime !== undefined ? { rtime: o.rtime } : {}),
    ...(subkey !== undefined ? { subkey } : {}),
    tgt: o.tgt,
  }
}

function withRaw(body: KDCReqBody, raw: Uint8Array): KDCReqBody {
  return Object.defineProperty({ ...body }, 'raw', { value: raw, enumerable: false })
}

function subkeyFor(o: TGSRequestOptions, random: RandomSource): KerberosKey | undefined {
  if (o.subkey === undefined || o.subkey === false) return undefined
  if (o.subkey === true) {
    return randomKey(o.tgt.sessionKey.enctype, { random, allowWeak: o.allowWeak === true })
  }
  return o.subkey
}

/** Options for {@link readTGSReply}. */
export interface ReadTGSReplyOptions {
  readonly request: TGSRequest
  /**
   * We asked for canonicalization: accept a referral TGT for another realm, and report any other
   * name from the issuing realm as `retryWithoutCanonicalize` (never as the service ticket).
   */
  readonly canonicalize?: boolean
  /** Seconds of skew allowed; default 300. */
  readonly clockskew?: number
  readonly allowWeak?: boolean
}

/** A checked TGS-REP (maybe a referral), or the KRB-ERROR the KDC sent. */
export type TGSReplyOutcome =
  | {
      readonly kind: 'ok'
      readonly credentials: Credentials
      readonly rep: KDCRep
      readonly encPart: EncKDCRepPart
      /**
       * Set when we asked for a non-krbtgt server and got `krbtgt/OTHER@THIS`: a referral
       * (RFC 6806 §8) to follow at `OTHER` with these credentials as the TGT.
       */
      readonly referralRealm?: string
      /**
       * Set when canonicalization was asked and the KDC answered with neither the requested
       * name nor a referral to another realm (another service name, or a TGT for its own
       * realm). These credentials must not be used or stored: ask again without
       * canonicalization, as MIT's `get_creds.c` does.
       */
      readonly retryWithoutCanonicalize?: true
      /** The request was armored and the reply passed the FAST checks (RFC 6113). */
      readonly fast?: true
    }
  | {
      readonly kind: 'error'
      readonly error: KRBError
      readonly kdcError: KDCError
      /** For an armored request: whether the error came inside PA-FX-ERROR. */
      readonly fast?: 'armored' | 'unprotected'
    }

/**
 * Read a TGS reply: decrypt with the subkey (usage 9) when one was sent, else the TGT session key
 * (usage 8); check nonce, client (must be the TGT's), server (the one asked, a referral TGT, or a
 * closer TGT on a cross-realm path), times. Failed checks throw `ERR_KRB_KDC_REPLY`.
 *
 * @example
 * ```ts
 * const out = readTGSReply(replyBytes, { request: req, canonicalize: true })
 * if (out.kind === 'ok' && out.referralRealm) next = out.credentials // follow the referral
 * ```
 */
export function readTGSReply(bytes: Uint8Array, o: ReadTGSReplyOptions): TGSReplyOutcome {
  const reply = parseKDCReply(bytes, 13)
  const req = o.request
  const allowWeak = o.allowWeak === true
  if (reply.kind === 'error') {
    if (req.fast === undefined) return reply
    const inner = unwrapFastError(reply.error, req.fast, { allowWeak })
    return inner === undefined
      ? { ...reply, fast: 'unprotected' }
      : { kind: 'error', error: inner.error, kdcError: inner.kdcError, fast: 'armored' }
  }
  // MIT accepts a TGS-REP without PA-FX-FAST (a KDC that ignored the armor): it is still sealed
  // in our subkey. Unless FAST is required, so do we.
  const armored =
    req.fast !== undefined &&
    (req.fast.required || reply.rep.padata?.some((p) => p.padataType === PADataType.FX_FAST))
  const opened = armored ? openFastReply(reply.rep, req.fast!, { allowWeak }) : undefined
  const rep = opened?.rep ?? reply.rep
  const client = principalFromName(rep.cname, rep.crealm)
  if (!principalEquals(client, req.tgt.client)) {
    replyFailure(
      `TGS-REP is for client ${formatPrincipal(client)}, expected ${formatPrincipal(req.tgt.client)}`,
      { client: formatPrincipal(client) },
    )
  }
  const key = fastReplyKey(opened?.strengthenKey, req.subkey ?? req.tgt.sessionKey, { allowWeak })
  const usage =
    req.subkey !== undefined ? KeyUsage.TGS_REP_ENCPART_SUBKEY : KeyUsage.TGS_REP_ENCPART_SESSKEY
  const { value: encPart } = decryptKDCRepPart(rep, key, usage, { allowWeak })
  checkKDCRepPart(rep, encPart, {
    nonce: req.nonce,
    clockskew: o.clockskew ?? 300,
    till: req.till,
    ...(req.rtime !== undefined ? { rtime: req.rtime } : {}),
  })
  const verdict = checkTGSServer(rep, o)
  const credentials = credentialsFromReply(rep, encPart)
  return {
    kind: 'ok',
    // The service ticket is stored under the name asked for (as MIT), never a name the reply chose.
    credentials: verdict.kind === 'match' ? { ...credentials, server: req.server } : credentials,
    rep,
    encPart,
    ...(verdict.kind === 'referral' ? { referralRealm: verdict.realm } : {}),
    ...(verdict.kind === 'retry' ? { retryWithoutCanonicalize: true as const } : {}),
    ...(opened !== undefined ? { fast: true as const } : {}),
  }
}

type ServerVerdict =
  | { readonly kind: 'match' }
  | { readonly kind: 'tgt' }
  | { readonly kind: 'referral'; readonly realm: string }
  | { readonly kind: 'retry' }

/**
 * The reply's server against the request's (RFC 6806 §8, MIT `get_creds.c`): the name asked
 * for in the realm asked (`match`); a TGT from the issuing realm when a TGT was asked (`tgt`: a
 * hop on a cross-realm path, which the caller checks); with canonicalization, a TGT for another
 * realm (`referral`) or anything else the issuing KDC says (`retry` without canonicalization,
 * never accepted as the service ticket). Anything else throws `ERR_KRB_KDC_REPLY`.
 */
function checkTGSServer(rep: KDCRep, o: ReadTGSReplyOptions): ServerVerdict {
  const got = principalFromName(rep.ticket.sname, rep.ticket.realm)
  const want = o.request.server
  if (principalEquals(got, want)) return { kind: 'match' }
  const issuer = o.request.realm
  if (isTGSPrincipal(got) && got.realm === issuer) {
    if (isTGSPrincipal(want)) return { kind: 'tgt' }
    if (o.canonicalize !== true) {
      replyFailure(
        `TGS-REP is a referral to ${got.components[1]!} but no canonicalization was asked`,
      )
    }
    // Active Directory may answer with a TGT for its own realm: not a referral.
    if (got.components[1] === issuer) return { kind: 'retry' }
    return { kind: 'referral', realm: got.components[1]! }
  }
  if (o.canonicalize === true && !isTGSPrincipal(want) && got.realm === issuer) {
    return { kind: 'retry' }
  }
  return replyFailure(
    `TGS-REP ticket is for ${formatPrincipal(got)}, expected ${formatPrincipal(want)}`,
    { server: formatPrincipal(got) },
  )
}
