/**
 * `KerberosClient`: log in (password or keytab), get service tickets (following referrals and
 * cross-realm paths), renew, and keep the credentials — over an injected `Transport`.
 * The AS loop is in `login.ts`, the TGS side in `service-tickets.ts`, the held credentials in
 * `credential-store.ts`; this file holds the client state and the ccache glue.
 *
 * @module
 */
import type { CCache, CCacheVersion } from '../ccache/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { pooledRandomBytes } from '../crypto/random-pool.js'
import { randomBytes, type RandomSource } from '../internal/bytes.js'
import { formatPrincipal, parsePrincipal, type Principal } from '../principal.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import { orderEtypes } from '../protocol/as.js'
import type { KDCSaltInfo } from '../protocol/salt-probe.js'
import type { ClientContext } from './context.js'
import { CredentialStore } from './credential-store.js'
import { credentialsFromCCache, credentialsToCCache } from './credentials.js'
import { loginWith } from './login.js'
import { noteFastFromCCache, withFastConfig } from './fast-lazy.js'
import type {
  ClientTraceEvent,
  KerberosClientOptions,
  KeytabLoginOptions,
  PasswordLoginOptions,
  ServiceTicketOptions,
} from './options.js'
import { needsRefresh, refreshTGT } from './refresh.js'
import { renewWith, serviceTicketWith } from './service-tickets.js'
import type * as OnDemand from './on-demand.js'
import type { DelegationOptions, ImpersonateOptions } from './s4u.js'
import type { EvidenceTicket } from '../protocol/s4u.js'
import { clientSettings, type ClientSettings } from './settings.js'
import { fetchSaltInfo } from './salt-info.js'
import {
  changePassword,
  setPassword,
  type ChangePasswordOptions,
  type PasswordChangeResult,
  type SetPasswordOptions,
} from './password.js'

