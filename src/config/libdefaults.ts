/**
 * Typed view of `[libdefaults]` with MIT's defaults (krb5.conf(5), release 1.20).
 *
 * @module
 */
import { KerberosError, ErrorCodes } from '../errors.js'
import type { Krb5Config } from './config.js'
import {
  DEFAULT_ENCTYPES,
  parseConfigBoolean,
  parseConfigInteger,
  parseDuration,
  parseEncTypeList,
} from './values.js'

/** `[libdefaults]` values, defaults filled in. Times are in seconds. */
export interface LibDefaults {
  readonly defaultRealm: string | undefined
  /** Default true; `dns_fallback` when unset; unrecognised values read as false (MIT). */
  readonly dnsLookupKdc: boolean
  /** Default false; `dns_fallback` when unset; unrecognised values read as false (MIT). */
  readonly dnsLookupRealm: boolean
  /** Default true (URI records for KDC discovery). */
  readonly dnsUriLookup: boolean
  /** Requests larger than this go over TCP first. Default 1465; capped at 32700, negative = default. */
  readonly udpPreferenceLimit: number
  /** Maximum clock skew in seconds. Default 300. */
  readonly clockskew: number
  /** Remember the KDC clock offset. Default true (MIT: 1). */
  readonly kdcTimesync: boolean
  /** Reverse-resolve host names for service principals. Default true. */
  readonly rdns: boolean
  /** Canonicalize host names with DNS: true, false or 'fallback'. Default true. */
  readonly dnsCanonicalizeHostname: boolean | 'fallback'
  /** Domain appended to short host names; `undefined` = MIT's default (first DNS search domain). */
  readonly qualifyShortname: string | undefined
  /** Default false. */
  readonly forwardable: boolean
  /** Default false. */
  readonly proxiable: boolean
  /** Default true. */
  readonly noaddresses: boolean
  /** Requested renewable lifetime in seconds. Default 0 (not renewable). */
  readonly renewLifetime: number
  /** Requested ticket lifetime in seconds. Default 86400 (1 day). */
  readonly ticketLifetime: number
  /** Enctypes for AS requests (ticket session keys), in preference order. */
  readonly defaultTktEnctypes: readonly number[]
  /** Enctypes for TGS requests. */
  readonly defaultTgsEnctypes: readonly number[]
  /** Enctypes accepted for any purpose. */
  readonly permittedEnctypes: readonly number[]
  /** Keep weak enctypes in the lists above. Default false. */
  readonly allowWeakCrypto: boolean
  /** Ask the KDC to canonicalize the client name. Default false. */
  readonly canonicalize: boolean
  /** Unexpanded `default_ccache_name`, or `undefined` (then `FILE:/tmp/krb5cc_%{uid}`). */
  readonly defaultCcacheName: string | undefined
  /** Unexpanded `default_keytab_name`, or `undefined` (then `FILE:/etc/krb5.keytab`). */
  readonly defaultKeytabName: string | undefined
  /** Unexpanded `default_client_keytab_name`, or `undefined`. */
  readonly defaultClientKeytabName: string | undefined
  /** FILE ccache version to write (1-4). Default 4. */
  readonly ccacheType: number
  /** Accept tickets for any keytab principal regardless of the host name. Default false. */
  readonly ignoreAcceptorHostname: boolean
  /**
   * `max_s2k_iterations` (kerberos-ts only; MIT has no such relation and ignores it): the most
   * PBKDF2 iterations a password login runs when the KDC's s2kparams ask for them. Default
   * {@link DEFAULT_MAX_S2K_ITERATIONS}; at most 2^24 − 1 (MIT's hard limit).
   */
  readonly maxS2KIterations: number
}

/**
 * Default `max_s2k_iterations`: 2^18 = 262,144, eight times the highest default of any KDC
 * (32,768 for aes-sha2 and camellia in MIT; 4,096 for aes-sha1 in MIT, Heimdal and Active
 * Directory, none of which lets an administrator raise it) and 1/64 of MIT's 2^24 ceiling.
 */
export const DEFAULT_MAX_S2K_ITERATIONS = 262144

/** Options for {@link readLibDefaults}. */
export interface ReadLibDefaultsOptions {
  /**
   * Realm for per-realm overrides: MIT reads `ticket_lifetime`, `renew_lifetime`, `forwardable`,
   * `proxiable`, `noaddresses` and `canonicalize` from `[libdefaults] REALM = { ... }` first
   * (and so does `max_s2k_iterations` here).
   */
  readonly realm?: string
}

const REALM_AWARE = new Set([
  'ticket_lifetime',
  'renew_lifetime',
  'forwardable',
  'proxiable',
  'noaddresses',
  'canonicalize',
  'max_s2k_iterations',
])

function at(e: unknown, tag: string, value: string): never {
  const msg = e instanceof Error ? e.message : String(e)
  throw new KerberosError(ErrorCodes.CONFIG, `[libdefaults] ${tag}: ${msg}`, {
    cause: e,
    context: { tag, value },
  })
}

