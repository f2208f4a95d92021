/**
 * KDC benchmark: the same client loop (keytab login + service ticket, a new KerberosClient each
 * time) against the embedded KDC (`kerberos-ts kdc`, its own process) and against MIT `krb5kdc`,
 * both on loopback, alternated in one run so the ratio holds on a loaded machine. Also the
 * embedded KDC's resident memory.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { KerberosClient } from '../src/client/index.js'
import { parseConfig } from '../src/config/index.js'
import { parseKeytab, type Keytab } from '../src/keytab/index.js'
import { discoveryConfigFromKrb5Config } from '../src/node/kdc-discovery.js'
import { createNodeTransport } from '../src/node/transport.js'
import { MIT_BIN, startRealm } from '../test/helpers/realm.js'
import { formatOps, printRows } from './harness.js'

interface Target {
  readonly name: string
  readonly loop: () => Promise<unknown>
}

function clientLoop(confPath: string, keytab: Keytab): () => Promise<unknown> {
  const config = parseConfig(readFileSync(confPath, 'utf8'))
  const transport = createNodeTransport({ config: discoveryConfigFromKrb5Config(config) })
  return async () => {
    const c = new KerberosClient({ config, transport })
    await c.login({ principal: 'bench', keytab })
    await c.getServiceTicket('HTTP/localhost')
  }
}

async function startEmbedded(
  dir: string,
): Promise<{ child: ChildProcess; conf: string; kt: string }> {
  const here = dirname(fileURLToPath(import.meta.url))
  const main = join(here, '..', 'src', 'cli', 'main.js')
  const conf = join(dir, 'embedded.conf')
  const kt = join(dir, 'embedded-bench.keytab')
  const child = spawn(
    process.execPath,
    [
      main,
      'kdc',
      '--realm',
      'BENCH.TEST',
      '--service',
      'bench',
      '--service',
      'HTTP/localhost',
      '--keytab',
      `bench=${kt}`,
      '--krb5-conf',
      conf,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      if (out.includes('ready')) resolve()
    })
    child.once('exit', (c) => reject(new Error(`kerberos-ts kdc exited ${c}`)))
  })
  return { child, conf, kt }
}

function rssMB(pid: number | undefined): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1])
    return `${(kb / 1024).toFixed(0)} MB`
  } catch {
    return 'n/a (no /proc)'
  }
}

/** Run the KDC benchmark and print its table. */
export async function benchKDC(): Promise<void> {
  if (!Object.values(MIT_BIN).every((p) => existsSync(p))) {
    console.log('skipped: MIT krb5 is not installed (the comparison needs krb5kdc)')
    return
  }
  const realm = await startRealm({ realm: 'BENCH.TEST' })
  let embedded: Awaited<ReturnType<typeof startEmbedded>> | undefined
  try {
    await realm.addPrincipal('bench')
    await realm.addPrincipal('HTTP/localhost')
    await realm.ktadd('bench', realm.path('bench.keytab'))
    embedded = await startEmbedded(realm.dir)
    const targets: Target[] = [
      {
        name: 'embedded KDC',
        loop: clientLoop(embedded.conf, parseKeytab(readFileSync(embedded.kt))),
      },
      {
        name: 'MIT krb5kdc',
        loop: clientLoop(realm.krb5ConfPath, parseKeytab(readFileSync(realm.path('bench.keytab')))),
      },
    ]
    const totals = targets.map(() => ({ ops: 0, ms: 0 }))
    for (const t of targets) for (let i = 0; i < 20; i++) await t.loop() // warm-up
    for (let round = 0; round < 6; round++) {
      for (const [i, t] of targets.entries()) {
        const start = performance.now()
        let ops = 0
        while (performance.now() - start < 500) {
          await t.loop()
          ops++
        }
        totals[i]!.ops += ops
        totals[i]!.ms += performance.now() - start
      }
    }
    const rate = totals.map((x) => (x.ops * 1000) / x.ms)
    printRows([
      ['keytab login + service ticket (same client loop)', 'ops/s'],
      ...targets.map((t, i) => [t.name, formatOps(rate[i]!)]),
      ['embedded / MIT', `${(rate[0]! / rate[1]!).toFixed(2)}×`],
      ['embedded KDC resident memory', rssMB(embedded.child.pid)],
    ])
  } finally {
    embedded?.child.kill('SIGTERM')
    await realm.stop()
  }
}
