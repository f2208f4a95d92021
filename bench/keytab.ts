/**
 * Keytab benchmark: parse a 1,000-entry keytab (~91 KB: service principals, aes256/aes128 keys,
 * MIT layout with the 32-bit kvno). Target ≥ 1,800 parses/s (MIT `klist -k` equivalent ~915/s,
 * gokrb5 ~307/s measured on the reference machine). Also times serialize and a lookup.
 * Run alone with `node build/bench/keytab.js`, or through bench/main.ts.
 */
import { pathToFileURL } from 'node:url'
import { KerberosKey } from '../src/key.js'
import {
  createKeytab,
  findKeytabEntry,
  makeKeytabEntry,
  parseKeytab,
  serializeKeytab,
  type KeytabEntry,
} from '../src/keytab/index.js'
import { formatOps, measure, printTable } from './harness.js'

/** Options for {@link benchKeytab}. */
export interface BenchKeytabOptions {
  /** Timed window per operation in ms (default 1000). */
  readonly minMs?: number
  /** Print the table (default true). */
  readonly print?: boolean
}

/** A 1,000-entry keytab: 250 services × 2 kvnos × (aes256, aes128). */
export function makeBenchKeytab(): Uint8Array {
  const entries: KeytabEntry[] = []
  for (let i = 0; i < 250; i++) {
    for (const kvno of [2, 3]) {
      for (const [enctype, len] of [
        [18, 32],
        [17, 16],
      ] as const) {
        const key = new KerberosKey(enctype, new Uint8Array(len).fill((i + kvno) & 255))
        const principal = `HTTP/www-web${String(i).padStart(4, '0')}.example.com@EXAMPLE.COM`
        entries.push(makeKeytabEntry({ principal, kvno, key, timestamp: 1_700_000_000 + i }))
      }
    }
  }
  return serializeKeytab(createKeytab(entries))
}

/**
 * Run the keytab benchmark and print ops/s.
 *
 * @example
 * ```ts
 * await benchKeytab({ minMs: 500 })
 * ```
 */
export async function benchKeytab(options: BenchKeytabOptions = {}): Promise<void> {
  const bytes = makeBenchKeytab()
  const kt = parseKeytab(bytes)
  const minMs = options.minMs ?? 1000
  const label = `${kt.entries.length} entries, ${(bytes.length / 1000).toFixed(1)} KB`
  const results = [
    measure(`parse keytab (${label})`, () => parseKeytab(bytes), { minMs, target: 1800 }),
    measure(`serialize keytab (${label})`, () => serializeKeytab(kt), { minMs }),
    measure(
      'lookup highest kvno in 1,000 entries',
      () =>
        findKeytabEntry(kt, { principal: 'HTTP/www-web0200.example.com@EXAMPLE.COM', enctype: 18 }),
      { minMs },
    ),
  ]
  if (options.print !== false) {
    printTable(results)
    // Wall-clock figures suffer when other processes share the cores; CPU time does not.
    console.log(
      `parse, by CPU time: ${formatOps(cpuOpsPerSec(() => parseKeytab(bytes), minMs))} ops/s`,
    )
  }
  await new Promise((r) => setImmediate(r))
}

/** Operations per second of CPU time used by this process (robust to a loaded machine). */
function cpuOpsPerSec(fn: () => unknown, minMs: number): number {
  const start = process.cpuUsage()
  let ops = 0
  let used = 0
  while (used < minMs * 1000) {
    for (let i = 0; i < 50; i++) fn()
    ops += 50
    const u = process.cpuUsage(start)
    used = u.user + u.system
  }
  return ops / (used / 1e6)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchKeytab()
}
