/**
 * Runtime benchmark (issue 15, "Speed"): accept() per second and aes256 string-to-key per second
 * in every runtime of the matrix, in one run, printed as ratios to the first runtime (Node 20,
 * the Node running the bench). Each runtime runs the same scenario bundle
 * (test/runtimes/scenarios.ts `runBench`: MIT AP-REQs with the MIT keytab, replay cache on) in
 * its own process, one after the other. The runners come from test/runtimes/runners.ts; pass
 * more (a browser) in `options.runners`. Also MS-KKDCP: login through our KDC proxy vs direct TCP
 * (bench/kkdcp.ts).
 * Run alone with `node build/bench/runtimes.js`, or through bench/main.ts (`--only runtimes`).
 */
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { RUNTIME_RUNNERS, isBenchResult, type RuntimeRunner } from '../test/runtimes/runners.js'
import { formatOps, loadNote, printRows } from './harness.js'
import { benchKKDCP } from './kkdcp.js'

/** Options for {@link benchRuntimes}. */
export interface BenchRuntimesOptions {
  /** The runtimes, the reference first; default every runner of the matrix but package variants. */
  readonly runners?: readonly RuntimeRunner[]
  /** Time per measurement in each runtime (default 1000 ms). */
  readonly minMs?: number
  /** Interleaved rounds; each runtime's best is kept (default 3). */
  readonly rounds?: number
  readonly print?: boolean
  /** Also measure KKDCP overhead (default true). */
  readonly kkdcp?: boolean
}

/** One runtime's figures, or why it did not run. */
export interface RuntimeBench {
  readonly runtime: string
  readonly version?: string
  readonly acceptPerSec?: number
  readonly s2kPerSec?: number
  /** Per second of the runtime's CPU time (Node, Bun, Deno: process.cpuUsage; workerd: /proc). */
  readonly acceptPerCpuSec?: number
  readonly s2kPerCpuSec?: number
  readonly error?: string
}

/**
 * Measure every runtime, one after the other, `rounds` times interleaved, keeping each runtime's
 * best round (the machine is shared: the best round is the one least disturbed). A runtime that
 * fails is reported, not fatal.
 */
export async function measureRuntimes(
  runners: readonly RuntimeRunner[],
  minMs: number,
  rounds = 3,
): Promise<RuntimeBench[]> {
  const best = new Map<string, RuntimeBench>()
  for (let round = 0; round < rounds; round++) {
    for (const r of runners) {
      if (best.get(r.name)?.error !== undefined) continue
      const why = r.unavailable()
      if (why !== undefined) {
        best.set(r.name, { runtime: r.name, error: why })
        continue
      }
      try {
        const b = await r.run({ kind: 'bench', minMs })
        if (!isBenchResult(b)) throw new Error(`unexpected answer ${JSON.stringify(b)}`)
        const prev = best.get(r.name)
        const max = (a: number | undefined, x: number | undefined): number | undefined =>
          x === undefined || x === null ? a : Math.max(a ?? 0, x)
        best.set(r.name, {
          runtime: r.name,
          version: prev?.version ?? r.version().replace(/ \(.*$/, ''),
          acceptPerSec: max(prev?.acceptPerSec, b.acceptPerSec)!,
          s2kPerSec: max(prev?.s2kPerSec, b.s2kPerSec)!,
          ...withCpu('acceptPerCpuSec', max(prev?.acceptPerCpuSec, b.acceptPerCpuSec)),
          ...withCpu('s2kPerCpuSec', max(prev?.s2kPerCpuSec, b.s2kPerCpuSec)),
        })
      } catch (e) {
        const error = e instanceof Error ? e.message.split('\n')[0]! : String(e)
        best.set(r.name, { runtime: r.name, error })
      }
    }
  }
  return runners.map((r) => best.get(r.name)!)
}

function withCpu<K extends string>(key: K, v: number | undefined): { [k in K]?: number } {
  return (v === undefined ? {} : { [key]: v }) as { [k in K]?: number }
}

/** The ratio of a row to the reference: per CPU-second when both have it, else wall clock (*). */
function ratio(
  row: RuntimeBench,
  ref: RuntimeBench | undefined,
  wall: 'acceptPerSec' | 's2kPerSec',
  cpu: 'acceptPerCpuSec' | 's2kPerCpuSec',
): string {
  if (ref === undefined) return ''
  const [x, y, mark] =
    row[cpu] !== undefined && ref[cpu] !== undefined
      ? [row[cpu], ref[cpu], '']
      : [row[wall], ref[wall], '*']
  return x === undefined || y === undefined || !(y > 0) ? '' : `${(x / y).toFixed(2)}×${mark}`
}

const ops = (n: number | undefined): string => (n === undefined ? '' : formatOps(n))

/** Print the table: ops/s (wall), ops per CPU-second, and the ratio to the first row. */
export function printRuntimeBench(rows: readonly RuntimeBench[]): void {
  const ref = rows[0]
  const table = [
    ['runtime', 'version', 'accept()/s', '/cpu-s', 'vs ref', 's2k/s', '/cpu-s', 'vs ref'],
  ]
  for (const r of rows) {
    if (r.error !== undefined) {
      table.push([r.runtime, `not run: ${r.error}`, '', '', '', '', '', ''])
      continue
    }
    table.push([
      r.runtime,
      r.version ?? '',
      ops(r.acceptPerSec),
      ops(r.acceptPerCpuSec),
      ratio(r, ref, 'acceptPerSec', 'acceptPerCpuSec'),
      ops(r.s2kPerSec),
      ops(r.s2kPerCpuSec),
      ratio(r, ref, 's2kPerSec', 's2kPerCpuSec'),
    ])
  }
  printRows(table)
  console.log(
    `(accept(): MIT AP-REQ aes256 with the MIT keytab, replay cache on; s2k: aes256, 4096 PBKDF2 iterations; pure-JS crypto everywhere; best of the rounds; ratios to ${ref?.runtime ?? '?'} per CPU-second, * = wall clock)`,
  )
  console.log(loadNote())
}

/**
 * Runners from other modules of test/runtimes: every `*-runners.js` beside runners.js that
 * exports `RUNNERS` (e.g. the browsers' `browser-runners.ts`) joins the bench after the built-in
 * ones.
 */
export async function extraRunners(): Promise<RuntimeRunner[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'runtimes')
  const out: RuntimeRunner[] = []
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('-runners.js'))
    .sort()) {
    const m = (await import(pathToFileURL(join(dir, f)).href)) as { RUNNERS?: RuntimeRunner[] }
    out.push(...(m.RUNNERS ?? []))
  }
  return out
}

/** Run the runtime benchmark (and the KKDCP overhead) and print them. */
export async function benchRuntimes(options: BenchRuntimesOptions = {}): Promise<RuntimeBench[]> {
  const rows = await measureRuntimes(
    options.runners ??
      [...RUNTIME_RUNNERS, ...(await extraRunners())].filter((r) => r.bench !== false),
    options.minMs ?? 1000,
    options.rounds ?? 3,
  )
  if (options.print !== false) printRuntimeBench(rows)
  if (options.kkdcp !== false) await benchKKDCP({ print: options.print !== false })
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchRuntimes()
}
