/**
 * Accepting an AP-REQ (RFC 4120 §3.2.3): find the service key in the keytab, decrypt the ticket
 * (key usage 2) and the authenticator (usage 11), check names, times and the replay cache, and
 * answer with an AP-REP when mutual authentication is asked for.
 *
 * Key search follows MIT: every key of the ticket's server principal and enctype is tried,
 * whatever its kvno; the kvno only shapes the error when nothing decrypts.
 *
 * @module
 */
import { decodeAPReq, decodeAuthenticator, decodeEncTicketPart } from '../asn1/index.js'
import type {
  APReq,
  Authenticator,
  AuthorizationData,
  Checksum,
  EncTicketPart,
  Ticket,
} from '../asn1/index.js'
import { hasFlag } from '../asn1/flags.js'
import { decrypt, getProfile, randomKey, type CryptoBackend } from '../crypto/index.js'
import { ErrorCodes, KerberosError, KeytabLookupError, type KeytabKeyInfo } from '../errors.js'
import { APOptions, EncTypeKeyLength, KeyUsage, TicketFlags, describeEncType } from '../iana.js'
import { randomBytes, type RandomSource } from '../internal/bytes.js'
import { RedactedBytes, type KerberosKey } from '../key.js'
import type { Keytab, KeytabEntry, PrincipalLike } from '../keytab/index.js'
import { toPrincipal } from '../keytab/index.js'
import { formatPrincipal, principalEquals, type Principal } from '../principal.js'
import { makeAPRep, type MakeAPRepOptions } from './ap-rep.js'
import {
  GSS_CHECKSUM_TYPE,
  GSSFlags,
  checkDelegatedClient,
  decodeGSSChecksum,
  readDelegatedCredential,
  type DelegatedCredential,
  type GSSChecksum,
} from './gss-checksum.js'
import { MemoryReplayCache, replayKey, type ReplayCache, type ReplayEntry } from './replay-cache.js'
import { checkTransited, type TransitedInfo, type TransitedPolicy } from './transited.js'
import {
  findPAC,
  verifyPAC,
  type PAC,
  type PACIdentity,
  type VerifyPACOptions,
} from '../pac/index.js'
import { verifyPACIdentity } from '../pac/verify.js'

/** Default maximum clock difference, in seconds (MIT's `clockskew`). */
export const DEFAULT_CLOCK_SKEW = 300

// ---------------------------------------------------------------------------------------------
// Keytab index

/** The keys of one principal, grouped for the acceptor's key search. */
export interface KeytabPrincipalKeys {
  readonly principal: Principal
  /** Entries per enctype, highest kvno first. */
  readonly byEnctype: ReadonlyMap<number, readonly KeytabEntry[]>
  /** Distinct (kvno, enctype) pairs held, for error messages. */
  readonly available: readonly KeytabKeyInfo[]
}

/** A keytab indexed by principal (components + realm; name type ignored). */
export interface KeytabIndex {
  readonly keytab: Keytab
  readonly principals: readonly KeytabPrincipalKeys[]
  lookup(p: Principal): KeytabPrincipalKeys | undefined
}

function principalKey(p: Principal): string {
  return p.realm + '\0' + p.components.join('\0')
}

/**
 * Index a keytab for {@link verifyAPReq}: one map lookup per AP-REQ instead of a scan.
 *
 * @example
 * ```ts
 * const index = indexKeytab(parseKeytab(bytes))
 * index.lookup(parsePrincipal('HTTP/web.example.com@EXAMPLE.COM'))?.available
 * ```
 */
export function indexKeytab(keytab: Keytab): KeytabIndex {
  const map = new Map<string, { principal: Principal; entries: KeytabEntry[] }>()
  for (const e of keytab.entries) {
    const k = principalKey(e.principal)
    let slot = map.get(k)
    if (slot === undefined) map.set(k, (slot = { principal: e.principal, entries: [] }))
    slot.entries.push(e)
  }
  const out = new Map<string, KeytabPrincipalKeys>()
  for (const [k, { principal, entries }] of map) {
    const byEnctype = new Map<number, KeytabEntry[]>()
    const seen = new Set<string>()
    const available: KeytabKeyInfo[] = []
    for (const e of entries) {
      let list = byEnctype.get(e.enctype)
      if (list === undefined) byEnctype.set(e.enctype, (list = []))
      list.push(e)
      const id = `${e.kvno}/${e.enctype}`
      if (!seen.has(id)) {
        seen.add(id)
        available.push({ kvno: e.kvno, enctype: e.enctype })
      }
    }
    for (const list of byEnctype.values()) list.sort((a, b) => b.kvno - a.kvno)
    out.set(k, { principal, byEnctype, available })
  }
  const principals = [...out.values()]
  return { keytab, principals, lookup: (p) => out.get(principalKey(p)) }
}