/** A typed reader over `[libdefaults]` that names the relation in errors. */
function reader(config: Krb5Config, realm: string | undefined) {
  const raw = (tag: string): string | undefined => {
    if (realm !== undefined && REALM_AWARE.has(tag)) {
      const v = config.get('libdefaults', realm, tag)
      if (v !== undefined) return v
    }
    return config.get('libdefaults', tag)
  }
  const typed =
    <T>(parse: (v: string) => T) =>
    (tag: string, fallback: T): T => {
      const v = raw(tag)
      if (v === undefined) return fallback
      try {
        return parse(v)
      } catch (e) {
        return at(e, tag, v)
      }
    }
  return {
    raw,
    bool: typed(parseConfigBoolean),
    int: typed(parseConfigInteger),
    duration: typed(parseDuration),
  }
}

/**
 * MIT maybe_use_dns: the relation, else `dns_fallback`, else the default; the value is true only
 * for a yes-word (anything else, even garbage, is false rather than an error).
 */
function useDns(config: Krb5Config, tag: string, fallback: boolean): boolean {
  const v = config.get('libdefaults', tag) ?? config.get('libdefaults', 'dns_fallback')
  if (v === undefined) return fallback
  try {
    return parseConfigBoolean(v)
  } catch {
    return false
  }
}

/** MIT sendto_kdc: negative means the default, more than 32700 is capped. */
function udpLimit(n: number): number {
  return n < 0 ? 1465 : Math.min(n, 32700)
}

function canonicalizeSetting(v: string | undefined): boolean | 'fallback' {
  if (v === undefined) return true
  if (v.toLowerCase() === 'fallback') return 'fallback'
  try {
    return parseConfigBoolean(v)
  } catch (e) {
    return at(e, 'dns_canonicalize_hostname', v)
  }
}

function enctypes(r: ReturnType<typeof reader>, tag: string, weak: boolean): readonly number[] {
  const v = r.raw(tag)
  return v === undefined
    ? DEFAULT_ENCTYPES.filter(() => true)
    : parseEncTypeList(v, { allowWeak: weak })
}

/**
 * Read `[libdefaults]` with MIT's defaults. Invalid values throw `ERR_KRB_CONFIG` naming the
 * relation (MIT refuses to start on a bad boolean too).
 *
 * @example
 * ```ts
 * const d = readLibDefaults(parseConfig('[libdefaults]\n ticket_lifetime = 10h\n'))
 * d.ticketLifetime // 36000
 * d.clockskew      // 300
 * ```
 */
export function readLibDefaults(
  config: Krb5Config,
  options: ReadLibDefaultsOptions = {},
): LibDefaults {
  const r = reader(config, options.realm)
  const allowWeakCrypto = r.bool('allow_weak_crypto', false)
  const ccacheType = r.int('ccache_type', 4)
  if (ccacheType < 1 || ccacheType > 4)
    at(new Error('expected 1-4'), 'ccache_type', String(ccacheType))
  return {
    defaultRealm: r.raw('default_realm'),
    dnsLookupKdc: useDns(config, 'dns_lookup_kdc', true),
    dnsLookupRealm: useDns(config, 'dns_lookup_realm', false),
    dnsUriLookup: r.bool('dns_uri_lookup', true),
    udpPreferenceLimit: udpLimit(r.int('udp_preference_limit', 1465)),
    clockskew: r.duration('clockskew', 300),
    kdcTimesync: r.int('kdc_timesync', 1) !== 0,
    rdns: r.bool('rdns', true),
    dnsCanonicalizeHostname: canonicalizeSetting(r.raw('dns_canonicalize_hostname')),
    qualifyShortname: r.raw('qualify_shortname'),
    forwardable: r.bool('forwardable', false),
    proxiable: r.bool('proxiable', false),
    noaddresses: r.bool('noaddresses', true),
    renewLifetime: r.duration('renew_lifetime', 0),
    ticketLifetime: r.duration('ticket_lifetime', 86400),
    defaultTktEnctypes: enctypes(r, 'default_tkt_enctypes', allowWeakCrypto),
    defaultTgsEnctypes: enctypes(r, 'default_tgs_enctypes', allowWeakCrypto),
    permittedEnctypes: enctypes(r, 'permitted_enctypes', allowWeakCrypto),
    allowWeakCrypto,
    canonicalize: r.bool('canonicalize', false),
    defaultCcacheName: r.raw('default_ccache_name'),
    defaultKeytabName: r.raw('default_keytab_name'),
    defaultClientKeytabName: r.raw('default_client_keytab_name'),
    ccacheType,
    ignoreAcceptorHostname: r.bool('ignore_acceptor_hostname', false),
    maxS2KIterations: maxS2KIterations(r.int('max_s2k_iterations', DEFAULT_MAX_S2K_ITERATIONS)),
  }
}

function maxS2KIterations(n: number): number {
  if (n < 1 || n > 0xffffff) at(new Error('expected 1-16777215'), 'max_s2k_iterations', String(n))
  return n
}
