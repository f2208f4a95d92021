/**
 * The runtime matrix (issue 15 #3) in workerd (npm package `workerd`) WITHOUT nodejs_compat,
 * inside a network namespace that has nothing but loopback (test/helpers/netns.ts).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { requireRuntime, runMatrixEntry } from './matrix.js'
import { runInWorkerd, runtimeRunner } from './runners.js'

test('issue 15 #3: the scenario suite passes in workerd without nodejs_compat, in a loopback-only namespace', (t) =>
  runMatrixEntry(t, 'workerd'))

test('issue 15 #3: the workerd worker really has no Node globals (no nodejs_compat)', async (t) => {
  if (!requireRuntime(t, runtimeRunner('workerd').unavailable())) return
  assert.deepEqual(await runInWorkerd('/globals'), {
    process: 'undefined',
    Buffer: 'undefined',
    require: 'undefined',
  })
})
