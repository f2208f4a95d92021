/**
 * `KerberosClient`: log in (password or keytab), get service tickets (following referrals and
 * cross-realm paths), renew, and keep the credentials — over an injected {@link Transport}.
 *
 * @module
 */
import { hasFlag } from '../asn1/index.js'
import type { CCache, CCacheVersion } from '../ccache/index.js'
import type { Krb5Config } from '../config/index.js'
import { ErrorCodes, KerberosError, KDCError } from '../errors.js'
import { KDCOptions, KRBErrorCode, NameType, TicketFlags, describeEncType } from '../iana.js'
import { randomBytes, toHex, type RandomSource } from '../internal/bytes.js'
import type { Keytab } from '../keytab/index.js'
import {
  formatPrincipal,
  isTGSPrincipal,
  parsePrincipal,
  tgsPrincipal,
  type Principal,
} from '../principal.js'
import {
  asReplyKeyRequest,
  buildASReq,
  chooseSaltInfo,
  kdcOptionsFor,
  makeNonce,
  orderEtypes,
  readASReply,
  readPreauthHints,
} from '../protocol/as.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import type { KDCSaltInfo } from '../protocol/salt-probe.js'
import { buildTGSReq, readTGSReply, tgsRealmOf, type TGSRequest } from '../protocol/tgs.js'
import { CredentialStore, samePrincipal } from './credential-store.js'
import { credentialsFromCCache, credentialsToCCache } from './credentials.js'
import { keytabKeySource, passwordDerivation, passwordKeySource, type KeySource } from './keys.js'
import { LoginState } from './login-state.js'
import { fetchSaltInfo } from './salt-info.js'
import { resolveServiceName } from './service-name.js'
import { clientSettings, type ClientConfig, type ClientSettings } from './settings.js'
import {
  changePassword,
  setPassword,
  type ChangePasswordOptions,
  type PasswordChangeResult,
  type SetPasswordOptions,
} from './password.js'
import type { Transport } from './transport.js'

/** A trace event: what the client did, never keys or passwords. */
export interface ClientTraceEvent {
  readonly type:
    | 'as-req'
    | 'as-rep'
    | 'preauth-required'
    | 'clock-skew'
    | 'client-referral'
    | 'tgs-req'
    | 'tgs-rep'
    | 'referral'
    | 'kdc-error'
  readonly realm: string
  readonly client?: string
  readonly server?: string
  readonly etypes?: readonly number[]
  readonly etype?: number
  readonly kvno?: number
  readonly errorName?: string
  /** Salt as hex (not secret, but may be binary). */
  readonly salt?: string
  readonly offsetMs?: number
  readonly message?: string
  /** `as-rep`: the KDC's PA-REQ-ENC-PA-REP checksum over our AS-REQ verified (RFC 6806 §11). */
  readonly encPARepVerified?: boolean
}

/** Options for {@link KerberosClient}. */
export interface KerberosClientOptions {
  /** Sends requests to KDCs (`createNodeTransport()` from `kerberos-ts/node`, or your own). */
  readonly transport: Transport
  /** A parsed krb5.conf, or plain values; default MIT's defaults. */
  readonly config?: Krb5Config | ClientConfig
  /** Default realm; wins over `[libdefaults] default_realm`. */
  readonly realm?: string
  /** The local clock; default `() => new Date()`. The KDC offset is added on top. */
  readonly now?: () => Date
  /** Randomness (nonces, confounders, subkeys); default `globalThis.crypto`. */
  readonly random?: RandomSource
  /** Aborts every exchange of this client. */
  readonly signal?: AbortSignal
  /** Receives one event per step. */
  readonly trace?: (event: ClientTraceEvent) => void
  /** Allow rc4-hmac; default: krb5.conf's `allow_weak_crypto` or an enctype list naming rc4. */
  readonly allowWeakCrypto?: boolean
  /** Preauth rounds per login; default 3. */
  readonly maxPreauthRounds?: number
  /** Referral hops (client and server referrals, cross-realm paths); default 5. */
  readonly maxReferrals?: number
  /**
   * The most PBKDF2 iterations a password login runs for the KDC's s2kparams; more is refused
   * (ERR_KRB_S2K_PARAMS) before any work. Default krb5.conf `max_s2k_iterations`, else 262,144.
   */
  readonly maxS2KIterations?: number
}

