/**
 * Runs a fuzz target: deterministic inputs (see mutate.ts), the invariant check (only
 * KerberosError escapes), a per-input time check (over 100 ms of wall time, confirmed by three
 * re-runs each over 100 ms of CPU time) and the RSS growth over the run.
 */
import { KerberosError } from '../../src/errors.js'
import { iterationRng, makeInput } from './mutate.js'
import type { FuzzTarget } from './targets.js'

/** A failing input. */
export interface FuzzFailure {
  readonly iteration: number
  readonly kind: 'escape' | 'slow'
  readonly hex: string
  readonly message: string
}

/** Options for {@link runFuzz}. */
export interface RunFuzzOptions {
  readonly iterations: number
  readonly seed: number
  /** Run only this iteration (reproduce a failure). */
  readonly only?: number
  /** Flag inputs slower than this (default 100 ms). */
  readonly slowMs?: number
  /** Stop after this many failures (default 10). */
  readonly maxFailures?: number
  /** Called every `progressEvery` iterations. */
  readonly progress?: (done: number, rssMB: number) => void
  readonly progressEvery?: number
}

/** What a run found. */
export interface FuzzReport {
  readonly target: string
  readonly iterations: number
  /** Inputs the target accepted (no error at all). */
  readonly accepted: number
  /** Inputs rejected with a KerberosError. */
  readonly rejected: number
  readonly failures: readonly FuzzFailure[]
  readonly ms: number
  /** RSS after warm-up (10% of the run) and at the end, in MB, and the peak seen. */
  readonly rssWarmMB: number
  readonly rssEndMB: number
  readonly rssPeakMB: number
  /** Slowest single input, ms, and its iteration (re-time it with `--only`). */
  readonly slowestMs: number
  readonly slowestIteration: number
}

const MB = 1024 * 1024
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Classify what escaped: undefined = fine (KerberosError), else a description. */
export function badEscape(err: unknown): string | undefined {
  if (err instanceof KerberosError) return undefined
  if (err instanceof Error) return `${err.name}: ${err.message}\n${err.stack ?? ''}`
  return `non-Error thrown: ${String(err)}`
}

async function runOne(target: FuzzTarget, input: Uint8Array): Promise<'ok' | 'rejected' | string> {
  try {
    const r = target.run(input)
    if (r !== undefined) await r
    return 'ok'
  } catch (err) {
    return badEscape(err) ?? 'rejected'
  }
}

/**
 * The least CPU time (ms) of three re-runs: a wall-clock spike on a loaded machine (other
 * processes, `nice`) or a GC pause is not a slow input; CPU spent on the input every time is.
 */
async function rerunCPU(target: FuzzTarget, input: Uint8Array): Promise<number> {
  let best = Infinity
  for (let k = 0; k < 3; k++) {
    const c0 = process.cpuUsage()
    await runOne(target, input)
    const c = process.cpuUsage(c0)
    best = Math.min(best, (c.user + c.system) / 1000)
  }
  return best
}

/** The input of iteration `i` (for reproducing and for regression tests). */
export function fuzzInput(target: FuzzTarget, seed: number, i: number): Uint8Array {
  return makeInput(target.seeds, iterationRng(seed, target.name, i))
}

/** Fuzz one target. */
export async function runFuzz(target: FuzzTarget, o: RunFuzzOptions): Promise<FuzzReport> {
  const slowMs = o.slowMs ?? 100
  const maxFailures = o.maxFailures ?? 10
  const failures: FuzzFailure[] = []
  const stackLimit = Error.stackTraceLimit
  let accepted = 0
  let rejected = 0
  let slowest = 0
  let slowestAt = -1
  let rssWarm = process.memoryUsage.rss()
  let rssPeak = rssWarm
  const warmAt = Math.floor(o.iterations / 10)
  const start = o.only ?? 0
  const end = o.only !== undefined ? o.only + 1 : o.iterations
  const began = performance.now()
  try {
    for (let i = start; i < end && failures.length < maxFailures; i++) {
      const input = fuzzInput(target, o.seed, i)
      // Stack traces are most of a throw's cost; capture them only when re-running a failure.
      Error.stackTraceLimit = 0
      const t0 = performance.now()
      let outcome = await runOne(target, input)
      const ms = performance.now() - t0
      if (ms > slowest) {
        slowest = ms
        slowestAt = i
      }
      if (outcome !== 'ok' && outcome !== 'rejected') {
        Error.stackTraceLimit = 20
        outcome = await runOne(target, input)
        failures.push({ iteration: i, kind: 'escape', hex: toHex(input), message: outcome })
      } else if (ms > slowMs) {
        const cpu = await rerunCPU(target, input)
        if (cpu > slowMs) {
          failures.push({
            iteration: i,
            kind: 'slow',
            hex: toHex(input),
            message: `${ms.toFixed(1)} ms, and at least ${cpu.toFixed(1)} ms of CPU on each of 3 re-runs`,
          })
        }
      }
      if (outcome === 'ok') accepted++
      else rejected++
      if ((i & 1023) === 0 || i === warmAt) {
        const rss = process.memoryUsage.rss()
        if (i === warmAt) rssWarm = rss
        if (rss > rssPeak) rssPeak = rss
      }
      if (
        o.progress !== undefined &&
        o.progressEvery !== undefined &&
        i > 0 &&
        i % o.progressEvery === 0
      ) {
        o.progress(i, process.memoryUsage.rss() / MB)
      }
    }
  } finally {
    Error.stackTraceLimit = stackLimit
  }
  const rssEnd = process.memoryUsage.rss()
  return {
    target: target.name,
    iterations: end - start,
    accepted,
    rejected,
    failures,
    ms: performance.now() - began,
    rssWarmMB: rssWarm / MB,
    rssEndMB: rssEnd / MB,
    rssPeakMB: Math.max(rssPeak, rssEnd) / MB,
    slowestMs: slowest,
    slowestIteration: slowestAt,
  }
}

/** One line per report, for logs. */
export function formatReport(r: FuzzReport): string {
  return (
    `${r.target}: ${r.iterations} inputs in ${(r.ms / 1000).toFixed(1)} s ` +
    `(${r.rejected} rejected, ${r.accepted} accepted, slowest ${r.slowestMs.toFixed(1)} ms at #${r.slowestIteration}), ` +
    `RSS ${r.rssWarmMB.toFixed(0)} → ${r.rssEndMB.toFixed(0)} MB (peak ${r.rssPeakMB.toFixed(0)}), ` +
    `${r.failures.length} failures`
  )
}
