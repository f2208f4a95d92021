/**
 * The krb5.conf settings the client uses, from a parsed `Krb5Config` or from plain values.
 *
 * @module
 */
import {
  capathFor,
  configuredRealms,
  createConfig,
  readLibDefaults,
  realmForHost,
  type Krb5Config,
  type LibDefaults,
} from '../config/index.js'

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

// An empty chain, not parseConfig(''): the same defaults without the krb5.conf parser.
const EMPTY: Krb5Config = createConfig([])
const EMPTY_DEFAULTS: LibDefaults = readLibDefaults(EMPTY)
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
      byRealm.set(key, (hit = fromKrb5Config(config, realm)))
    }
    return hit
  }
  return fromPlainConfig(config)
}

/** Settings per realm (`''`: none) of each parsed krb5.conf. */
const parsedSettings = new WeakMap<Krb5Config, Map<string, ClientSettings>>()

/** Realms remembered per krb5.conf before the memo starts over (realms come from referrals too). */
const MAX_MEMO_REALMS = 64

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
  const base = EMPTY_DEFAULTS
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
