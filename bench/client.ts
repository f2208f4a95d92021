/**
 * Client benchmark: keytab login (AS exchange) and service tickets (TGS exchange) against a
 * loopback MIT KDC started here, in-process, about 5 seconds. Figures include the KDC's own work
 * and the loopback round trip, so they bound what the client can do, not what it costs alone.
 */
import { existsSync, readFileSync } from 'node:fs'
import { KerberosClient } from '../src/client/index.js'
import { parseConfig } from '../src/config/index.js'
import { parseKeytab } from '../src/keytab/index.js'
import { discoveryConfigFromKrb5Config } from '../src/node/kdc-discovery.js'
import { createNodeTransport } from '../src/node/transport.js'
import { MIT_BIN, startRealm } from '../test/helpers/realm.js'
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
  } finally {
    await realm.stop()
  }
}

const direct = process.argv[1] !== undefined && /bench[/\\]client\.js$/.test(process.argv[1])
if (direct) await benchClient()
