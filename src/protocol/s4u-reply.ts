/**
 * Reading the S4U replies (MS-SFU), sans I/O: the checks that an S4U2Self reply is for the user
 * and the service asked (with the KDC's checksum-protected PA-S4U-X509-USER, MIT's
 * `verify_s4u2self_reply`, and the ticket opened with the service's keys), that an S4U2Proxy
 * reply is for the back-end and the evidence ticket's client; and the evidence ticket an
 * acceptor hands to S4U2Proxy. The requests are built in `s4u.ts`.
 *
 * @module
 */
import { decodeEncTicketPart, hasFlag, principalFromName } from '../asn1/index.js'
import type { Checksum, EncKDCRepPart, KDCRep, KRBError, PAData, Ticket } from '../asn1/index.js'
// From the file, not the barrel: a bundle loads these with the S4U code only (docs/bundling.md).
import { decodePAS4UX509User, encodeS4UUserID, type S4UUserID } from '../asn1/s4u.js'
import { decrypt, isKeyedChecksum, verifyChecksum } from '../crypto/index.js'
import { ErrorCodes, KerberosError, type KDCError } from '../errors.js'
import { KeyUsage, NameType, PADataType, TicketFlags } from '../iana.js'
import { concatBytes, constantTimeEqual } from '../internal/bytes.js'
import type { Keytab } from '../keytab/format.js'
import { findKeytabEntry } from '../keytab/lookup.js'
import { formatPrincipal, isTGSPrincipal, principalEquals, type Principal } from '../principal.js'
import {
  checkKDCRepPart,
  credentialsFromReply,
  decryptKDCRepPart,
  parseKDCReply,
  replyFailure,
  type Credentials,
} from './kdc-rep.js'
import {
  S4U_OPTS_USE_REPLY_KEY_USAGE,
  type EvidenceTicket,
  type S4U2ProxyRequest,
  type S4U2SelfRequest,
} from './s4u.js'
import type { TGSRequest } from './tgs.js'

/** MS-SFU §2.2.2: the PA-S4U-X509-USER checksum in a request (26) and in the KDC's reply (27). */
const USAGE_S4U_REQUEST = 26
const USAGE_S4U_REPLY = 27

/** Options for {@link readS4U2SelfReply} and {@link readS4U2ProxyReply}. */
export interface ReadS4UReplyOptions<R> {
  readonly request: R
  /** Seconds of skew allowed; default 300. */
  readonly clockskew?: number
  readonly allowWeak?: boolean
}

/** A checked S4U reply, or the KRB-ERROR the KDC sent. */
export type S4UReplyOutcome =
  | {
      readonly kind: 'ok'
      /** Client: the impersonated user; server: the name asked for. */
      readonly credentials: Credentials
      readonly rep: KDCRep
      readonly encPart: EncKDCRepPart
    }
  | { readonly kind: 'error'; readonly error: KRBError; readonly kdcError: KDCError }

/** Decrypt and check what every TGS reply must pass; the names are checked by the callers. */
function openReply(
  bytes: Uint8Array,
  req: TGSRequest,
  o: { readonly clockskew?: number; readonly allowWeak?: boolean },
): { rep: KDCRep; encPart: EncKDCRepPart } | { error: KRBError; kdcError: KDCError } {
  const reply = parseKDCReply(bytes, 13)
  if (reply.kind === 'error') return { error: reply.error, kdcError: reply.kdcError }
  const rep = reply.rep
  // Both requests carry a subkey: the reply is encrypted in it (usage 9).
  const { value: encPart } = decryptKDCRepPart(rep, req.subkey!, 9, {
    allowWeak: o.allowWeak === true,
  })
  checkKDCRepPart(rep, encPart, { nonce: req.nonce, clockskew: o.clockskew ?? 300, till: req.till })
  return { rep, encPart }
}

/** The reply's ticket must be for the server asked (a referral is not followed here). */
function checkServer(rep: KDCRep, want: Principal, what: string): void {
  const got = principalFromName(rep.ticket.sname, rep.ticket.realm)
  if (principalEquals(got, want)) return
  if (isTGSPrincipal(got)) {
    throw new KerberosError(
      ErrorCodes.UNSUPPORTED,
      `${what} for ${formatPrincipal(want)} was answered with a referral to ${got.components[1] ?? '?'}: cross-realm ${what} is not supported`,
      { context: { server: formatPrincipal(got) } },
    )
  }
  replyFailure(
    `${what} reply ticket is for ${formatPrincipal(got)}, expected ${formatPrincipal(want)}`,
    {
      server: formatPrincipal(got),
    },
  )
}

