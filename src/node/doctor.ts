/**
 * `doctor`: diagnose a Kerberos setup the way a person on a support call would, and return a
 * checklist. Which krb5.conf is read and which realm is used (and why); the realm's KDCs from
 * krb5.conf or DNS SRV, each tried over UDP and over TCP with timings; the clock offset to the
 * KDC (every KRB-ERROR carries the KDC's time, so no credentials are needed); for a keytab: its
 * principals, kvnos and enctypes against `permitted_enctypes` and against the KDC (the salts and
 * etypes it announces, a login with the keytab, the kvno of a fresh ticket for the principal);
 * for each SPN: whether the KDC knows it and which enctype its tickets use. The anchors are
 * gokrb5's `client.Diagnostics` and MongoDB's `mongokerberos`.
 *
 * Nothing here throws for a broken setup: every problem becomes a check with status `fail` or
 * `warn`, a summary, details and advice. Keys never appear in the report.
 *
 * @module
 */
import { performance } from 'node:perf_hooks'
import type { Transport } from '../client/transport.js'
import {
  configuredRealms,
  createConfig,
  readLibDefaults,
  type Krb5Config,
  type LibDefaults,
} from '../config/index.js'
import { KerberosError } from '../errors.js'
import { randomBytes } from '../internal/bytes.js'
import type { Keytab } from '../keytab/index.js'
import { parsePrincipal, type Principal } from '../principal.js'
import { makeNonce } from '../protocol/as.js'
import { parseKDCReply } from '../protocol/kdc-rep.js'
import { buildSaltProbe } from '../protocol/salt-probe.js'
import { configNotLoaded, configPaths, loadConfig } from './config.js'
import { runKeytabChecks, runSPNChecks } from './doctor-keytab.js'
import type { EnvOptions } from './env.js'
import {
  discoveryConfigFromKrb5Config,
  locateKDCs,
  type KDCAddress,
  type KDCProtocol,
  type SRVResolver,
} from './kdc-discovery.js'
import { readKeytab } from './files.js'
import {
  DEFAULT_MAX_REPLY_BYTES,
  createNodeTransport,
  exchangeTCP,
  exchangeUDP,
} from './transport.js'

/** The outcome of one check. `skip`: not run (an earlier check failed, or nothing to check). */
export type DoctorStatus = 'ok' | 'warn' | 'fail' | 'skip'

/** One line of the checklist. */
export interface DoctorCheck {
  /** Stable identifier: `config`, `realm`, `kdc-discovery`, `kdc:HOST:PORT`, `clock`, `keytab`, ... */
  readonly id: string
  readonly status: DoctorStatus
  /** One sentence: what was found. */
  readonly summary: string
  /** Structured facts (JSON-safe; never keys). */
  readonly details?: Readonly<Record<string, unknown>>
  /** What to do about a `warn` or `fail`. */
  readonly advice?: string
}

/** The result of {@link runDoctor}. */
export interface DoctorReport {
  /** False when any check failed. */
  readonly ok: boolean
  /** The realm diagnosed, when one was found. */
  readonly realm: string | undefined
  /** When the run started (local clock, ISO 8601). */
  readonly checkedAt: string
  /** The KDC's clock minus ours in milliseconds, when a KDC answered. */
  readonly clockOffsetMs: number | undefined
  readonly checks: readonly DoctorCheck[]
}

