/**
 * The options and trace events of {@link KerberosClient}: client-wide options, the two ways of
 * logging in, and service-ticket requests.
 *
 * @module
 */
import type { CCache } from '../ccache/index.js'
import type { Krb5Config } from '../config/index.js'
import type { RandomSource } from '../internal/bytes.js'
import type { Keytab } from '../keytab/index.js'
import type { Principal } from '../principal.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import type { ClientConfig } from './settings.js'
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
    | 'fast-armor'
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
  /** `as-rep`/`tgs-rep`: the exchange was armored with FAST (RFC 6113). */
  readonly fast?: boolean
}

/**
 * When to armor requests with FAST (RFC 6113, docs/fast.md):
 * - `'never'`: never (MIT without `-T`);
 * - `'if-offered'` (default): an AS request is armored when armor is given and the KDC offers
 *   FAST (PA-FX-FAST in its PREAUTH_REQUIRED, or the armor ccache's `fast_avail`); a TGS
 *   request is armored (implicitly, with its subkey) once the realm's KDC has shown FAST support;
 * - `'required'`: every request is armored; no armor, or a KDC that answers without FAST, is
 *   `ERR_KRB_FAST_REQUIRED`.
 */
export type FastMode = 'never' | 'if-offered' | 'required'

/**
 * Where FAST armor for a login comes from: a TGT (as MIT `kinit -T ARMOR_CCACHE`), a ccache
 * holding one, or a keytab to log in with first (host armor: `host/FQDN` or a machine account).
 */
export type FastArmorSource =
  | { readonly ccache: CCache }
  | { readonly tgt: Credentials }
  | { readonly keytab: Keytab; readonly principal: string | Principal }

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
  /** FAST mode for every exchange unless a login says otherwise; default `'if-offered'`. */
  readonly fast?: FastMode
  /** Referral hops (client and server referrals, cross-realm paths); default 5. */
  readonly maxReferrals?: number
  /**
   * The most PBKDF2 iterations a password login runs for the KDC's s2kparams; more is refused
   * (ERR_KRB_S2K_PARAMS) before any work. Default krb5.conf `max_s2k_iterations`, else 262,144.
   */
  readonly maxS2KIterations?: number
  /**
   * Keep the client's TGT fresh without the caller doing anything (issue 11 item 8):
   * `getServiceTicket` without a `tgt` renews a TGT that is about to expire (when renewable and
   * before its renew-till), else logs in again with the keytab of the last keytab login; a client
   * that logged in with a password (which is not kept) or loaded a ccache throws
   * `ERR_KRB_TICKET_TIME` once its TGT has expired. Default true.
   */
  readonly autoRefresh?: boolean
  /**
   * How long before its end time a TGT is refreshed, in seconds: default 300, and at most a
   * sixth of the TGT's lifetime (a 60-second TGT is refreshed in its last 10 seconds).
   */
  readonly refreshMarginSeconds?: number
}

/** Options shared by both ways of logging in. */
export interface LoginCommonOptions {
  /** `alice`, `alice@EXAMPLE.COM` or a {@link Principal}. */
  readonly principal: string | Principal
  /**
   * Read a string `principal` as an NT-ENTERPRISE name (RFC 6806 §5, MIT `kinit -E`):
   * `jdoe@ad.test` is sent as the single name `jdoe@ad.test` (type 10) in the default realm,
   * `jdoe@ad.test@AD.TEST` in `AD.TEST`. The KDC (Active Directory) looks the name up as a UPN;
   * a KDC of another realm answers with a client referral, which is followed. Default false.
   */
  readonly enterprise?: boolean
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
  /** FAST mode for this login; default the client's `fast`, else `'if-offered'`. */
  readonly fast?: FastMode
  /** FAST armor (needed for any armored login); see docs/fast.md. */
  readonly armor?: FastArmorSource
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
