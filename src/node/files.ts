/**
 * Keytab files on disk, and the small file helpers the ccache store shares: reads that honour an
 * AbortSignal, and atomic writes (a temporary file in the same directory, fsync, rename) with
 * mode 0600 so a crash never leaves a half-written keytab or ccache behind.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { KerberosError, ErrorCodes } from '../errors.js'
import { parseKeytab, serializeKeytab } from '../keytab/index.js'
import type { Keytab, SerializeKeytabOptions } from '../keytab/index.js'
import { resolveKeytabName, splitTypedName } from './env.js'
import type { DefaultNameOptions } from './env.js'

/** Options shared by the file functions. */
export interface FileOptions {
  readonly signal?: AbortSignal
}

/** Throw `ERR_KRB_ABORTED` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new KerberosError(ErrorCodes.ABORTED, 'the operation was aborted', {
      cause: signal.reason,
    })
  }
}

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** Read a whole file; `undefined` when it does not exist. Aborts map to `ERR_KRB_ABORTED`. */
export async function readFileIfExists(
  path: string,
  options: FileOptions = {},
): Promise<Uint8Array | undefined> {
  throwIfAborted(options.signal)
  try {
    const buf = await readFile(path, options.signal === undefined ? {} : { signal: options.signal })
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  } catch (err) {
    throwIfAborted(options.signal)
    const code = errnoOf(err)
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw err
  }
}

/** Options for {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions extends FileOptions {
  /** File mode. Default: the existing file's mode, or 0o600 for a new file. */
  readonly mode?: number
}

interface Existing {
  readonly target: string
  readonly mode?: number
  readonly uid?: number
  readonly gid?: number
}

/** Follow a symlink to the real file, and remember its mode and owner when it exists. */
async function existingTarget(path: string): Promise<Existing> {
  try {
    const target = await realpath(path)
    const st = await stat(target)
    return { target, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid }
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return { target: path }
    throw err
  }
}

/**
 * Write `bytes` to `path` atomically: a temporary file beside it (same file system), fsync,
 * then rename over the target. A symlink is followed (the link stays); an existing file keeps
 * its mode and, when permitted, its owner; a new file gets mode 0600. The temporary file is
 * removed on failure or abort.
 *
 * @example
 * ```ts
 * await writeFileAtomic('/tmp/krb5cc_1000', serializeCCache(cc))
 * ```
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  throwIfAborted(options.signal)
  const existing = await existingTarget(path)
  const { target } = existing
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(tmp, 'wx', 0o600)
  let done = false
  try {
    if (existing.uid !== undefined && existing.gid !== undefined) {
      await handle.chown(existing.uid, existing.gid).catch(() => undefined) // EPERM: keep ours
    }
    await handle.chmod(options.mode ?? existing.mode ?? 0o600) // explicit: no umask
    await handle.writeFile(bytes)
    await handle.sync()
    await handle.close()
    throwIfAborted(options.signal)
    await rename(tmp, target)
    done = true
  } finally {
    if (!done) {
      await handle.close().catch(() => undefined)
      await unlink(tmp).catch(() => undefined)
    }
  }
}

/**
 * The file path behind a keytab name: `FILE:path`, `WRFILE:path` or a plain path. Other types
 * (MEMORY:, KDB:, ...) are not supported.
 */
export function keytabPath(name: string): string {
  const { type, residual } = splitTypedName(name)
  if (type === 'FILE' || type === 'WRFILE') return residual
  throw new KerberosError(
    ErrorCodes.UNSUPPORTED,
    `keytab type ${type}: is not supported; use a FILE: keytab`,
    {
      context: { name, type },
    },
  )
}

/** Options for {@link readKeytab}. */
export interface ReadKeytabOptions extends FileOptions, DefaultNameOptions {}

/**
 * Read and parse a keytab. Without a name: `KRB5_KTNAME`, then `default_keytab_name` from the
 * given config, then `FILE:/etc/krb5.keytab` — read at call time.
 *
 * A missing file throws `ERR_KRB_NO_CREDENTIALS`; malformed bytes throw `ERR_KRB_KEYTAB_FORMAT`
 * with the path in `context.path`.
 *
 * @example
 * ```ts
 * const kt = await readKeytab('/etc/krb5.keytab')
 * kt.entries.map((e) => e.kvno)
 * ```
 */
export async function readKeytab(name?: string, options: ReadKeytabOptions = {}): Promise<Keytab> {
  const path = keytabPath(name ?? resolveKeytabName(options))
  const bytes = await readFileIfExists(path, options)
  if (bytes === undefined) {
    throw new KerberosError(ErrorCodes.NO_CREDENTIALS, `keytab file ${path} not found`, {
      context: { path },
    })
  }
  try {
    return parseKeytab(bytes)
  } catch (err) {
    if (err instanceof KerberosError) {
      throw new KerberosError(err.code, `${path}: ${err.message}`, {
        cause: err,
        context: { ...err.context, path },
      })
    }
    throw err
  }
}

/** Options for {@link writeKeytab}. */
export interface WriteKeytabOptions extends FileOptions, SerializeKeytabOptions {
  /** File mode (default: the existing file's, or 0o600). */
  readonly mode?: number
}

/**
 * Serialize and write a keytab atomically (see {@link writeFileAtomic}: new files get mode 0600,
 * existing ones keep their mode and owner, symlinks are followed).
 *
 * @example
 * ```ts
 * await writeKeytab('FILE:/etc/httpd.keytab', createKeytab(entries))
 * ```
 */
export async function writeKeytab(
  name: string,
  keytab: Keytab,
  options: WriteKeytabOptions = {},
): Promise<void> {
  const path = keytabPath(name)
  await writeFileAtomic(path, serializeKeytab(keytab, options), options)
}