function isIndex(k: Keytab | KeytabIndex): k is KeytabIndex {
  return typeof (k as KeytabIndex).lookup === 'function'
}

// ---------------------------------------------------------------------------------------------
// Verification

/** Options for {@link verifyAPReq}. */
export interface VerifyAPReqOptions {
  /** The service keys: a parsed keytab or an index made with {@link indexKeytab} (faster). */
  readonly keytab: Keytab | KeytabIndex
  /** Accept only tickets for this principal (text without `@REALM` = any realm). Default: any in the keytab. */
  readonly principal?: PrincipalLike
  /**
   * Accept only tickets whose service (the first name component: `HTTP` in `HTTP/web@R`,
   * compared case-insensitively as AD does) is one of these. Default: any principal in the
   * keytab. The HTTP middleware defaults to `['HTTP']`.
   */
  readonly allowedServices?: readonly string[]
  /**
   * Cross-realm tickets whose transited realms the KDC did not check (no
   * TRANSITED-POLICY-CHECKED): `'kdc'` (default) refuses them (RFC 4120 §2.7); a function
   * decides, e.g. `capathsTransitedPolicy(config)`.
   */
  readonly transitedPolicy?: TransitedPolicy
  /** Demand a key with the ticket's exact kvno (MIT's default is to try every kvno). */
  readonly strictKvno?: boolean
  /** Allowed clock difference in seconds (default 300). */
  readonly clockSkew?: number
  /** Accept rc4-hmac tickets, session keys and subkeys. Default false. */
  readonly allowWeakCrypto?: boolean
  /** Enctypes accepted for tickets, session keys and subkeys (default: every supported one). */
  readonly enctypes?: readonly number[]
  /** The clock (default `Date.now`). */
  readonly now?: () => number | Date
  /** Crypto backend for this acceptor. */
  readonly backend?: CryptoBackend
  /**
   * MS-PAC processing: `'verify'` (default) checks the ticket's PAC when it has one (server
   * signature with the service key, CLIENT_INFO against the ticket) and refuses the ticket when
   * that fails; `'require'` also refuses tickets without a PAC; `'lenient'` drops a PAC that
   * fails instead (MIT's acceptor); `'skip'` does not look. See docs/pac.md. A lean build
   * (docs/bundling.md) verifies PACs only after {@link enablePAC}: until then a ticket with a PAC
   * is refused (ERR_KRB_PAC_VERIFY, reason `pac-not-enabled`) unless this is `'skip'` or
   * `'lenient'` (which drops the PAC).
   */
  readonly pac?: 'verify' | 'require' | 'lenient' | 'skip'
}

/** What a verified AP-REQ says. */
export interface VerifiedAPReq {
  /** The authenticated client (from the ticket). */
  readonly client: Principal
  /** The service principal the ticket was issued for (name type as the ticket has it). */
  readonly server: Principal
  /** The kvno and enctype of the keytab key that decrypted the ticket. */
  readonly kvno: number
  readonly enctype: number
  /** The ticket's session key. */
  readonly sessionKey: KerberosKey
  /** The authenticator's subkey, when the client sent one. */
  readonly subkey?: KerberosKey
  /** The key to protect the session with: the subkey when present, else the session key. */
  readonly key: KerberosKey
  /** Ticket flags (RFC 4120 §5.3 bit numbering, see {@link hasFlag}). */
  readonly flags: number
  readonly authtime: Date
  readonly starttime?: Date
  readonly endtime: Date
  readonly renewTill?: Date
  /** The ticket's authorization data, raw (MIT puts a PAC in AD-IF-RELEVANT / ad-type 128). */
  readonly authorizationData?: AuthorizationData
  /** The ticket's PAC, when it has one whose server signature verified (option `pac`). */
  readonly pac?: PAC
  /** Who the verified PAC says the client is: user and group SIDs, names. */
  readonly identity?: PACIdentity
  /** AP options of the request. */
  readonly apOptions: number
  /** True when the client set MUTUAL-REQUIRED. */
  readonly mutualRequired: boolean
  /** The authenticator's time, sequence number and checksum. */
  readonly ctime: Date
  readonly cusec: number
  readonly seqNumber?: number
  readonly checksum?: Checksum
  /** The ticket's transited realms and whether the KDC checked them. */
  readonly transited: TransitedInfo
  /** The decoded pieces, for anything not lifted above. */
  readonly ticket: Ticket
  readonly encTicketPart: EncTicketPart
  readonly authenticator: Authenticator
  /** What the replay cache should store. */
  readonly replayEntry: ReplayEntry
}