function checkClient(rep: KDCRep, want: Principal, what: string): Principal {
  const got = principalFromName(rep.cname, rep.crealm)
  if (!principalEquals(got, want)) {
    replyFailure(
      `${what} reply is for client ${formatPrincipal(got)}, expected ${formatPrincipal(want)}`,
      {
        client: formatPrincipal(got),
      },
    )
  }
  return got
}

/**
 * Check the KDC's PA-S4U-X509-USER (MIT `verify_s4u2self_reply`): same nonce, a keyed checksum
 * by the subkey (usage 27 when the KDC set USE-REPLY-KEY-USAGE, else 26), a user name that is
 * the one asked (an enterprise name may come back canonical), and, for rc4 replies, the
 * encrypted copy of both checksums. Returns the user the KDC vouched for.
 */
function checkS4UReplyPA(
  rep: KDCRep,
  encPart: EncKDCRepPart,
  req: S4U2SelfRequest,
  allowWeak: boolean,
): Principal {
  const outer = rep.padata?.find((p) => p.padataType === PADataType.FOR_X509_USER)
  const inner = encPart.encryptedPaData?.find((p) => p.padataType === PADataType.FOR_X509_USER)
  if (outer === undefined) {
    if (inner !== undefined)
      replyFailure('S4U2Self reply has an encrypted PA-S4U-X509-USER but no outer one')
    // A KDC that predates PA-S4U-X509-USER: the reply's client name is then compared with the
    // user asked for, nothing else vouches for it.
    return req.user
  }
  const got = decodePAS4UX509User(outer.padataValue)
  if (got.userId.nonce !== req.userId.nonce) {
    replyFailure(`S4U2Self reply PA-S4U-X509-USER nonce ${got.userId.nonce} is not the request's`)
  }
  const usage =
    ((got.userId.options ?? 0) & S4U_OPTS_USE_REPLY_KEY_USAGE) !== 0
      ? USAGE_S4U_REPLY
      : USAGE_S4U_REQUEST
  const key = req.subkey!
  const rc4 = key.enctype === 23 || key.enctype === 24
  if (!rc4 && !isKeyedChecksum(got.checksum.cksumtype)) {
    replyFailure('S4U2Self reply PA-S4U-X509-USER checksum is unkeyed')
  }
  const ok = verifyChecksum(
    got.checksum.cksumtype,
    rc4 && !isKeyedChecksum(got.checksum.cksumtype) ? null : key,
    usage,
    encodeS4UUserID(got.userId),
    got.checksum.checksum,
    { allowWeak },
  )
  if (!ok) replyFailure('S4U2Self reply PA-S4U-X509-USER checksum does not verify')
  if (rc4) checkRC4Copy(inner, req.requestChecksum, got.checksum, got.userId)
  if (got.userId.cname === undefined || got.userId.cname.nameString.length === 0) {
    replyFailure('S4U2Self reply PA-S4U-X509-USER names no user')
  }
  const vouched = principalFromName(got.userId.cname, got.userId.crealm)
  if (req.user.nameType === NameType.ENTERPRISE) return vouched
  if (!principalEquals(vouched, req.user)) {
    replyFailure(
      `S4U2Self reply is for user ${formatPrincipal(vouched)}, expected ${formatPrincipal(req.user)}`,
      { client: formatPrincipal(vouched) },
    )
  }
  return vouched
}

/** rc4 checksums are unkeyed: the enc-part must carry both checksums (MIT, "not newer" types). */
function checkRC4Copy(
  inner: PAData | undefined,
  reqCksum: Checksum,
  repCksum: Checksum,
  userId: S4UUserID,
): void {
  if (inner === undefined) {
    if (((userId.options ?? 0) & S4U_OPTS_USE_REPLY_KEY_USAGE) !== 0) {
      replyFailure('S4U2Self rc4 reply lacks the encrypted PA-S4U-X509-USER copy')
    }
    return
  }
  const want = concatBytes(reqCksum.checksum, repCksum.checksum)
  if (!constantTimeEqual(inner.padataValue, want)) {
    replyFailure('S4U2Self reply encrypted PA-S4U-X509-USER copy does not match the checksums')
  }
}

/**
 * Read an S4U2Self reply: decrypt with the subkey, check nonce and times, the ticket is for the
 * service itself, the KDC's PA-S4U-X509-USER verifies and names the user asked for, and the
 * (unprotected) client name of the reply is that same user. Failed checks throw
 * `ERR_KRB_KDC_REPLY`; a referral (user of another realm) throws `ERR_KRB_UNSUPPORTED`.
 *
 * @example
 * ```ts
 * const out = readS4U2SelfReply(replyBytes, { request: req })
 * if (out.kind === 'ok') out.credentials.client // the impersonated user
 * ```
 */
