/**
 * Client benchmark: keytab login (AS exchange) and service tickets (TGS exchange) against a
 * loopback MIT KDC started here, in-process, about 5 seconds. Figures include the KDC's own work
 * and the loopback round trip, so they bound what the client can do, not what it costs alone.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { KerberosClient } from '../src/client/index.js'
import { parseConfig } from '../src/config/index.js'
import { parseKeytab } from '../src/keytab/index.js'
import { discoveryConfigFromKrb5Config } from '../src/node/kdc-discovery.js'
import { createNodeTransport } from '../src/node/transport.js'
import { useNodeCrypto } from '../src/node/crypto-backend.js'
import { MIT_BIN, startRealm, type Realm } from '../test/helpers/realm.js'
import { formatOps, printRows } from './harness.js'

interface Rate {
  readonly name: string
  readonly ops: number
  readonly ms: number
  readonly cpuMs: number
}

async function timed(name: string, ms: number, fn: () => Promise<unknown>): Promise<Rate> {
  const warm = performance.now()
  while (performance.now() - warm < 300) await fn() // warm-up: JIT, derived-key caches, sockets
  const cpu = process.cpuUsage()
  const start = performance.now()
  let ops = 0
  while (performance.now() - start < ms) {
    await fn()
    ops++
  }
  const used = process.cpuUsage(cpu)
  return { name, ops, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 }
}

/** Run the client benchmark and print its table. */
export async function benchClient(): Promise<void> {
  // KERBEROS_TS_BENCH_NODE_CRYPTO=1: the whole run on the node:crypto backend (useNodeCrypto), as a
  // Node service would deploy; otherwise the pure-JS backend every runtime has.
  if (process.env.KERBEROS_TS_BENCH_NODE_CRYPTO === '1') {
    useNodeCrypto()
    console.log('crypto backend: node:crypto (KERBEROS_TS_BENCH_NODE_CRYPTO=1)')
  }
  if (!Object.values(MIT_BIN).every((p) => existsSync(p))) {
    console.log('skipped: MIT krb5 (krb5-kdc, krb5-admin-server, krb5-user) is not installed')
    return
  }
  // One enctype for every client compared here (kerberos-ts, MIT, gokrb5): aes256-cts-hmac-sha1-96.
  const realm = await startRealm({
    realm: 'BENCH.TEST',
    permittedEnctypes: ['aes256-cts-hmac-sha1-96'],
  })
  try {
    await realm.addPrincipal('bench')
    await realm.addPrincipal('HTTP/localhost')
    await realm.ktadd('bench', realm.path('bench.keytab'))
    const keytab = parseKeytab(readFileSync(realm.path('bench.keytab')))
    const config = parseConfig(readFileSync(realm.krb5ConfPath, 'utf8'))
    const transport = createNodeTransport({ config: discoveryConfigFromKrb5Config(config) })
    const make = (): KerberosClient => new KerberosClient({ config, transport })
    // gokrb5 has no FAST: the same client without TGS armor, for a like-for-like row.
    const makeNoFast = (): KerberosClient =>
      new KerberosClient({ config, transport, fast: 'never' })
    const rates: Rate[] = []
    rates.push(
      await timed('keytab login + service ticket (AS + TGS)', 2500, async () => {
        const c = make()
        await c.login({ principal: 'bench', keytab })
        await c.getServiceTicket('HTTP/localhost')
      }),
    )
    const c = make()
    const tgt = await c.login({ principal: 'bench', keytab })
    rates.push(
      await timed('service ticket (TGS, same TGT each time)', 1500, () =>
        c.getServiceTicket('HTTP/localhost', { tgt }),
      ),
    )
    rates.push(
      await timed('keytab login only (AS)', 1500, () =>
        make().login({ principal: 'bench', keytab }),
      ),
    )
    const rows = [['operation', 'ops/s', 'client CPU ms/op']]
    for (const r of rates) {
      rows.push([r.name, formatOps((r.ops * 1000) / r.ms), (r.cpuMs / r.ops).toFixed(2)])
    }
    printRows(rows)
    const loop = (mk: () => KerberosClient) => async (): Promise<void> => {
      const c = mk()
      await c.login({ principal: 'bench', keytab })
      await c.getServiceTicket('HTTP/localhost')
    }
    await compareWithPeers(realm, loop(make), loop(makeNoFast))
  } finally {
    await realm.stop()
  }
}

const run = promisify(execFile)

/** Build bench/mit/client-loop.c against libkrb5 (libkrb5-dev), or say why not. */
function buildMITLoop(realm: Realm): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const src = join(here, '..', '..', 'bench', 'mit', 'client-loop.c')
  const out = realm.path('client-loop')
  try {
    const libs = execFileSync('krb5-config', ['--libs', 'krb5'], { encoding: 'utf8' }).trim()
    execFileSync('cc', ['-O2', '-o', out, src, ...libs.split(/\s+/)], { stdio: 'pipe' })
    return out
  } catch (e) {
    throw new Error(`cannot build ${src} (needs cc and libkrb5-dev): ${(e as Error).message}`)
  }
}

const GO = '/usr/bin/go'
const GOPATH = '/usr/share/gocode'
const GOKRB5 = join(GOPATH, 'src/github.com/jcmturner/gokrb5/v8/client')

/**
 * Build bench/gokrb5/client-loop.go against Debian's gokrb5 (golang-go +
 * golang-github-jcmturner-gokrb5.v8-dev), offline as test/kdc/gokrb5.test.ts builds its peer,
 * or say why not.
 */
