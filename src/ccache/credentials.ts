/**
 * Working with a parsed ccache: configuration entries, finding and storing credentials, the KDC
 * time offset, flag letters. Every edit returns a new ccache.
 *
 * @module
 */
import { NameType, TicketFlagLetters } from '../iana.js'
import { KerberosKey } from '../key.js'
import { parsePrincipal, principalEquals, type Principal } from '../principal.js'
import { CCacheVersion, type CCache, type CCacheHeaderField, type Credential } from './format.js'

/** The realm of configuration entries' server principals. */
export const CONFIG_REALM = 'X-CACHECONF:'
/** The first component of configuration entries' server principals. */
export const CONFIG_COMPONENT = 'krb5_ccache_conf_data'
/** The v4 header tag of the KDC time offset. */
export const HEADER_TAG_KDC_TIME_OFFSET = 1

/** A principal as an object or as text. */
export type CCachePrincipalLike = Principal | string

function toPrincipal(p: CCachePrincipalLike): Principal {
  return typeof p === 'string' ? parsePrincipal(p) : p
}

/**
 * True for MIT configuration entries (server realm `X-CACHECONF:`, first component
 * `krb5_ccache_conf_data`): not tickets, but keep them when copying a cache.
 *
 * @example
 * ```ts
 * const tickets = cc.credentials.filter((c) => !isConfigEntry(c))
 * ```
 */
export function isConfigEntry(cred: Credential): boolean {
  return cred.server.realm === CONFIG_REALM && cred.server.components[0] === CONFIG_COMPONENT
}

/** A configuration entry's key, associated principal (text) and value. */
export interface ConfigEntryInfo {
  readonly key: string
  readonly principal?: string
  readonly value: Uint8Array
}

/** Read a configuration entry (`fast_avail`, `pa_type`, `refresh_time`, ...); `undefined` for tickets. */
export function readConfigEntry(cred: Credential): ConfigEntryInfo | undefined {
  if (!isConfigEntry(cred)) return undefined
  const [, key = '', principal] = cred.server.components
  return principal === undefined
    ? { key, value: cred.ticket }
    : { key, principal, value: cred.ticket }
}

/**
 * Build a configuration entry as MIT does: client = the cache's default principal, every other
 * field zero, the value in the ticket field.
 */
export function makeConfigEntry(
  client: Principal,
  key: string,
  value: Uint8Array,
  principal?: string,
): Credential {
  const components =
    principal === undefined ? [CONFIG_COMPONENT, key] : [CONFIG_COMPONENT, key, principal]
  return {
    client,
    server: { nameType: NameType.PRINCIPAL, components, realm: CONFIG_REALM },
    key: new KerberosKey(0, new Uint8Array(0)),
    authtime: 0,
    starttime: 0,
    endtime: 0,
    renewTill: 0,
    isSKey: false,
    ticketFlags: 0,
    addresses: [],
    authData: [],
    ticket: value,
    secondTicket: new Uint8Array(0),
  }
}

/** Options for {@link createCCache}. */
export interface CreateCCacheOptions {
  /** Format version; default 0x0504 (what MIT writes). */
  readonly version?: CCacheVersion
  readonly credentials?: readonly Credential[]
  /** KDC time offset to record in the v4 header. */
  readonly kdcTimeOffset?: KDCTimeOffset
}

/**
 * A new ccache for `defaultPrincipal`.
 *
 * @example
 * ```ts
 * const cc = createCCache(parsePrincipal('alice@EXAMPLE.COM'), { credentials: [tgt] })
 * ```
 */
export function createCCache(
  defaultPrincipal: CCachePrincipalLike,
  options: CreateCCacheOptions = {},
): CCache {
  const cc: CCache = {
    version: options.version ?? CCacheVersion.V4,
    header: [],
    defaultPrincipal: toPrincipal(defaultPrincipal),
    credentials: options.credentials ?? [],
  }
  return options.kdcTimeOffset ? setKDCTimeOffset(cc, options.kdcTimeOffset) : cc
}

/** The tickets (configuration entries left out). */
export function listCredentials(cc: CCache): Credential[] {
  return cc.credentials.filter((c) => !isConfigEntry(c))
}

/** The default principal (the client the cache belongs to). */
export function ccacheDefaultPrincipal(cc: CCache): Principal {
  return cc.defaultPrincipal
}

/** Options for {@link findCredential}. */
export interface FindCredentialOptions {
  /** Only credentials of this client (default: any client). */
  readonly client?: CCachePrincipalLike
  /** Seconds since the epoch: skip credentials whose endtime has passed. */
  readonly now?: number
}