export function readS4U2SelfReply(
  bytes: Uint8Array,
  o: ReadS4UReplyOptions<S4U2SelfRequest>,
): S4UReplyOutcome {
  const req = o.request
  const opened = openReply(bytes, req, o)
  if ('error' in opened) return { kind: 'error', ...opened }
  const { rep, encPart } = opened
  checkServer(rep, req.server, 'S4U2Self')
  const user = checkS4UReplyPA(rep, encPart, req, o.allowWeak === true)
  const client = checkClient(rep, user, 'S4U2Self')
  const credentials = { ...credentialsFromReply(rep, encPart), client, server: req.server }
  return { kind: 'ok', credentials, rep, encPart }
}

/**
 * Read an S4U2Proxy reply: decrypt with the subkey, check nonce and times, the ticket is for the
 * back-end asked for, and its client is the evidence ticket's client. Failed checks throw
 * `ERR_KRB_KDC_REPLY`; a referral (RBCD across realms) throws `ERR_KRB_UNSUPPORTED`.
 *
 * @example
 * ```ts
 * const out = readS4U2ProxyReply(replyBytes, { request: req })
 * ```
 */
export function readS4U2ProxyReply(
  bytes: Uint8Array,
  o: ReadS4UReplyOptions<S4U2ProxyRequest>,
): S4UReplyOutcome {
  const req = o.request
  const opened = openReply(bytes, req, o)
  if ('error' in opened) return { kind: 'error', ...opened }
  const { rep, encPart } = opened
  checkServer(rep, req.server, 'S4U2Proxy')
  const client = checkClient(rep, req.user, 'S4U2Proxy')
  const credentials = { ...credentialsFromReply(rep, encPart), client, server: req.server }
  return { kind: 'ok', credentials, rep, encPart }
}

/**
 * The evidence ticket an acceptor received (Kerberos-only constrained delegation, MS-SFU
 * §3.1.5.2.1): the client's ticket to this service as it came, with its client and flags, and
 * no key. Throws `ERR_KRB_DELEGATION` when the ticket is not forwardable (the KDC would refuse
 * classic constrained delegation; pass `{ rbcd: true }` to hand it on for RBCD anyway).
 *
 * @example
 * ```ts
 * const accepted = acceptor.accept(apReq)
 * const st = await client.getServiceTicketFor(evidenceFrom(accepted), 'cifs/files.ad.test')
 * ```
 */
export function evidenceFrom(
  accepted: { readonly ticket: Ticket; readonly client: Principal; readonly flags: number },
  options: { readonly rbcd?: boolean } = {},
): EvidenceTicket {
  if (!hasFlag(accepted.flags, TicketFlags.FORWARDABLE) && options.rbcd !== true) {
    throw new KerberosError(
      ErrorCodes.DELEGATION,
      `the ticket of ${formatPrincipal(accepted.client)} is not forwardable: it cannot be used for constrained delegation`,
      { context: { client: formatPrincipal(accepted.client), reason: 'not-forwardable' } },
    )
  }
  return { ticket: accepted.ticket, client: accepted.client, flags: accepted.flags }
}

/**
 * Open an S4U2Self ticket with the service's own keys (it is a ticket to the service): it must
 * decrypt with the keytab's key for its server, kvno and enctype, hold the session key of the
 * checked reply and name the same client. This binds the ticket to the reply even when the KDC
 * sends no PA-S4U-X509-USER (Samba 4.17): a ticket swapped on the path is refused. (The PAC is
 * the acceptor's to verify: `Acceptor` with the same keytab.) Throws `ERR_KRB_KDC_REPLY` on a
 * mismatch, {@link KeytabLookupError} or `ERR_KRB_INTEGRITY` when the keys do not open it.
 *
 * @example
 * ```ts
 * verifyS4U2SelfTicket(self, { keytab })
 * ```
 */
export function verifyS4U2SelfTicket(
  creds: Credentials,
  o: { readonly keytab: Keytab; readonly allowWeak?: boolean },
): void {
  const t = creds.ticket
  const entry = findKeytabEntry(o.keytab, {
    principal: principalFromName(t.sname, t.realm),
    kvno: t.encPart.kvno ?? 0,
    enctype: t.encPart.etype,
  })
  const part = decodeEncTicketPart(
    decrypt(entry.key, KeyUsage.KDC_REP_TICKET, t.encPart.cipher, {
      allowWeak: o.allowWeak === true,
    }),
  )
  if (!part.key.equals(creds.sessionKey)) {
    replyFailure('S4U2Self ticket does not hold the session key of the reply')
  }
  const client = principalFromName(part.cname, part.crealm)
  if (!principalEquals(client, creds.client)) {
    replyFailure(
      `S4U2Self ticket is for client ${formatPrincipal(client)}, the reply says ${formatPrincipal(creds.client)}`,
      { client: formatPrincipal(client) },
    )
  }
}