/** Options for {@link runDoctor}; all optional. */
export interface DoctorOptions extends EnvOptions {
  /** A loaded krb5.conf; default `KRB5_CONFIG`, else `/etc/krb5.conf`. */
  readonly config?: Krb5Config
  /** krb5.conf files to read instead of `KRB5_CONFIG` / `/etc/krb5.conf`. */
  readonly configPaths?: readonly string[]
  /** The realm to diagnose; default the principal's, the keytab's, then `default_realm`. */
  readonly realm?: string
  /** A keytab (path or parsed) to check against the KDC (`-k`). */
  readonly keytab?: string | Keytab
  /** The principal to check; default the keytab's first. */
  readonly principal?: string
  /** Service principals to ask tickets for (`HTTP/host@REALM` or `HTTP@host`). */
  readonly spns?: readonly string[]
  /** The ccache whose TGT serves the SPN checks when there is no keytab login; false: none. */
  readonly ccache?: string | false
  /** The local clock; default `new Date()`. Tests use a skewed one. */
  readonly now?: () => Date
  /** SRV resolver for discovery. */
  readonly resolver?: SRVResolver
  /** Wait per KDC attempt in the reachability checks; default 2000 ms. */
  readonly attemptTimeoutMs?: number
  /** The transport for logins and tickets; default a Node transport on the loaded config. */
  readonly transport?: Transport
  readonly signal?: AbortSignal
}

/** What the checks share while the doctor runs. */
export interface DoctorContext {
  readonly options: DoctorOptions
  readonly config: Krb5Config
  readonly libdefaults: LibDefaults
  readonly checks: DoctorCheck[]
  readonly now: () => Date
  realm: string | undefined
  keytab: Keytab | undefined
  keytabName: string | undefined
  reachable: boolean
  clockOffsetMs: number | undefined
  transport: Transport | undefined
}

/** Add a check to the context's list (details without undefined values). */
export function addCheck(ctx: DoctorContext, check: DoctorCheck): DoctorCheck {
  ctx.checks.push(check)
  return check
}

/** A short reason from any thrown value: a KerberosError's message and code, else its text. */
export function reason(err: unknown): string {
  if (err instanceof KerberosError) return `${err.message} (${err.code})`
  return err instanceof Error ? err.message : String(err)
}

async function checkConfig(
  options: DoctorOptions,
): Promise<{ config: Krb5Config; check: DoctorCheck }> {
  const env = options.env ?? process.env
  if (options.config !== undefined) {
    const files = options.config.files.map((f) => f.path)
    return {
      config: options.config,
      check: {
        id: 'config',
        status: 'ok',
        summary: 'krb5.conf given by the caller',
        details: { files },
      },
    }
  }
  const paths = options.configPaths ?? configPaths(options)
  const why =
    options.configPaths !== undefined
      ? 'given by the caller'
      : env.KRB5_CONFIG !== undefined
        ? `from KRB5_CONFIG=${env.KRB5_CONFIG}`
        : 'the default (KRB5_CONFIG is not set)'
  const load = { ...options, paths, ...(options.signal ? { signal: options.signal } : {}) }
  try {
    const config = await loadConfig(load)
    const files = config.files.map((f) => f.path)
    const missing = configNotLoaded(config, load)
    if (missing !== undefined) {
      return {
        config,
        check: {
          id: 'config',
          status: 'warn',
          summary: missing,
          details: { tried: paths, source: why },
          advice:
            'Point KRB5_CONFIG at your krb5.conf, or create /etc/krb5.conf with [libdefaults] default_realm and [realms] REALM = { kdc = host }',
        },
      }
    }
    return {
      config,
      check: {
        id: 'config',
        status: 'ok',
        summary: `krb5.conf read from ${files.join(', ')} (${why})`,
        details: { files, tried: paths, source: why },
      },
    }
  } catch (err) {
    return {
      config: createConfig([]),
      check: {
        id: 'config',
        status: 'fail',
        summary: `krb5.conf cannot be read: ${reason(err)}`,
        details: { tried: paths, source: why },
        advice: 'Fix the syntax error or permission named above (MIT tools read the same file)',
      },
    }
  }
}

function realmOfPrincipal(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  try {
    const p = parsePrincipal(text, { defaultRealm: '' })
    return p.realm === '' ? undefined : p.realm
  } catch {
    return undefined
  }
}

