// `prepare`: build dist/. npm runs it after `npm ci`/`npm install` in a clone, before `npm pack`,
// and when the package is installed from git (after installing its devDependencies) or from a local
// directory (`npm install /path/to/clone`, a link: npm installs nothing inside the clone, so a fresh
// clone gets its own `npm ci` first, whose nested prepare builds). In an installed tarball: nothing.
import { existsSync } from 'node:fs'
import { execSync } from 'node:child_process'

if (!existsSync('src/index.ts')) {
  // An installed package (a registry tarball ships dist/, not src/): already built. npm lists
  // `prepare` as an install script there, so this file is shipped to make running it harmless.
} else if (!existsSync('node_modules/typescript/package.json')) {
  console.log('[kerberos-ts] building dist/ needs the devDependencies: running npm ci')
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' })
} else {
  execSync('npm run build', { stdio: 'inherit' })
}