function nowMs(now: (() => number | Date) | undefined): number {
  if (now === undefined) return Date.now()
  const v = now()
  return typeof v === 'number' ? v : v.getTime()
}

function apError(
  reason: string,
  message: string,
  context: Readonly<Record<string, unknown>> = {},
): KerberosError {
  return new KerberosError(ErrorCodes.AP_ERROR, message, { context: { reason, ...context } })
}

function checkEnctype(etype: number, what: string, options: VerifyAPReqOptions): void {
  const weak = getProfile(etype, { allowWeak: true }).weak
  if (weak && options.allowWeakCrypto !== true) {
    // The Acceptor's option is allowWeakCrypto (the crypto functions' is allowWeak).
    throw new KerberosError(
      ErrorCodes.WEAK_CRYPTO,
      `${what} enctype ${describeEncType(etype)} is weak and refused; pass allowWeakCrypto: true to accept it`,
      { context: { enctype: etype } },
    )
  }
  if (options.enctypes !== undefined && !options.enctypes.includes(etype)) {
    throw apError(
      'enctype-not-allowed',
      `${what} enctype ${describeEncType(etype)} is not allowed`,
      {
        enctype: etype,
      },
    )
  }
}

/**
 * Verify an AP-REQ without the replay check (see {@link Acceptor} for the whole thing). Throws
 * {@link KeytabLookupError} when no key decrypts the ticket, ERR_KRB_CLOCK_SKEW,
 * ERR_KRB_TICKET_TIME, ERR_KRB_AP_ERROR (`context.reason`), ERR_KRB_WEAK_CRYPTO or
 * ERR_KRB_ASN1_DECODE.
 *
 * @example
 * ```ts
 * const v = verifyAPReq(apReqBytes, { keytab: indexKeytab(kt) })
 * formatPrincipal(v.client) // 'alice@EXAMPLE.COM'
 * ```
 */
export function verifyAPReq(apReq: Uint8Array | APReq, options: VerifyAPReqOptions): VerifiedAPReq {
  const req = apReq instanceof Uint8Array ? decodeAPReq(apReq) : apReq
  const ticket = req.ticket
  const server: Principal = {
    nameType: ticket.sname.nameType,
    components: ticket.sname.nameString,
    realm: ticket.realm,
  }
  if (options.allowedServices !== undefined) checkService(server, options.allowedServices)
  if (options.principal !== undefined) {
    const { principal, anyRealm } = toPrincipal(options.principal)
    if (!principalEquals(server, principal, { ignoreRealm: anyRealm })) {
      throw apError(
        'wrong-principal',
        `ticket is for ${formatPrincipal(server)}, this acceptor accepts only ${formatPrincipal(principal)}`,
        { principal: formatPrincipal(server), expected: formatPrincipal(principal) },
      )
    }
  }
  if (hasFlag(req.apOptions, APOptions.USE_SESSION_KEY)) {
    throw apError('user-to-user', 'user-to-user AP-REQs (USE-SESSION-KEY) are not supported')
  }
  checkEnctype(ticket.encPart.etype, 'ticket', options)
  const index = isIndex(options.keytab) ? options.keytab : indexKeytab(options.keytab)
  const crypto = cryptoOptions(options)
  const { entry, plain } = decryptTicket(index, server, ticket, options.strictKvno === true, crypto)
  const part = decodeEncTicketPart(plain)
  const sessionKey = part.key
  checkEnctype(sessionKey.enctype, 'session key', options)
  const auth = decryptAuthenticator(req, sessionKey, crypto)
  const client: Principal = {
    nameType: part.cname.nameType,
    components: part.cname.nameString,
    realm: part.crealm,
  }
  checkClient(client, auth)
  if (auth.subkey !== undefined) checkEnctype(auth.subkey.enctype, 'subkey', options)
  const now = nowMs(options.now)
  const skew = (options.clockSkew ?? DEFAULT_CLOCK_SKEW) * 1000
  const time = auth.ctime.getTime() + Math.floor(auth.cusec / 1000)
  checkSkew(time, now, skew, client)
  checkTicketTimes(part, now, skew, client, server)
  const transited = checkTransited(part, server.realm, options.transitedPolicy)
  // The key is the authenticator's integrity tag only: sname/realm are clear text (RFC 4120
  // §5.3) and an AD keytab holds many SPNs with one key (review #5). Names are for logs.
  const v = result(req, part, auth, entry, client, server, transited, {
    key: replayKey(req.authenticator),
    client: formatPrincipal(client),
    server: formatPrincipal(server),
    time,
    expiresAt: time + skew,
  })
  return options.pac === 'skip' ? v : withPAC(v, entry.key, options, crypto)
}

