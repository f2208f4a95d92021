/**
 * Turning what a user typed (`HTTP@host`, `HTTP/host`, `HTTP/host@REALM`) into the principal a
 * TGS request asks for.
 *
 * @module
 */
import { parsePrincipal, type Principal } from '../principal.js'

/** Options for {@link resolveServiceName}. */
export interface ResolveServiceNameOptions {
  /** The realm of the TGT's TGS: used when nothing names a realm (the KDC may then refer). */
  readonly home: string
  /** Realm for `service/host` without `@REALM`; default `home`. */
  readonly defaultRealm?: string
  /** Realms that `x@REALM` may name (krb5.conf `[realms]`), so it is not read as host-based. */
  readonly knownRealms?: readonly string[]
  /** `[domain_realm]` lookup. */
  readonly realmForHost?: (host: string) => string | undefined
  /** Force (true) or refuse (false) the host-based reading of `service@host`. */
  readonly hostBased?: boolean
}

/**
 * True when `service@host` should be read as a GSS host-based name: one `@`, no `/` before it,
 * and the part after it is neither a known realm nor all upper case (with a letter: an IP address
 * is a host).
 *
 * @example
 * ```ts
 * looksHostBased('HTTP@web.example.com') // true
 * looksHostBased('alice@EXAMPLE.COM')    // false
 * ```
 */
export function looksHostBased(spn: string, knownRealms: readonly string[] = []): boolean {
  const at = spn.lastIndexOf('@')
  if (at <= 0) return false
  const slash = spn.indexOf('/')
  const after = spn.slice(at + 1)
  // A realm is all upper case with at least one letter: `HTTP@127.0.0.1` is a host (an IP
  // address, which the error for the missing service then explains), not a realm.
  const realmLike = after === after.toUpperCase() && /[A-Z]/.test(after)
  return (slash < 0 || slash > at) && !knownRealms.includes(after) && !realmLike
}

/**
 * The principal to ask the TGS for. Host-based names get their realm from `[domain_realm]`, else
 * `home` (where a canonicalizing KDC answers with a referral); other names without a realm get
 * `defaultRealm`.
 *
 * @example
 * ```ts
 * resolveServiceName('HTTP@web.example.com', { home: 'EXAMPLE.COM' })
 * // { nameType: 3, components: ['HTTP', 'web.example.com'], realm: 'EXAMPLE.COM' }
 * ```
 */
export function resolveServiceName(
  spn: string | Principal,
  o: ResolveServiceNameOptions,
): Principal {
  if (typeof spn !== 'string') return spn.realm === '' ? { ...spn, realm: o.home } : spn
  if (o.hostBased ?? looksHostBased(spn, o.knownRealms)) {
    const p = parsePrincipal(spn, { hostBased: true, defaultRealm: o.home })
    const realm = o.realmForHost?.(p.components[1] ?? '') ?? o.home
    return { ...p, realm }
  }
  return parsePrincipal(spn, { defaultRealm: o.defaultRealm ?? o.home })
}