/** Options shared by both ways of logging in. */
export interface LoginCommonOptions {
  /** `alice`, `alice@EXAMPLE.COM` or a {@link Principal}. */
  readonly principal: string | Principal
  /** Ticket lifetime in seconds; default `ticket_lifetime` (1 day). */
  readonly lifetime?: number
  /** Renewable lifetime in seconds; default `renew_lifetime` (0: not renewable). */
  readonly renewLifetime?: number
  readonly forwardable?: boolean
  readonly proxiable?: boolean
  /** Ask the KDC to canonicalize the client name (enables client referrals); default `canonicalize`. */
  readonly canonicalize?: boolean
  /** Etypes to offer instead of `default_tkt_enctypes`. */
  readonly etypes?: readonly number[]
  /** Send KERB-PA-PAC-REQUEST with this value (Active Directory). */
  readonly pacRequest?: boolean
  /** The server to ask for; default `krbtgt/REALM@REALM`. */
  readonly server?: string | Principal
  readonly signal?: AbortSignal
}

/** Log in with a password. */
export interface PasswordLoginOptions extends LoginCommonOptions {
  readonly password: string
}

/** Log in with the principal's keys from a keytab. */
export interface KeytabLoginOptions extends LoginCommonOptions {
  readonly keytab: Keytab
}

/** Options for {@link KerberosClient.getServiceTicket}. */
export interface ServiceTicketOptions {
  /** The TGT to use; default the client's (from `login` or `fromCCache`). */
  readonly tgt?: Credentials
  /**
   * Read `service@host` as a GSS host-based name. Default: yes, unless the part after `@` is a
   * configured or the default realm, or is all upper case.
   */
  readonly hostBased?: boolean
  /** Ask for canonicalization (needed for referrals); default true. */
  readonly canonicalize?: boolean
  /** Send a subkey in the TGS authenticator (the reply is then encrypted in it). */
  readonly subkey?: boolean
  /** Etypes for the service ticket's session key instead of `default_tgs_enctypes`. */
  readonly etypes?: readonly number[]
  readonly forwardable?: boolean
  readonly proxiable?: boolean
  readonly signal?: AbortSignal
}

const MS = 1000

interface TGSExchangeResult {
  readonly credentials: Credentials
  readonly referralRealm?: string
  readonly retryWithoutCanonicalize?: boolean
}

/**
 * A Kerberos 5 client over an injected transport.
 *
 * @example
 * ```ts
 * import { KerberosClient } from 'kerberos-ts'
 * import { createNodeTransport, loadConfig } from 'kerberos-ts/node'
 * const config = await loadConfig()
 * const transport = createNodeTransport({ config })
 * const client = new KerberosClient({ config, transport })
 * const tgt = await client.login({ principal: 'svc-backup', keytab })
 * const st = await client.getServiceTicket('HTTP@web.example.com')
 * ```
 */
export class KerberosClient {
  readonly #o: KerberosClientOptions
  readonly #random: RandomSource
  #offsetMs = 0
  readonly #store = new CredentialStore()

