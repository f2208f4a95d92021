/**
 * Service for User (MS-SFU), sans I/O: S4U2Self (a service asks for a ticket to itself on behalf
 * of a user: PA-FOR-USER and PA-S4U-X509-USER) and S4U2Proxy (with that evidence ticket, or one
 * a client presented, it asks for a ticket to a back-end service: additional-tickets,
 * CNAME-IN-ADDL-TKT, PA-PAC-OPTIONS with the resource-based constrained delegation bit). Each
 * reply is checked against what was asked: the impersonated client name and the server name
 * are the fields an attacker changes, and the KDC's checksum-protected copy of the user name
 * (PA-S4U-X509-USER in the reply, MIT's `verify_s4u2self_reply`) is the reference.
 *
 * @module
 */
import {
  decodeEncTicketPart,
  decodePAS4UX509User,
  encodePAForUser,
  encodePAPacOptions,
  encodePAS4UX509User,
  encodeS4UUserID,
  encodeTGSReq,
  hasFlag,
  principalFromName,
  principalToName,
} from '../asn1/index.js'
import type {
  Checksum,
  EncKDCRepPart,
  KDCRep,
  KDCReq,
  KRBError,
  PAData,
  S4UUserID,
  Ticket,
} from '../asn1/index.js'
import {
  checksumTypeOf,
  decrypt,
  isKeyedChecksum,
  makeChecksum,
  verifyChecksum,
} from '../crypto/index.js'
import { ErrorCodes, KerberosError, type KDCError } from '../errors.js'
import { KDCOptions, KeyUsage, NameType, PADataType, TicketFlags } from '../iana.js'
import { concatBytes, constantTimeEqual, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import { formatPrincipal, isTGSPrincipal, principalEquals, type Principal } from '../principal.js'
import {
  checkKDCRepPart,
  credentialsFromReply,
  decryptKDCRepPart,
  parseKDCReply,
  replyFailure,
  type Credentials,
} from './kdc-rep.js'
import { buildTGSReq, tgsRealmOf, type TGSRequest } from './tgs.js'
import { findKeytabEntry } from '../keytab/lookup.js'
import type { Keytab } from '../keytab/format.js'

/** MS-SFU §2.2.1: the checksum of PA-FOR-USER is KERB_CHECKSUM_HMAC_MD5 (-138). */
const HMAC_MD5 = -138
/** RFC 4120 §7.5.1 usage 17 (KERB_NON_KERB_CKSUM_SALT): the PA-FOR-USER checksum. */
const USAGE_FOR_USER = 17
/** MS-SFU §2.2.2: the PA-S4U-X509-USER checksum in a request (26) and in the KDC's reply (27). */
const USAGE_S4U_REQUEST = 26
const USAGE_S4U_REPLY = 27
/** S4UUserID options (MS-SFU §2.2.2): the KDC signs its reply copy with usage 27. */
export const S4U_OPTS_USE_REPLY_KEY_USAGE = 0x20000000
/** PAC-OPTIONS-FLAGS bit 3 (MS-KILE §2.2.10): resource-based constrained delegation. */
export const PAC_OPTIONS_RBCD = 0x10000000

/**
 * The bytes the PA-FOR-USER checksum covers (MS-SFU §2.2.1): the name type as 4 little-endian
 * octets, each name component, the realm and the auth-package, all as UTF-8, concatenated.
 *
 * @example
 * ```ts
 * forUserChecksumData(parsePrincipal('alice@AD.TEST'), 'Kerberos')
 * ```
 */
export function forUserChecksumData(user: Principal, authPackage: string): Uint8Array {
  const enc = new TextEncoder()
  const type = new Uint8Array(4)
  new DataView(type.buffer).setInt32(0, user.nameType, true)
  return concatBytes(
    type,
    ...user.components.map((c) => enc.encode(c)),
    enc.encode(user.realm),
    enc.encode(authPackage),
  )
}

/**
 * PA-FOR-USER (type 129) for `user`, its HMAC-MD5 checksum keyed with the TGT session key
 * (MS-SFU §2.2.1 names this checksum whatever the key's enctype; the strong checksum is the one
 * of PA-S4U-X509-USER, sent beside it).
 */
export function makePAForUser(user: Principal, tgtSessionKey: KerberosKey): PAData {
  const authPackage = 'Kerberos'
  const checksum = makeChecksum(
    HMAC_MD5,
    tgtSessionKey,
    USAGE_FOR_USER,
    forUserChecksumData(user, authPackage),
    // Mandated by MS-SFU, not chosen: it does not turn rc4 on anywhere else.
    { allowWeak: true },
  )
  const { name, realm } = principalToName(user)
  return {
    padataType: PADataType.FOR_USER,
    padataValue: encodePAForUser({
      userName: name,
      userRealm: realm,
      cksum: { cksumtype: HMAC_MD5, checksum },
      authPackage,
    }),
  }
}

/** The S4UUserID a request carries, and PA-S4U-X509-USER (type 130) with its checksum. */
export interface S4UX509UserPA {
  readonly userId: S4UUserID
  readonly checksum: Checksum
  readonly padata: PAData
}

/**
 * PA-S4U-X509-USER for `user` with the request's nonce, asking for a reply checksum with usage 27
 * (USE-REPLY-KEY-USAGE, as MIT); checksum usage 26 with `key` (the TGS subkey), type the key's
 * mandatory checksum (rsa-md4 for rc4 keys, MS-SFU §2.2.2).
 */
export function makePAS4UX509User(
  user: Principal,
  nonce: number,
  key: KerberosKey,
  options: { readonly allowWeak?: boolean } = {},
): S4UX509UserPA {
  const { name, realm } = principalToName(user)
  const userId: S4UUserID = {
    nonce,
    cname: name,
    crealm: realm,
    options: S4U_OPTS_USE_REPLY_KEY_USAGE,
  }
  const cksumtype = checksumTypeOf(key.enctype)
  const checksum: Checksum = {
    cksumtype,
    checksum: makeChecksum(cksumtype, key, USAGE_S4U_REQUEST, encodeS4UUserID(userId), {
      allowWeak: options.allowWeak === true,
    }),
  }
  const padata = {
    padataType: PADataType.FOR_X509_USER,
    padataValue: encodePAS4UX509User({ userId, checksum }),
  }
  return { userId, checksum, padata }
}

/** PA-PAC-OPTIONS (type 167) with the resource-based constrained delegation bit. */
export function makePAPacOptionsRBCD(): PAData {
  return {
    padataType: PADataType.PAC_OPTIONS,
    padataValue: encodePAPacOptions({ flags: PAC_OPTIONS_RBCD }),
  }
}

/** Common options of the two S4U requests. */
export interface S4URequestCommon {
  /** The service's own TGT (from its keytab login). */
  readonly tgt: Credentials
  readonly etypes: readonly number[]
  readonly nonce: number
  readonly now: Date
  /** Ask for a forwardable ticket (needed to use an S4U2Self ticket as S4U2Proxy evidence). */
  readonly forwardable?: boolean
  /** Extra KDC options (the TGT's FORWARDABLE/PROXIABLE/RENEWABLE carried over, as MIT). */
  readonly kdcOptions?: number
  /** Randomness for the subkey (a key: never a pool). */
  readonly random?: RandomSource
  readonly allowWeak?: boolean
}

/** Options for {@link buildS4U2SelfReq}. */
export interface S4U2SelfRequestOptions extends S4URequestCommon {
  /** The user to impersonate, with a realm (the TGT's realm for a single-realm AD). */
  readonly user: Principal
}

/** A built S4U2Self request and what its reply is checked against. */
export interface S4U2SelfRequest extends TGSRequest {
  readonly kind: 's4u2self'
  readonly user: Principal
  readonly userId: S4UUserID
  readonly requestChecksum: Checksum
}

/** The TGS-REQ with `padata` appended (the authenticator covers the body only). */
function withPadata(req: TGSRequest, padata: readonly PAData[]): TGSRequest {
  const kdcReq: KDCReq = { ...req.req, padata: [...(req.req.padata ?? []), ...padata] }
  return { ...req, req: kdcReq, bytes: encodeTGSReq(kdcReq) }
}

function kdcOptionsOf(o: S4URequestCommon, extra: readonly number[]): number {
  let opts = (o.kdcOptions ?? 0) >>> 0
  opts |= 1 << (31 - KDCOptions.CANONICALIZE)
  if (o.forwardable === true) opts |= 1 << (31 - KDCOptions.FORWARDABLE)
  for (const bit of extra) opts |= 1 << (31 - bit)
  return opts >>> 0
}

/**
 * Build an S4U2Self TGS-REQ (MS-SFU §3.1.5.1.1): a ticket to the service itself (the TGT's
 * client) for `user`, with a fresh subkey, PA-FOR-USER (for KDCs that know only that) and
 * PA-S4U-X509-USER (keyed with the subkey, bound to the request nonce).
 *
 * @example
 * ```ts
 * const req = buildS4U2SelfReq({ tgt, user: parsePrincipal('alice@AD.TEST'), etypes: [18],
 *   nonce: makeNonce(), now: new Date(), forwardable: true })
 * const out = readS4U2SelfReply(await transport.sendToKDC(req.realm, req.bytes), { request: req })
 * ```
 */
export function buildS4U2SelfReq(o: S4U2SelfRequestOptions): S4U2SelfRequest {
  if (o.user.realm === '' || o.user.components.length === 0) {
    throw new TypeError('expected the user to impersonate with a name and a realm')
  }
  const base = buildTGSReq({
    tgt: o.tgt,
    server: { ...o.tgt.client, realm: tgsRealmOf(o.tgt) },
    kdcOptions: kdcOptionsOf(o, []),
    etypes: o.etypes,
    nonce: o.nonce,
    now: o.now,
    subkey: true,
    ...(o.random !== undefined ? { random: o.random } : {}),
    ...(o.allowWeak !== undefined ? { allowWeak: o.allowWeak } : {}),
  })
  const x509 = makePAS4UX509User(o.user, o.nonce, base.subkey!, { allowWeak: o.allowWeak === true })
  const req = withPadata(base, [makePAForUser(o.user, o.tgt.sessionKey), x509.padata])
  return {
    ...req,
    kind: 's4u2self',
    user: o.user,
    userId: x509.userId,
    requestChecksum: x509.checksum,
  }
}

/** What a client may present for S4U2Proxy: a ticket to this service, without any key. */
export interface EvidenceTicket {
  /** The ticket as received (encrypted in the service's key). */
  readonly ticket: Ticket
  /** The client the ticket is for: the user the back-end ticket will name. */
  readonly client: Principal
  /** Ticket flags; S4U2Proxy needs FORWARDABLE (RBCD can do without). */
  readonly flags: number
}

/** Options for {@link buildS4U2ProxyReq}. */
export interface S4U2ProxyRequestOptions extends S4URequestCommon {
  /** The evidence ticket: from S4U2Self, or the one a client presented to this service. */
  readonly evidence: EvidenceTicket
  /** The back-end service. */
  readonly server: Principal
  /** Send PA-PAC-OPTIONS with the RBCD bit (as MIT); default true. */
  readonly rbcd?: boolean
}

/** A built S4U2Proxy request. */
export interface S4U2ProxyRequest extends TGSRequest {
  readonly kind: 's4u2proxy'
  /** The user the reply must name (the evidence ticket's client). */
  readonly user: Principal
}

/**
 * Build an S4U2Proxy TGS-REQ (MS-SFU §3.1.5.2.1): the service's TGT in PA-TGS-REQ, the evidence
 * ticket in additional-tickets, CNAME-IN-ADDL-TKT (KDC option 14) and CANONICALIZE, and
 * PA-PAC-OPTIONS with the RBCD bit.
 *
 * @example
 * ```ts
 * const req = buildS4U2ProxyReq({ tgt, evidence: { ticket, client, flags }, server: backEnd,
 *   etypes: [18], nonce: makeNonce(), now: new Date() })
 * ```
 */
export function buildS4U2ProxyReq(o: S4U2ProxyRequestOptions): S4U2ProxyRequest {
  const base = buildTGSReq({
    tgt: o.tgt,
    server: o.server,
    kdcOptions: kdcOptionsOf(o, [KDCOptions.CONSTRAINED_DELEGATION]),
    etypes: o.etypes,
    nonce: o.nonce,
    now: o.now,
    subkey: true,
    additionalTickets: [o.evidence.ticket],
    ...(o.random !== undefined ? { random: o.random } : {}),
    ...(o.allowWeak !== undefined ? { allowWeak: o.allowWeak } : {}),
  })
  const req = o.rbcd === false ? base : withPadata(base, [makePAPacOptionsRBCD()])
  return { ...req, kind: 's4u2proxy', user: o.evidence.client }
}

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