function chooseRealm(ctx: DoctorContext): { realm?: string; why: string } {
  const o = ctx.options
  if (o.realm !== undefined) return { realm: o.realm, why: 'given on the command line' }
  const fromPrincipal = realmOfPrincipal(o.principal)
  if (fromPrincipal !== undefined)
    return { realm: fromPrincipal, why: `the realm of ${o.principal}` }
  const first = o.principal === undefined ? ctx.keytab?.entries[0]?.principal : undefined
  if (first !== undefined && first.realm !== '')
    return { realm: first.realm, why: "the realm of the keytab's first principal" }
  const def = ctx.libdefaults.defaultRealm
  if (def !== undefined) return { realm: def, why: '[libdefaults] default_realm' }
  return { why: 'no --realm, no realm in the principal, no default_realm' }
}

function checkRealm(ctx: DoctorContext): void {
  const { realm, why } = chooseRealm(ctx)
  if (realm === undefined) {
    addCheck(ctx, {
      id: 'realm',
      status: 'fail',
      summary: `no realm to diagnose: ${why}`,
      advice:
        'Set [libdefaults] default_realm in krb5.conf, or pass --realm REALM or -p user@REALM',
    })
    return
  }
  ctx.realm = realm
  const known = configuredRealms(ctx.config)
  const caseTwin = known.find((r) => r !== realm && r.toUpperCase() === realm.toUpperCase())
  const details = {
    realm,
    source: why,
    configuredRealms: known,
    defaultRealm: ctx.libdefaults.defaultRealm,
  }
  if (caseTwin !== undefined) {
    addCheck(ctx, {
      id: 'realm',
      status: 'fail',
      summary: `realm ${realm} (${why}) is not configured, but ${caseTwin} is: realm names are case-sensitive`,
      details,
      advice: `Use ${caseTwin} (realms are conventionally upper case; AD realms are the DNS domain in upper case)`,
    })
    return
  }
  const lower = realm !== realm.toUpperCase()
  addCheck(ctx, {
    id: 'realm',
    status: lower ? 'warn' : 'ok',
    summary: `realm ${realm} (${why})`,
    details,
    ...(lower
      ? {
          advice: `Realm names are case-sensitive and almost always upper case: did you mean ${realm.toUpperCase()}?`,
        }
      : {}),
  })
}

async function discover(ctx: DoctorContext, realm: string): Promise<readonly KDCAddress[]> {
  const o = ctx.options
  try {
    const loc = await locateKDCs(realm, {
      config: discoveryConfigFromKrb5Config(ctx.config, { realms: [realm] }),
      ...(o.resolver !== undefined ? { resolver: o.resolver } : {}),
      ...(o.signal !== undefined ? { signal: o.signal } : {}),
    })
    const kdcs = loc.kdcs.map(
      (k) => `${k.protocol !== undefined ? `${k.protocol}/` : ''}${k.host}:${k.port}`,
    )
    const source =
      loc.kdcs[0]?.source === 'dns' ? 'DNS SRV records' : `krb5.conf [realms] ${realm} kdc`
    if (loc.kdcs.length === 0) {
      addCheck(ctx, {
        id: 'kdc-discovery',
        status: 'fail',
        summary: `no KDC is known for ${realm}`,
        details: { dns: loc.dns, dnsLookupKdc: ctx.libdefaults.dnsLookupKdc },
        advice: `Add [realms] ${realm} = { kdc = kdc.example.com } to krb5.conf, or publish _kerberos._udp.${realm} and _kerberos._tcp.${realm} SRV records${ctx.libdefaults.dnsLookupKdc ? '' : ' and set dns_lookup_kdc = true'}`,
      })
      return []
    }
    addCheck(ctx, {
      id: 'kdc-discovery',
      status: 'ok',
      summary: `${loc.kdcs.length} KDC(s) for ${realm} from ${source}: ${kdcs.join(', ')}`,
      details: { kdcs: loc.kdcs, dns: loc.dns },
    })
    return loc.kdcs
  } catch (err) {
    addCheck(ctx, {
      id: 'kdc-discovery',
      status: 'fail',
      summary: `KDC discovery for ${realm} failed: ${reason(err)}`,
      advice: 'Fix the kdc line named above in krb5.conf ([realms] REALM = { kdc = host[:port] })',
    })
    return []
  }
}

