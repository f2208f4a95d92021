/**
 * Bundle discipline (issue 15 item 5): four typical uses of the built package, bundled by esbuild
 * (minified, tree-shaken) and gzipped, stay within their limits (scripts/bundle-budgets.json:
 * the budget, or the ratchet while a bundle is still over budget). Needs dist/ (`npm test` builds it first).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from './helpers/paths.js'

interface Row {
  readonly name: string
  readonly gzip: number
  readonly budget: number
  readonly ratchet: number
  readonly limit: number
  readonly ok: boolean
}

test('bundle sizes: keytab, crypto (aes-sha1), acceptor path and full client stay within budget or ratchet', (t) => {
  assert.ok(existsSync(join(repoRoot, 'dist', 'index.js')), 'dist/ is not built: run npm run build')
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'bundle-size.mjs'), '--json'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  const rows = JSON.parse(r.stdout) as Row[]
  for (const row of rows) {
    t.diagnostic(`${row.name}: ${row.gzip} B gzip (budget ${row.budget}, ratchet ${row.ratchet})`)
  }
  assert.deepEqual(
    rows.map((x) => x.name),
    ['keytab', 'crypto-aes-sha1', 'acceptor', 'client'],
  )
  for (const row of rows) {
    assert.ok(
      row.gzip <= row.limit,
      `${row.name} bundle is ${row.gzip} B gzipped, over its limit of ${row.limit} B (budget ${row.budget}, ratchet ${row.ratchet}); shrink it, or raise the ratchet in scripts/bundle-budgets.json with a reason`,
    )
  }
  // Keytab parsing alone must stay within its budget (no crypto, no asn1js).
  assert.ok(rows[0]!.gzip <= rows[0]!.budget)
})
