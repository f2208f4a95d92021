/**
 * Listing and editing keytabs. Keytabs are immutable values: every edit returns a new keytab.
 *
 * @module
 */
import { KerberosKey } from '../key.js'
import { formatPrincipal, principalEquals, type Principal } from '../principal.js'
import { KeytabVersion, type Keytab, type KeytabEntry } from './format.js'
import { isMoreRecent, toPrincipal, type PrincipalLike } from './lookup.js'

/** Options for {@link createKeytab}. */
export interface CreateKeytabOptions {
  /** Format version to write; default 0x0502 (what MIT writes). */
  readonly version?: KeytabVersion
}

/**
 * A new keytab holding `entries`.
 *
 * @example
 * ```ts
 * const kt = createKeytab(keytabEntriesFromPassword({ principal, password, kvno: 3 }))
 * await writeFile('svc.keytab', serializeKeytab(kt))
 * ```
 */
export function createKeytab(
  entries: readonly KeytabEntry[] = [],
  options: CreateKeytabOptions = {},
): Keytab {
  return { version: options.version ?? KeytabVersion.V2, entries: entries.map(fresh) }
}

/** What a new keytab entry needs; `timestamp` defaults to now (seconds). */
export interface NewKeytabEntry {
  readonly principal: PrincipalLike
  readonly kvno: number
  readonly key: KerberosKey
  /** Seconds since the epoch, or a Date; default now. */
  readonly timestamp?: number | Date
}

/**
 * Build an entry from parts, as `ktutil addent -key` does.
 *
 * @example
 * ```ts
 * makeKeytabEntry({ principal: 'HTTP/web@EXAMPLE.COM', kvno: 2, key: new KerberosKey(18, bytes) })
 * ```
 */
export function makeKeytabEntry(e: NewKeytabEntry): KeytabEntry {
  if (!(e.key instanceof KerberosKey)) throw new TypeError('expected key to be a KerberosKey')
  if (!Number.isInteger(e.kvno) || e.kvno < 0 || e.kvno > 0xffffffff) {
    throw new RangeError(`expected a kvno from 0 to 4294967295, got ${e.kvno}`)
  }
  const { principal } = toPrincipal(e.principal)
  if (principal.realm === '')
    throw new RangeError(`expected a principal with a realm, got ${formatPrincipal(principal)}`)
  const ts =
    e.timestamp instanceof Date
      ? Math.floor(e.timestamp.getTime() / 1000)
      : (e.timestamp ?? Math.floor(Date.now() / 1000))
  if (!Number.isInteger(ts) || ts < 0 || ts > 0xffffffff)
    throw new RangeError(`expected a 32-bit timestamp, got ${ts}`)
  return { principal, timestamp: ts, kvno: e.kvno, enctype: e.key.enctype, key: e.key }
}

/** An entry without the holes that preceded it in another file. */
function fresh(e: KeytabEntry): KeytabEntry {
  if (!e.wire?.holesBefore) return e
  const { holesBefore: _holes, ...wire } = e.wire
  return { ...e, wire }
}

/**
 * Append entries (like `ktutil addent` + `wkt`, or `kadmin ktadd`). Nothing is replaced: older
 * kvnos stay, as MIT keeps them.
 *
 * @example
 * ```ts
 * const kt2 = addKeytabEntries(kt, keytabEntriesFromPassword({ principal, password, kvno: 4 }))
 * ```
 */
export function addKeytabEntries(keytab: Keytab, entries: readonly KeytabEntry[]): Keytab {
  return { ...keytab, entries: [...keytab.entries, ...entries.map(fresh)] }
}

/** Which entries {@link removeKeytabEntries} removes. Every given field must match. */
export interface KeytabEntryFilter {
  readonly principal?: PrincipalLike
  /** A kvno, or `'old'`: every kvno but the most recent one of each principal (`ktremove ... old`). */
  readonly kvno?: number | 'old'
  readonly enctype?: number
}

/**
 * Remove entries matching the filter (at least one field must be set).
 *
 * @example
 * ```ts
 * removeKeytabEntries(kt, { principal: 'HTTP/web@EXAMPLE.COM', kvno: 'old' })
 * ```
 */
export function removeKeytabEntries(keytab: Keytab, filter: KeytabEntryFilter): Keytab {
  if (filter.principal === undefined && filter.kvno === undefined && filter.enctype === undefined) {
    throw new TypeError('expected at least one of principal, kvno, enctype')
  }
  const target = filter.principal === undefined ? undefined : toPrincipal(filter.principal)
  const latest = filter.kvno === 'old' ? latestKvnos(keytab) : undefined
  const remove = (e: KeytabEntry): boolean => {
    if (target && !principalEquals(e.principal, target.principal, { ignoreRealm: target.anyRealm }))
      return false
    if (filter.enctype !== undefined && e.enctype !== filter.enctype) return false
    if (latest) return latest.get(principalKey(e.principal)) !== e.kvno
    return filter.kvno === undefined || e.kvno === filter.kvno
  }
  return { ...keytab, entries: keytab.entries.filter((e) => !remove(e)) }
}

function principalKey(p: Principal): string {
  return JSON.stringify([p.realm, ...p.components])
}

function latestKvnos(keytab: Keytab): Map<string, number> {
  const best = new Map<string, KeytabEntry>()
  for (const e of keytab.entries) {
    const k = principalKey(e.principal)
    const cur = best.get(k)
    if (!cur || isMoreRecent(e, cur)) best.set(k, e)
  }
  return new Map([...best].map(([k, e]) => [k, e.kvno]))
}

/**
 * Entries of `a`, then those of `b` that `a` does not already hold (same principal, kvno,
 * enctype and key). The result has `a`'s version.
 *
 * @example
 * ```ts
 * const all = mergeKeytabs(parseKeytab(a), parseKeytab(b)) // ktutil: rkt a, rkt b, wkt out
 * ```
 */
export function mergeKeytabs(a: Keytab, b: Keytab): Keytab {
  const has = (e: KeytabEntry): boolean =>
    a.entries.some(
      (x) =>
        x.kvno === e.kvno &&
        x.enctype === e.enctype &&
        principalEquals(x.principal, e.principal) &&
        x.key.equals(e.key),
    )
  return addKeytabEntries(
    a,
    b.entries.filter((e) => !has(e)),
  )
}

/** The distinct principals of the keytab, in file order. *
 * @example
 * ```ts
 * listKeytabPrincipals(kt).map((p) => formatPrincipal(p)) // ['HTTP/web.example.com@EXAMPLE.COM']
 * ```
 */
export function listKeytabPrincipals(keytab: Keytab): Principal[] {
  const seen = new Set<string>()
  const out: Principal[] = []
  for (const e of keytab.entries) {
    const k = principalKey(e.principal)
    if (seen.has(k)) continue
    seen.add(k)
    out.push(e.principal)
  }
  return out
}

/** The distinct kvnos held for `principal`, highest first. *
 * @example
 * ```ts
 * listKeytabKvnos(kt, 'HTTP/web.example.com@EXAMPLE.COM') // [4, 3, 2]
 * ```
 */
export function listKeytabKvnos(keytab: Keytab, principal: PrincipalLike): number[] {
  const { principal: p, anyRealm } = toPrincipal(principal)
  const kvnos = new Set<number>()
  for (const e of keytab.entries)
    if (principalEquals(e.principal, p, { ignoreRealm: anyRealm })) kvnos.add(e.kvno)
  return [...kvnos].sort((x, y) => y - x)
}
