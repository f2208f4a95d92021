/**
 * Load krb5.conf from disk: `KRB5_CONFIG` (a colon-separated list, read at call time) or
 * `/etc/krb5.conf`, missing files skipped, the rest chained with MIT's finality rules, and
 * `include`/`includedir` resolved through a real file-system reader.
 *
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { KerberosError, ErrorCodes } from '../errors.js'
import { loadConfigFiles } from '../config/index.js'
import type { ConfigReader, Krb5Config } from '../config/index.js'
import type { EnvOptions } from './env.js'
import { throwIfAborted } from './files.js'

/** MIT's default profile path on Linux distributions (sysconfdir = /etc). */
export const DEFAULT_CONFIG_PATHS: readonly string[] = Object.freeze(['/etc/krb5.conf'])

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

function readError(path: string, err: unknown): KerberosError {
  const why = (err as { code?: string } | null)?.code ?? String(err)
  return new KerberosError(ErrorCodes.CONFIG, `cannot read ${path}: ${why}`, {
    cause: err,
    context: { file: path },
  })
}

/**
 * A {@link ConfigReader} on the local file system (synchronous, like MIT's profile library).
 * Missing files and directories read as `undefined`; other failures (EACCES, EISDIR) throw.
 */
export const nodeConfigReader: ConfigReader = Object.freeze({
  readFile(path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8')
    } catch (err) {
      if (isMissing(err)) return undefined
      throw readError(path, err)
    }
  },
  listDir(path: string): readonly string[] | undefined {
    try {
      return readdirSync(path)
    } catch (err) {
      if (isMissing(err)) return undefined
      throw readError(path, err)
    }
  },
  join,
})

/**
 * The config files to read: `KRB5_CONFIG` split on `:` when set, else `/etc/krb5.conf`.
 *
 * @example
 * ```ts
 * configPaths({ env: { KRB5_CONFIG: '/a.conf:/b.conf' } }) // ['/a.conf', '/b.conf']
 * ```
 */
export function configPaths(options: EnvOptions = {}): readonly string[] {
  const value = (options.env ?? process.env).KRB5_CONFIG
  if (value === undefined) return DEFAULT_CONFIG_PATHS
  return value.split(':').filter((p) => p !== '')
}

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions extends EnvOptions {
  /** Files to read instead of `KRB5_CONFIG` / `/etc/krb5.conf`. */
  readonly paths?: readonly string[]
  /** Reader override (default: the local file system). */
  readonly reader?: ConfigReader
  /** Include nesting bound (default 16). */
  readonly maxIncludeDepth?: number
  readonly signal?: AbortSignal
}

/**
 * Load krb5.conf the way MIT's library does at context creation.
 *
 * @example
 * ```ts
 * const conf = await loadConfig()
 * readLibDefaults(conf).defaultRealm
 * ```
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<Krb5Config> {
  throwIfAborted(options.signal)
  const paths = options.paths ?? configPaths(options)
  const { maxIncludeDepth } = options
  return loadConfigFiles(
    paths,
    options.reader ?? nodeConfigReader,
    maxIncludeDepth === undefined ? {} : { maxIncludeDepth },
  )
}

/**
 * Why a loaded krb5.conf is empty, or `undefined` when at least one file was read. The text starts
 * `krb5.conf was not loaded: ` and names the files tried and where their names came from.
 *
 * @example
 * ```ts
 * const conf = await loadConfig({ env: { KRB5_CONFIG: '/nowhere.conf' } })
 * configNotLoaded(conf, { env: { KRB5_CONFIG: '/nowhere.conf' } })
 * // 'krb5.conf was not loaded: KRB5_CONFIG=/nowhere.conf names no readable file'
 * ```
 */
export function configNotLoaded(
  config: Krb5Config,
  options: LoadConfigOptions = {},
): string | undefined {
  if (config.files.length > 0) return undefined
  if (options.paths !== undefined)
    return `krb5.conf was not loaded: none of ${options.paths.join(', ') || '(no paths)'} exists`
  const env = (options.env ?? process.env).KRB5_CONFIG
  if (env !== undefined)
    return `krb5.conf was not loaded: KRB5_CONFIG=${env} names no readable file`
  return `krb5.conf was not loaded: ${DEFAULT_CONFIG_PATHS.join(', ')} does not exist and KRB5_CONFIG is not set`
}
