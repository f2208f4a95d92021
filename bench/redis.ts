/**
 * Issue 16: `accept()` per second with the Redis replay cache on loopback against the in-memory
 * cache, in one run: one process, then two processes at once (on this machine's cores). Real MIT
 * AP-REQs (aes256), node crypto backend. The in-memory figure is the synchronous `accept()`; the
 * Redis figure is `acceptAsync()` with 128 requests in flight per process (as an HTTP server under
 * load has). Reports Redis round trips per accept (batching makes it < 1).
 *
 * Needs MIT krb5, python3-gssapi and redis-server. `node build/bench/redis.js`, or
 * `npm run bench -- --only redis`.
 */
import { fork } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { cpuUsage } from 'node:process'
import { createClient } from 'redis'
import { setCryptoBackend } from '../src/crypto/index.js'
import { unframeKrb5Token } from '../src/gssapi/framing.js'
import { parseKeytab } from '../src/keytab/index.js'
import { nodeBackend } from '../src/node/crypto-backend.js'
import { Acceptor, indexKeytab, type KeytabIndex } from '../src/protocol/ap-verify.js'
import { MemoryReplayCache } from '../src/protocol/replay-cache.js'
import { RedisReplayCache, type RedisClientLike } from '../src/redis/index.js'
import { mitInitiatorTokens, pythonGssAvailable, setupService } from '../test/helpers/gss-peers.js'
import { mitAvailable, startRealm } from '../test/helpers/realm.js'
import { redisAvailable, startRedis } from '../test/helpers/redis.js'
import { formatOps, loadNote, printRows } from './harness.js'

type Mode = 'memory' | 'redis'

interface PhaseResult {
  readonly mode: Mode
  readonly accepts: number
  readonly ms: number
  readonly cpuMs: number
  readonly errors: number
  readonly roundTrips: number
  readonly latencyMsAvg: number
}

const CONCURRENCY = 128
let runs = 0

function runMemory(apReqs: readonly Uint8Array[], keytab: KeytabIndex, ms: number): PhaseResult {
  const replayCache = new MemoryReplayCache({ maxEntries: 1_000_000 })
  const acceptor = new Acceptor({ keytab, replayCache })
  let i = 0
  let accepts = 0
  const cpu0 = cpuUsage()
  const t0 = performance.now()
  const end = t0 + ms
  while (performance.now() < end) {
    for (let k = 0; k < 50; k++) {
      if (i === apReqs.length) {
        i = 0
        replayCache.clear()
      }
      acceptor.accept(apReqs[i++]!)
      accepts++
    }
  }
  const elapsed = performance.now() - t0
  const cpu = cpuUsage(cpu0)
  return {
    mode: 'memory',
    accepts,
    ms: elapsed,
    cpuMs: (cpu.user + cpu.system) / 1000,
    errors: 0,
    roundTrips: 0,
    latencyMsAvg: 0,
  }
}

