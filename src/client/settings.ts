/**
 * The krb5.conf settings the client uses, from a parsed `Krb5Config` or from plain values.
 *
 * @module
 */
import {
  capathFor,
  configuredRealms,
  readLibDefaults,
  realmForHost,
  type Krb5Config,
  type LibDefaults,
} from '../config/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'

/** Set to `true` by a bundler's `define` for a lean build (docs/bundling.md); absent otherwise. */
declare const __KERBEROS_TS_LEAN__: boolean | undefined

/** Plain-value client configuration, for callers without a krb5.conf. */
export interface ClientConfig {
  /** `[libdefaults]` values; anything absent takes MIT's default. */
  readonly libdefaults?: Partial<LibDefaults>
  /** `[domain_realm]`: host or `.domain` → realm. */
  readonly domainRealm?: Readonly<Record<string, string>>
  /** `[capaths]`: client realm → server realm → intermediate realms (`.` = direct). */
  readonly capaths?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>
}

/** What the client reads from its configuration for one realm. */
export interface ClientSettings extends LibDefaults {
  /** True when rc4-hmac may be used (`allow_weak_crypto` or an explicit enctype list naming it). */
  readonly rc4Allowed: boolean
  /** Realms configured in `[realms]` (plain config: those named in `[capaths]` and `domainRealm`). */
  readonly realms: readonly string[]
  realmForHost(host: string): string | undefined
  capath(clientRealm: string, serverRealm: string): readonly string[] | undefined
}

/** True for a parsed krb5.conf (as opposed to plain {@link ClientConfig} values). */
export function isKrb5Config(c: unknown): c is Krb5Config {
  return typeof c === 'object' && c !== null && typeof (c as Krb5Config).get === 'function'
}

/**
 * MIT's `[libdefaults]` defaults, what `readLibDefaults` gives for an empty krb5.conf (a test
 * keeps the two equal): a literal, so plain-value configuration needs no krb5.conf reader.
 */
export const DEFAULT_LIBDEFAULTS: LibDefaults = Object.freeze({
  defaultRealm: undefined,
  dnsLookupKdc: true,
  dnsLookupRealm: false,
  dnsUriLookup: true,
  udpPreferenceLimit: 1465,
  clockskew: 300,
  kdcTimesync: true,
  rdns: true,
  dnsCanonicalizeHostname: true,
  qualifyShortname: undefined,
  forwardable: false,
  proxiable: false,
  noaddresses: true,
  renewLifetime: 0,
  ticketLifetime: 86400,
  defaultTktEnctypes: Object.freeze([18, 17, 20, 19, 16, 23, 26, 25]),
  defaultTgsEnctypes: Object.freeze([18, 17, 20, 19, 16, 23, 26, 25]),
  permittedEnctypes: Object.freeze([18, 17, 20, 19, 16, 23, 26, 25]),
  allowWeakCrypto: false,
  canonicalize: false,
  defaultCcacheName: undefined,
  defaultKeytabName: undefined,
  defaultClientKeytabName: undefined,
  ccacheType: 4,
  ignoreAcceptorHostname: false,
  maxS2KIterations: 262144,
})
const NAMES_RC4 = /(^|[\s,])(rc4|arcfour|arcfour-hmac|arcfour-hmac-md5|rc4-hmac|23)($|[\s,])/i

function explicitRc4(conf: Krb5Config, realm: string | undefined): boolean {
  const tags = ['permitted_enctypes', 'default_tkt_enctypes', 'default_tgs_enctypes']
  return tags.some((t) => {
    const v =
      (realm !== undefined ? conf.get('libdefaults', realm, t) : undefined) ??
      conf.get('libdefaults', t)
    return v !== undefined && NAMES_RC4.test(v)
  })
}

function domainLookup(map: Readonly<Record<string, string>>, host: string): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, '')
  for (let p = 0; p >= 0; p = name.indexOf('.', p + 1)) {
    const hit = map[name.slice(p)]
    if (hit !== undefined) return hit
  }
  return undefined
}