async function buildGokrb5Loop(realm: Realm): Promise<string> {
  const missing = [GO, GOKRB5].filter((p) => !existsSync(p))
  if (missing.length > 0) {
    throw new Error(
      `Go or gokrb5 missing (${missing.join(', ')}): install golang-go golang-github-jcmturner-gokrb5.v8-dev`,
    )
  }
  const here = dirname(fileURLToPath(import.meta.url))
  const out = realm.path('gokrb5-client-loop')
  const home = realm.path('go-home')
  try {
    await run(GO, ['build', '-o', out, '.'], {
      cwd: join(here, '..', '..', 'bench', 'gokrb5'),
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        GO111MODULE: 'off',
        GOPATH,
        GOCACHE: join(home, 'gocache'),
        GOFLAGS: '',
        CGO_ENABLED: '0',
      },
      timeout: 300_000,
    })
    return out
  } catch (e) {
    throw new Error(`cannot build bench/gokrb5/client-loop.go: ${(e as Error).message}`)
  }
}

/** Parse a loop program's `<ops> <ms>` line. */
function opsAndMs(stdout: string): [number, number] {
  const [ops, ms] = stdout.trim().split(/\s+/).map(Number)
  if (!Number.isFinite(ops) || !Number.isFinite(ms) || ms! <= 0) {
    throw new Error(`unexpected loop output: ${JSON.stringify(stdout)}`)
  }
  return [ops!, ms!]
}

/**
 * Keytab login + service ticket, a new client each time: kerberos-ts, MIT's C client
 * (`krb5_get_init_creds_keytab` + `krb5_get_credentials`) and gokrb5 (`client.NewWithKeytab` +
 * `Login` + `GetServiceTicket`) in turn against the same KDC, principal and enctype in the same
 * run, the same number of rounds each, so the ratios hold on a loaded machine. A peer that cannot
 * be built is reported as skipped and left out of the rounds. MIT's client armors its TGS
 * request with FAST (the KDC offers it), as kerberos-ts does by default; gokrb5 has no FAST, so a
 * kerberos-ts row with `fast: 'never'` shows the like-for-like protocol against gokrb5.
 */
async function compareWithPeers(
  realm: Realm,
  ours: () => Promise<unknown>,
  oursNoFast: () => Promise<unknown>,
): Promise<void> {
  const ROUNDS = 3
  const MS = 1500
  let mit: string | null = null
  let gokrb5: string | null = null
  try {
    mit = buildMITLoop(realm)
  } catch (e) {
    console.log(`MIT comparison skipped: ${(e as Error).message}`)
  }
  try {
    gokrb5 = await buildGokrb5Loop(realm)
  } catch (e) {
    console.log(`gokrb5 comparison skipped: ${(e as Error).message}`)
  }
  const env = { ...process.env, ...realm.env }
  const totals = {
    ts: { ops: 0, ms: 0 },
    tsNoFast: { ops: 0, ms: 0 },
    mit: { ops: 0, ms: 0 },
    go: { ops: 0, ms: 0 },
  }
  const add = (t: { ops: number; ms: number }, [ops, ms]: [number, number]): void => {
    t.ops += ops
    t.ms += ms
  }
  for (let round = 0; round < ROUNDS; round++) {
    const r = await timed('ts', MS, ours)
    add(totals.ts, [r.ops, r.ms])
    const n = await timed('ts-nofast', MS, oursNoFast)
    add(totals.tsNoFast, [n.ops, n.ms])
    if (mit !== null) {
      const { stdout } = await run(
        mit,
        [
          realm.qualify('bench'),
          realm.path('bench.keytab'),
          realm.qualify('HTTP/localhost'),
          String(MS),
        ],
        { env },
      )
      add(totals.mit, opsAndMs(stdout))
    }
    if (gokrb5 !== null) {
      const { stdout } = await run(
        gokrb5,
        [
          realm.krb5ConfPath,
          'bench',
          realm.realm,
          realm.path('bench.keytab'),
          'HTTP/localhost',
          String(MS),
        ],
        { env },
      )
      add(totals.go, opsAndMs(stdout))
    }
  }
  const rate = (t: { ops: number; ms: number }): number => (t.ops * 1000) / t.ms
  const tsRate = rate(totals.ts)
  const tsNoFastRate = rate(totals.tsNoFast)
  const mitRate = mit !== null ? rate(totals.mit) : NaN
  const goRate = gokrb5 !== null ? rate(totals.go) : NaN
  const ratio = (a: number, b: number): string => (Number.isFinite(b) ? (a / b).toFixed(2) : '—')
  const rows = [
    [
      `keytab login + service ticket, new client each (${ROUNDS} × ${MS} ms, interleaved)`,
      'ops/s',
      'vs MIT',
      'vs gokrb5',
    ],
    ['kerberos-ts', formatOps(tsRate), ratio(tsRate, mitRate), ratio(tsRate, goRate)],
    [
      "kerberos-ts, fast: 'never' (TGS not armored, as gokrb5)",
      formatOps(tsNoFastRate),
      ratio(tsNoFastRate, mitRate),
      ratio(tsNoFastRate, goRate),
    ],
  ]
  if (mit !== null) {
    rows.push([
      'MIT krb5 C client (libkrb5, TGS armored)',
      formatOps(mitRate),
      '1.00',
      ratio(mitRate, goRate),
    ])
  }
  if (gokrb5 !== null) {
    rows.push(['gokrb5 v8 (Go, no FAST)', formatOps(goRate), ratio(goRate, mitRate), '1.00'])
  }
  printRows(rows)
}

const direct = process.argv[1] !== undefined && /bench[/\\]client\.js$/.test(process.argv[1])
if (direct) await benchClient()