async function runRedis(
  apReqs: readonly Uint8Array[],
  keytab: KeytabIndex,
  ms: number,
  client: RedisClientLike,
): Promise<PhaseResult> {
  // Each lap over the token list gets its own namespace (so a token is new again).
  const laps: { acceptor: Acceptor; cache: RedisReplayCache }[] = []
  const run = ++runs
  const lap = (n: number): Acceptor => {
    while (laps.length <= n) {
      const cache = new RedisReplayCache({
        client,
        namespace: `bench-${process.pid}-${run}-${laps.length}`,
      })
      laps.push({ cache, acceptor: new Acceptor({ keytab, replayCache: cache }) })
    }
    return laps[n]!.acceptor
  }
  let next = 0
  let accepts = 0
  let errors = 0
  const cpu0 = cpuUsage()
  const t0 = performance.now()
  const end = t0 + ms
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const n = next++
      try {
        await lap(Math.floor(n / apReqs.length)).acceptAsync(apReqs[n % apReqs.length]!)
        accepts++
      } catch (err) {
        if (errors++ === 0 && process.env.BENCH_DEBUG) console.error(err)
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const elapsed = performance.now() - t0
  const cpu = cpuUsage(cpu0)
  const roundTrips = laps.reduce((s, l) => s + l.cache.stats.roundTrips, 0)
  const latency = laps.reduce((s, l) => s + l.cache.stats.latencyMsTotal, 0)
  return {
    mode: 'redis',
    accepts,
    ms: elapsed,
    cpuMs: (cpu.user + cpu.system) / 1000,
    errors,
    roundTrips,
    latencyMsAvg: roundTrips === 0 ? 0 : latency / roundTrips,
  }
}

async function runPhase(
  mode: Mode,
  apReqs: readonly Uint8Array[],
  keytab: KeytabIndex,
  ms: number,
  redisUrl: string,
): Promise<PhaseResult> {
  setCryptoBackend(nodeBackend)
  if (mode === 'memory') {
    runMemory(apReqs, keytab, 300) // warm-up
    return runMemory(apReqs, keytab, ms)
  }
  const client = createClient({ url: redisUrl })
  client.on('error', () => {})
  await client.connect()
  try {
    await runRedis(apReqs, keytab, 300, client)
    return await runRedis(apReqs, keytab, ms, client)
  } finally {
    client.destroy()
  }
}

interface Inputs {
  readonly apReqs: Uint8Array[]
  readonly keytab: KeytabIndex
}

function loadInputs(dir: string): Inputs {
  const lines = readFileSync(join(dir, 'tokens.txt'), 'utf8').trim().split('\n')
  return {
    apReqs: lines.map((l) => new Uint8Array(Buffer.from(l, 'base64'))),
    keytab: indexKeytab(parseKeytab(readFileSync(join(dir, 'keytab')))),
  }
}

/** Child mode: `redis.js --child DIR MODE MS URL`, answers its PhaseResult over IPC. */
async function child(argv: readonly string[]): Promise<void> {
  const [dir, mode, ms, url] = argv as [string, Mode, string, string]
  const { apReqs, keytab } = loadInputs(dir)
  // Wait for the go signal so both children measure over the same period.
  await new Promise<void>((r) => {
    process.send!({ ready: true })
    process.once('message', () => r())
  })
  const result = await runPhase(mode, apReqs, keytab, Number(ms), url)
  process.send!({ result })
  process.disconnect()
}

async function inChildren(
  count: number,
  mode: Mode,
  dir: string,
  ms: number,
  url: string,
): Promise<PhaseResult[]> {
  const self = fileURLToPath(import.meta.url)
  const kids = Array.from({ length: count }, () =>
    fork(self, ['--child', dir, mode, String(ms), url], { stdio: 'inherit' }),
  )
  await Promise.all(kids.map((k) => new Promise((r) => k.once('message', r))))
  const results = kids.map(
    (k) =>
      new Promise<PhaseResult>((resolve, reject) => {
        k.on('message', (m: { result?: PhaseResult }) => m.result && resolve(m.result))
        k.once('exit', (code) => code !== 0 && reject(new Error(`bench child exited ${code}`)))
      }),
  )
  for (const k of kids) k.send('go')
  return Promise.all(results)
}

async function prepare(dir: string, tokens: number): Promise<void> {
  const realm = await startRealm()
  try {
    const s = await setupService(realm)
    const env = { ...realm.env, KRB5CCNAME: `FILE:${s.ccache}` }
    const toks = await mitInitiatorTokens(env, 'HTTP@localhost', tokens)
    const lines = toks.map((t) => Buffer.from(unframeKrb5Token(t).body).toString('base64'))
    writeFileSync(join(dir, 'tokens.txt'), lines.join('\n') + '\n')
    writeFileSync(join(dir, 'keytab'), await readFile(s.keytab))
  } finally {
    await realm.stop()
  }
}

const rate = (r: PhaseResult): number => (r.accepts * 1000) / r.ms
const cpuRate = (r: PhaseResult): number => (r.accepts * 1000) / r.cpuMs

/** Run the Redis replay-cache benchmark and print accepts/s per process. */
export async function benchRedis(
  options: { readonly ms?: number; readonly rounds?: number } = {},
): Promise<void> {
  if (!mitAvailable() || !pythonGssAvailable() || !redisAvailable()) {
    console.log('redis: MIT krb5, python3-gssapi or redis-server missing — skipped')
    return
  }
  const ms = options.ms ?? 2000
  const rounds = options.rounds ?? 3
  const dir = mkdtempSync(join(tmpdir(), 'krbts-bench-redis-'))
  const redis = await startRedis()
  try {
    await prepare(dir, 4000)
    const { apReqs, keytab } = loadInputs(dir)
    // Alternate the modes over several rounds: on a shared machine the load drifts.
    const one: Record<Mode, PhaseResult[]> = { memory: [], redis: [] }
    const two: Record<Mode, PhaseResult[]> = { memory: [], redis: [] }
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['memory', 'redis'] as const) {
        one[mode].push(await runPhase(mode, apReqs, keytab, ms, redis.url))
        two[mode].push(...(await inChildren(2, mode, dir, ms, redis.url)))
      }
    }
    const rows = [
      [
        'processes',
        'replay cache',
        'accepts/s per process',
        'total',
        '× memory',
        'accepts/cpu-s',
        '× memory (cpu)',
        'RTT/accept',
        'ms/RTT',
        'errors',
      ],
    ]
    for (const [label, set, procs] of [
      ['1', one, 1],
      ['2', two, 2],
    ] as const) {
      const mem = set.memory.reduce((s, r) => s + rate(r), 0) / set.memory.length
      const memCpu = set.memory.reduce((s, r) => s + cpuRate(r), 0) / set.memory.length
      for (const mode of ['memory', 'redis'] as const) {
        const rs = set[mode]
        const per = rs.reduce((s, r) => s + rate(r), 0) / rs.length
        const perCpu = rs.reduce((s, r) => s + cpuRate(r), 0) / rs.length
        const accepts = rs.reduce((s, r) => s + r.accepts, 0)
        const trips = rs.reduce((s, r) => s + r.roundTrips, 0)
        rows.push([
          label,
          mode,
          formatOps(per),
          formatOps(per * procs),
          (per / mem).toFixed(2),
          formatOps(perCpu),
          (perCpu / memCpu).toFixed(2),
          mode === 'redis' ? (trips / accepts).toFixed(3) : '',
          mode === 'redis'
            ? (rs.reduce((s, r) => s + r.latencyMsAvg, 0) / rs.length).toFixed(2)
            : '',
          String(rs.reduce((s, r) => s + r.errors, 0)),
        ])
      }
    }
    printRows(rows)
    console.log(
      `(${rounds} alternating rounds of ${ms} ms per mode; MIT AP-REQs aes256, node crypto backend; redis: acceptAsync with ${CONCURRENCY} in flight per process, node-redis, loopback)`,
    )
    console.log(loadNote())
  } finally {
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--child') await child(process.argv.slice(3))
  else await benchRedis()
}
