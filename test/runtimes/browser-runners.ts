/**
 * Headless Chromium and Firefox ESR as runtimes of the matrix (issue 15 item 3): each is a
 * {@link RuntimeRunner} (test/runtimes/runners.ts) that runs the unchanged scenario bundle in a
 * page, through browser-runner.ts inside a fresh loopback-only network namespace. The runtime
 * bench (bench/runtimes.ts) picks up {@link RUNNERS}; the matrix tests call
 * {@link registerBrowserRunners}.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createLoopbackNetns, netnsUnavailable } from '../helpers/netns.js'
import {
  CHROMIUM,
  FIREFOX,
  IN_NETNS_MARK,
  browsersUnavailable,
  runInNetns,
} from './browser-launch.js'
import type { RunnerConfig, RunnerReport } from './browser-runner.js'
import { RUNTIME_RUNNERS, scenarioBundle, type RuntimeRunner, type RuntimeTask } from './runners.js'

const RUNNER = fileURLToPath(new URL('./browser-runner.js', import.meta.url))

/**
 * Run `task` of the scenario bundle in one browser; resolves with the suite's answer as it came
 * back from the page (the same JSON the CLI runtimes print).
 */
export async function runInBrowser(
  browser: 'chromium' | 'firefox',
  task: RuntimeTask,
): Promise<unknown> {
  const file = await scenarioBundle()
  const config: RunnerConfig = {
    modules: [{ name: 'scenarios', file }],
    browsers: [browser],
    tasks: [task.kind],
    ...(task.kind === 'bench' ? { benchOptions: { minMs: task.minMs } } : {}),
    timeoutMs: 120_000,
  }
  const ns = createLoopbackNetns()
  let report: RunnerReport
  try {
    ;({ report } = await runInNetns<RunnerReport>(
      ns.command(process.execPath, [RUNNER, IN_NETNS_MARK, JSON.stringify(config)]),
      300_000,
    ))
  } finally {
    ns.close()
  }
  if (report.error !== undefined) throw new Error(`browser runner: ${report.error}`)
  const b = report.browsers[0]
  if (b === undefined) throw new Error('browser runner: no report')
  if (b.error !== undefined) throw new Error(`${browser}: ${b.error}`)
  const run = b.runs[0]
  if (run === undefined) throw new Error(`${browser}: no run`)
  if (run.error !== undefined) throw new Error(`${browser}: ${run.error}`)
  if (b.pageErrors.length > 0) throw new Error(`${browser} page errors: ${b.pageErrors.join('; ')}`)
  return task.kind === 'bench' ? run.bench : run.scenarios
}

function browserRunner(name: 'chromium' | 'firefox'): RuntimeRunner {
  const binary = name === 'chromium' ? CHROMIUM : FIREFOX
  return {
    name,
    unavailable: () => browsersUnavailable() ?? netnsUnavailable(),
    version: () =>
      execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .split('\n')[0]!
        .replace(/ built on .*$/, '')
        .trim(),
    run: (task) => runInBrowser(name, task),
  }
}

/** The two browser runners; bench/runtimes.ts picks up `RUNNERS` from every `*-runners.js`. */
export const RUNNERS: RuntimeRunner[] = [browserRunner('chromium'), browserRunner('firefox')]

/** Add the browsers to `RUNTIME_RUNNERS` (for `runMatrixEntry`); idempotent. */
export function registerBrowserRunners(): void {
  for (const r of RUNNERS) {
    if (!RUNTIME_RUNNERS.some((x) => x.name === r.name)) RUNTIME_RUNNERS.push(r)
  }
}
