/**
 * The fuzz harness in the normal suite: a bounded number of deterministic inputs per target
 * (FUZZ_ITERATIONS, default 5,000), failing on anything but a KerberosError escaping, on an input
 * slower than 100 ms (confirmed in CPU time), or on RSS growing past a bound. `npm run fuzz` runs more.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatReport, runFuzz } from './runner.js'
import { fuzzTargets } from './targets.js'

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 5000)
const SEED = Number(process.env.FUZZ_SEED ?? 20261123)

for (const target of fuzzTargets()) {
  test(`fuzz ${target.name}: ${target.description}`, async (t) => {
    const r = await runFuzz(target, { iterations: ITERATIONS, seed: SEED })
    t.diagnostic(formatReport(r))
    const detail = r.failures
      .map((f) => `iteration ${f.iteration} (${f.kind}): ${f.message}\n  input: ${f.hex}`)
      .join('\n')
    assert.equal(r.failures.length, 0, `${target.name} (seed ${SEED}):\n${detail}`)
    if (target.total !== true) assert.ok(r.rejected > 0, 'mutations should be rejected')
    assert.ok(r.rssEndMB - r.rssWarmMB < 200, `RSS grew ${r.rssWarmMB} → ${r.rssEndMB} MB`)
  })
}
