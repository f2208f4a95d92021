/**
 * Where are the KDCs of a realm? From krb5.conf `[realms] REALM = { kdc = host[:port] }` first,
 * then, when `dns_lookup_kdc` allows it and the config names none, from DNS SRV records
 * `_kerberos._udp.REALM` and `_kerberos._tcp.REALM` ordered by priority and weight (RFC 2782).
 * This mirrors MIT krb5's locate_kdc (profile first, DNS only as the fallback).
 *
 * @module
 */
import { Resolver } from 'node:dns/promises'
import type { Krb5Config } from '../config/config.js'
import { ErrorCodes, KerberosError } from '../errors.js'

/** The default Kerberos port (RFC 4120 §7.2.3). */
export const KERBEROS_PORT = 88

/** A transport protocol a KDC may be reached over (`https`: an MS-KKDCP proxy URL). */
export type KDCProtocol = 'udp' | 'tcp' | 'https'

/** One KDC address. */
export interface KDCAddress {
  /** Host name or IP literal (IPv6 without brackets). */
  readonly host: string
  /** Port, default 88. */
  readonly port: number
  /** Only this protocol (`tcp/host` in krb5.conf, or the SRV record's protocol); absent = either. */
  readonly protocol?: KDCProtocol
  /** Where the address came from. */
  readonly source: 'config' | 'dns'
  /** For `protocol: 'https'`: the KDC proxy URL as written in krb5.conf (MS-KKDCP). */
  readonly url?: string
}

/** The realm part of the discovery configuration. */
export interface RealmKDCConfig {
  /** `kdc` relations as written in krb5.conf, in order. */
  readonly kdc?: readonly string[]
  /** `kpasswd_server` relations (default port 464). */
  readonly kpasswdServer?: readonly string[]
  /** `admin_server` relations: kpasswd on port 464 of these when no `kpasswd_server` is set. */
  readonly adminServer?: readonly string[]
}

/** The krb5.conf settings discovery needs, as plain values. */
export interface KDCDiscoveryConfig {
  /** `[realms]`. Realm names are case-sensitive, as in MIT. */
  readonly realms?: Readonly<Record<string, RealmKDCConfig>>
  /** `[libdefaults] dns_lookup_kdc`; MIT's default is true. */
  readonly dnsLookupKdc?: boolean
  /** `[libdefaults] udp_preference_limit`; default 1465. */
  readonly udpPreferenceLimit?: number
}

/** One SRV record, as node:dns returns it. */
export interface SRVRecord {
  readonly name: string
  readonly port: number
  readonly priority: number
  readonly weight: number
}

/** The part of `node:dns/promises` Resolver discovery uses; inject one in tests. */
export interface SRVResolver {
  resolveSrv(hostname: string): Promise<SRVRecord[]>
}

/** What one SRV query gave. */
export interface SRVLookup {
  readonly name: string
  /** Number of usable records, or the resolver's error code (`ENOTFOUND`, `ETIMEOUT`, ...). */
  readonly result: number | string
}

/** The result of {@link locateKDCs}. */
export interface KDCLocation {
  readonly realm: string
  /** Addresses in the order to try them. */
  readonly kdcs: readonly KDCAddress[]
  /** The DNS queries made (empty when the config named KDCs or DNS lookup is off). */
  readonly dns: readonly SRVLookup[]
}

/** Options for {@link locateKDCs}. */
export interface LocateKDCsOptions {
  /** The settings; default: no realms configured, DNS lookup on. */
  readonly config?: KDCDiscoveryConfig
  /** Resolver for SRV queries; default a fresh `node:dns` Resolver (2 s timeout, 2 tries). */
  readonly resolver?: SRVResolver
  /** Uniform random number in [0, 1) for the RFC 2782 weight draw; default Math.random. */
  readonly random?: () => number
  readonly signal?: AbortSignal
}

function configError(message: string, value: string): KerberosError {
  return new KerberosError(ErrorCodes.CONFIG, message, { context: { value } })
}

function parsePort(text: string, spec: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw configError(
      `expected a port number 1-65535 in KDC address "${spec}", got "${text}"`,
      spec,
    )
  }
  return Number(text)
}

