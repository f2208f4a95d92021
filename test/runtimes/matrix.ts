/**
 * The common body of the runtime matrix tests (issue 15 #3): run the scenario suite in one
 * runtime and fail on any failing scenario. A runtime that is missing skips loudly, and fails
 * under CI=true (CI installs them all through scripts/ensure-deps.mjs).
 */
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { isScenarioResults, runtimeRunner } from './runners.js'

/** Skip loudly (or throw under CI=true) when `why` is set; true when the test may go on. */
export function requireRuntime(t: TestContext, why: string | undefined): boolean {
  if (why === undefined) return true
  if (process.env.CI === 'true') throw new Error(`${why} — required when CI=true`)
  console.warn(`\n!!!!! SKIPPING RUNTIME TEST: ${why} !!!!!\n`)
  t.skip(why)
  return false
}

/** Run every scenario in the runtime named `name`; each one must pass. */
export async function runMatrixEntry(t: TestContext, name: string): Promise<void> {
  const runner = runtimeRunner(name)
  if (!requireRuntime(t, runner.unavailable())) return
  const results = await runner.run({ kind: 'scenarios' })
  assert.ok(
    isScenarioResults(results),
    `unexpected answer from ${name}: ${JSON.stringify(results)}`,
  )
  t.diagnostic(`${runner.version()}: ${results.length} scenarios`)
  const failed = results.filter((r) => !r.ok)
  assert.deepEqual(
    failed.map((r) => `${r.name}: ${r.error}`),
    [],
    `${failed.length} scenario(s) failed in ${name}`,
  )
  assert.equal(results.length, 11, 'every scenario ran')
}