  constructor(options: KerberosClientOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('expected KerberosClient options with a transport')
    }
    if (typeof options.transport?.sendToKDC !== 'function') {
      throw new TypeError('expected options.transport with a sendToKDC method')
    }
    const max = options.maxS2KIterations
    if (max !== undefined && (!Number.isSafeInteger(max) || max < 1 || max > 0xffffff)) {
      throw new RangeError(`expected maxS2KIterations in 1..16777215, got ${max}`)
    }
    this.#o = options
    this.#random = options.random ?? randomBytes
  }

  /** The default realm (option, then `default_realm`), or `undefined`. */
  get realm(): string | undefined {
    return this.#o.realm ?? this.settings().defaultRealm
  }

  /** The KDC's clock minus ours, in milliseconds, as learnt from KRB_AP_ERR_SKEW or a reply. */
  get timeOffsetMs(): number {
    return this.#offsetMs
  }

  /** The current TGT, if logged in or loaded from a ccache. */
  get tgt(): Credentials | undefined {
    return this.#store.tgt
  }

  /** The principal whose credentials the client holds (from `login` or `fromCCache`). */
  get principal(): Principal | undefined {
    return this.#store.principal
  }

  /** Every credential the client holds (TGT first). */
  get credentials(): readonly Credentials[] {
    return this.#store.all
  }

  /** The client clock corrected by the KDC offset. */
  now(): Date {
    return this.nowWith(this.#offsetMs)
  }

  private localNow(): number {
    return (this.#o.now?.() ?? new Date()).getTime()
  }

  private nowWith(offsetMs: number): Date {
    return new Date(this.localNow() + offsetMs)
  }

  /** Settings for `realm` from the configuration. */
  settings(realm?: string): ClientSettings {
    return clientSettings(this.#o.config, realm)
  }

  /**
   * Get a TGT with a password or a keytab (RFC 4120 §3.1): offers the configured etypes (for a
   * keytab: those at its highest kvno), answers KDC_ERR_PREAUTH_REQUIRED with PA-ENC-TIMESTAMP
   * using the KDC's salt and s2kparams, corrects the clock once on KRB_AP_ERR_SKEW, follows
   * KDC_ERR_WRONG_REALM. KDC errors throw {@link KDCError}.
   *
   * @example
   * ```ts
   * const tgt = await client.login({ principal: 'alice', password })
   * ```
   */
  async login(options: PasswordLoginOptions | KeytabLoginOptions): Promise<Credentials> {
    let client = this.parseName(options.principal)
    const keys = this.keySource(options, client, () => client)
    const s = this.settings(client.realm)
    const allowWeak = this.allowWeak(s)
    const etypes = orderEtypes(options.etypes ?? s.defaultTktEnctypes, {
      permitted: s.permittedEnctypes,
      ...(keys.etypes !== undefined ? { available: keys.etypes } : {}),
      allowWeak,
    })
    if (etypes.length === 0) {
      throw new KerberosError(
        ErrorCodes.NO_CREDENTIALS,
        `no usable enctype to log in as ${formatPrincipal(client)} (offered ${keys.etypes?.map(describeEncType).join(', ') ?? 'none'})`,
        { context: { principal: formatPrincipal(client) } },
      )
    }
    const canonicalize = options.canonicalize ?? s.canonicalize
    const kdcOptions = kdcOptionsFor({
      forwardable: options.forwardable ?? s.forwardable,
      proxiable: options.proxiable ?? s.proxiable,
      canonicalize,
    })
    const state = new LoginState(this.#o.maxPreauthRounds ?? 3, this.#o.maxReferrals ?? 5)
    for (;;) {
      await state.settle()
      // A KRB_AP_ERR_SKEW offset is only used for the retry until a reply authenticates it.
      const now = this.nowWith(state.pendingOffsetMs ?? this.#offsetMs)
      const server =
        options.server === undefined
          ? tgsPrincipal(client.realm)
          : this.parseName(options.server, client.realm)
      const req = buildASReq({
        client,
        server,
        etypes,
        kdcOptions,
        now,
        lifetime: options.lifetime ?? s.ticketLifetime,
        renewLifetime: options.renewLifetime ?? s.renewLifetime,
        nonce: makeNonce(this.#random),
        ...(state.padata(now, this.#random, allowWeak) ?? {}),
        ...(options.pacRequest !== undefined ? { pacRequest: options.pacRequest } : {}),
      })
      this.emit({ type: 'as-req', realm: client.realm, client: formatPrincipal(client), etypes })
      const bytes = await this.send(client.realm, req.bytes, options.signal)
      if (keys.prepareReply !== undefined) {
        // A password key is derived (asynchronously, within the login's budget) before the read.
        const want = asReplyKeyRequest(bytes, { request: req, hints: state.hints })
        if (want !== undefined) await keys.prepareReply(want)
      }
      const out = readASReply(bytes, {
        request: req,
        keys: (want) => keys.replyKeys(want),
        hints: state.hints,
        canonicalize: canonicalize || state.referred,
        clockskew: s.clockskew,
        allowWeak,
      })
      if (out.kind === 'ok') {
        const creds = out.credentials
        this.checkReplyTime(creds, s, state.pendingOffsetMs)
        this.emit({
          type: 'as-rep',
          realm: client.realm,
          client: formatPrincipal(creds.client),
          server: formatPrincipal(creds.server),
          etype: out.rep.encPart.etype,
          ...(out.rep.encPart.kvno !== undefined ? { kvno: out.rep.encPart.kvno } : {}),
          encPARepVerified: out.encPARepVerified,
        })
        this.startSession(creds.client)
        this.keep(creds, isTGSPrincipal(creds.server))
        return creds
      }
      client = this.handleASError(out.kdcError, out.error.crealm, client, state, keys, {
        etypes,
        canonicalize,
      })
    }
  }

  /** Decide what a KRB-ERROR in the AS exchange means: retry (returns the client) or throw. */
  private handleASError(
    err: KDCError,
    crealm: string | undefined,
    client: Principal,
    state: LoginState,
    keys: KeySource,
    asked: { readonly etypes: readonly number[]; readonly canonicalize: boolean },
  ): Principal {
    const { etypes } = asked
    const realm = client.realm
    this.emit({ type: 'kdc-error', realm, errorName: err.errorName, message: err.eText ?? '' })
    switch (err.errorCode) {
      case KRBErrorCode.KDC_ERR_PREAUTH_REQUIRED: {
        if (++state.preauthRounds > state.maxPreauth) throw err
        const hints = readPreauthHints(err.eData)
        if (hints.methods.length > 0 && !hints.methods.includes(2)) throw err
        // The KDC's salt and s2kparams win over the default salt (RFC 4120 §5.2.7.5).
        const info = chooseSaltInfo(hints.saltInfo, etypes) ?? { etype: etypes[0]! }
        state.hints = hints.saltInfo
        state.preauthKey = keys.preauthKey(info)
        this.emit({
          type: 'preauth-required',
          realm,
          etype: info.etype,
          ...(info.salt !== undefined ? { salt: toHex(info.salt) } : {}),
        })
        return client
      }
      case KRBErrorCode.KRB_AP_ERR_SKEW: {
        if (state.skewRetried || err.serverTime === undefined) throw err
        state.skewRetried = true
        // The KRB-ERROR is not integrity protected: the offset serves the retry only, and is
        // kept once an AS-REP decrypted with our key confirms it (checkReplyTime).
        state.pendingOffsetMs = err.serverTime.getTime() - this.localNow()
        this.emit({ type: 'clock-skew', realm, offsetMs: state.pendingOffsetMs })
        return client
      }
      case KRBErrorCode.KDC_ERR_WRONG_REALM: {
        // RFC 6806 §7: a client referral answers a canonicalized (or enterprise) request only.
        const canon = asked.canonicalize || client.nameType === NameType.ENTERPRISE
        if (!canon || crealm === undefined || crealm === realm) throw err
        if (++state.referrals > state.maxReferrals) {
          throw new KerberosError(
            ErrorCodes.REFERRAL,
            `too many client referrals (last to ${crealm})`,
            {
              context: { realm: crealm },
            },
          )
        }
        state.referred = true
        state.hints = []
        state.preauthKey = undefined
        this.emit({ type: 'client-referral', realm: crealm, client: formatPrincipal(client) })
        return { ...client, realm: crealm }
      }
      default:
        throw err
    }
  }

  /**
   * Ask the KDC for the salt and s2kparams of `principal`'s keys (ETYPE-INFO2 from an AS-REQ
   * without preauth), one entry per etype it has, as `ktutil addent -f` does. Etypes default to
   * the configured `default_tkt_enctypes` that are permitted. The reply is not authenticated:
   * a key derived from it is checked at first use.
   *
   * @example
   * ```ts
   * const [aes256] = await client.fetchSaltInfo('HTTP/vault.ad.test@AD.TEST', { etypes: [18] })
   * keytabEntriesFromPassword({ principal, password, kvno, salt: { type: 'explicit', salt: aes256.salt } })
   * ```
   */
  async fetchSaltInfo(
    principal: string | Principal,
    options: { readonly etypes?: readonly number[]; readonly signal?: AbortSignal } = {},
  ): Promise<KDCSaltInfo[]> {
    const client = this.parseName(principal)
    const s = this.settings(client.realm)
    const etypes = orderEtypes(options.etypes ?? s.defaultTktEnctypes, {
      permitted: s.permittedEnctypes,
      allowWeak: this.allowWeak(s),
    })
    if (etypes.length === 0) {
      throw new KerberosError(
        ErrorCodes.NO_CREDENTIALS,
        `no permitted enctype to ask the KDC about for ${formatPrincipal(client)}`,
        { context: { principal: formatPrincipal(client) } },
      )
    }
    const signal = options.signal ?? this.#o.signal
    return fetchSaltInfo({
      transport: this.#o.transport,
      principal: client,
      etypes,
      now: this.now(),
      random: this.#random,
      ...(signal !== undefined ? { signal } : {}),
    })
  }

  /**
   * A service ticket for `spn`: `HTTP@host` (host-based: realm from `[domain_realm]`, else the
   * TGT's realm with referrals) or `HTTP/host@REALM`. Follows referrals and cross-realm paths
   * (`[capaths]` or direct), each bounded and checked for loops.
   *
   * @example
   * ```ts
   * const st = await client.getServiceTicket('HTTP@web.example.com')
   * st.ticketKvno // the service key version
   * ```
   */
  async getServiceTicket(
    spn: string | Principal,
    options: ServiceTicketOptions = {},
  ): Promise<Credentials> {
    const tgt = options.tgt ?? this.#store.tgt
    if (tgt === undefined) {
      throw new KerberosError(ErrorCodes.NO_CREDENTIALS, 'no TGT: log in or load a ccache first')
    }
    if (tgt.endtime.getTime() <= this.now().getTime()) {
      throw new KerberosError(
        ErrorCodes.TICKET_TIME,
        `the TGT for ${formatPrincipal(tgt.client)} expired at ${tgt.endtime.toISOString()}: log in again`,
        { context: { client: formatPrincipal(tgt.client) } },
      )
    }
    const home = tgsRealmOf(tgt)
    const settings = this.settings()
    const realm = this.realm
    const server = resolveServiceName(spn, {
      home,
      ...(realm !== undefined ? { defaultRealm: realm } : {}),
      knownRealms: realm !== undefined ? [realm, ...settings.realms] : settings.realms,
      realmForHost: (host) => settings.realmForHost(host),
      ...(options.hostBased !== undefined ? { hostBased: options.hostBased } : {}),
    })
    const cached = this.findCached(tgt.client, (c) => samePrincipal(c, server))
    if (cached !== undefined && options.tgt === undefined) return cached
    let current = server.realm === home ? tgt : await this.tgtFor(tgt, server.realm, options)
    const visited = new Set([tgsRealmOf(current)])
    for (let hop = 0; hop <= (this.#o.maxReferrals ?? 5); hop++) {
      let out = await this.tgsExchange(current, server, options)
      if (out.retryWithoutCanonicalize === true) {
        // Neither the name asked for nor a referral: ask the same KDC again, exactly (MIT).
        this.emit({
          type: 'referral',
          realm: tgsRealmOf(current),
          server: formatPrincipal(server),
          message: 'neither the name asked for nor a referral: asking again without canonicalize',
        })
        out = await this.tgsExchange(current, server, { ...options, canonicalize: false })
      }
      if (out.referralRealm === undefined) {
        this.keep(out.credentials, false)
        return out.credentials
      }
      if (visited.has(out.referralRealm)) {
        throw new KerberosError(
          ErrorCodes.REFERRAL,
          `referral loop for ${formatPrincipal(server)}: back to ${out.referralRealm}`,
          { context: { realms: [...visited, out.referralRealm] } },
        )
      }
      visited.add(out.referralRealm)
      this.emit({ type: 'referral', realm: out.referralRealm, server: formatPrincipal(server) })
      // As MIT: only a referral TGT issued by the home realm is kept; one a partner realm
      // issued serves this request only.
      if (tgsRealmOf(current) === home) this.keep(out.credentials, false)
      current = out.credentials
    }
    throw new KerberosError(
      ErrorCodes.REFERRAL,
      `too many referrals for ${formatPrincipal(server)}`,
      {
        context: { realms: [...visited] },
      },
    )
  }

  /**
   * Renew `creds` (RFC 4120 §3.3.3: RENEW with the ticket itself as the TGT). Throws
   * `ERR_KRB_TICKET_TIME` when the ticket is not renewable or past its renew-till.
   *
   * @example
   * ```ts
   * const fresh = await client.renew(tgt)
   * ```
   */
  async renew(
    creds: Credentials,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<Credentials> {
    const now = this.now()
    if (!hasFlag(creds.flags, TicketFlags.RENEWABLE) || creds.renewTill === undefined) {
      throw new KerberosError(
        ErrorCodes.TICKET_TIME,
        `ticket for ${formatPrincipal(creds.server)} is not renewable`,
      )
    }
    if (creds.renewTill.getTime() <= now.getTime()) {
      throw new KerberosError(
        ErrorCodes.TICKET_TIME,
        `ticket for ${formatPrincipal(creds.server)} is past its renew-till`,
      )
    }
    const s = this.settings(creds.client.realm)
    const till = new Date(
      Math.min(now.getTime() + s.ticketLifetime * MS, creds.renewTill.getTime()),
    )
    const kdcOptions = (commonOptions(creds.flags) | kdcOptionsFor({ renew: true })) >>> 0
    const req = buildTGSReq({
      tgt: creds,
      server: creds.server,
      kdcOptions,
      etypes: this.tgsEtypes(s, [creds.sessionKey.enctype]),
      nonce: makeNonce(this.#random),
      now,
      till,
      rtime: creds.renewTill,
      random: this.#random,
      allowWeak: this.allowWeak(s),
    })
    const out = await this.sendTGS(req, false, options.signal)
    this.keep(out.credentials, isTGSPrincipal(creds.server) && creds === this.#store.tgt)
    return out.credentials
  }

  /**
   * The client's credentials as an MIT ccache: version 4 with the KDC time offset by default, or
   * `options.version` (krb5.conf `ccache_type`; versions before 4 have no offset field).
   *
   * @example
   * ```ts
   * await writeCCache(process.env.KRB5CCNAME, client.toCCache())
   * ```
   */
  toCCache(options: { readonly version?: CCacheVersion } = {}): CCache {
    const principal = this.#store.principal ?? this.#store.tgt?.client
    return credentialsToCCache(this.#store.all, {
      ...(principal !== undefined ? { principal } : {}),
      timeOffsetMs: this.#offsetMs,
      ...(options.version !== undefined ? { version: options.version } : {}),
    })
  }

  /**
   * Load the tickets of a ccache (ours or one MIT's `kinit` wrote): the local TGT becomes the
   * client's TGT and the KDC time offset is taken over. Returns the TGT, if any.
   */
  fromCCache(cc: CCache): Credentials | undefined {
    const { credentials, timeOffsetMs, principal } = credentialsFromCCache(cc)
    this.#offsetMs = timeOffsetMs
    return this.#store.load(principal, credentials)
  }

  // -------------------------------------------------------------------------------------------

  private async tgsExchange(
    tgt: Credentials,
    server: Principal,
    options: ServiceTicketOptions,
  ): Promise<TGSExchangeResult> {
    const s = this.settings(tgt.client.realm)
    const canonicalize = options.canonicalize ?? true
    let kdcOptions = commonOptions(tgt.flags) | kdcOptionsFor({ canonicalize })
    if (options.forwardable === false) kdcOptions &= ~kdcOptionsFor({ forwardable: true })
    if (options.proxiable === false) kdcOptions &= ~kdcOptionsFor({ proxiable: true })
    const renewable = hasFlag(kdcOptions >>> 0, KDCOptions.RENEWABLE) && tgt.renewTill !== undefined
    const req = buildTGSReq({
      tgt,
      server,
      kdcOptions: kdcOptions >>> 0,
      etypes: this.tgsEtypes(s, options.etypes),
      nonce: makeNonce(this.#random),
      now: this.now(),
      ...(renewable ? { rtime: tgt.renewTill! } : {}),
      ...(options.subkey === true ? { subkey: true } : {}),
      random: this.#random,
      allowWeak: this.allowWeak(s),
    })
    return this.sendTGS(req, canonicalize, options.signal)
  }

  private async sendTGS(
    req: TGSRequest,
    canonicalize: boolean,
    signal: AbortSignal | undefined,
  ): Promise<TGSExchangeResult> {
    const server = formatPrincipal(req.server)
    this.emit({ type: 'tgs-req', realm: req.realm, server })
    const bytes = await this.send(req.realm, req.bytes, signal)
    const s = this.settings(req.realm)
    const out = readTGSReply(bytes, {
      request: req,
      canonicalize,
      clockskew: s.clockskew,
      allowWeak: this.allowWeak(s),
    })
    if (out.kind === 'error') {
      this.emit({ type: 'kdc-error', realm: req.realm, server, errorName: out.kdcError.errorName })
      throw out.kdcError
    }
    this.emit({
      type: 'tgs-rep',
      realm: req.realm,
      server: formatPrincipal(out.credentials.server),
      etype: out.credentials.sessionKey.enctype,
      ...(out.credentials.ticketKvno !== undefined ? { kvno: out.credentials.ticketKvno } : {}),
    })
    return {
      credentials: out.credentials,
      ...(out.referralRealm !== undefined ? { referralRealm: out.referralRealm } : {}),
      ...(out.retryWithoutCanonicalize === true ? { retryWithoutCanonicalize: true } : {}),
    }
  }

  /** A TGT for `target`'s TGS: cached, or by walking `[capaths]` (or directly). */
  private async tgtFor(
    tgt: Credentials,
    target: string,
    options: ServiceTicketOptions,
  ): Promise<Credentials> {
    const have = this.findCached(
      tgt.client,
      (server) => isTGSPrincipal(server) && server.components[1] === target,
    )
    if (have !== undefined) return have
    const path = (this.settings().capath(tgt.client.realm, target) ?? []).filter((r) => r !== '.')
    const hops = [...path, target]
    let current = tgt
    const visited = new Set([tgsRealmOf(tgt)])
    for (let i = 0; i <= (this.#o.maxReferrals ?? 5) && tgsRealmOf(current) !== target; i++) {
      const here = tgsRealmOf(current)
      const next = hops[hops.indexOf(here) + 1] ?? target
      const out = await this.tgsExchange(current, tgsPrincipal(next, here), {
        ...options,
        canonicalize: false,
      })
      const got = tgsRealmOf(out.credentials)
      if (!isTGSPrincipal(out.credentials.server) || visited.has(got)) {
        throw new KerberosError(
          ErrorCodes.REFERRAL,
          `cross-realm path to ${target} loops or stalls at ${got}`,
          { context: { realms: [...visited, got] } },
        )
      }
      visited.add(got)
      this.keep(out.credentials, false)
      current = out.credentials
    }
    if (tgsRealmOf(current) !== target) {
      throw new KerberosError(ErrorCodes.REFERRAL, `no cross-realm path to ${target}`, {
        context: { realms: [...visited] },
      })
    }
    return current
  }

  /**
   * Change a password through kpasswd (RFC 3244) with the old password or a keytab; the
   * client's own credentials are not touched. See {@link changePassword}.
   *
   * @example
   * ```ts
   * await client.changePassword({ principal: 'alice', oldPassword, newPassword })
   * ```
   */
  changePassword(options: ChangePasswordOptions): Promise<PasswordChangeResult> {
    return changePassword(this.#o, options)
  }

  /**
   * Set another principal's password through kpasswd (RFC 3244 0xff80) as an administrator.
   * See {@link setPassword}.
   *
   * @example
   * ```ts
   * await client.setPassword({ target: 'bob', newPassword })
   * ```
   */
  setPassword(options: SetPasswordOptions): Promise<PasswordChangeResult> {
    return setPassword(this, this.#o, options)
  }

  private parseName(p: string | Principal, realm?: string): Principal {
    const def = realm ?? this.realm
    const principal =
      typeof p === 'string' ? parsePrincipal(p, def !== undefined ? { defaultRealm: def } : {}) : p
    if (principal.realm === '') {
      throw new KerberosError(
        ErrorCodes.CONFIG,
        `no realm for ${formatPrincipal(principal)}: give one or set default_realm`,
      )
    }
    return principal
  }

  private keySource(
    o: PasswordLoginOptions | KeytabLoginOptions,
    client: Principal,
    current: () => Principal,
  ): KeySource {
    const allowWeak = this.allowWeak(this.settings(client.realm))
    if ('keytab' in o && o.keytab !== undefined) return keytabKeySource(o.keytab, client)
    if ('password' in o && typeof o.password === 'string') {
      const maxIterations = this.#o.maxS2KIterations ?? this.settings(client.realm).maxS2KIterations
      return passwordKeySource(
        current,
        passwordDerivation(o.password, { allowWeak, maxIterations }),
      )
    }
    throw new TypeError('expected login options with a password or a keytab')
  }

  private tgsEtypes(s: ClientSettings, override?: readonly number[]): number[] {
    const list = orderEtypes(override ?? s.defaultTgsEnctypes, {
      permitted: s.permittedEnctypes,
      allowWeak: this.allowWeak(s),
    })
    if (list.length === 0) {
      throw new KerberosError(ErrorCodes.UNSUPPORTED_ENCTYPE, 'no usable enctype for a TGS request')
    }
    return list
  }

  private allowWeak(s: ClientSettings): boolean {
    return this.#o.allowWeakCrypto ?? s.rc4Allowed
  }

  /**
   * MIT's kdc_timesync: a reply far from our clock sets the offset (from the KDC's authtime).
   * `pendingMs` is an offset a KRB_AP_ERR_SKEW suggested: this authenticated reply commits it
   * (as its own authtime offset) when it agrees, and it is never kept otherwise.
   */
  private checkReplyTime(creds: Credentials, s: ClientSettings, pendingMs?: number): void {
    const local = this.localNow()
    const kdc = (creds.starttime ?? creds.authtime).getTime()
    if (Math.abs(kdc - (local + (pendingMs ?? this.#offsetMs))) <= s.clockskew * MS) {
      if (pendingMs !== undefined) this.#offsetMs = creds.authtime.getTime() - local
      return
    }
    if (!s.kdcTimesync) {
      throw new KerberosError(
        ErrorCodes.CLOCK_SKEW,
        `KDC clock differs from ours by ${Math.round((kdc - local) / MS)} s (clockskew ${s.clockskew} s)`,
      )
    }
    this.#offsetMs = creds.authtime.getTime() - local
    this.emit({ type: 'clock-skew', realm: creds.client.realm, offsetMs: this.#offsetMs })
  }

  private startSession(client: Principal): void {
    this.#store.startSession(client)
  }

  private findCached(
    client: Principal,
    match: (server: Principal) => boolean,
  ): Credentials | undefined {
    return this.#store.find(client, match, this.now().getTime())
  }

  private keep(creds: Credentials, asTGT: boolean): void {
    this.#store.keep(creds, asTGT)
  }

  private async send(realm: string, bytes: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const sig = signal ?? this.#o.signal
    if (sig?.aborted === true) {
      throw new KerberosError(ErrorCodes.ABORTED, 'the Kerberos exchange was aborted', {
        cause: sig.reason,
      })
    }
    return this.#o.transport.sendToKDC(realm, bytes, sig !== undefined ? { signal: sig } : {})
  }

  private emit(e: ClientTraceEvent): void {
    this.#o.trace?.(e)
  }
}

/** FORWARDABLE, PROXIABLE, ALLOW-POSTDATE and RENEWABLE carried over from the TGT (as MIT). */
function commonOptions(ticketFlags: number): number {
  return (ticketFlags & 0x54800000) >>> 0
}