/**
 * Refuse a ticket whose service class is not allowed (`host/` or `cifs/` tickets sent to a web
 * endpoint). Throws ERR_KRB_AP_ERROR with `reason: 'wrong-service'`.
 *
 * @example
 * ```ts
 * checkService(parsePrincipal('host/web.example.com@EXAMPLE.COM'), ['HTTP']) // throws
 * ```
 */
export function checkService(server: Principal, allowed: readonly string[]): void {
  const service = server.components.length >= 2 ? server.components[0]!.toLowerCase() : undefined
  for (const a of allowed) if (a === '*' || a.toLowerCase() === service) return
  throw apError(
    'wrong-service',
    `ticket is for ${formatPrincipal(server)}, this acceptor accepts only ${allowed.map((a) => `${a}/…`).join(', ')} services`,
    { principal: formatPrincipal(server), allowedServices: [...allowed] },
  )
}

function cryptoOptions(o: VerifyAPReqOptions): { allowWeak: boolean; backend?: CryptoBackend } {
  return o.backend === undefined
    ? { allowWeak: o.allowWeakCrypto === true }
    : { allowWeak: o.allowWeakCrypto === true, backend: o.backend }
}

function decryptAuthenticator(
  req: APReq,
  sessionKey: KerberosKey,
  crypto: { allowWeak: boolean },
): Authenticator {
  if (req.authenticator.etype !== sessionKey.enctype) {
    throw apError(
      'bad-integrity',
      `authenticator enctype ${describeEncType(req.authenticator.etype)} differs from the session key's ${describeEncType(sessionKey.enctype)}`,
    )
  }
  let plain: Uint8Array
  try {
    plain = decrypt(sessionKey, KeyUsage.AP_REQ_AUTH, req.authenticator.cipher, crypto)
  } catch (err) {
    if (err instanceof KerberosError && err.code === ErrorCodes.INTEGRITY) {
      throw new KerberosError(
        ErrorCodes.AP_ERROR,
        'authenticator does not decrypt with the ticket session key',
        {
          cause: err,
          context: { reason: 'bad-integrity' },
        },
      )
    }
    throw err
  }
  return decodeAuthenticator(plain)
}

function checkClient(client: Principal, auth: Authenticator): void {
  const named: Principal = {
    nameType: auth.cname.nameType,
    components: auth.cname.nameString,
    realm: auth.crealm,
  }
  if (!principalEquals(client, named)) {
    throw apError(
      'bad-match',
      `authenticator client ${formatPrincipal(named)} does not match ticket client ${formatPrincipal(client)}`,
      { client: formatPrincipal(client), authenticatorClient: formatPrincipal(named) },
    )
  }
}

function checkSkew(time: number, now: number, skew: number, client: Principal): void {
  if (Math.abs(time - now) <= skew) return
  throw new KerberosError(
    ErrorCodes.CLOCK_SKEW,
    `authenticator time ${new Date(time).toISOString()} from ${formatPrincipal(client)} is ${Math.round(Math.abs(time - now) / 1000)} s off (clock skew allowed: ${skew / 1000} s)`,
    {
      context: {
        client: formatPrincipal(client),
        ctime: new Date(time),
        now: new Date(now),
        skew: skew / 1000,
      },
    },
  )
}

function checkTicketTimes(
  part: EncTicketPart,
  now: number,
  skew: number,
  client: Principal,
  server: Principal,
): void {
  const start = (part.starttime ?? part.authtime).getTime()
  const invalid = hasFlag(part.flags, TicketFlags.INVALID)
  if (start - now <= skew && now - part.endtime.getTime() <= skew && !invalid) return
  // Failure only from here: the context is built when it is needed, not per accepted request.
  const ctx = {
    client: formatPrincipal(client),
    server: formatPrincipal(server),
    now: new Date(now),
  }
  if (start - now > skew) {
    throw new KerberosError(
      ErrorCodes.TICKET_TIME,
      `ticket for ${ctx.server} is not yet valid (starts ${new Date(start).toISOString()})`,
      {
        context: { ...ctx, reason: 'not-yet-valid', starttime: new Date(start) },
      },
    )
  }
  if (now - part.endtime.getTime() > skew) {
    throw new KerberosError(
      ErrorCodes.TICKET_TIME,
      `ticket for ${ctx.server} expired at ${part.endtime.toISOString()}`,
      {
        context: { ...ctx, reason: 'expired', endtime: part.endtime },
      },
    )
  }
  throw new KerberosError(
    ErrorCodes.TICKET_TIME,
    `ticket for ${ctx.server} is marked INVALID (postdated, not yet validated)`,
    {
      context: { ...ctx, reason: 'invalid' },
    },
  )
}