export type {
  ClientTraceEvent,
  KerberosClientOptions,
  LoginCommonOptions,
  PasswordLoginOptions,
  KeytabLoginOptions,
  ServiceTicketOptions,
  FastMode,
  FastArmorSource,
} from './options.js'
export type { DelegationOptions, ImpersonateOptions } from './s4u.js'

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
  readonly #store = new CredentialStore()
  readonly #ctx: ClientContext
  /** The last keytab login's options, to log in again when the TGT runs out (item 8). */
  #relogin: KeytabLoginOptions | undefined
  #refreshing: Promise<Credentials> | undefined

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
    this.#ctx = makeContext(this, options, options.random ?? randomBytes, this.#store)
  }

  /** The default realm (option, then `default_realm`), or `undefined`. */
  get realm(): string | undefined {
    return this.#o.realm ?? this.settings().defaultRealm
  }

  /** The KDC's clock minus ours, in milliseconds, as learnt from KRB_AP_ERR_SKEW or a reply. */
  get timeOffsetMs(): number {
    return this.#ctx.offsetMs
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
    return this.#ctx.now()
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
    const creds = await loginWith(this.#ctx, options)
    // A keytab login can be repeated when the TGT runs out; a password is never kept.
    this.#relogin =
      'keytab' in options && options.keytab !== undefined
        ? { ...options, signal: undefined }
        : undefined
    return creds
  }

  /** One refresh at a time: concurrent callers share it. */
  async #refresh(tgt: Credentials, signal: AbortSignal | undefined): Promise<Credentials> {
    if (this.#refreshing === undefined) {
      const relogin = this.#relogin
      this.#refreshing = refreshTGT(this.#ctx, tgt, {
        renew: (t) => this.renew(t, signal !== undefined ? { signal } : {}),
        relogin:
          relogin === undefined
            ? undefined
            : () => this.login(signal !== undefined ? { ...relogin, signal } : relogin),
      }).finally(() => {
        this.#refreshing = undefined
      })
    }
    return this.#refreshing
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
    return changePassword(this.#ctx.options, options)
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
    return setPassword(this, this.#ctx.options, options)
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
    const ctx = this.#ctx
    const client = ctx.parseName(principal)
    const s = ctx.settings(client.realm)
    const etypes = orderEtypes(options.etypes ?? s.defaultTktEnctypes, {
      permitted: s.permittedEnctypes,
      allowWeak: ctx.allowWeak(s),
    })
    if (etypes.length === 0) {
      throw new KerberosError(
        ErrorCodes.NO_CREDENTIALS,
        `no permitted enctype to ask the KDC about for ${formatPrincipal(client)}`,
        { context: { principal: formatPrincipal(client) } },
      )
    }
    const signal = options.signal ?? ctx.options.signal
    return fetchSaltInfo({
      transport: ctx.options.transport,
      principal: client,
      etypes,
      now: ctx.now(),
      random: ctx.random,
      ...(signal !== undefined ? { signal } : {}),
    })
  }

  /**
   * A service ticket for `spn`: `HTTP@host` (host-based: realm from `[domain_realm]`, else the
   * TGT's realm with referrals) or `HTTP/host@REALM`. Follows referrals and cross-realm paths
   * (`[capaths]` or direct), each bounded and checked for loops. Without `options.tgt`, a TGT
   * near its end time is first renewed, or replaced by a new login with the last login's keytab
   * (`autoRefresh`, `refreshMarginSeconds`).
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
    const tgt = await this.#usableTGT(options)
    return serviceTicketWith(this.#ctx, tgt, spn, options)
  }

  /** `options.tgt`, else the client's TGT, refreshed when near its end; throws when expired. */
  async #usableTGT(options: {
    readonly tgt?: Credentials
    readonly signal?: AbortSignal
  }): Promise<Credentials> {
    let tgt = options.tgt ?? this.#store.tgt
    if (tgt === undefined) {
      throw new KerberosError(ErrorCodes.NO_CREDENTIALS, 'no TGT: log in or load a ccache first')
    }
    if (
      options.tgt === undefined &&
      this.#o.autoRefresh !== false &&
      needsRefresh(this.#ctx, tgt)
    ) {
      tgt = await this.#refresh(tgt, options.signal)
    }
    if (tgt.endtime.getTime() <= this.now().getTime()) {
      throw new KerberosError(
        ErrorCodes.TICKET_TIME,
        `the TGT for ${formatPrincipal(tgt.client)} expired at ${tgt.endtime.toISOString()}: log in again`,
        { context: { client: formatPrincipal(tgt.client) } },
      )
    }
    return tgt
  }

  /**
   * S4U2Self (MS-SFU, protocol transition): a ticket to this client's own service principal on
   * behalf of `user`, who sends nothing. The client must be logged in as the service (keytab).
   * The ticket is forwardable only when the KDC allows protocol transition for the service
   * (Active Directory: TRUSTED_TO_AUTH_FOR_DELEGATION; MIT: `+ok_to_auth_as_delegate`). The
   * reply is checked to be for `user` and for this service, and the ticket is opened with the
   * keys of the last keytab login (`options.keytab`). See docs/delegation.md.
   *
   * @example
   * ```ts
   * await client.login({ principal: 'svc-front', keytab })
   * const self = await client.impersonate('alice')
   * self.client // alice@AD.TEST
   * ```
   */
  async impersonate(
    user: string | Principal,
    options: ImpersonateOptions = {},
  ): Promise<Credentials> {
    const tgt = await this.#usableTGT(options)
    const m = await loadS4U()
    return m.impersonateWith(this.#ctx, tgt, user, this.#withLoginKeytab(options))
  }

  /**
   * Constrained delegation (MS-SFU S4U2Proxy): a ticket to `spn` on behalf of a user. Given a
   * user name, S4U2Self first gets the evidence ticket; given an {@link EvidenceTicket} (the
   * forwardable ticket a client presented to this service, from `evidenceFrom(acceptResult)`),
   * it is used as is (Kerberos-only constrained delegation). The reply must be for the evidence
   * ticket's client and for `spn`. The ticket is returned, not kept by this client.
   *
   * @example
   * ```ts
   * const st = await client.getServiceTicketFor('alice', 'cifs/back.ad.test')
   * const st2 = await client.getServiceTicketFor(evidenceFrom(accepted), 'cifs/back.ad.test')
   * ```
   */
  async getServiceTicketFor(
    user: string | Principal | EvidenceTicket,
    spn: string | Principal,
    options: DelegationOptions = {},
  ): Promise<Credentials> {
    const tgt = await this.#usableTGT(options)
    const m = await loadS4U()
    return m.delegateWith(this.#ctx, tgt, user, spn, this.#withLoginKeytab(options))
  }

  /** S4U2Self tickets are opened with the last keytab login's keys unless told otherwise. */
  #withLoginKeytab<T extends ImpersonateOptions>(options: T): T {
    const keytab = this.#relogin?.keytab
    return options.keytab !== undefined || keytab === undefined ? options : { ...options, keytab }
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
    return renewWith(this.#ctx, creds, options)
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
    const cc = credentialsToCCache(this.#store.all, {
      ...(principal !== undefined ? { principal } : {}),
      timeOffsetMs: this.#ctx.offsetMs,
      ...(options.version !== undefined ? { version: options.version } : {}),
    })
    // MIT's fast_avail entry for realms whose KDC does FAST (so `kinit -T` armors at once).
    return withFastConfig(this.#ctx, cc)
  }

  /**
   * Load the tickets of a ccache (ours or one MIT's `kinit` wrote): the local TGT becomes the
   * client's TGT and the KDC time offset is taken over. Returns the TGT, if any.
   */
  fromCCache(cc: CCache): Credentials | undefined {
    const { credentials, timeOffsetMs, principal } = credentialsFromCCache(cc)
    this.#ctx.offsetMs = timeOffsetMs
    this.#relogin = undefined
    noteFastFromCCache(this.#ctx, cc)
    return this.#store.load(principal, credentials)
  }
}

/**
 * ./s4u.ts (and the protocol's S4U code, in `./on-demand.ts`), loaded on first use of
 * `impersonate` or `getServiceTicketFor` (docs/bundling.md); a chunk that cannot be loaded fails
 * the call.
 */
async function loadS4U(): Promise<typeof OnDemand> {
  try {
    return await import('./on-demand.js')
  } catch (e) {
    throw new KerberosError(
      ErrorCodes.DELEGATION,
      'the S4U code (a lazily loaded chunk) could not be loaded',
      {
        cause: e,
        context: { reason: 's4u-not-loaded' },
        hint: 'the bundle lost a chunk: check that the chunks emitted beside the application bundle are deployed (docs/bundling.md)',
      },
    )
  }
}

/** The {@link ClientContext} of one client. */
function makeContext(
  client: KerberosClient,
  o: KerberosClientOptions,
  random: RandomSource,
  store: CredentialStore,
): ClientContext {
  const localNow = (): number => (o.now?.() ?? new Date()).getTime()
  const ctx: ClientContext = {
    options: o,
    random,
    nonceRandom: o.random ?? pooledRandomBytes,
    store,
    maxReferrals: o.maxReferrals ?? 5,
    offsetMs: 0,
    get realm() {
      return client.realm
    },
    settings: (realm) => client.settings(realm),
    allowWeak: (s) => o.allowWeakCrypto ?? s.rc4Allowed,
    localNow,
    now: () => new Date(localNow() + ctx.offsetMs),
    parseName(p, realm) {
      const def = realm ?? client.realm
      const principal =
        typeof p === 'string'
          ? parsePrincipal(p, def !== undefined ? { defaultRealm: def } : {})
          : p
      if (principal.realm === '') {
        throw new KerberosError(
          ErrorCodes.CONFIG,
          `no realm for ${formatPrincipal(principal)}: give one or set default_realm`,
        )
      }
      return principal
    },
    async send(realm, bytes, signal) {
      const sig = signal ?? o.signal
      if (sig?.aborted === true) {
        throw new KerberosError(ErrorCodes.ABORTED, 'the Kerberos exchange was aborted', {
          cause: sig.reason,
        })
      }
      return o.transport.sendToKDC(realm, bytes, sig !== undefined ? { signal: sig } : {})
    },
    emit: (e: () => ClientTraceEvent) => {
      if (o.trace !== undefined) o.trace(e())
    },
  }
  return ctx
}
