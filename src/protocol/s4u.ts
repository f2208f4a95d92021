/**
 * Service for User (MS-SFU), sans I/O: S4U2Self (a service asks for a ticket to itself on behalf
 * of a user: PA-FOR-USER and PA-S4U-X509-USER) and S4U2Proxy (with that evidence ticket, or one
 * a client presented, it asks for a ticket to a back-end service: additional-tickets,
 * CNAME-IN-ADDL-TKT, PA-PAC-OPTIONS with the resource-based constrained delegation bit). The
 * replies are read and checked in `s4u-reply.ts`.
 *
 * @module
 */
import { encodeTGSReq, principalToName } from '../asn1/index.js'
import type { Checksum, KDCReq, PAData, Ticket } from '../asn1/index.js'
// From the file, not the barrel: a bundle loads these with the S4U code only (docs/bundling.md).
import {
  encodePAForUser,
  encodePAPacOptions,
  encodePAS4UX509User,
  encodeS4UUserID,
  type S4UUserID,
} from '../asn1/s4u.js'
import { checksumTypeOf, makeChecksum } from '../crypto/index.js'
import { KDCOptions, PADataType } from '../iana.js'
import { concatBytes, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import type { Principal } from '../principal.js'
import type { Credentials } from './kdc-rep.js'
import { buildTGSReq, tgsRealmOf, type TGSRequest } from './tgs.js'

/** MS-SFU §2.2.1: the checksum of PA-FOR-USER is KERB_CHECKSUM_HMAC_MD5 (-138). */
const HMAC_MD5 = -138
/** RFC 4120 §7.5.1 usage 17 (KERB_NON_KERB_CKSUM_SALT): the PA-FOR-USER checksum. */
const USAGE_FOR_USER = 17
/** MS-SFU §2.2.2: the PA-S4U-X509-USER checksum in a request. */
const USAGE_S4U_REQUEST = 26
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
 *
 * @example
 * ```ts
 * const pa = makePAForUser(parsePrincipal('alice@AD.TEST'), tgt.sessionKey) // padataType 129
 * ```
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
 * mandatory checksum (unkeyed rsa-md4 for rc4 keys, MS-SFU §2.2.2).
 *
 * @example
 * ```ts
 * const { padata } = makePAS4UX509User(parsePrincipal('alice@AD.TEST'), nonce, subkey)
 * ```
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
  // MS-SFU §2.2.2 (and MIT): rsa-md4 for an rc4 key, its integrity then coming from the
  // encrypted reply; else the key's mandatory keyed checksum.
  const rc4 = key.enctype === 23 || key.enctype === 24
  const cksumtype = rc4 ? 2 : checksumTypeOf(key.enctype)
  const checksum: Checksum = {
    cksumtype,
    checksum: makeChecksum(
      cksumtype,
      rc4 ? null : key,
      USAGE_S4U_REQUEST,
      encodeS4UUserID(userId),
      {
        allowWeak: options.allowWeak === true,
      },
    ),
  }
  const padata = {
    padataType: PADataType.FOR_X509_USER,
    padataValue: encodePAS4UX509User({ userId, checksum }),
  }
  return { userId, checksum, padata }
}

/**
 * PA-PAC-OPTIONS (type 167) with the resource-based constrained delegation bit.
 *
 * @example
 * ```ts
 * makePAPacOptionsRBCD().padataType // 167
 * ```
 */
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
