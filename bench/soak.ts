/**
 * Steady-state soak (`npm run bench -- --soak`): memory must stay flat after warm-up.
 *
 * 1. 1,000,000 AP-REQ verifications by one Acceptor with its replay cache ON and bounded
 *    (MemoryReplayCache, maxEntries 5,000) over a pool of 10,000 distinct AP-REQs made with our
 *    makeAPReq from a real MIT service ticket: each AP-REQ leaves the cache (evicted, counted)
 *    before the pool comes round again, so every one is accepted and the cache stays full.
 * 2. 10,000 KDC exchanges (5,000 × keytab login + service ticket) against a loopback MIT KDC
 *    started here. MIT's own lookaside (replay) cache sees distinct requests (fresh nonces).
 *
 * RSS and heap are printed at intervals. SOAK_AP_REQS and SOAK_KDC_EXCHANGES override the counts.
 */
import { existsSync, readFileSync } from 'node:fs'
import { KerberosClient } from '../src/client/index.js'
import { parseConfig } from '../src/config/index.js'
import { parseKeytab } from '../src/keytab/index.js'
import { discoveryConfigFromKrb5Config } from '../src/node/kdc-discovery.js'
import { createNodeTransport } from '../src/node/transport.js'
import { parsePrincipal } from '../src/principal.js'
import { makeAPReq } from '../src/protocol/ap-req.js'
import { Acceptor } from '../src/protocol/ap-verify.js'
import { MemoryReplayCache } from '../src/protocol/replay-cache.js'
import { MIT_BIN, startRealm } from '../test/helpers/realm.js'
import { printRows } from './harness.js'

const MB = 1024 * 1024
const AP_REQS = Number(process.env.SOAK_AP_REQS ?? 1_000_000)
const KDC_EXCHANGES = Number(process.env.SOAK_KDC_EXCHANGES ?? 10_000)
const POOL = 10_000
const CACHE = 5_000

interface Sample {
  readonly phase: string
  readonly done: number
  readonly seconds: number
  readonly rssMB: number
  readonly heapMB: number
}

function sample(phase: string, done: number, started: number): Sample {
  const m = process.memoryUsage()
  return {
    phase,
    done,
    seconds: (performance.now() - started) / 1000,
    rssMB: m.rss / MB,
    heapMB: m.heapUsed / MB,
  }
}

function report(samples: readonly Sample[]): void {
  const rows = [['phase', 'done', 's', 'RSS MB', 'heap MB']]
  for (const s of samples) {
    rows.push([
      s.phase,
      String(s.done),
      s.seconds.toFixed(1),
      s.rssMB.toFixed(1),
      s.heapMB.toFixed(1),
    ])
  }
  printRows(rows)
}

/** Growth of RSS from the first sample after warm-up (10%) to the last. */
function growth(samples: readonly Sample[]): string {
  const warm = samples.find((s) => s.done >= samples.at(-1)!.done / 10) ?? samples[0]!
  const last = samples.at(-1)!
  return `RSS after warm-up ${warm.rssMB.toFixed(1)} MB → end ${last.rssMB.toFixed(1)} MB (${(last.rssMB - warm.rssMB).toFixed(1)} MB), peak ${Math.max(...samples.map((s) => s.rssMB)).toFixed(1)} MB`
}

/** Run the soak and print RSS over time. */
export async function benchSoak(): Promise<void> {
  if (!Object.values(MIT_BIN).every((p) => existsSync(p))) {
    console.log('skipped: MIT krb5 (krb5-kdc, krb5-admin-server, krb5-user) is not installed')
    return
  }
  const realm = await startRealm({ realm: 'SOAK.TEST' })
  try {
    await realm.addPrincipal('soak')
    await realm.addPrincipal('HTTP/localhost')
    await realm.ktadd('soak', realm.path('soak.keytab'))
    await realm.ktadd('HTTP/localhost', realm.path('http.keytab'))
    const clientKeytab = parseKeytab(readFileSync(realm.path('soak.keytab')))
    const serviceKeytab = parseKeytab(readFileSync(realm.path('http.keytab')))
    const config = parseConfig(readFileSync(realm.krb5ConfPath, 'utf8'))
    const transport = createNodeTransport({ config: discoveryConfigFromKrb5Config(config) })
    const service = parsePrincipal(`HTTP/localhost@${realm.realm}`)

    // Part 1: AP-REQs.
    const kc = new KerberosClient({ config, transport })
    await kc.login({ principal: 'soak', keytab: clientKeytab })
    const st = await kc.getServiceTicket(service)
    const pool: Uint8Array[] = []
    for (let i = 0; i < POOL; i++) {
      pool.push(
        makeAPReq({ ticket: st.ticket, sessionKey: st.sessionKey, client: st.client }).bytes,
      )
    }
    const replayCache = new MemoryReplayCache({ maxEntries: CACHE })
    const acceptor = new Acceptor({ keytab: serviceKeytab, replayCache })
    const apSamples: Sample[] = []
    let started = performance.now()
    let accepted = 0
    const every = Math.max(1, Math.floor(AP_REQS / 10))
    apSamples.push(sample('AP-REQ', 0, started))
    for (let i = 1; i <= AP_REQS; i++) {
      acceptor.accept(pool[i % POOL]!, { mutual: false })
      accepted++
      if (i % every === 0) apSamples.push(sample('AP-REQ', i, started))
    }
    const apSeconds = (performance.now() - started) / 1000
    report(apSamples)
    console.log(
      `${accepted} AP-REQs accepted in ${apSeconds.toFixed(1)} s (${Math.round(accepted / apSeconds)}/s); replay cache ${replayCache.size}/${replayCache.maxEntries}, evicted ${replayCache.evicted}`,
    )
    console.log(growth(apSamples))

    // Part 2: KDC exchanges.
    const rounds = Math.ceil(KDC_EXCHANGES / 2)
    const kdcSamples: Sample[] = []
    started = performance.now()
    kdcSamples.push(sample('KDC', 0, started))
    const everyRound = Math.max(1, Math.floor(rounds / 10))
    for (let i = 1; i <= rounds; i++) {
      const c = new KerberosClient({ config, transport })
      await c.login({ principal: 'soak', keytab: clientKeytab })
      await c.getServiceTicket(service)
      if (i % everyRound === 0) kdcSamples.push(sample('KDC', i * 2, started))
    }
    const kdcSeconds = (performance.now() - started) / 1000
    report(kdcSamples)
    console.log(
      `${rounds * 2} KDC exchanges (${rounds} keytab logins + service tickets) in ${kdcSeconds.toFixed(1)} s (${Math.round((rounds * 2) / kdcSeconds)} exchanges/s)`,
    )
    console.log(growth(kdcSamples))
  } finally {
    await realm.stop()
  }
}

const direct = process.argv[1] !== undefined && /bench[/\\]soak\.js$/.test(process.argv[1])
if (direct) await benchSoak()
