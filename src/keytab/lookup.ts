/**
 * Keytab lookups with MIT's rules (krb5_ktfile_get_entry): kvno 0 or absent means the most
 * recent key (with MIT's wraparound heuristic), an exact kvno wins, a match of the low 8 bits is
 * the fallback (8-bit kvno fields wrap), entries stored with kvno 0 match any kvno. Principals
 * compare by components and realm, not name type.
 *
 * @module
 */
import { KeytabLookupError, type KeytabKeyInfo } from '../errors.js'
import { describeEncType } from '../iana.js'
import { formatPrincipal, parsePrincipal, principalEquals, type Principal } from '../principal.js'
import type { Keytab, KeytabEntry } from './format.js'

/** A principal as an object or as text (`HTTP/web.example.com@EXAMPLE.COM`). */
export type PrincipalLike = Principal | string

/** What to look for. */
export interface KeytabQuery {
  /** The principal; text without `@REALM` matches that name in any realm. */
  readonly principal: PrincipalLike
  /** Key version; 0 or absent = the most recent. */
  readonly kvno?: number
  /** Enctype; 0 or absent = any. */
  readonly enctype?: number
}

/** Normalize a principal argument; `anyRealm` is true for text without a realm. */
export function toPrincipal(p: PrincipalLike): { principal: Principal; anyRealm: boolean } {
  if (typeof p !== 'string') {
    if (!p || !Array.isArray(p.components))
      throw new TypeError('expected a Principal or a principal name')
    return { principal: p, anyRealm: false }
  }
  const principal = parsePrincipal(p)
  return { principal, anyRealm: principal.realm === '' }
}

/** True when the entry's principal is `p` (components and realm; name type ignored). */
export function entryMatchesPrincipal(entry: KeytabEntry, p: PrincipalLike): boolean {
  const { principal, anyRealm } = toPrincipal(p)
  return principalEquals(entry.principal, principal, { ignoreRealm: anyRealm })
}

/** MIT's `ts_after`: 32-bit timestamps compared with wraparound (y2038-safe). */
function tsAfter(a: number, b: number): boolean {
  return ((a - b) | 0) > 0
}

/**
 * MIT's `more_recent`: a small kvno (< 128) written no earlier than a large one (> 240) is taken
 * to have wrapped around and so is newer (and the other way round); otherwise the higher kvno.
 */
export function isMoreRecent(a: KeytabEntry, b: KeytabEntry): boolean {
  if (!tsAfter(b.timestamp, a.timestamp) && a.kvno < 128 && b.kvno > 240) return true
  if (!tsAfter(a.timestamp, b.timestamp) && a.kvno > 240 && b.kvno < 128) return false
  return a.kvno > b.kvno
}

function selectEntry(
  candidates: readonly KeytabEntry[],
  kvno: number,
): { entry: KeytabEntry | undefined; wrongKvno: boolean } {
  let cur: KeytabEntry | undefined
  let wrongKvno = false
  for (const e of candidates) {
    if (kvno === 0 || e.kvno === 0) {
      if (!cur || isMoreRecent(e, cur)) cur = e
    } else if (e.kvno === kvno) {
      return { entry: e, wrongKvno }
    } else if (e.kvno === (kvno & 0xff) && !cur) {
      cur = e
    } else {
      wrongKvno = true
    }
  }
  return { entry: cur, wrongKvno }
}

/** Distinct (kvno, enctype) pairs held for the principal, in file order. */
function available(entries: readonly KeytabEntry[]): KeytabKeyInfo[] {
  const seen = new Set<string>()
  const out: KeytabKeyInfo[] = []
  for (const e of entries) {
    const id = `${e.kvno}/${e.enctype}`
    if (seen.has(id)) continue
    seen.add(id)
    out.push({ kvno: e.kvno, enctype: e.enctype })
  }
  return out
}

function describeAvailable(info: readonly KeytabKeyInfo[]): string {
  if (info.length === 0) return 'nothing'
  return info.map((i) => `kvno ${i.kvno} ${describeEncType(i.enctype)}`).join(', ')
}

