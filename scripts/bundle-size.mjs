#!/usr/bin/env node
/**
 * Bundle-size check (issue 15 item 5): bundles four typical uses of the built package (dist/)
 * with esbuild (ESM, minified, tree-shaken, browser platform) and measures them gzipped.
 *
 *   node scripts/bundle-size.mjs            print sizes; exit 1 when one is over its limit
 *   node scripts/bundle-size.mjs --json     the same as JSON
 *   node scripts/bundle-size.mjs --update   lower the ratchets in bundle-budgets.json to today's sizes
 *   node scripts/bundle-size.mjs --analyze NAME   what is inside one bundle (minified bytes per input)
 *
 * Each bundle has a `budget` (the goal, from the issue) and a `ratchet` (at most the budget: the
 * most it may weigh today, lowered by --update as sizes shrink; --update also takes away headroom
 * kept on purpose, e.g. for features about to merge, so run it deliberately). A bundle not yet
 * down to the issue's goal has that as `goal` (the output says `goal not met`); its `budget` is
 * then the cap CI enforces until it is.
 * test/bundle-size.test.ts runs this in CI.
 */
import { analyzeMetafile, build } from 'esbuild'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const budgetsPath = join(root, 'scripts', 'bundle-budgets.json')

/**
 * What each bundle exercises: an app that imports exactly these, built the way a size-conscious
 * app is (docs/bundling.md): lean (`define: { __KERBEROS_TS_LEAN__: 'true' }`), registering
 * only the enctypes it uses (aes-sha1).
 */
export const ENTRIES = {
  keytab: `export { parseKeytab } from './dist/keytab/index.js'`,
  'crypto-aes-sha1': `import { stringToKey, encrypt, decrypt, registerEnctypes, aes256CtsHmacSha196 } from './dist/crypto/index.js'
registerEnctypes(aes256CtsHmacSha196)
export const run = (pw, salt, data) => { const k = stringToKey(18, pw, salt); return decrypt(k, 2, encrypt(k, 2, data)) }`,
  // The acceptor users deploy against Active Directory (and MIT, whose tickets also carry PACs):
  // the same with PAC verification enabled.
  acceptor: `import { registerEnctypes, aes256CtsHmacSha196, aes128CtsHmacSha196 } from './dist/crypto/index.js'
registerEnctypes(aes256CtsHmacSha196, aes128CtsHmacSha196)
export { Acceptor } from './dist/protocol/index.js'
export { AcceptorContext } from './dist/gssapi/index.js'
export { negotiate } from './dist/http/core.js'`,
  'acceptor-pac': `import { registerEnctypes, aes256CtsHmacSha196, aes128CtsHmacSha196 } from './dist/crypto/index.js'
import { enablePAC } from './dist/protocol/index.js'
registerEnctypes(aes256CtsHmacSha196, aes128CtsHmacSha196)
enablePAC()
export { Acceptor } from './dist/protocol/index.js'
export { AcceptorContext } from './dist/gssapi/index.js'
export { negotiate } from './dist/http/core.js'`,
  client: `import { registerEnctypes, aes256CtsHmacSha196, aes128CtsHmacSha196 } from './dist/crypto/index.js'
registerEnctypes(aes256CtsHmacSha196, aes128CtsHmacSha196)
export { KerberosClient } from './dist/client/index.js'`,
}

/** The bundler setting of a lean build (docs/bundling.md). */
export const LEAN_DEFINE = { __KERBEROS_TS_LEAN__: 'true' }

/** esbuild options for the bundle of `contents`: code splitting on, as Vite, Rollup and webpack do. */
const buildOptions = (contents) => ({
  entryPoints: ['app'],
  plugins: [
    {
      name: 'app',
      setup(b) {
        b.onResolve({ filter: /^app$/ }, () => ({ path: 'app', namespace: 'app' }))
        b.onLoad({ filter: /.*/, namespace: 'app' }, () => ({
          contents,
          resolveDir: root,
          loader: 'js',
        }))
      },
    },
  ],
  bundle: true,
  splitting: true,
  outdir: 'out',
  write: false,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  treeShaking: true,
  define: LEAN_DEFINE,
  metafile: true,
  logLevel: 'silent',
})

