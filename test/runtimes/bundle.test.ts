/**
 * The scenario bundle of the runtime matrix (issue 15 #3): one self-contained ESM file with no
 * tie to Node, exporting runScenarios and runBench; and the suite run in this process.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { buildScenarioBundle, nodeReferences } from './bundle.js'

test('issue 15 #3: the scenario bundle has no node:* import, Buffer, process or require', async () => {
  const code = readFileSync(await buildScenarioBundle(), 'utf8')
  assert.deepEqual(nodeReferences(code), [])
  assert.doesNotMatch(code, /^\s*import\s/m, 'self-contained: no import statements at all')
})

test('issue 15 #3: the bundle check finds what would tie a bundle to Node', () => {
  assert.deepEqual(
    nodeReferences(
      `import { readFile } from "node:fs"\nconst a = Buffer.from("x"); if (typeof process < "u") require("y")`,
    ),
    ['Buffer', 'node:fs', 'process', 'require'],
  )
  // Not references: properties, keys, methods, strings and comments.
  assert.deepEqual(
    nodeReferences(
      `h.process(v); ({ process: 1 }); class H { process(v, o) { } }\n` +
        `const m = "the process failed"; // Buffer\n/* require */`,
    ),
    [],
  )
})

test('issue 15 #3: the bundle exports runScenarios and runBench, and every scenario passes here', async () => {
  const m = (await import(pathToFileURL(await buildScenarioBundle()).href)) as {
    runScenarios(): Promise<{ name: string; ok: boolean; error?: string }[]>
    runBench(o: {
      minMs: number
      maxOps: number
    }): Promise<{ acceptPerSec: number; s2kPerSec: number }>
  }
  const results = await m.runScenarios()
  assert.deepEqual(
    results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.error}`),
    [],
  )
  const b = await m.runBench({ minMs: 20, maxOps: 50 })
  assert.ok(b.acceptPerSec > 0 && b.s2kPerSec > 0, JSON.stringify(b))
})
