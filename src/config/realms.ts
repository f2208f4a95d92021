/**
 * Typed views of `[realms]`, `[domain_realm]` and `[capaths]`.
 *
 * @module
 */
import { KerberosError, ErrorCodes } from '../errors.js'
import type { Krb5Config } from './config.js'
import { parseServerAddress } from './values.js'
import type { ServerAddress } from './values.js'

/** One realm's entry in `[realms]`. Lists keep file order (several `kdc` lines, several files). */
export interface RealmConfig {
  readonly realm: string
  /** `kdc` entries. */
  readonly kdc: readonly ServerAddress[]
  /** `primary_kdc` entries, then the older `master_kdc` ones. */
  readonly primaryKdc: readonly ServerAddress[]
  readonly adminServer: readonly ServerAddress[]
  /** `kpasswd_server`; MIT falls back to the admin servers on port 464 when absent. */
  readonly kpasswdServer: readonly ServerAddress[]
  /** Domain used to turn v4 names into v5 host principals. */
  readonly defaultDomain: string | undefined
}

function addresses(config: Krb5Config, realm: string, tag: string): ServerAddress[] {
  // One address per value, as MIT's locate_srv_conf_1 reads them (k5_parse_host_string).
  return config.getAll('realms', realm, tag).map((entry) => {
    try {
      return parseServerAddress(entry)
    } catch (e) {
      throw new KerberosError(
        ErrorCodes.CONFIG,
        `[realms] ${realm} ${tag}: ${(e as Error).message}`,
        {
          cause: e,
          context: { realm, tag },
        },
      )
    }
  })
}

/**
 * The `[realms]` entry for one realm (empty lists when the realm is not configured).
 *
 * @example
 * ```ts
 * const r = readRealm(conf, 'EXAMPLE.COM')
 * r.kdc // [{ host: 'kdc1.example.com' }, { host: 'kdc2.example.com', port: 88 }]
 * ```
 */
export function readRealm(config: Krb5Config, realm: string): RealmConfig {
  if (typeof realm !== 'string')
    throw new TypeError(`expected realm to be a string, got ${typeof realm}`)
  return {
    realm,
    kdc: addresses(config, realm, 'kdc'),
    primaryKdc: [
      ...addresses(config, realm, 'primary_kdc'),
      ...addresses(config, realm, 'master_kdc'),
    ],
    adminServer: addresses(config, realm, 'admin_server'),
    kpasswdServer: addresses(config, realm, 'kpasswd_server'),
    defaultDomain: config.get('realms', realm, 'default_domain'),
  }
}

/** The realms named in `[realms]`, in MIT's order. */
export function configuredRealms(config: Krb5Config): readonly string[] {
  return config.subsections('realms')
}

const NUMERIC_V4 = /^[0-9]+(\.[0-9]+){3}$/

/**
 * The realm `[domain_realm]` maps a host to, MIT style: the host name lowercased without a
 * trailing dot is tried as is, then each parent domain with a leading dot (`.example.com`), so
 * `example.com = R` matches only that host and `.example.com = R` matches every host below
 * it; the longest match wins. IP addresses are never mapped. `undefined` when nothing matches
 * (MIT then tries DNS TXT records when `dns_lookup_realm` is set, then the referral realm).
 *
 * @example
 * ```ts
 * const conf = parseConfig('[domain_realm]\n .example.com = EXAMPLE.COM\n')
 * realmForHost(conf, 'www.example.com') // 'EXAMPLE.COM'
 * realmForHost(conf, 'example.com')     // undefined
 * ```
 */
export function realmForHost(config: Krb5Config, host: string): string | undefined {
  if (typeof host !== 'string')
    throw new TypeError(`expected host to be a string, got ${typeof host}`)
  const name = host.toLowerCase().replace(/\.$/, '')
  if (name === '' || NUMERIC_V4.test(name) || name.includes(':')) return undefined
  for (let p = 0; p >= 0; p = name.indexOf('.', p + 1)) {
    const realm = config.get('domain_realm', name.slice(p))
    if (realm !== undefined) return realm
  }
  return undefined
}

/**
 * MIT's fallback realm for a host (krb5_get_fallback_host_realm without DNS): the host's
 * domain (everything after the first dot) in upper case, or `undefined` for a single label.
 */
export function fallbackRealmForHost(host: string): string | undefined {
  const name = host.replace(/\.$/, '')
  const dot = name.indexOf('.')
  return dot < 0 || dot === name.length - 1 ? undefined : name.slice(dot + 1).toUpperCase()
}

/**
 * `[capaths]` for a client realm → server realm: the intermediate realms, in order. `[]` means
 * direct trust (MIT's `.` value); `undefined` means no entry (then MIT walks the hierarchy).
 *
 * @example
 * ```ts
 * // [capaths] A.EXAMPLE.COM = { C.EXAMPLE.COM = B.EXAMPLE.COM }
 * capathFor(conf, 'A.EXAMPLE.COM', 'C.EXAMPLE.COM') // ['B.EXAMPLE.COM']
 * ```
 */
export function capathFor(
  config: Krb5Config,
  clientRealm: string,
  serverRealm: string,
): readonly string[] | undefined {
  const values = config.getAll('capaths', clientRealm, serverRealm)
  if (values.length === 0) return undefined
  return values.flatMap((v) => v.split(/\s+/)).filter((v) => v !== '' && v !== '.')
}
