/**
 * Keytab files on disk, and the small file helpers the ccache store shares: reads that honour an
 * AbortSignal, and atomic writes (a temporary file in the same directory, fsync, rename) with
 * mode 0600 so a crash never leaves a half-written keytab or ccache behind. Credential files are
 * never written through a symbolic link nor read through another user's (see `file-safety.ts`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { open, readFile, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { KerberosError, ErrorCodes } from '../errors.js'
import { parseKeytab, serializeKeytab } from '../keytab/index.js'
import type { Keytab, SerializeKeytabOptions } from '../keytab/index.js'
import { resolveKeytabName, splitTypedName } from './env.js'
import type { DefaultNameOptions } from './env.js'
import {
  CREATE_EXCLUSIVE,
  checkWriteTarget,
  openCredentialFile,
  type CredentialFileKind,
  type FileOwnerOptions,
} from './file-safety.js'

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

/**
 * Read a credential file (ccache, keytab) with the checks of {@link openCredentialFile}: a
 * symbolic link is followed only when it belongs to the caller or root, and the file must be a
 * regular file owned by the caller or root (or a uid in `trustedOwners`). `undefined` when it
 * does not exist; an unsafe file throws `ERR_KRB_UNSAFE_FILE` naming the path and the reason.
 *
 * @example
 * ```ts
 * const bytes = await readCredentialFile('/tmp/krb5cc_1000', 'ccache')
 * ```
 */
export async function readCredentialFile(
  path: string,
  kind: CredentialFileKind,
  options: FileOptions & FileOwnerOptions = {},
): Promise<Uint8Array | undefined> {
  throwIfAborted(options.signal)
  const handle = await openCredentialFile(path, kind, options)
  if (handle === undefined) return undefined
  try {
    const buf = await handle.readFile(
      options.signal === undefined ? {} : { signal: options.signal },
    )
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  } catch (err) {
    throwIfAborted(options.signal)
    throw err
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/** Options for {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions extends FileOptions, FileOwnerOptions {
  /**
   * File mode: a number, or `'keep'` for the existing file's permission bits and group (when
   * permitted) — taken only from a file that passed the checks (a regular file of the caller or
   * root, never through a link), and 0o600 for a new file. Default 0o600, whatever the existing
   * file's mode or the umask.
   */
  readonly mode?: number | 'keep'
  /** What the file is, for error messages (default `credential file`). */
  readonly kind?: CredentialFileKind
}

/**
 * Write `bytes` to `path` atomically and without following links, as MIT does for ccaches: the
 * name must be absent or a regular file owned by the caller or root (a symbolic link, a FIFO or
 * another user's file throws `ERR_KRB_UNSAFE_FILE`); the bytes go to a new temporary file beside
 * the *name*, opened `O_CREAT|O_EXCL|O_NOFOLLOW` with mode 0600, then fsync and rename over the
 * name. The result has mode 0600 unless `mode` is given (an existing file's mode and owner are
 * not copied). The temporary file is removed on failure or abort.
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
  const existing = await checkWriteTarget(path, options.kind ?? 'credential file', options)
  const keep = options.mode === 'keep' && existing !== undefined
  const mode = keep
    ? existing.mode & 0o777
    : typeof options.mode === 'number'
      ? options.mode
      : 0o600
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(tmp, CREATE_EXCLUSIVE, 0o600)
  let done = false
  try {
    if (keep) await handle.chown(-1, existing.gid).catch(() => undefined) // EPERM: keep ours
    await handle.chmod(mode) // explicit: no umask
    await handle.writeFile(bytes)
    await handle.sync()
    await handle.close()
    throwIfAborted(options.signal)
    // rename() replaces the name itself: a link planted since the check is replaced, not followed.
    await rename(tmp, path)
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
export interface ReadKeytabOptions extends FileOptions, DefaultNameOptions, FileOwnerOptions {}

/**
 * Read and parse a keytab. Without a name: `KRB5_KTNAME`, then `default_keytab_name` from the
 * given config, then `FILE:/etc/krb5.keytab` — read at call time.
 *
 * A missing file throws `ERR_KRB_NO_CREDENTIALS`; malformed bytes throw `ERR_KRB_KEYTAB_FORMAT`
 * with the path in `context.path`; a symbolic link planted by another user, a non-regular file or
 * a file owned by another user (not root, not in `trustedOwners`) throws `ERR_KRB_UNSAFE_FILE`.
 *
 * @example
 * ```ts
 * const kt = await readKeytab('/etc/krb5.keytab')
 * kt.entries.map((e) => e.kvno)
 * ```
 */
export async function readKeytab(name?: string, options: ReadKeytabOptions = {}): Promise<Keytab> {
  const path = keytabPath(name ?? resolveKeytabName(options))
  const bytes = await readCredentialFile(path, 'keytab', options)
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
export interface WriteKeytabOptions extends FileOptions, SerializeKeytabOptions, FileOwnerOptions {
  /**
   * File mode (default 0o600, also when replacing a file with another mode); `'keep'` keeps an
   * existing keytab's mode and group (a `0640 root:apache` keytab stays readable by the server).
   */
  readonly mode?: number | 'keep'
}

/**
 * Serialize and write a keytab atomically (see {@link writeFileAtomic}: mode 0600 unless `mode`
 * is given, a symbolic link or another user's file at the name is refused with
 * `ERR_KRB_UNSAFE_FILE`).
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
  await writeFileAtomic(path, serializeKeytab(keytab, options), { ...options, kind: 'keytab' })
}
