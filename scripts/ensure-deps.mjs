// Run before `npm test` and the demo: install the npm dependencies on a fresh clone.
import { existsSync } from 'node:fs'
import { execSync } from 'node:child_process'

if (!existsSync('node_modules/typescript/package.json')) {
  console.log('[kerberos-ts] node_modules missing: running npm ci')
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' })
}