/** One try at one KDC over one protocol. */
interface ProbeResult {
  readonly protocol: KDCProtocol
  readonly ms: number
  readonly answered: boolean
  /** The KRB-ERROR name (or `AS-REP`), or the failure code. */
  readonly result: string
  readonly error?: string
  readonly offsetMs?: number
  readonly kdcTime?: string
}

async function probe(
  ctx: DoctorContext,
  realm: string,
  kdc: KDCAddress,
  protocol: KDCProtocol,
  // A client name the KDC does not know: any KRB-ERROR it answers carries its clock (stime).
  client: Principal = { nameType: 1, components: ['kerberos-ts-doctor-probe'], realm },
): Promise<ProbeResult> {
  const sentAt = ctx.now().getTime()
  const req = buildSaltProbe({
    client,
    etypes: [18, 17],
    now: new Date(sentAt),
    nonce: makeNonce(randomBytes),
  })
  const o = {
    timeoutMs: ctx.options.attemptTimeoutMs ?? 2000,
    signal: ctx.options.signal,
    maxReplyBytes: DEFAULT_MAX_REPLY_BYTES,
  }
  const t0 = performance.now()
  try {
    const send = protocol === 'tcp' ? exchangeTCP : exchangeUDP
    const bytes = await send(kdc.host, kdc.port, req.bytes, o)
    const ms = Math.round(performance.now() - t0)
    const reply = parseKDCReply(bytes, 11)
    if (reply.kind === 'rep') return { protocol, ms, answered: true, result: 'AS-REP' }
    const e = reply.kdcError
    if (e.serverTime === undefined) return { protocol, ms, answered: true, result: e.errorName }
    // The KDC's time is (about) that of the middle of the round trip.
    const local = sentAt + ms / 2
    return {
      protocol,
      ms,
      answered: true,
      result: e.errorName,
      offsetMs: Math.round(e.serverTime.getTime() - local),
      kdcTime: e.serverTime.toISOString(),
    }
  } catch (err) {
    const ms = Math.round(performance.now() - t0)
    const code = (err as { code?: unknown }).code
    return {
      protocol,
      ms,
      answered: false,
      result: typeof code === 'string' ? code : 'ERROR',
      error: err instanceof Error ? err.message : String(err),
    }
  }
}

function reachAdvice(results: readonly ProbeResult[]): string | undefined {
  const failed = results.filter((r) => !r.answered).map((r) => r.protocol)
  if (failed.length === 0) return undefined
  if (failed.length === results.length)
    return 'Check the host name and port, that the KDC runs, and firewalls (port 88 over UDP and TCP)'
  if (failed.includes('udp'))
    return 'UDP is blocked or not served: small requests go over UDP first (set udp_preference_limit = 1 in [libdefaults] to use TCP only)'
  return 'TCP is blocked or not served: large requests and replies (Active Directory PACs) need TCP port 88'
}

/** KDC addresses once each, with every protocol they are listed for (SRV gives one per protocol). */
function byAddress(kdcs: readonly KDCAddress[]): { kdc: KDCAddress; protocols: KDCProtocol[] }[] {
  const out = new Map<string, { kdc: KDCAddress; protocols: KDCProtocol[] }>()
  for (const kdc of kdcs) {
    const key = `${kdc.host}:${kdc.port}`
    const entry = out.get(key) ?? { kdc, protocols: [] }
    for (const p of kdc.protocol !== undefined ? [kdc.protocol] : (['udp', 'tcp'] as const))
      if (!entry.protocols.includes(p)) entry.protocols.push(p)
    out.set(key, entry)
  }
  return [...out.values()]
}

