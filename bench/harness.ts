/**
 * Small benchmark helpers shared by the bench/ suites: {@link measure} times a synchronous
 * operation for at least `minMs` and reports operations per second; {@link printTable} prints
 * results as an aligned table; {@link loadNote} says how busy the machine was.
 */
import { availableParallelism, loadavg } from 'node:os'

/**
 * The machine's load average and CPU count, to print next to figures measured on a shared box.
 *
 * @example
 * ```ts
 * console.log(loadNote()) // 'load average 2.61 / 3.02 / 3.40 (1/5/15 min) on 2 CPUs'
 * ```
 */
export function loadNote(): string {
  const [a, b, c] = loadavg().map((x) => x.toFixed(2))
  return `load average ${a} / ${b} / ${c} (1/5/15 min) on ${availableParallelism()} CPUs`
}

/** One measured operation. */
export interface BenchResult {
  /** What was measured, e.g. `aes256 string-to-key (4096 iterations)`. */
  readonly name: string
  /** Which implementation ran it (`pure`, `node`), when it matters. */
  readonly backend?: string
  /** Operations per second of wall-clock time. */
  readonly opsPerSec: number
  /**
   * Operations per second of this process's CPU time (user + system). On a machine shared with
   * other work this is the steadier figure; on an idle machine it matches `opsPerSec`.
   */
  readonly cpuOpsPerSec: number
  /** Operations run in the timed window. */
  readonly ops: number
  /** Length of the timed window in milliseconds. */
  readonly ms: number
  /** The ops/s the project aims for, when there is one. */
  readonly target?: number
}

/** Options for {@link measure}. */
export interface MeasureOptions {
  /** Minimum timed window in milliseconds (default 1000). */
  readonly minMs?: number
  /** Untimed warm-up window in milliseconds (default minMs / 4). */
  readonly warmupMs?: number
  readonly backend?: string
  readonly target?: number
}

function runFor(fn: () => unknown, ms: number): { ops: number; ms: number; cpuMs: number } {
  const cpu = process.cpuUsage()
  const start = performance.now()
  let ops = 0
  let batch = 1
  let elapsed = 0
  // Batches grow so that clock reads stay a small share of the time.
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) fn()
    ops += batch
    elapsed = performance.now() - start
    if (elapsed < ms / 10) batch *= 2
  }
  const used = process.cpuUsage(cpu)
  return { ops, ms: elapsed, cpuMs: (used.user + used.system) / 1000 }
}

/**
 * Time `fn` for at least `minMs` after a warm-up and return ops/s.
 *
 * @example
 * ```ts
 * const r = measure('sha1 1 KiB', () => sha1(data), { minMs: 500 })
 * r.opsPerSec
 * ```
 */
export function measure(
  name: string,
  fn: () => unknown,
  options: MeasureOptions = {},
): BenchResult {
  const minMs = options.minMs ?? 1000
  runFor(fn, options.warmupMs ?? minMs / 4)
  const { ops, ms, cpuMs } = runFor(fn, minMs)
  return {
    name,
    opsPerSec: (ops * 1000) / ms,
    cpuOpsPerSec: (ops * 1000) / Math.max(cpuMs, 1e-3),
    ops,
    ms,
    ...(options.backend === undefined ? {} : { backend: options.backend }),
    ...(options.target === undefined ? {} : { target: options.target }),
  }
}

/** Format ops/s with thousands separators and no decimals (one decimal below 100). */
export function formatOps(n: number): string {
  return n < 100 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US')
}

/** Print rows as an aligned text table (first row is the header). */
export function printRows(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  const line = (r: readonly string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')
  console.log(line(rows[0]!))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of rows.slice(1)) console.log(line(r))
}

/**
 * Print results: name, backend, ops/s, target and whether it was met.
 *
 * @example
 * ```ts
 * printTable([measure('noop', () => {}, { minMs: 100 })])
 * ```
 */
export function printTable(results: readonly BenchResult[]): void {
  const rows = [['operation', 'backend', 'ops/s', 'target', 'met']]
  for (const r of results) {
    const met = r.target === undefined ? '' : r.opsPerSec >= r.target ? 'yes' : 'NO'
    rows.push([
      r.name,
      r.backend ?? '',
      formatOps(r.opsPerSec),
      r.target === undefined ? '' : formatOps(r.target),
      met,
    ])
  }
  printRows(rows)
}
