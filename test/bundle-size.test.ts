/**
 * Bundle discipline (issue 15 item 5): four typical uses of the built package, bundled by esbuild
 * the way a size-conscious application builds them (lean, only aes-sha1 registered, code
 * splitting: docs/bundling.md), minified and gzipped, stay within their limits
 * (scripts/bundle-budgets.json: the ratchet, never above the budget), and what they do not use
 * is not in them. Needs dist/ (`npm test` builds it first).
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
  readonly minified: number
  readonly lazyGzip: number
  readonly inputs: readonly string[]
  readonly budget: number
  readonly ratchet: number
  readonly goal: number
  readonly limit: number
  readonly ok: boolean
}

function rows(): Row[] {
  assert.ok(existsSync(join(repoRoot, 'dist', 'index.js')), 'dist/ is not built: run npm run build')
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'bundle-size.mjs'), '--json'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  assert.equal(r.status === 0 || r.status === 1, true, r.stderr)
  return JSON.parse(r.stdout) as Row[]
}

test('bundle sizes: keytab, crypto (aes-sha1), acceptor path and full client stay within budget and ratchet', (t) => {
  const all = rows()
  for (const row of all) {
    t.diagnostic(
      `${row.name}: ${row.gzip} B gzip, ${row.minified} B minified, +${row.lazyGzip} B gzip on use (budget ${row.budget}, ratchet ${row.ratchet}${row.gzip > row.goal ? `, goal ${row.goal} not met` : ''})`,
    )
  }
  assert.deepEqual(
    all.map((x) => x.name),
    ['keytab', 'crypto-aes-sha1', 'acceptor', 'acceptor-pac', 'client'],
  )
  for (const row of all) {
    assert.ok(row.ratchet <= row.budget, `${row.name}: the ratchet may not exceed the budget`)
    assert.ok(row.goal <= row.budget, `${row.name}: a goal is at most the budget`)
    assert.ok(
      row.gzip <= row.limit,
      `${row.name} bundle is ${row.gzip} B gzipped, over its limit of ${row.limit} B (budget ${row.budget}, ratchet ${row.ratchet}); shrink it, or raise the ratchet (at most to the budget) in scripts/bundle-budgets.json with a reason`,
    )
  }
})

test('issue 15 #5: unused enctypes, hash libraries, asn1js and rarely used code tree-shake out of the four bundles', () => {
  const left = [
    /^node_modules\//, // @noble/hashes (SHA-2, MD5, HMAC) and asn1js (the dump tool)
    /dist\/crypto\/(camellia|camellia-cts|aes-sha2|rc4-hmac|rc4|md4)\.js$/,
    /dist\/pac\/(pac|logon-info|ndr|buffers|sid)\.js$/,
    /dist\/asn1\/dump\.js$/,
    /dist\/http\/log\.js$/,
    /dist\/protocol\/kpasswd\.js$/,
    /dist\/client\/explain\.js$/,
    // FAST armoring, S4U and the kpasswd exchange load on first use (client/on-demand.ts).
    /dist\/client\/(fast|s4u|kpasswd-exchange|on-demand)\.js$/,
    /dist\/protocol\/(fast-armor|s4u|s4u-reply)\.js$/,
    /dist\/config\/(profile|values|libdefaults)\.js$/,
  ]
  for (const row of rows()) {
    // The acceptor with enablePAC() bundles the PAC decoder (and only it: see the next test).
    const out = row.name === 'acceptor-pac' ? left.filter((re) => !re.source.includes('pac')) : left
    const found = row.inputs.filter((i) => out.some((re) => re.test(i)))
    assert.deepEqual(found, [], `${row.name} bundles ${found.join(', ')}`)
  }
})

test('bundle sizes: the acceptor-pac bundle measures the acceptor with PAC verification (enablePAC)', () => {
  const row = rows().find((r) => r.name === 'acceptor-pac')
  assert.ok(row !== undefined)
  for (const f of ['verify', 'pac', 'logon-info', 'ndr', 'buffers']) {
    assert.ok(row.inputs.includes(`dist/pac/${f}.js`), `acceptor-pac lacks dist/pac/${f}.js`)
  }
})