async function checkKDCs(
  ctx: DoctorContext,
  realm: string,
  kdcs: readonly KDCAddress[],
): Promise<void> {
  const offsets: number[] = []
  let live: { kdc: KDCAddress; protocol: KDCProtocol } | undefined
  for (const { kdc, protocols } of byAddress(kdcs).slice(0, 8)) {
    const results: ProbeResult[] = []
    for (const p of protocols) results.push(await probe(ctx, realm, kdc, p))
    const answered = results.filter((r) => r.answered)
    if (answered.length > 0) ctx.reachable = true
    if (answered[0] !== undefined) live ??= { kdc, protocol: answered[0].protocol }
    for (const r of answered) if (r.offsetMs !== undefined) offsets.push(r.offsetMs)
    const timing = results
      .map(
        (r) =>
          `${r.protocol.toUpperCase()} ${r.answered ? `${r.ms} ms` : `${r.result} after ${r.ms} ms`}`,
      )
      .join(', ')
    const advice = reachAdvice(results)
    addCheck(ctx, {
      id: `kdc:${kdc.host}:${kdc.port}`,
      status: answered.length === results.length ? 'ok' : answered.length > 0 ? 'warn' : 'fail',
      summary: `KDC ${kdc.host}:${kdc.port} ${answered.length > 0 ? 'answers' : 'does not answer'}: ${timing}`,
      details: { host: kdc.host, port: kdc.port, source: kdc.source, attempts: results },
      ...(advice !== undefined ? { advice } : {}),
    })
  }
  // One dead KDC among live ones is a warning; none answering is the failure.
  if (!ctx.reachable) return
  for (const c of ctx.checks) {
    if (c.id.startsWith('kdc:') && c.status === 'fail')
      (c as { status: DoctorStatus }).status = 'warn'
  }
  if (live !== undefined) await checkRealmServed(ctx, realm, live.kdc, live.protocol)
  ctx.clockOffsetMs = offsets[0]
  checkClock(ctx, offsets)
}

/**
 * Does the KDC serve the realm? An AS-REQ with `krbtgt/REALM` as the client: a KDC of the realm
 * has that principal (it answers with an AS-REP, PREAUTH_REQUIRED, or CLIENT_REVOKED as Active
 * Directory's disabled krbtgt account does); MIT answers C_PRINCIPAL_UNKNOWN for a realm it does
 * not serve, others WRONG_REALM.
 */
async function checkRealmServed(
  ctx: DoctorContext,
  realm: string,
  kdc: KDCAddress,
  protocol: KDCProtocol,
): Promise<void> {
  const krbtgt: Principal = { nameType: 2, components: ['krbtgt', realm], realm }
  const r = await probe(ctx, realm, kdc, protocol, krbtgt)
  if (!r.answered) return
  const foreign = r.result === 'KDC_ERR_C_PRINCIPAL_UNKNOWN' || r.result === 'KDC_ERR_WRONG_REALM'
  addCheck(ctx, {
    id: 'realm-served',
    status: foreign ? 'fail' : 'ok',
    summary: foreign
      ? `KDC ${kdc.host}:${kdc.port} does not serve realm ${realm} (krbtgt/${realm}: ${r.result})`
      : `KDC ${kdc.host}:${kdc.port} serves realm ${realm}`,
    details: { host: kdc.host, port: kdc.port, result: r.result },
    ...(foreign
      ? {
          advice: `Check the realm name (it is case-sensitive${realm !== realm.toUpperCase() ? `: ${realm.toUpperCase()}?` : ''}) and that the kdc lines of [realms] ${realm} name this realm's KDCs`,
        }
      : {}),
  })
}

function describeOffset(ms: number): string {
  const s = Math.abs(ms) / 1000
  const size =
    s >= 3600
      ? `${(s / 3600).toFixed(1)} h`
      : s >= 60
        ? `${(s / 60).toFixed(1)} min`
        : `${s.toFixed(1)} s`
  return `${size} ${ms > 0 ? 'behind' : 'ahead of'}`
}

