/**
 * Smoke tests of the built package (`dist/`, made by `npm run build`): every `exports` subpath
 * imports by name, `require()` works (Node ≥ 20.19 loads ESM synchronously), and no built file
 * of the core imports `node:*`.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { repoRoot } from './helpers/paths.js'

const dist = join(repoRoot, 'dist')
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>
  bin: Record<string, string>
  scripts: Record<string, string>
}
const skip = existsSync(join(dist, 'index.js'))
  ? false
  : 'dist/ not built: run `npm run build` (CI does) to smoke-test the package'
if (skip && process.env.CI === 'true') throw new Error('dist/ must be built before the tests in CI')

test('every exports subpath imports by package name', { skip }, async () => {
  const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json')
  for (const sub of subpaths) {
    const spec = sub === '.' ? 'kerberos-ts' : `kerberos-ts/${sub.slice(2)}`
    const mod = (await import(spec)) as Record<string, unknown>
    assert.ok(Object.keys(mod).length > 0, `${spec} exports nothing`)
  }
  const root = (await import('kerberos-ts')) as Record<string, unknown>
  for (const name of [
    'KerberosClient',
    'Acceptor',
    'parseKeytab',
    'parseCCache',
    'KerberosError',
  ]) {
    assert.equal(typeof root[name], 'function', `kerberos-ts exports ${name}`)
  }
})

test('require() of the package works', { skip }, () => {
  const require = createRequire(import.meta.url)
  const root = require('kerberos-ts') as Record<string, unknown>
  assert.equal(typeof root.KerberosClient, 'function')
})

function builtFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...builtFiles(p))
    else if (p.endsWith('.js')) out.push(p)
  }
  return out
}

test('the built core has no run-time node:* imports and no Buffer', { skip }, () => {
  const offenders = builtFiles(dist)
    .filter((f) => !/[/\\]dist[/\\](node|cli)[/\\]/.test(f))
    .filter((f) => {
      const text = readFileSync(f, 'utf8')
      // Statements only: TSDoc examples in comments may mention node:http.
      return (
        /^\s*(?:import|export)\b[^;]*?from\s*['"]node:/m.test(text) ||
        /^[^*\n]*(?:import|require)\(\s*['"]node:/m.test(text) ||
        /^[^*\n]*\bBuffer\./m.test(text)
      )
    })
  assert.deepEqual(offenders, [])
})

test(
  'issue 11 #2: the packed tarball ships every exports target and the bin, and no source maps',
  { skip },
  () => {
    // --ignore-scripts: list what `npm pack` would pack from the dist/ built for this test run.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const [info] = JSON.parse(out) as { files: { path: string }[]; size: number }[]
    const files = new Set(info!.files.map((f) => f.path))
    const maps = [...files].filter((f) => f.endsWith('.map'))
    assert.deepEqual(maps, [], 'maps would point at src/, which is not shipped')
    assert.ok(![...files].some((f) => f.startsWith('src/') || f.startsWith('build/')))
    for (const target of Object.values(pkg.exports).flatMap((v) =>
      typeof v === 'string' ? [v] : Object.values(v as Record<string, string>),
    )) {
      assert.ok(files.has(target.replace(/^\.\//, '')), `${target} is packed`)
    }
    for (const bin of Object.values(pkg.bin)) assert.ok(files.has(bin), `${bin} is packed`)
  },
)

test('issue 11 #1/#2: npm test builds dist/ first, and installs from git or a clone build it (prepare)', () => {
  assert.match(pkg.scripts.pretest!, /ensure-deps\.mjs && npm run build$/)
  assert.equal(pkg.scripts.prepare, 'node scripts/prepare.mjs')
  assert.match(pkg.scripts.build!, /clean-dist\.mjs && tsc -p tsconfig\.build\.json/)
  const build = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as {
    compilerOptions: Record<string, unknown>
  }
  assert.equal(build.compilerOptions.sourceMap, false)
  assert.equal(build.compilerOptions.declarationMap, false)
})

test('issue 11 #1: .ci/run runs the README commands on the clean checkout before anything builds', () => {
  const lines = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  const at = (cmd: string): number => {
    const i = lines.indexOf(cmd)
    assert.ok(i >= 0, `.ci/run runs ${cmd}`)
    return i
  }
  const npmTest = at('npm test')
  assert.ok(npmTest < at('bash scripts/demo.sh'))
  assert.ok(at('bash scripts/demo.sh') < at('npm run build'))
  assert.ok(at('npm run build') < at('npm run lint'))
  assert.ok(at('npm run lint') < at('npm run docs:check'))
  // Nothing installs npm packages or builds before `npm test` (its pretest does both).
  assert.deepEqual(
    lines.slice(0, npmTest).filter((l) => /\bnpm (ci|install|run)\b|\btsc\b/.test(l)),
    [],
  )
})
