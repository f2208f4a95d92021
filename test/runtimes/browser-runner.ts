/**
 * The browser runner of the runtime matrix (issue 15 item 3), run as ONE Node process inside a
 * loopback-only network namespace (see browser-matrix.test.ts): serves a page and ESM bundles on
 * http://127.0.0.1 (a secure context, so WebCrypto is there), opens them in headless Chromium and
 * Firefox ESR, calls each module's `runScenarios()` (and `runBench()` when asked) in the page and
 * prints one JSON report on stdout. A module is an ESM file exporting those functions: the full
 * scenario suite (test/runtimes/bundle.ts) or the runner's own smoke module.
 *
 * argv: {@link IN_NETNS_MARK}, then the JSON {@link RunnerConfig}.
 */
import { createServer, type Server } from 'node:http'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { repoRoot } from '../helpers/paths.js'
import {
  IN_NETNS_MARK,
  launchChromium,
  launchFirefox,
  type LaunchedBrowser,
} from './browser-launch.js'

/** What to run. */
export interface RunnerConfig {
  /** Modules: a name (`[a-z0-9-]+`) and a path to a self-contained ESM file. */
  readonly modules: readonly { readonly name: string; readonly file: string }[]
  /** Browsers to use; default both. */
  readonly browsers?: readonly ('chromium' | 'firefox')[]
  /** What to call in each module, in order: `runScenarios()`, `runBench(benchOptions)`; default scenarios. */
  readonly tasks?: readonly ('scenarios' | 'bench')[]
  readonly benchOptions?: unknown
  /** Bound for one module's `runScenarios()` (default 120 s). */
  readonly timeoutMs?: number
}

/** One module in one browser. */
export interface ModuleRun {
  readonly module: string
  /** `runScenarios()`'s value as it came back through puppeteer (JSON). */
  readonly scenarios?: unknown
  readonly bench?: unknown
  readonly error?: string
  readonly ms: number
}

/** One browser's runs. */
export interface BrowserRun {
  readonly browser: 'chromium' | 'firefox'
  readonly version?: string
  readonly userAgent?: string
  readonly runs: readonly ModuleRun[]
  /** Uncaught page errors and console errors seen while running. */
  readonly pageErrors: readonly string[]
  readonly error?: string
}

/** The report. */
export interface RunnerReport {
  readonly browsers: readonly BrowserRun[]
  readonly ms: number
  readonly error?: string
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)
    }),
  ])
}

async function runIn(
  name: 'chromium' | 'firefox',
  origin: string,
  config: RunnerConfig,
): Promise<BrowserRun> {
  let b: LaunchedBrowser | undefined
  const pageErrors: string[] = []
  const runs: ModuleRun[] = []
  try {
    b = await (name === 'chromium' ? launchChromium() : launchFirefox())
    const page = await b.browser.newPage()
    page.on('pageerror', (e) => pageErrors.push(String((e as Error).message ?? e)))
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text())
    })
    const userAgent = await page.evaluate('navigator.userAgent')
    for (const mod of config.modules) {
      const t0 = Date.now()
      try {
        await page.goto(`${origin}/runner.html?m=${mod.name}`, {
          timeout: 30_000,
          waitUntil: 'load',
        })
        await page.waitForFunction(
          'globalThis.__ready === true || globalThis.__failed !== undefined',
          { timeout: 30_000 },
        )
        const failed = await page.evaluate('globalThis.__failed')
        if (failed !== undefined) throw new Error(`module failed to load: ${String(failed)}`)
        const tasks = config.tasks ?? ['scenarios']
        const scenarios = tasks.includes('scenarios')
          ? await withTimeout(
              page.evaluate('globalThis.__mod.runScenarios()'),
              config.timeoutMs ?? 120_000,
              `${mod.name}.runScenarios()`,
            )
          : undefined
        const bench = tasks.includes('bench')
          ? await withTimeout(
              page.evaluate(
                `globalThis.__mod.runBench(${JSON.stringify(config.benchOptions ?? {})})`,
              ),
              config.timeoutMs ?? 120_000,
              `${mod.name}.runBench()`,
            )
          : undefined
        runs.push({
          module: mod.name,
          ...(scenarios !== undefined ? { scenarios } : {}),
          ...(bench !== undefined ? { bench } : {}),
          ms: Date.now() - t0,
        })
      } catch (err) {
        runs.push({
          module: mod.name,
          error: String((err as Error).stack ?? err),
          ms: Date.now() - t0,
        })
      }
    }
    return { browser: name, version: b.version, userAgent: String(userAgent), runs, pageErrors }
  } catch (err) {
    return { browser: name, runs, pageErrors, error: String((err as Error).stack ?? err) }
  } finally {
    await b?.close()
  }
}

async function main(config: RunnerConfig): Promise<RunnerReport> {
  const t0 = Date.now()
  const html = readFileSync(`${repoRoot}/test/runtimes/browser/runner.html`, 'utf8')
  const code = new Map(config.modules.map((m) => [m.name, readFileSync(m.file, 'utf8')]))
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const m = /^\/bundle\/([a-z0-9-]+)\.js$/.exec(path)
    if (path === '/runner.html') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8')
      res.end(html)
    } else if (m !== null && code.has(m[1]!)) {
      res.setHeader('Content-Type', 'text/javascript; charset=utf-8')
      res.end(code.get(m[1]!))
    } else {
      res.statusCode = 404
      res.end()
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const browsers: BrowserRun[] = []
    for (const name of config.browsers ?? ['chromium', 'firefox']) {
      browsers.push(await runIn(name, origin, config))
    }
    return { browsers, ms: Date.now() - t0 }
  } finally {
    server.closeAllConnections()
    server.close()
  }
}

// node --test runs every .js file under build/test as a program: do nothing unless started by
// runInNetns with the marker (browser-runners.ts, browser-matrix.test.ts).
if (process.argv[2] === IN_NETNS_MARK) {
  // Below the caller's 300 s kill, so exit handlers still close the browsers.
  const hardStop = setTimeout(() => {
    console.log(
      JSON.stringify({ browsers: [], ms: 0, error: 'browser runner: hard limit (270 s)' }),
    )
    process.exit(2)
  }, 270_000)
  hardStop.unref()
  main(JSON.parse(process.argv[3] ?? '{"modules":[]}') as RunnerConfig).then(
    (report) => {
      console.log(JSON.stringify(report))
      process.exit(0)
    },
    (err: unknown) => {
      console.log(
        JSON.stringify({ browsers: [], ms: 0, error: String((err as Error).stack ?? err) }),
      )
      process.exit(1)
    },
  )
}
