/** Spawn the built CLI (`node <build>/src/cli/main.js`) with a controlled environment. */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { repoRoot } from '../helpers/paths.js'

export const MAIN: string = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))

export interface CliResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      LC_ALL: 'C',
      KRB5_CONFIG: '/dev/null',
      ...options.env,
    },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 20000,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Run an MIT tool the same way; `undefined` when it is not installed. */
export function runMit(
  path: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): CliResult {
  const r = spawnSync(path, args, {
    cwd: options.cwd ?? repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      LC_ALL: 'C',
      KRB5_CONFIG: '/dev/null',
      ...options.env,
    },
    encoding: 'utf8',
    timeout: 20000,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Skip loudly without the MIT tool, fail under CI=true. */
export function needMit(t: { skip(m?: string): void }, path: string): boolean {
  if (spawnSync(path, ['-V']).error === undefined) return true
  const msg = `${path} missing: install krb5-user`
  if (process.env.CI === 'true') throw new Error(msg + ' — required when CI=true')
  console.warn(`\n!!!!! SKIPPING MIT COMPARISON: ${msg} !!!!!\n`)
  t.skip(msg)
  return false
}
