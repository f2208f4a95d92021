/** Paths for tests: the repository root and fixtures, found from the working directory upward. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

function findRoot(): string {
  let dir = process.cwd()
  for (let i = 0; i < 20; i++) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'kerberos-ts') return dir
    const up = dirname(dir)
    if (up === dir) break
    dir = up
  }
  throw new Error('cannot find the kerberos-ts repository root from ' + process.cwd())
}

/** The repository root. */
export const repoRoot: string = findRoot()

/** A path under `fixtures/`. */
export function fixturePath(...parts: string[]): string {
  return resolve(repoRoot, 'fixtures', ...parts)
}

/** Read and parse a JSON fixture. */
export function readJsonFixture<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T
}