function splitHostPort(rest: string, spec: string): { host: string; port: number } {
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0)
      throw configError(`expected "]" after the IPv6 address in KDC address "${spec}"`, spec)
    const host = rest.slice(1, close)
    const after = rest.slice(close + 1)
    if (after === '') return { host, port: KERBEROS_PORT }
    if (!after.startsWith(':'))
      throw configError(`expected ":port" after "]" in KDC address "${spec}"`, spec)
    return { host, port: parsePort(after.slice(1), spec) }
  }
  const first = rest.indexOf(':')
  // More than one colon without brackets: a bare IPv6 address, no port (as MIT reads it).
  if (first < 0 || rest.indexOf(':', first + 1) >= 0) return { host: rest, port: KERBEROS_PORT }
  return { host: rest.slice(0, first), port: parsePort(rest.slice(first + 1), spec) }
}

/**
 * Parse one krb5.conf `kdc` value: `host`, `host:port`, `[v6]`, `[v6]:port`, a bare IPv6
 * literal, optionally prefixed `tcp/` or `udp/` (MIT syntax) to pin the protocol.
 *
 * @example
 * ```ts
 * parseKDCAddress('kdc1.example.com')   // { host: 'kdc1.example.com', port: 88, source: 'config' }
 * parseKDCAddress('tcp/[::1]:8888')     // { host: '::1', port: 8888, protocol: 'tcp', source: 'config' }
 * ```
 */
export function parseKDCAddress(spec: string): KDCAddress {
  if (typeof spec !== 'string')
    throw new TypeError(`expected a KDC address string, got ${typeof spec}`)
  let rest = spec.trim()
  if (/^https:\/\//i.test(rest)) return parseKDCProxyURL(rest, spec)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    throw new KerberosError(
      ErrorCodes.UNSUPPORTED,
      `KDC URL "${spec}" is not supported (only https:// KDC proxies, MS-KKDCP)`,
      {
        context: { value: spec },
      },
    )
  }
  let protocol: KDCProtocol | undefined
  const m = /^(tcp|udp)\//i.exec(rest)
  if (m !== null) {
    protocol = m[1]!.toLowerCase() as KDCProtocol
    rest = rest.slice(m[0].length)
  }
  const { host, port } = splitHostPort(rest, spec)
  if (host === '' || /\s/.test(host))
    throw configError(`expected a host name in KDC address "${spec}"`, spec)
  return protocol === undefined
    ? { host, port, source: 'config' }
    : { host, port, protocol, source: 'config' }
}

/** `kdc = https://host[:port]/path`: an MS-KKDCP proxy, as MIT krb5 ≥ 1.13 reads it. */
function parseKDCProxyURL(text: string, spec: string): KDCAddress {
  let u: URL
  try {
    u = new URL(text)
  } catch {
    throw configError(`expected a valid https URL in KDC address "${spec}"`, spec)
  }
  if (u.username !== '' || u.password !== '' || u.hostname === '')
    throw configError(`expected an https URL with a host and no credentials in "${spec}"`, spec)
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = u.port === '' ? 443 : Number(u.port)
  return { host, port, protocol: 'https', source: 'config', url: u.href }
}

/** RFC 2782: pick from same-priority records with probability proportional to weight. */
function weightedShuffle(group: SRVRecord[], random: () => number): SRVRecord[] {
  // Zero-weight records go first so they keep a (small) chance of being chosen early.
  const pool = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight !== 0)]
  const out: SRVRecord[] = []
  while (pool.length > 0) {
    const total = pool.reduce((s, r) => s + r.weight, 0)
    const pick = Math.floor(random() * (total + 1))
    let running = 0
    let index = pool.length - 1
    for (let i = 0; i < pool.length; i++) {
      running += pool[i]!.weight
      if (running >= pick) {
        index = i
        break
      }
    }
    out.push(pool.splice(index, 1)[0]!)
  }
  return out
}

/**
 * Order SRV records as RFC 2782 says: lowest priority first; within a priority, a weighted
 * random draw. A single record whose target is `.` means "no such service" and yields nothing.
 *
 * @example
 * ```ts
 * orderSRVRecords([{ name: 'b', port: 88, priority: 1, weight: 0 }, { name: 'a', port: 88, priority: 0, weight: 5 }])
 * // a first, then b
 * ```
 */
