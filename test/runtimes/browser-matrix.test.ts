/**
 * The runtime matrix in browsers (issue 15 item 3): the scenario suite (test/runtimes/scenarios.ts,
 * unchanged) and the runner's own smoke module run in headless Chromium and Firefox ESR inside a
 * loopback-only network namespace (browser-runner.ts, browser-runners.ts), and the bundles
 * served to them reference no `node:*`, `Buffer` or `process`.
 * Needs root (namespaces), chromium and firefox-esr: fails under CI=true without them.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { networkInterfaces, tmpdir } from 'node:os'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLoopbackNetns, requireNetns } from '../helpers/netns.js'
import {
  IN_NETNS_MARK,
  bundleForBrowser,
  launchChromium,
  launchFirefox,
  requireBrowsers,
  runInNetns,
} from './browser-launch.js'
import type { RunnerConfig, RunnerReport } from './browser-runner.js'
import { runBench as nodeSmokeBench } from './browser/smoke.js'
import { RUNNERS as BROWSER_RUNNERS, registerBrowserRunners } from './browser-runners.js'
import { runMatrixEntry } from './matrix.js'
import { isBenchResult, scenarioBundle } from './runners.js'

registerBrowserRunners()

const RUNNER = fileURLToPath(new URL('./browser-runner.js', import.meta.url))
const SSO_SCENARIO = fileURLToPath(new URL('./browser-sso-scenario.js', import.meta.url))
const SMOKE_ENTRY = fileURLToPath(new URL('./browser/smoke.js', import.meta.url))

interface Step {
  readonly name: string
  readonly ok: boolean
  readonly error?: string
}

test('issue 15 #3: no browser starts outside a loopback-only namespace; the in-namespace scripts do nothing when node --test runs them', async () => {
  const outside = Object.values(networkInterfaces()).some((a) => (a ?? []).some((x) => !x.internal))
  if (outside) {
    await assert.rejects(launchChromium(), /refusing to launch a browser outside/)
    await assert.rejects(launchFirefox(), /refusing to launch a browser outside/)
  }
  for (const script of [RUNNER, SSO_SCENARIO]) {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, '')
  }
})

test('issue 15 #3: the browser-bundle check finds Node globals and node:* imports, not methods or strings named process', async () => {
  const b = await bundleForBrowser({
    contents: `class H { process(v) { return v } }
      export const a = new H().process(1)        // a method named process: fine
      export const s = 'process Buffer node-ish'  // words in a string: fine
      export const e = process.env.X             // a Node global
      export const f = typeof Buffer             // another, even guarded
      export const g = globalThis.process        // through globalThis`,
    resolveDir: tmpdir(),
  })
  assert.deepEqual(b.nodeReferences, ['Buffer', 'globalThis.process', 'process'])
  await assert.rejects(
    bundleForBrowser({
      contents: `import { readFileSync } from 'node:fs'; export { readFileSync }`,
      resolveDir: tmpdir(),
    }),
    /node:fs/,
  )
})

test('issue 15 #3: the smoke module (keytab, string-to-key, encrypt/decrypt) runs in headless Chromium and Firefox; its bundle has no Node references', async (t) => {
  if (!requireNetns(t) || !requireBrowsers(t)) return
  const smoke = await bundleForBrowser(SMOKE_ENTRY)
  assert.deepEqual(smoke.nodeReferences, [])
  const dir = mkdtempSync(join(tmpdir(), 'kts-browser-matrix-'))
  const ns = createLoopbackNetns()
  try {
    const file = join(dir, 'smoke.js')
    writeFileSync(file, smoke.code)
    const config: RunnerConfig = {
      modules: [{ name: 'smoke', file }],
      tasks: ['scenarios', 'bench'],
      benchOptions: { ms: 500 },
    }
    const { report } = await runInNetns<RunnerReport>(
      ns.command(process.execPath, [RUNNER, IN_NETNS_MARK, JSON.stringify(config)]),
      300_000,
    )
    assert.equal(report.error, undefined, report.error)
    assert.deepEqual(
      report.browsers.map((b) => b.browser),
      ['chromium', 'firefox'],
    )
    const node = await nodeSmokeBench({ ms: 500 })
    for (const b of report.browsers) {
      assert.equal(b.error, undefined, `${b.browser}: ${b.error}`)
      const run = b.runs.find((r) => r.module === 'smoke')
      assert.ok(run, `${b.browser}: no smoke run`)
      assert.equal(run.error, undefined, `${b.browser}: ${run.error}`)
      const steps = run.scenarios as Step[]
      assert.equal(steps.length, 3)
      for (const s of steps) assert.ok(s.ok, `${b.browser}: ${s.name}: ${s.error}`)
      const bench = run.bench as Record<string, number>
      const ratios = Object.fromEntries(
        Object.entries(bench).map(([k, v]) => [k, +(v / node[k]!).toFixed(2)]),
      )
      t.diagnostic(
        `${b.version}: ${JSON.stringify(bench)} — ratio to Node ${JSON.stringify(ratios)}`,
      )
      assert.deepEqual(b.pageErrors, [])
    }
  } finally {
    ns.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('issue 15 #3: the scenario suite passes in headless Chromium (Debian chromium), in a loopback-only namespace', (t) =>
  runMatrixEntry(t, 'chromium'))

test('issue 15 #3: the scenario suite passes in headless Firefox ESR (Debian firefox-esr), in a loopback-only namespace', (t) =>
  runMatrixEntry(t, 'firefox'))

test('issue 15 #3: the scenario bundle served to the browsers has no node:*, Buffer, process or require (esbuild define check)', async () => {
  const b = await bundleForBrowser(await scenarioBundle())
  assert.deepEqual(b.nodeReferences, [])
})

test('issue 15 #3: the runtime bench answers in both browsers (accept()/s and s2k/s)', async (t) => {
  if (!requireNetns(t) || !requireBrowsers(t)) return
  for (const r of BROWSER_RUNNERS) {
    const b = await r.run({ kind: 'bench', minMs: 200 })
    assert.ok(isBenchResult(b), `${r.name}: ${JSON.stringify(b)}`)
    assert.ok(b.acceptPerSec > 0 && b.s2kPerSec > 0, `${r.name}: ${JSON.stringify(b)}`)
    t.diagnostic(`${r.version()}: ${JSON.stringify(b)}`)
  }
})
