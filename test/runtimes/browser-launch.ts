/**
 * Headless browsers for the runtime matrix and the browser SSO test (issue 15 items 3 and 4):
 * Debian's Chromium (over CDP) and Firefox ESR (over WebDriver BiDi) driven by puppeteer-core,
 * which never downloads a browser. Launch them ONLY inside a loopback-only network namespace
 * (test/helpers/netns.ts): Chromium contacts Google hosts whatever flags it is given.
 *
 * Also: esbuild bundles of browser entries, and the check that a bundle references no `node:*`
 * module, `Buffer` or `process`.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, LaunchOptions } from 'puppeteer-core'
import { repoRoot } from '../helpers/paths.js'

/** Where Debian puts the browsers (packages chromium, firefox-esr). */
export const CHROMIUM = '/usr/bin/chromium'
export const FIREFOX = '/usr/bin/firefox-esr'

/**
 * Chromium flags that work headless as root in a namespace: no sandbox (root), no GPU, no QUIC,
 * and none of the background traffic (component updates, sync, field trials, first-run).
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]

/** First argument of the scripts meant to run only inside a namespace (browser-runner, browser-sso-scenario). */
export const IN_NETNS_MARK = '--kts-in-loopback-netns'

/**
 * Throw unless this process sees nothing but loopback (i.e. runs inside a namespace made by
 * test/helpers/netns.ts): the launchers call it, so no browser ever starts with a way out.
 */
export function assertLoopbackOnly(): void {
  const others = Object.entries(networkInterfaces())
    .filter(([, addrs]) => (addrs ?? []).some((a) => !a.internal))
    .map(([name]) => name)
  if (others.length > 0) {
    throw new Error(
      `refusing to launch a browser outside a loopback-only network namespace (interfaces: ${others.join(', ')})`,
    )
  }
}

/** Bound for launching a browser and for every CDP/BiDi call. */
export const BROWSER_TIMEOUT_MS = 60_000

/** Why the browsers can't run here, or undefined when they can. */
export function browsersUnavailable(): string | undefined {
  const missing = [CHROMIUM, FIREFOX].filter((p) => !existsSync(p))
  if (missing.length > 0)
    return `browsers missing (${missing.join(', ')}): apt-get install chromium chromium-driver firefox-esr`
  return undefined
}

/** Guard in the style of requireMIT: skip loudly outside CI, throw under CI=true. */
export function requireBrowsers(t: { skip(message?: string): void }): boolean {
  const why = browsersUnavailable()
  if (why === undefined) return true
  if (process.env.CI === 'true') throw new Error(why + ' — required when CI=true')
  console.warn(`\n!!!!! SKIPPING BROWSER TEST: ${why} !!!!!\n`)
  t.skip(why)
  return false
}

/** A launched browser and its throwaway profile. */
export interface LaunchedBrowser {
  readonly name: 'chromium' | 'firefox'
  readonly browser: Browser
  /** The browser's version string. */
  readonly version: string
  close(): Promise<void>
}