export function orderSRVRecords(
  records: readonly SRVRecord[],
  random: () => number = Math.random,
): SRVRecord[] {
  const usable = records.filter((r) => r.name !== '' && r.name !== '.')
  const priorities = [...new Set(usable.map((r) => r.priority))].sort((a, b) => a - b)
  return priorities.flatMap((p) =>
    weightedShuffle(
      usable.filter((r) => r.priority === p),
      random,
    ),
  )
}

function abortError(signal: AbortSignal): KerberosError {
  return new KerberosError(ErrorCodes.ABORTED, 'KDC discovery was aborted', {
    cause: signal.reason,
  })
}

async function withSignal<T>(
  p: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort: () => void,
): Promise<T> {
  if (signal === undefined) return p
  if (signal.aborted) throw abortError(signal)
  let listener: (() => void) | undefined
  const aborted = new Promise<never>((_, reject) => {
    listener = () => {
      onAbort()
      reject(abortError(signal))
    }
    signal.addEventListener('abort', listener, { once: true })
  })
  try {
    return await Promise.race([p, aborted])
  } finally {
    signal.removeEventListener('abort', listener!)
  }
}

async function querySRV(
  resolver: SRVResolver,
  name: string,
  protocol: KDCProtocol,
  o: LocateKDCsOptions,
): Promise<{ kdcs: KDCAddress[]; lookup: SRVLookup }> {
  try {
    const cancel = (): void => (resolver as { cancel?: () => void }).cancel?.()
    const records = await withSignal(resolver.resolveSrv(name), o.signal, cancel)
    const ordered = orderSRVRecords(records, o.random)
    const kdcs = ordered.map((r) => ({
      host: r.name.replace(/\.$/, ''),
      port: r.port,
      protocol,
      source: 'dns' as const,
    }))
    return { kdcs, lookup: { name, result: kdcs.length } }
  } catch (err) {
    if (err instanceof KerberosError && err.code === ErrorCodes.ABORTED) throw err
    const code = (err as { code?: unknown }).code
    return { kdcs: [], lookup: { name, result: typeof code === 'string' ? code : String(err) } }
  }
}

/**
 * Find the KDCs of a realm: krb5.conf `kdc` lines if there are any, else DNS SRV records
 * (`_kerberos._udp.REALM`, then `_kerberos._tcp.REALM`) when `dnsLookupKdc` is not false.
 * DNS failures do not throw; they are reported in `dns` and leave the list shorter.
 *
 * @example
 * ```ts
 * const loc = await locateKDCs('EXAMPLE.COM', {
 *   config: { realms: { 'EXAMPLE.COM': { kdc: ['kdc1.example.com', 'kdc2.example.com:750'] } } },
 * })
 * loc.kdcs // [{ host: 'kdc1.example.com', port: 88, ... }, { host: 'kdc2.example.com', port: 750, ... }]
 * ```
 */
export async function locateKDCs(
  realm: string,
  options: LocateKDCsOptions = {},
): Promise<KDCLocation> {
  if (typeof realm !== 'string' || realm === '')
    throw new TypeError('expected a non-empty realm name')
  const specs = options.config?.realms?.[realm]?.kdc ?? []
  if (specs.length > 0) return { realm, kdcs: specs.map(parseKDCAddress), dns: [] }
  if (options.config?.dnsLookupKdc === false) return { realm, kdcs: [], dns: [] }
  const resolver = options.resolver ?? new Resolver({ timeout: 2000, tries: 2 })
  const udp = await querySRV(resolver, `_kerberos._udp.${realm}`, 'udp', options)
  const tcp = await querySRV(resolver, `_kerberos._tcp.${realm}`, 'tcp', options)
  return { realm, kdcs: [...udp.kdcs, ...tcp.kdcs], dns: [udp.lookup, tcp.lookup] }
}

/** The kpasswd port (RFC 3244 §2). */
export const KPASSWD_PORT = 464

