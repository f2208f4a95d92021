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
  if (!Object.values(MIT_BIN).every((p) => existsSync(p))) {
    console.log('skipped: MIT krb5 (krb5-kdc, krb5-admin-server, krb5-user) is not installed')
    return
  }
  const realm = await startRealm({ realm: 'BENCH.TEST' })
  try {
    await realm.addPrincipal('bench')
    await realm.addPrincipal('HTTP/localhost')
    await realm.ktadd('bench', realm.path('bench.keytab'))
    const keytab = parseKeytab(readFileSync(realm.path('bench.keytab')))
    const config = parseConfig(readFileSync(realm.krb5ConfPath, 'utf8'))
    const transport = createNodeTransport({ config: discoveryConfigFromKrb5Config(config) })
    const make = (): KerberosClient => new KerberosClient({ config, transport })
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
    await compareWithMIT(realm, async () => {
      const c = make()
      await c.login({ principal: 'bench', keytab })
      await c.getServiceTicket('HTTP/localhost')
    })
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

/**
 * Keytab login + service ticket, a new client each time: kerberos-ts and MIT's C client
 * (`krb5_get_init_creds_keytab` + `krb5_get_credentials`) alternately against the same KDC in
 * the same run, so the ratio holds on a loaded machine. gokrb5 is not built here (no Go).
 */
async function compareWithMIT(realm: Realm, ours: () => Promise<unknown>): Promise<void> {
  let loop: string
  try {
    loop = buildMITLoop(realm)
  } catch (e) {
    console.log(`MIT comparison skipped: ${(e as Error).message}`)
    return
  }
  const env = { ...process.env, ...realm.env }
  const totals = { ts: { ops: 0, ms: 0 }, mit: { ops: 0, ms: 0 } }
  for (let round = 0; round < 3; round++) {
    const r = await timed('ts', 1500, ours)
    totals.ts.ops += r.ops
    totals.ts.ms += r.ms
    const { stdout } = await run(
      loop,
      [realm.qualify('bench'), realm.path('bench.keytab'), realm.qualify('HTTP/localhost'), '1500'],
      { env },
    )
    const [ops, ms] = stdout.trim().split(/\s+/).map(Number)
    totals.mit.ops += ops!
    totals.mit.ms += ms!
  }
  const tsRate = (totals.ts.ops * 1000) / totals.ts.ms
  const mitRate = (totals.mit.ops * 1000) / totals.mit.ms
  printRows([
    ['keytab login + service ticket, new client each', 'ops/s', 'vs MIT'],
    ['kerberos-ts', formatOps(tsRate), (tsRate / mitRate).toFixed(2)],
    ['MIT krb5 C client (libkrb5)', formatOps(mitRate), '1.00'],
  ])
  console.log('gokrb5: not measured here (needs Go)')
}

const direct = process.argv[1] !== undefined && /bench[/\\]client\.js$/.test(process.argv[1])
if (direct) await benchClient()