/**
 * Sizes of the bundle of `contents`: what loads up front (the entry chunk and the chunks it
 * imports statically; gzip level 9 per file, as each is its own download) and what a dynamic
 * `import()` loads only when used (`lazy`, the same measure).
 */
export async function measure(contents) {
  const out = await build(buildOptions(contents))
  const files = new Map(out.outputFiles.map((f) => [relative(root, f.path), f.contents]))
  const outputs = out.metafile.outputs
  const entry = Object.keys(outputs).find((k) => outputs[k].entryPoint !== undefined)
  const initial = new Set([entry])
  for (const f of initial) {
    for (const i of outputs[f].imports) if (i.kind === 'import-statement') initial.add(i.path)
  }
  const sum = (names, how) => names.reduce((n, k) => n + how(files.get(k)), 0)
  const gz = (bytes) => gzipSync(bytes, { level: 9 }).length
  const lazy = Object.keys(outputs).filter((k) => !initial.has(k) && k.endsWith('.js'))
  // The source files bundled up front (dist/… and node_modules/… paths), to check what is left out.
  const inputs = [...initial].flatMap((k) => Object.keys(outputs[k].inputs)).sort()
  return {
    minified: sum([...initial], (b) => b.length),
    gzip: sum([...initial], gz),
    lazyGzip: sum(lazy, gz),
    inputs,
  }
}

export function readBudgets() {
  return JSON.parse(readFileSync(budgetsPath, 'utf8'))
}

/** Measure every bundle and compare with its limit. */
export async function check() {
  const budgets = readBudgets()
  const rows = []
  for (const [name, contents] of Object.entries(ENTRIES)) {
    const { minified, gzip, lazyGzip, inputs } = await measure(contents)
    const { budget, ratchet, goal = budget } = budgets[name]
    // The ratchet, never above the budget.
    const limit = Math.min(budget, ratchet)
    rows.push({
      name,
      minified,
      gzip,
      lazyGzip,
      inputs,
      budget,
      ratchet,
      goal,
      limit,
      ok: gzip <= limit,
    })
  }
  return rows
}

/** esbuild's per-input breakdown (minified bytes) of one bundle. */
export async function analyze(name) {
  const contents = ENTRIES[name]
  if (contents === undefined)
    throw new Error(`no bundle named ${name}: ${Object.keys(ENTRIES).join(', ')}`)
  const out = await build(buildOptions(contents))
  return analyzeMetafile(out.metafile)
}

async function main() {
  const at = process.argv.indexOf('--analyze')
  if (at !== -1) {
    process.stdout.write(await analyze(process.argv[at + 1]))
    return
  }
  const rows = await check()
  if (process.argv.includes('--update')) {
    const budgets = readBudgets()
    // Ratchet: today's size plus 1% slack for compiler noise, never above the old ratchet.
    for (const r of rows) {
      const next = Math.ceil(r.gzip * 1.01)
      budgets[r.name].ratchet = Math.min(budgets[r.name].ratchet, Math.max(next, r.gzip))
    }
    writeFileSync(budgetsPath, JSON.stringify(budgets, null, 2) + '\n')
  }
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(rows, null, 2) + '\n')
  else {
    for (const r of rows) {
      const kb = (n) => (n / 1024).toFixed(1).padStart(5) + ' kB'
      process.stdout.write(
        `${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(16)} ${kb(r.gzip)} gzip  ${kb(r.minified)} min  limit ${kb(r.limit)}  (+${kb(r.lazyGzip)} gzip loaded on use)${r.gzip > r.goal ? `  goal ${kb(r.goal)} not met` : ''}\n`,
      )
    }
  }
  process.exitCode = rows.every((r) => r.ok) ? 0 : 1
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