/** A `kpasswd_server` value; a port-less one means 464. */
function kpasswdAddress(spec: string): KDCAddress {
  const a = parseKDCAddress(spec)
  const portGiven = /\]:\d+\s*$|^[^:\[\]]*:\d+\s*$/.test(spec.trim().replace(/^(tcp|udp)\//i, ''))
  return portGiven ? a : { ...a, port: KPASSWD_PORT }
}

/**
 * Find the kpasswd servers of a realm as MIT's locate_kpasswd does: krb5.conf `kpasswd_server`,
 * else every `admin_server` host on port 464 (its port, if any, is kadmind's and ignored), else
 * DNS SRV `_kpasswd._udp.REALM` and `_kpasswd._tcp.REALM` when `dnsLookupKdc` is not false.
 *
 * @example
 * ```ts
 * const loc = await locateKpasswdServers('EXAMPLE.COM', {
 *   config: { realms: { 'EXAMPLE.COM': { adminServer: ['kdc1.example.com:749'] } } },
 * })
 * loc.kdcs // [{ host: 'kdc1.example.com', port: 464, ... }]
 * ```
 */
export async function locateKpasswdServers(
  realm: string,
  options: LocateKDCsOptions = {},
): Promise<KDCLocation> {
  if (typeof realm !== 'string' || realm === '')
    throw new TypeError('expected a non-empty realm name')
  const r = options.config?.realms?.[realm]
  const kp = r?.kpasswdServer ?? []
  if (kp.length > 0) return { realm, kdcs: kp.map(kpasswdAddress), dns: [] }
  const admin = r?.adminServer ?? []
  if (admin.length > 0) {
    const kdcs = admin.map((spec) => ({ ...parseKDCAddress(spec), port: KPASSWD_PORT }))
    return { realm, kdcs, dns: [] }
  }
  if (options.config?.dnsLookupKdc === false) return { realm, kdcs: [], dns: [] }
  const resolver = options.resolver ?? new Resolver({ timeout: 2000, tries: 2 })
  const udp = await querySRV(resolver, `_kpasswd._udp.${realm}`, 'udp', options)
  const tcp = await querySRV(resolver, `_kpasswd._tcp.${realm}`, 'tcp', options)
  return { realm, kdcs: [...udp.kdcs, ...tcp.kdcs], dns: [udp.lookup, tcp.lookup] }
}

function profileBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined
  const v = value.trim().toLowerCase()
  if (['y', 'yes', 'true', 't', '1', 'on'].includes(v)) return true
  if (['n', 'no', 'false', 'nil', '0', 'off'].includes(v)) return false
  return undefined
}

/**
 * Build a {@link KDCDiscoveryConfig} from a parsed krb5.conf (`Krb5Config` of
 * `kerberos-ts/config`; only `get`, `getAll` and `subsections` are used). MIT reads
 * `dns_lookup_kdc`, falling back to `dns_fallback`, default true. Only the relations discovery
 * needs are read, so a bad value elsewhere in `[libdefaults]` does not stop it.
 *
 * @example
 * ```ts
 * import { loadConfig } from 'kerberos-ts/node'
 * const transport = createNodeTransport({ config: discoveryConfigFromKrb5Config(await loadConfig()) })
 * ```
 */
export function discoveryConfigFromKrb5Config(
  conf: Pick<Krb5Config, 'get' | 'getAll' | 'subsections'>,
  options: { readonly realms?: readonly string[] } = {},
): KDCDiscoveryConfig {
  const realms: Record<string, RealmKDCConfig> = {}
  // Named realms are looked up directly: listing [realms] stops at a file that marks one final.
  for (const name of options.realms ?? conf.subsections('realms')) {
    const kpasswdServer = conf.getAll('realms', name, 'kpasswd_server')
    const adminServer = conf.getAll('realms', name, 'admin_server')
    realms[name] = {
      kdc: conf.getAll('realms', name, 'kdc'),
      // Only when set: the shape stays as before for realms without them.
      ...(kpasswdServer.length > 0 ? { kpasswdServer } : {}),
      ...(adminServer.length > 0 ? { adminServer } : {}),
    }
  }
  const dns =
    profileBoolean(conf.get('libdefaults', 'dns_lookup_kdc')) ??
    profileBoolean(conf.get('libdefaults', 'dns_fallback'))
  const limit = conf.get('libdefaults', 'udp_preference_limit')
  const n = limit !== undefined && /^\s*-?\d+\s*$/.test(limit) ? Number(limit) : undefined
  return {
    realms,
    ...(dns !== undefined ? { dnsLookupKdc: dns } : {}),
    ...(n !== undefined ? { udpPreferenceLimit: n } : {}),
  }
}