/**
 * Find one key with MIT's rules, or throw {@link KeytabLookupError} saying why not: the principal
 * is not in the keytab; the kvno is not ("keytab is likely out of date", or "ticket is likely out
 * of date" when the keytab holds a higher kvno); or the kvno is there but not that enctype. The
 * error lists the (kvno, enctype) pairs the keytab holds for the principal.
 *
 * @example
 * ```ts
 * const entry = findKeytabEntry(kt, { principal: 'HTTP/web.example.com@EXAMPLE.COM', enctype: 18 })
 * entry.kvno // the highest kvno with an aes256-cts-hmac-sha1-96 key
 * ```
 */
export function findKeytabEntry(keytab: Keytab, query: KeytabQuery): KeytabEntry {
  const { principal, anyRealm } = toPrincipal(query.principal)
  const kvno = query.kvno ?? 0
  const enctype = query.enctype ?? 0
  checkNumber(kvno, 'kvno')
  checkNumber(enctype, 'enctype')
  const mine = keytab.entries.filter((e) =>
    principalEquals(e.principal, principal, { ignoreRealm: anyRealm }),
  )
  const ofType = enctype === 0 ? mine : mine.filter((e) => e.enctype === enctype)
  const { entry, wrongKvno } = selectEntry(ofType, kvno)
  if (entry) return entry
  throw lookupError(principal, kvno, enctype, mine, wrongKvno)
}

function checkNumber(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`expected a non-negative integer ${what}, got ${n}`)
}

function lookupError(
  principal: Principal,
  kvno: number,
  enctype: number,
  mine: readonly KeytabEntry[],
  wrongKvno: boolean,
): KeytabLookupError {
  const name = formatPrincipal(principal)
  const avail = available(mine)
  const holds = `keytab holds ${describeAvailable(avail)}`
  const base = {
    principal: name,
    available: avail,
    ...(kvno ? { kvno } : {}),
    ...(enctype ? { enctype } : {}),
  }
  if (mine.length === 0) {
    return new KeytabLookupError(
      { ...base, reason: 'principal-not-found' },
      `principal ${name} not found in keytab`,
    )
  }
  if (wrongKvno || (kvno !== 0 && !mine.some((e) => e.kvno === kvno || e.kvno === (kvno & 0xff)))) {
    const max = Math.max(...mine.map((e) => e.kvno))
    const side = max > kvno ? 'ticket' : 'keytab'
    return new KeytabLookupError(
      { ...base, reason: 'kvno-not-found' },
      `key version ${kvno} for ${name} not found in keytab; ${side} is likely out of date (${holds})`,
    )
  }
  const kv = kvno ? `kvno ${kvno}` : 'any kvno'
  return new KeytabLookupError(
    { ...base, reason: 'enctype-not-found' },
    `${name} ${kv} found in keytab but not with enctype ${describeEncType(enctype)} (${holds})`,
  )
}

/**
 * Every key of the principal at the kvno a lookup would choose (the most recent when `kvno` is
 * 0 or absent), one per enctype, in file order. What a client logging in with a keytab offers
 * the KDC. Throws {@link KeytabLookupError} when there is none.
 *
 * @example
 * ```ts
 * const keys = findKeytabEntries(kt, { principal: 'svc-backup@EXAMPLE.COM' }).map((e) => e.key)
 * ```
 */
export function findKeytabEntries(
  keytab: Keytab,
  query: Omit<KeytabQuery, 'enctype'>,
): KeytabEntry[] {
  const chosen = findKeytabEntry(keytab, { principal: query.principal, kvno: query.kvno ?? 0 })
  const { principal, anyRealm } = toPrincipal(query.principal)
  const out: KeytabEntry[] = []
  const types = new Set<number>()
  for (const e of keytab.entries) {
    if (!principalEquals(e.principal, principal, { ignoreRealm: anyRealm })) continue
    if (e.kvno !== chosen.kvno || types.has(e.enctype)) continue
    types.add(e.enctype)
    out.push(e)
  }
  return out
}