function result(
  req: APReq,
  part: EncTicketPart,
  auth: Authenticator,
  entry: KeytabEntry,
  client: Principal,
  server: Principal,
  transited: TransitedInfo,
  replayEntry: ReplayEntry,
): VerifiedAPReq {
  // Built by assignment (no spreads): this runs once per accepted request.
  const v: Mutable<VerifiedAPReq> = {
    client,
    server,
    kvno: entry.kvno,
    enctype: entry.enctype,
    sessionKey: part.key,
    key: auth.subkey ?? part.key,
    flags: part.flags,
    authtime: part.authtime,
    endtime: part.endtime,
    apOptions: req.apOptions,
    mutualRequired: hasFlag(req.apOptions, APOptions.MUTUAL_REQUIRED),
    ctime: auth.ctime,
    cusec: auth.cusec,
    ticket: req.ticket,
    encTicketPart: part,
    authenticator: auth,
    transited,
    replayEntry,
  }
  if (auth.subkey !== undefined) v.subkey = auth.subkey
  if (part.starttime !== undefined) v.starttime = part.starttime
  if (part.renewTill !== undefined) v.renewTill = part.renewTill
  if (part.authorizationData !== undefined) v.authorizationData = part.authorizationData
  if (auth.seqNumber !== undefined) v.seqNumber = auth.seqNumber
  if (auth.cksum !== undefined) v.checksum = auth.cksum
  return v
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

// ---------------------------------------------------------------------------------------------
// Key search

const kvnoMatches = (have: number, want: number): boolean =>
  want === 0 || have === want || have === 0 || have === (want & 0xff)

function tryDecrypt(
  entry: KeytabEntry,
  cipher: Uint8Array,
  crypto: { allowWeak: boolean },
): Uint8Array | undefined {
  // A keytab key of the wrong size (a damaged or hand-made keytab) simply cannot decrypt.
  const want = EncTypeKeyLength.get(entry.key.enctype)
  if (want !== undefined && entry.key.length !== want) return undefined
  try {
    return decrypt(entry.key, KeyUsage.KDC_REP_TICKET, cipher, crypto)
  } catch (err) {
    if (err instanceof KerberosError && err.code === ErrorCodes.INTEGRITY) return undefined
    throw err
  }
}

function decryptTicket(
  index: KeytabIndex,
  server: Principal,
  ticket: Ticket,
  strict: boolean,
  crypto: { allowWeak: boolean },
): { entry: KeytabEntry; plain: Uint8Array } {
  const etype = ticket.encPart.etype
  const kvno = ticket.encPart.kvno ?? 0
  const keys = index.lookup(server)
  const list = keys?.byEnctype.get(etype) ?? []
  // Exact kvno first (the usual case: one decrypt), then every other key unless strict.
  for (const e of list) {
    if (!kvnoMatches(e.kvno, kvno)) continue
    const plain = tryDecrypt(e, ticket.encPart.cipher, crypto)
    if (plain !== undefined) return { entry: e, plain }
  }
  if (!strict) {
    for (const e of list) {
      if (kvnoMatches(e.kvno, kvno)) continue
      const plain = tryDecrypt(e, ticket.encPart.cipher, crypto)
      if (plain !== undefined) return { entry: e, plain }
    }
  }
  throw keySearchError(index, keys, server, kvno, etype)
}

function describeAvailable(info: readonly KeytabKeyInfo[]): string {
  return info.length === 0
    ? 'nothing'
    : info.map((i) => `kvno ${i.kvno} ${describeEncType(i.enctype)}`).join(', ')
}

/** MIT-like messages for the four ways a key search fails (krb5_rd_req's keytab errors). */
function keySearchError(
  index: KeytabIndex,
  keys: KeytabPrincipalKeys | undefined,
  server: Principal,
  kvno: number,
  etype: number,
): KeytabLookupError {
  const name = formatPrincipal(server)
  const et = describeEncType(etype)
  const kv = kvno === 0 ? '' : ` kvno ${kvno}`
  const base = { principal: name, ...(kvno === 0 ? {} : { kvno }), enctype: etype }
  if (keys === undefined) {
    const held = index.principals.slice(0, 8).map((p) => formatPrincipal(p.principal))
    return new KeytabLookupError(
      { ...base, reason: 'principal-not-found', available: [] },
      `server ${name} not found in keytab (keytab holds ${held.length === 0 ? 'no keys' : held.join(', ')})`,
    )
  }
  const avail = keys.available
  const holds = `keytab holds ${describeAvailable(avail)}`
  const hasKvno = kvno === 0 || avail.some((a) => kvnoMatches(a.kvno, kvno))
  if (!hasKvno) {
    const max = Math.max(...avail.map((a) => a.kvno))
    const side = max > kvno ? 'ticket' : 'keytab'
    return new KeytabLookupError(
      { ...base, reason: 'kvno-not-found', available: avail },
      `request ticket server ${name}${kv} not found in keytab; ${side} is likely out of date (${holds})`,
    )
  }
  if (!avail.some((a) => a.enctype === etype && kvnoMatches(a.kvno, kvno))) {
    return new KeytabLookupError(
      { ...base, reason: 'enctype-not-found', available: avail },
      `request ticket server ${name}${kv} found in keytab but not with enctype ${et} (${holds})`,
    )
  }
  return new KeytabLookupError(
    { ...base, reason: 'cannot-decrypt', available: avail },
    `request ticket server ${name}${kv} enctype ${et} found in keytab but cannot decrypt ticket (${holds})`,
  )
}

// ---------------------------------------------------------------------------------------------
// Acceptor

/** Options for {@link Acceptor}. */
export interface AcceptorOptions extends Omit<VerifyAPReqOptions, 'keytab'> {
  /** The service keys; replace them later with {@link Acceptor.setKeytab} (key rotation). */
  readonly keytab: Keytab | KeytabIndex
  /**
   * Replay cache: default a fresh {@link MemoryReplayCache}; pass one instance to several
   * acceptors to share it, or `false` to turn replay detection off.
   */
  readonly replayCache?: ReplayCache | false
  /** Randomness for AP-REP subkeys and sequence numbers. */
  readonly random?: RandomSource
}

/** Per-call options for {@link Acceptor.accept}. */
export interface AcceptOptions {
  /**
   * Make an AP-REP: `'auto'` (default) when the client set MUTUAL-REQUIRED or asked for mutual
   * authentication in a GSS checksum; `true`/`false` to force.
   */
  readonly mutual?: boolean | 'auto'
  /** Put a fresh acceptor subkey (same enctype as the session key) in the AP-REP. */
  readonly acceptorSubkey?: boolean
  /** Put a sequence number in the AP-REP (`true` = random 30-bit, or a number). */
  readonly apRepSeqNumber?: boolean | number
  /**
   * For this call, accept only these services (first name component, case-insensitive; `'*'`
   * any), on top of the acceptor's own options. Checked before any decryption.
   */
  readonly allowedServices?: readonly string[]
}

/** What {@link Acceptor.accept} returns. */
export interface AcceptResult extends VerifiedAPReq {
  /** The AP-REP to send back, when mutual authentication applies. */
  readonly apRep?: Uint8Array
  /** The acceptor subkey put in the AP-REP. */
  readonly acceptorSubkey?: KerberosKey
  /** The sequence number put in the AP-REP. */
  readonly acceptorSeqNumber?: number
  /** The GSS-API checksum (type 0x8003), decoded, when the authenticator carries one. */
  readonly gssChecksum?: GSSChecksum
  /**
   * A delegated (forwarded) TGT from the GSS checksum, its `pname`/`prealm` checked against (or
   * filled in from) the authenticated client.
   */
  readonly delegated?: DelegatedCredential
  /**
   * Why a delegated credential that came with the request was dropped (ERR_KRB_AP_ERROR,
   * `reason: 'delegation-client'`: it named another client than the authenticated one).
   */
  readonly delegationRefused?: KerberosError
}

/**
 * A Kerberos service: verifies AP-REQs with its keytab and a replay cache.
 *
 * @example
 * ```ts
 * const acceptor = new Acceptor({ keytab: parseKeytab(await readFile('http.keytab')) })
 * const { client, apRep } = acceptor.accept(apReqBytes)
 * formatPrincipal(client) // 'alice@EXAMPLE.COM'
 * ```
 */
export class Acceptor {
  readonly options: AcceptorOptions
  readonly replayCache: ReplayCache | undefined
  #index: KeytabIndex
  #verify: VerifyAPReqOptions | undefined
  #crypto: { allowWeak: boolean; backend?: CryptoBackend } | undefined

  constructor(options: AcceptorOptions) {
    if (options === null || typeof options !== 'object' || options.keytab === undefined) {
      throw new TypeError('expected options with a keytab')
    }
    this.options = options
    this.#index = isIndex(options.keytab) ? options.keytab : indexKeytab(options.keytab)
    // The default cache runs on the acceptor's clock (review #18a): with an injected `now`, the
    // system clock would call every entry expired (or keep them forever).
    const now = options.now
    this.replayCache =
      options.replayCache === false
        ? undefined
        : (options.replayCache ??
          new MemoryReplayCache(now === undefined ? {} : { now: () => nowMs(now) }))
  }

  /** The keytab in use. */
  get keytab(): Keytab {
    return this.#index.keytab
  }

  /** Swap in new keys (a reloaded keytab after `ktadd`); in-flight calls keep the old ones. */
  setKeytab(keytab: Keytab | KeytabIndex): void {
    this.#index = isIndex(keytab) ? keytab : indexKeytab(keytab)
    this.#verify = undefined
  }

  /** The options for verifyAPReq, made once per keytab rather than spread per request. */
  #verifyOptions(): VerifyAPReqOptions {
    return (this.#verify ??= { ...this.options, keytab: this.#index })
  }

  /**
   * Verify an AP-REQ, check the replay cache, and build the AP-REP. Needs a synchronous replay
   * cache; with an asynchronous one use {@link Acceptor.acceptAsync}.
   */
  accept(apReq: Uint8Array | APReq, options: AcceptOptions = {}): AcceptResult {
    const v = verifyAPReq(servicesChecked(apReq, options), this.#verifyOptions())
    const fresh = this.replayCache?.checkAndStore(v.replayEntry) ?? true
    if (typeof fresh !== 'boolean') {
      throw new TypeError('the replay cache returned a Promise: use acceptAsync()')
    }
    if (!fresh) throw replayError(v)
    return this.#finish(v, options)
  }

  /** {@link Acceptor.accept} for replay caches that answer with a Promise. */
  async acceptAsync(apReq: Uint8Array | APReq, options: AcceptOptions = {}): Promise<AcceptResult> {
    const v = verifyAPReq(servicesChecked(apReq, options), this.#verifyOptions())
    const fresh = (await this.replayCache?.checkAndStore(v.replayEntry)) ?? true
    if (!fresh) throw replayError(v)
    return this.#finish(v, options)
  }

  #finish(v: VerifiedAPReq, options: AcceptOptions): AcceptResult {
    const crypto = (this.#crypto ??= cryptoOptions(this.options))
    const gss =
      v.checksum?.cksumtype === GSS_CHECKSUM_TYPE
        ? decodeGSSChecksum(v.checksum.checksum)
        : undefined
    const out = v as Mutable<AcceptResult>
    let delegated: DelegatedCredential | undefined
    if (gss?.delegation !== undefined) {
      const d = readDelegatedCredential(gss.delegation, [v.subkey, v.sessionKey], crypto)
      redactDelegation(out, gss)
      try {
        delegated = checkDelegatedClient(d, v.client)
      } catch (err) {
        if (!(err instanceof KerberosError)) throw err
        out.delegationRefused = err
      }
    }
    const wantMutual =
      options.mutual === undefined || options.mutual === 'auto'
        ? v.mutualRequired || (gss !== undefined && (gss.flags & GSSFlags.MUTUAL) !== 0)
        : options.mutual
    // verifyAPReq's object is fresh and ours: extend it rather than copy it.
    if (gss !== undefined) out.gssChecksum = gss
    if (delegated !== undefined) out.delegated = delegated
    if (!wantMutual) return out
    const random = this.options.random
    const subkey =
      options.acceptorSubkey === true
        ? randomKey((v.subkey ?? v.sessionKey).enctype, {
            ...crypto,
            ...(random ? { random } : {}),
          })
        : undefined
    const seq = options.apRepSeqNumber
    const seqNumber = seq === true ? randomSeq(random) : typeof seq === 'number' ? seq : undefined
    const rep: Mutable<MakeAPRepOptions> = {
      sessionKey: v.sessionKey,
      ctime: v.ctime,
      cusec: v.cusec,
      allowWeak: crypto.allowWeak,
    }
    if (subkey !== undefined) rep.subkey = subkey
    if (seqNumber !== undefined) rep.seqNumber = seqNumber
    if (crypto.backend !== undefined) rep.backend = crypto.backend
    if (random !== undefined) rep.random = random
    out.apRep = makeAPRep(rep)
    if (subkey !== undefined) out.acceptorSubkey = subkey
    if (seqNumber !== undefined) out.acceptorSeqNumber = seqNumber
    return out
  }
}

/**
 * A KRB-CRED in the GSS checksum may be sent unencrypted (etype 0): then the checksum bytes hold
 * the delegated session keys in clear. Swap every view of them for {@link RedactedBytes}.
 */
function redactDelegation(out: Mutable<AcceptResult>, gss: Mutable<GSSChecksum>): void {
  gss.delegation = RedactedBytes.copyOf(gss.delegation!)
  if (out.checksum === undefined) return
  const cksum = { ...out.checksum, checksum: RedactedBytes.copyOf(out.checksum.checksum) }
  out.checksum = cksum
  out.authenticator = { ...out.authenticator, cksum }
}

/** Decode the AP-REQ and apply the per-call service restriction, before any decryption. */
function servicesChecked(apReq: Uint8Array | APReq, options: AcceptOptions): Uint8Array | APReq {
  if (options.allowedServices === undefined) return apReq
  const req = apReq instanceof Uint8Array ? decodeAPReq(apReq) : apReq
  const { sname, realm } = req.ticket
  checkService(
    { nameType: sname.nameType, components: sname.nameString, realm },
    options.allowedServices,
  )
  return req
}

/** A random 30-bit sequence number (MIT keeps initial numbers below 2^30). */
function randomSeq(random: RandomSource | undefined): number {
  const b = (random ?? randomBytes)(4)
  return (((b[0]! & 0x3f) << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0
}

function replayError(v: VerifiedAPReq): KerberosError {
  return new KerberosError(
    ErrorCodes.REPLAY,
    `request from ${v.replayEntry.client} to ${v.replayEntry.server} is a replay`,
    {
      context: { client: v.replayEntry.client, server: v.replayEntry.server, ctime: v.ctime },
    },
  )
}

// ---------------------------------------------------------------------------------------------
// MS-PAC

/** Set to `true` by a bundler's `define` for a lean build (docs/bundling.md); absent otherwise. */
declare const __KERBEROS_TS_LEAN__: boolean | undefined

// PAC decoding and verification: present by default; a lean build leaves it out until enablePAC().
let pacVerifier: typeof verifyPAC | undefined =
  typeof __KERBEROS_TS_LEAN__ !== 'undefined' && __KERBEROS_TS_LEAN__ ? undefined : verifyPAC

/**
 * Make Acceptors verify MS-PACs (option `pac`) in a lean build (docs/bundling.md), which
 * otherwise leaves PAC decoding out and refuses tickets that carry a PAC unless `pac` is
 * `'skip'` or `'lenient'`. The checks are those of the default build; `pac` then holds the
 * signatures, `clientInfo`, `logonInfo` and `upnDnsInfo` decoded, and every other buffer raw
 * in `pac.buffers` (decode them with `decodePAC` from `kerberos-ts/pac`). Without a lean build
 * PACs are always verified and fully decoded, and this does nothing.
 *
 * @example
 * ```ts
 * import { enablePAC } from 'kerberos-ts/protocol'
 * enablePAC()
 * ```
 */
export function enablePAC(): void {
  // Lean: the same checks, decoding only the buffers they and the identity use (the others
  // stay raw in `pac.buffers`; decodePAC decodes them).
  pacVerifier ??= verifyPACIdentity
}

/** Verify the ticket's PAC (if any) with the key that decrypted the ticket; see option `pac`. */
function withPAC(
  v: VerifiedAPReq,
  serviceKey: KerberosKey,
  options: VerifyAPReqOptions,
  crypto: { allowWeak: boolean; backend?: CryptoBackend },
): VerifiedAPReq {
  const lenient = options.pac === 'lenient'
  try {
    const found = v.authorizationData === undefined ? undefined : findPAC(v.authorizationData)
    if (found === undefined) {
      if (options.pac !== 'require') return v
      throw new KerberosError(
        ErrorCodes.PAC_VERIFY,
        `ticket from ${formatPrincipal(v.client)} carries no PAC and this acceptor requires one`,
        { context: { reason: 'no-pac', client: formatPrincipal(v.client) } },
      )
    }
    // A literal, not a spread: this runs per accepted request.
    const o: Mutable<VerifyPACOptions> = {
      serviceKey,
      clientName: v.client,
      authTime: v.authtime,
      allowWeak: crypto.allowWeak,
    }
    if (crypto.backend !== undefined) o.backend = crypto.backend
    if (pacVerifier === undefined) {
      throw new KerberosError(
        ErrorCodes.PAC_VERIFY,
        "the ticket carries a PAC and this lean build has no PAC support: call enablePAC() (kerberos-ts/protocol) or pass pac: 'skip'",
        { context: { reason: 'pac-not-enabled', client: formatPrincipal(v.client) } },
      )
    }
    const { pac, identity } = pacVerifier(found, o)
    const out = v as Mutable<VerifiedAPReq>
    out.pac = pac
    out.identity = identity
    return out
  } catch (err) {
    if (lenient && err instanceof KerberosError) return v
    throw err
  }
}