async function withProfile(
  name: 'chromium' | 'firefox',
  make: (profile: string) => Promise<Browser>,
): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(join(tmpdir(), `kts-${name}-`))
  let browser: Browser
  try {
    browser = await make(profile)
  } catch (err) {
    rmSync(profile, { recursive: true, force: true })
    throw err
  }
  const version = await browser.version()
  return {
    name,
    browser,
    version,
    async close() {
      await Promise.race([
        browser.close().catch(() => undefined),
        new Promise((r) => setTimeout(r, 10_000)),
      ])
      const proc = browser.process()
      if (proc !== null && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Options for {@link launchChromium}. */
export interface ChromiumOptions {
  /** Flags added to {@link CHROMIUM_FLAGS}. */
  readonly args?: readonly string[]
  /** The browser's environment (e.g. KRB5_CONFIG, KRB5CCNAME for its GSSAPI). */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** Launch headless Chromium with a fresh profile. */
export async function launchChromium(options: ChromiumOptions = {}): Promise<LaunchedBrowser> {
  assertLoopbackOnly()
  const { default: puppeteer } = await import('puppeteer-core')
  return withProfile('chromium', (profile) => {
    const o: LaunchOptions = {
      browser: 'chrome',
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
      timeout: BROWSER_TIMEOUT_MS,
      protocolTimeout: BROWSER_TIMEOUT_MS,
      ...(options.env !== undefined ? { env: { ...process.env, ...options.env } } : {}),
    }
    return puppeteer.launch(o)
  })
}

/** Options for {@link launchFirefox}. */
export interface FirefoxOptions {
  /** about:config preferences (e.g. `network.negotiate-auth.trusted-uris`). */
  readonly prefs?: Readonly<Record<string, string | number | boolean>>
  /** Accept the test's self-made TLS certificate. */
  readonly acceptInsecureCerts?: boolean
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** Launch headless Firefox ESR with a fresh profile (WebDriver BiDi). */
export async function launchFirefox(options: FirefoxOptions = {}): Promise<LaunchedBrowser> {
  assertLoopbackOnly()
  const { default: puppeteer } = await import('puppeteer-core')
  return withProfile('firefox', (profile) => {
    const o: LaunchOptions = {
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      userDataDir: profile,
      timeout: BROWSER_TIMEOUT_MS,
      protocolTimeout: BROWSER_TIMEOUT_MS,
      acceptInsecureCerts: options.acceptInsecureCerts ?? false,
      extraPrefsFirefox: {
        // No traffic of its own (there is nowhere to go in the namespace anyway).
        'app.update.enabled': false,
        'browser.safebrowsing.malware.enabled': false,
        'browser.safebrowsing.phishing.enabled': false,
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
        ...options.prefs,
      },
      ...(options.env !== undefined ? { env: { ...process.env, ...options.env } } : {}),
    }
    return puppeteer.launch(o)
  })
}

const SENTINEL = '__KTS_NODE_GLOBAL_'
const NODE_GLOBALS = ['process', 'Buffer', 'global', 'require', 'module', '__dirname', '__filename']

/**
 * What a bundle made by {@link bundleForBrowser} refers to that a browser does not have: `node:*`
 * module names, and the Node globals. Global references are found by esbuild itself (its `define`
 * rewrites only unbound identifiers, never a property, a method named `process` or a comment),
 * plus `globalThis.process`/`globalThis.Buffer` property reads.
 */
export function nodeReferences(code: string): string[] {
  const found = new Set<string>()
  for (const m of code.matchAll(/["'`](node:[a-z_/]+)["'`]/g)) found.add(m[1]!)
  for (const m of code.matchAll(new RegExp(`${SENTINEL}(\\w+)`, 'g'))) found.add(m[1]!)
  for (const m of code.matchAll(/\bglobalThis\s*(?:\.\s*|\[\s*["'`])(process|Buffer)\b/g))
    found.add(`globalThis.${m[1]!}`)
  return [...found].sort()
}

/** An esbuild bundle for the browser. */
export interface BrowserBundle {
  readonly code: string
  readonly bytes: number
  /** {@link nodeReferences} of the code: must be empty. */
  readonly nodeReferences: readonly string[]
}

/**
 * Bundle `entry` (a built .js file, or source text) for the browser: ESM, platform browser, minified. A Node
 * built-in import fails the build (esbuild cannot resolve `node:*` for the browser); a Node global
 * is renamed to a sentinel that {@link nodeReferences} reports (with none, the code is unchanged).
 */
export async function bundleForBrowser(
  entry: string | { readonly contents: string; readonly resolveDir: string },
): Promise<BrowserBundle> {
  const esbuild = await import('esbuild')
  const r = await esbuild.build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: 'js' } }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox115'],
    minify: true,
    write: false,
    logLevel: 'silent',
    define: Object.fromEntries(NODE_GLOBALS.map((g) => [g, SENTINEL + g])),
  })
  const code = r.outputFiles[0]!.text
  return { code, bytes: Buffer.byteLength(code), nodeReferences: nodeReferences(code) }
}

/** Run a script in the namespace; the last stdout line is its JSON report. Bounded. */
export async function runInNetns<T>(
  argv: readonly string[],
  timeoutMs: number,
): Promise<{ report: T; stderr: string }> {
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`scenario timed out after ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`))
    }, timeoutMs)
    child.once('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.once('close', (c) => {
      clearTimeout(timer)
      resolve(c)
    })
  })
  const last = stdout.trim().split('\n').at(-1) ?? ''
  let report: T
  try {
    report = JSON.parse(last) as T
  } catch {
    throw new Error(
      `scenario exited ${code} without a JSON report; stdout: ${stdout.slice(-2000)}; stderr: ${stderr.slice(-2000)}`,
    )
  }
  return { report, stderr }
}