/**
 * The first ticket for `server` (components and realm compared, name type ignored),
 * configuration entries skipped; `undefined` when there is none.
 *
 * @example
 * ```ts
 * const tgt = findCredential(cc, 'krbtgt/EXAMPLE.COM@EXAMPLE.COM')
 * ```
 */
export function findCredential(
  cc: CCache,
  server: CCachePrincipalLike,
  options: FindCredentialOptions = {},
): Credential | undefined {
  const s = toPrincipal(server)
  const client = options.client === undefined ? undefined : toPrincipal(options.client)
  return cc.credentials.find(
    (c) =>
      !isConfigEntry(c) &&
      principalEquals(c.server, s) &&
      (client === undefined || principalEquals(c.client, client)) &&
      (options.now === undefined || c.endtime > options.now),
  )
}

function sameSlot(a: Credential, b: Credential): boolean {
  if (isConfigEntry(a) !== isConfigEntry(b)) return false
  return principalEquals(a.client, b.client) && principalEquals(a.server, b.server)
}

/**
 * Store a credential: it replaces the credential (or configuration entry) with the same client
 * and server, or is appended.
 *
 * @example
 * ```ts
 * await writeFile(path, serializeCCache(storeCredential(cc, serviceTicket)), { mode: 0o600 })
 * ```
 */
export function storeCredential(cc: CCache, cred: Credential): CCache {
  const i = cc.credentials.findIndex((c) => sameSlot(c, cred))
  const credentials = [...cc.credentials]
  if (i < 0) credentials.push(cred)
  else credentials[i] = cred
  return { ...cc, credentials }
}

/** Remove credentials for which `predicate` is true. *
 * @example
 * ```ts
 * removeCredentials(cc, (c) => c.endtime < Date.now() / 1000 && !isConfigEntry(c)) // drop expired tickets
 * ```
 */
export function removeCredentials(cc: CCache, predicate: (cred: Credential) => boolean): CCache {
  return { ...cc, credentials: cc.credentials.filter((c) => !predicate(c)) }
}

/** The KDC's clock minus ours, as kept in the v4 header (tag 1). */
export interface KDCTimeOffset {
  readonly seconds: number
  readonly microseconds: number
}

/** The recorded KDC time offset, or `undefined` (no header field, or a version before 4). *
 * @example
 * ```ts
 * const off = kdcTimeOffset(cc) // { seconds: -12, microseconds: 0 }: the KDC is 12 s behind
 * ```
 */
export function kdcTimeOffset(cc: CCache): KDCTimeOffset | undefined {
  const f = cc.header.find((h) => h.tag === HEADER_TAG_KDC_TIME_OFFSET && h.value.length === 8)
  if (!f) return undefined
  const view = new DataView(f.value.buffer, f.value.byteOffset, 8)
  return { seconds: view.getInt32(0), microseconds: view.getInt32(4) }
}

/** Record the KDC time offset (version 4 only; other versions throw `RangeError`). *
 * @example
 * ```ts
 * const cc2 = setKDCTimeOffset(cc, { seconds: kdcTime - localTime, microseconds: 0 })
 * ```
 */
export function setKDCTimeOffset(cc: CCache, offset: KDCTimeOffset): CCache {
  if (cc.version !== CCacheVersion.V4) {
    throw new RangeError(
      `expected a version 0x0504 ccache to store a time offset, got 0x0${cc.version.toString(16)}`,
    )
  }
  const value = new Uint8Array(8)
  const view = new DataView(value.buffer)
  view.setInt32(0, offset.seconds)
  view.setInt32(4, offset.microseconds)
  const field: CCacheHeaderField = { tag: HEADER_TAG_KDC_TIME_OFFSET, value }
  const i = cc.header.findIndex((h) => h.tag === HEADER_TAG_KDC_TIME_OFFSET)
  const header = [...cc.header]
  if (i < 0) header.push(field)
  else header[i] = field
  return { ...cc, header }
}

/** True when RFC 4120 ticket flag bit `bit` is set in MIT's stored flags. */
export function hasTicketFlag(ticketFlags: number, bit: number): boolean {
  return ((ticketFlags >>> 0) & (0x80000000 >>> bit)) !== 0
}

/**
 * The `klist -f` letters for stored ticket flags, e.g. `'FRIA'`.
 *
 * @example
 * ```ts
 * ticketFlagLetters(0x40e00000) // 'FRIA': forwardable, renewable, initial, pre-authent
 * ```
 */
export function ticketFlagLetters(ticketFlags: number): string {
  let out = ''
  for (const [bit, letter] of TicketFlagLetters) if (hasTicketFlag(ticketFlags, bit)) out += letter
  return out
}