/**
 * Settings for `realm` (per-realm `[libdefaults] REALM = {...}` overrides apply).
 *
 * @example
 * ```ts
 * const s = clientSettings(parseConfig(text), 'EXAMPLE.COM')
 * s.ticketLifetime // 86400
 * ```
 */
export function clientSettings(
  config: Krb5Config | ClientConfig | undefined,
  realm?: string,
): ClientSettings {
  if (isKrb5Config(config)) {
    // A parsed krb5.conf is immutable: its settings are read once per realm (issue 11 speed:
    // a client asks for them several times per exchange, and a new client per login is common).
    let byRealm = parsedSettings.get(config)
    if (byRealm === undefined) parsedSettings.set(config, (byRealm = new Map()))
    const key = realm ?? ''
    let hit = byRealm.get(key)
    if (hit === undefined) {
      if (byRealm.size >= MAX_MEMO_REALMS) byRealm.clear()
      byRealm.set(key, (hit = krb5ConfigReader()(config, realm)))
    }
    return hit
  }
  return fromPlainConfig(config)
}

/** Settings per realm (`''`: none) of each parsed krb5.conf. */
const parsedSettings = new WeakMap<Krb5Config, Map<string, ClientSettings>>()

/** Realms remembered per krb5.conf before the memo starts over (realms come from referrals too). */
const MAX_MEMO_REALMS = 64

// Present by default; a lean build leaves the krb5.conf reader out until enableKrb5Config().
let readKrb5Config: typeof fromKrb5Config | undefined =
  typeof __KERBEROS_TS_LEAN__ !== 'undefined' && __KERBEROS_TS_LEAN__ ? undefined : fromKrb5Config

/**
 * Let KerberosClient take a parsed krb5.conf (`Krb5Config`) in a lean build
 * (docs/bundling.md), which otherwise reads only plain {@link ClientConfig} values and refuses
 * a `Krb5Config` (ERR_KRB_CONFIG, reason `krb5-config-not-enabled`). Without a lean build it always can and this does nothing.
 *
 * @example
 * ```ts
 * import { enableKrb5Config } from 'kerberos-ts/client'
 * enableKrb5Config()
 * ```
 */
export function enableKrb5Config(): void {
  readKrb5Config = fromKrb5Config
}

function krb5ConfigReader(): typeof fromKrb5Config {
  if (readKrb5Config === undefined) {
    throw new KerberosError(
      ErrorCodes.CONFIG,
      'this lean build reads no parsed krb5.conf: call enableKrb5Config() (kerberos-ts/client) or pass plain ClientConfig values (docs/bundling.md)',
      { context: { reason: 'krb5-config-not-enabled' } },
    )
  }
  return readKrb5Config
}

function fromKrb5Config(config: Krb5Config, realm: string | undefined): ClientSettings {
  const d = readLibDefaults(config, realm !== undefined ? { realm } : {})
  return Object.freeze({
    ...d,
    rc4Allowed: d.allowWeakCrypto || explicitRc4(config, realm),
    realms: configuredRealms(config),
    realmForHost: (host: string) => realmForHost(config, host),
    capath: (c: string, s: string) => capathFor(config, c, s),
  })
}

function fromPlainConfig(config: ClientConfig | undefined): ClientSettings {
  const base = DEFAULT_LIBDEFAULTS
  const plain = config ?? {}
  const d: LibDefaults = { ...base, ...(plain.libdefaults ?? {}) }
  const explicit = plain.libdefaults?.permittedEnctypes ?? plain.libdefaults?.defaultTktEnctypes
  return {
    ...d,
    rc4Allowed: d.allowWeakCrypto || (explicit !== undefined && explicit.includes(23)),
    realms: [
      ...new Set([...Object.keys(plain.capaths ?? {}), ...Object.values(plain.domainRealm ?? {})]),
    ],
    realmForHost: (host) => domainLookup(plain.domainRealm ?? {}, host),
    capath: (c, s) => plain.capaths?.[c]?.[s],
  }
}
