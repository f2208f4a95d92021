/**
 * The network half of `doctor` without credentials: KDC discovery, each KDC tried over UDP and
 * TCP with timings, whether it serves the realm, and the clock offset from the KRB-ERROR `stime`.
 *
 * @module
 */
import { performance } from 'node:perf_hooks'
import { randomBytes } from '../internal/bytes.js'
import type { Principal } from '../principal.js'
import { makeNonce } from '../protocol/as.js'
import { parseKDCReply } from '../protocol/kdc-rep.js'
import { buildSaltProbe } from '../protocol/salt-probe.js'
import { addCheck, reason, type DoctorContext, type DoctorStatus } from './doctor-context.js'
import {
  discoveryConfigFromKrb5Config,
  locateKDCs,
  type KDCAddress,
  type KDCProtocol,
} from './kdc-discovery.js'
import { DEFAULT_MAX_REPLY_BYTES, exchangeTCP, exchangeUDP } from './transport.js'

export async function discover(ctx: DoctorContext, realm: string): Promise<readonly KDCAddress[]> {
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
        summary: `no KDC is known for ${realm}${loc.dns.length > 0 ? ` (DNS: ${loc.dns.map((d) => `${d.name} ${typeof d.result === 'number' ? `${d.result} record(s)` : d.result}`).join(', ')})` : ctx.libdefaults.dnsLookupKdc ? '' : ' (dns_lookup_kdc is off)'}`,
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

export async function checkKDCs(
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
 * Does the KDC serve the realm? An AS-REQ with `krbtgt/REALM` as the client: an MIT KDC of the
 * realm has that principal (it answers with an AS-REP or PREAUTH_REQUIRED), and answers
 * C_PRINCIPAL_UNKNOWN for a realm it does not serve; others say WRONG_REALM. Active Directory and
 * Samba answer C_PRINCIPAL_UNKNOWN for their own krbtgt too, so that answer alone proves nothing:
 * it is kept as a hint for the principal checks.
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
  const where = `KDC ${kdc.host}:${kdc.port}`
  const details = { host: kdc.host, port: kdc.port, result: r.result }
  if (r.result === 'KDC_ERR_WRONG_REALM') {
    addCheck(ctx, {
      id: 'realm-served',
      status: 'fail',
      summary: `${where} does not serve realm ${realm} (KDC_ERR_WRONG_REALM)`,
      details,
      advice: `Check the realm name (it is case-sensitive${realm !== realm.toUpperCase() ? `: ${realm.toUpperCase()}?` : ''}) and that the kdc lines of [realms] ${realm} name this realm's KDCs`,
    })
    return
  }
  ctx.realmUnconfirmed = r.result === 'KDC_ERR_C_PRINCIPAL_UNKNOWN'
  addCheck(ctx, {
    id: 'realm-served',
    status: ctx.realmUnconfirmed ? 'skip' : 'ok',
    summary: ctx.realmUnconfirmed
      ? `${where} does not give out krbtgt/${realm} as a client (Active Directory never does; MIT does not for a realm it does not serve)`
      : `${where} serves realm ${realm}`,
    details,
  })
}

function describeOffset(ms: number): string {
  const s = Math.abs(ms) / 1000
  const size =
    // Thresholds below the round numbers, so 3599.6 s reads 1.0 h and not 60.0 min.
    s >= 172800
      ? `${Math.round(s / 86400)} days`
      : s >= 3597
        ? `${(s / 3600).toFixed(1)} h`
        : s >= 59.95
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