function checkClock(ctx: DoctorContext, offsets: readonly number[]): void {
  const offset = offsets[0]
  if (offset === undefined) {
    addCheck(ctx, { id: 'clock', status: 'skip', summary: 'no KDC reply carried its time' })
    return
  }
  const skew = ctx.libdefaults.clockskew
  const details = {
    offsetMs: offset,
    clockskewSeconds: skew,
    localTime: ctx.now().toISOString(),
    kdcTime: new Date(ctx.now().getTime() + offset).toISOString(),
  }
  const abs = Math.abs(offset) / 1000
  const summary =
    Math.abs(offset) < 1000
      ? `this clock agrees with the KDC's to within 1 s (allowed skew ${skew} s)`
      : `this clock is ${describeOffset(offset)} the KDC's (allowed skew ${skew} s)`
  if (abs <= Math.max(2, skew / 2)) {
    addCheck(ctx, { id: 'clock', status: 'ok', summary, details })
    return
  }
  addCheck(ctx, {
    id: 'clock',
    status: abs > skew ? 'fail' : 'warn',
    summary,
    details,
    advice:
      abs > skew
        ? 'Synchronise the clock (chrony, systemd-timesyncd, w32tm on Windows): servers refuse tickets with KRB_AP_ERR_SKEW. kerberos-ts corrects its own logins from the KDC time, but acceptors do not'
        : 'Synchronise the clock (chrony, systemd-timesyncd) before it drifts past clockskew',
  })
}

function libDefaultsOf(config: Krb5Config, checks: DoctorCheck[]): LibDefaults {
  try {
    return readLibDefaults(config)
  } catch (err) {
    checks.push({
      id: 'libdefaults',
      status: 'fail',
      summary: `[libdefaults] has an invalid value: ${reason(err)}`,
      advice: 'Fix the value named above; the checks below use the built-in defaults',
    })
    return readLibDefaults(createConfig([]))
  }
}

async function loadKeytab(ctx: DoctorContext): Promise<void> {
  const kt = ctx.options.keytab
  if (kt === undefined) return
  if (typeof kt !== 'string') {
    ctx.keytab = kt
    ctx.keytabName = '(given)'
    return
  }
  ctx.keytabName = kt
  try {
    ctx.keytab = await readKeytab(kt, { ...ctx.options, config: ctx.config })
  } catch (err) {
    addCheck(ctx, {
      id: 'keytab',
      status: 'fail',
      summary: `keytab ${kt} cannot be read: ${reason(err)}`,
      details: { keytab: kt },
      advice:
        'Check the path and that this user may read it (it must be a regular file, mode 0600)',
    })
  }
}

/**
 * Diagnose the Kerberos setup and return a checklist. Never throws for a broken setup (only for
 * an aborted signal): problems are checks with status `fail` or `warn`, each with advice.
 *
 * @example
 * ```ts
 * import { runDoctor } from 'kerberos-ts/node'
 * const report = await runDoctor({ keytab: '/etc/http.keytab', spns: ['HTTP/web.example.com'] })
 * for (const c of report.checks) console.log(c.status, c.id, c.summary, c.advice ?? '')
 * if (!report.ok) process.exitCode = 1
 * ```
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const now = options.now ?? ((): Date => new Date())
  const checkedAt = now().toISOString()
  const { config, check } = await checkConfig(options)
  const checks = [check]
  const ctx: DoctorContext = {
    options,
    config,
    libdefaults: libDefaultsOf(config, checks),
    checks,
    now,
    realm: undefined,
    keytab: undefined,
    keytabName: undefined,
    reachable: false,
    clockOffsetMs: undefined,
    transport: undefined,
  }
  await loadKeytab(ctx)
  checkRealm(ctx)
  const realm = ctx.realm
  if (realm !== undefined) {
    const kdcs = await discover(ctx, realm)
    if (kdcs.length > 0) await checkKDCs(ctx, realm, kdcs)
    if (kdcs.length > 0 && !ctx.reachable) {
      addCheck(ctx, {
        id: 'clock',
        status: 'skip',
        summary: 'no KDC answered',
      })
    }
    ctx.transport =
      options.transport ??
      createNodeTransport({
        config,
        ...(options.resolver !== undefined ? { resolver: options.resolver } : {}),
      })
  }
  const tgtClient = await runKeytabChecks(ctx)
  await runSPNChecks(ctx, tgtClient)
  return {
    ok: !ctx.checks.some((c) => c.status === 'fail'),
    realm,
    checkedAt,
    clockOffsetMs: ctx.clockOffsetMs,
    checks: ctx.checks,
  }
}
