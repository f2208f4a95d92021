/**
 * Safety checks for credential files (ccaches, keytabs) and `DIR:` collections, after MIT's
 * cc_file.c and Heimdal's fcache.c: credential files live in shared directories such as `/tmp`,
 * where another local user can plant a name first (a symlink to a file they can read, or a file
 * of their own holding their credentials).
 *
 * - Writes never follow a symbolic link: an existing name must be a regular file owned by the
 *   caller (or root); the new contents go to a fresh `O_CREAT|O_EXCL|O_NOFOLLOW` file beside the
 *   *name* with mode 0600, renamed over the name.
 * - Reads open with `O_NOFOLLOW`; a symbolic link is followed only when the link itself belongs
 *   to the caller or root (one the user made on purpose), never one planted by another user. The
 *   file read must be a regular file owned by the caller or root (not a FIFO, which would hang).
 * - A `DIR:` collection directory must be a real directory (not a link) owned by the caller or
 *   root, and not group- or other-writable.
 *
 * Extra owners can be trusted with the `trustedOwners` option (uids), e.g. a service account that
 * owns a shared keytab. On systems without uids (Windows) the owner checks are skipped.
 *
 * @module
 */
import { constants, type Stats } from 'node:fs'
import { lstat, open, type FileHandle } from 'node:fs/promises'
import { ErrorCodes, KerberosError } from '../errors.js'

/** Options that widen the set of trusted file owners. */
export interface FileOwnerOptions {
  /**
   * Uids besides the caller's effective uid and root whose files and symbolic links are trusted
   * (default none).
   */
  readonly trustedOwners?: readonly number[]
}

/** What kind of thing is being checked, for messages. */
export type CredentialFileKind = 'ccache' | 'keytab' | 'credential file' | 'ccache collection'

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0
const O_NONBLOCK = constants.O_NONBLOCK ?? 0

/** The caller's effective uid, or undefined where there are no uids. */
function effectiveUid(): number | undefined {
  return typeof process.geteuid === 'function' ? process.geteuid() : undefined
}

/** True when files of `uid` may be trusted. */
export function isTrustedOwner(uid: number, options: FileOwnerOptions = {}): boolean {
  const me = effectiveUid()
  if (me === undefined) return true
  return uid === me || uid === 0 || (options.trustedOwners?.includes(uid) ?? false)
}

/** The `ERR_KRB_UNSAFE_FILE` error: names the path and the reason. */
export function unsafeFile(path: string, kind: CredentialFileKind, reason: string): KerberosError {
  return new KerberosError(ErrorCodes.UNSAFE_FILE, `refusing ${kind} ${path}: ${reason}`, {
    context: { path, reason },
  })
}

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** A directory where a file was expected: the system error Node gives (a usage slip, not an attack). */
function isDirectory(path: string, syscall: string): Error {
  const err = new Error(`EISDIR: illegal operation on a directory, ${syscall} '${path}'`)
  return Object.assign(err, { code: 'EISDIR', errno: -21, syscall, path })
}

function ownerReason(st: Stats, what: string): string {
  const me = effectiveUid()
  return `${what} is owned by uid ${st.uid}, not by the caller (uid ${me ?? '?'}) or root`
}

function fileTypeName(st: Stats): string {
  if (st.isDirectory()) return 'a directory'
  if (st.isFIFO()) return 'a FIFO'
  if (st.isSocket()) return 'a socket'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  if (st.isSymbolicLink()) return 'a symbolic link'
  return 'not a regular file'
}

/** The link at `path` may be followed only when it is the caller's (or root's, or trusted). */
async function checkLink(
  path: string,
  kind: CredentialFileKind,
  options: FileOwnerOptions,
): Promise<void> {
  const l = await lstat(path)
  if (!l.isSymbolicLink()) return
  if (!isTrustedOwner(l.uid, options)) {
    throw unsafeFile(path, kind, `it is a symbolic link ${ownerReason(l, 'that')}`)
  }
}

/**
 * Open a credential file for reading with the checks above; `undefined` when it does not exist.
 * The caller closes the handle.
 */
export async function openCredentialFile(
  path: string,
  kind: CredentialFileKind,
  options: FileOwnerOptions = {},
): Promise<FileHandle | undefined> {
  let handle: FileHandle
  try {
    handle = await open(path, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
  } catch (err) {
    const code = errnoOf(err)
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    if (code !== 'ELOOP' && code !== 'EMLINK') throw err
    await checkLink(path, kind, options) // O_NOFOLLOW met a link: the link's owner decides
    try {
      handle = await open(path, constants.O_RDONLY | O_NONBLOCK)
    } catch (err2) {
      if (errnoOf(err2) === 'ENOENT') return undefined // a dangling link
      throw err2
    }
  }
  try {
    const st = await handle.stat()
    if (st.isDirectory()) throw isDirectory(path, 'read')
    if (!st.isFile()) throw unsafeFile(path, kind, `it is ${fileTypeName(st)}`)
    if (!isTrustedOwner(st.uid, options)) throw unsafeFile(path, kind, ownerReason(st, 'it'))
    return handle
  } catch (err) {
    await handle.close().catch(() => undefined)
    throw err
  }
}

/**
 * Check the name a credential file will be written to: absent (undefined), or a regular file
 * (not a link) owned by the caller or root (its lstat).
 */
export async function checkWriteTarget(
  path: string,
  kind: CredentialFileKind,
  options: FileOwnerOptions = {},
): Promise<Stats | undefined> {
  let st: Stats
  try {
    st = await lstat(path)
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined
    throw err
  }
  if (st.isSymbolicLink()) throw unsafeFile(path, kind, 'it is a symbolic link (never followed)')
  if (st.isDirectory()) throw isDirectory(path, 'rename')
  if (!st.isFile()) throw unsafeFile(path, kind, `it is ${fileTypeName(st)}`)
  if (!isTrustedOwner(st.uid, options)) throw unsafeFile(path, kind, ownerReason(st, 'it'))
  return st
}

/** Flags for the temporary file of an atomic write: new, exclusive, never through a link. */
export const CREATE_EXCLUSIVE: number =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW

/**
 * Check a `DIR:` collection directory: a directory (not a link) owned by the caller or root and
 * not writable by group or others. Returns false when it does not exist.
 */
export async function checkCollectionDir(
  dir: string,
  options: FileOwnerOptions = {},
): Promise<boolean> {
  let st: Stats
  try {
    st = await lstat(dir)
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return false
    throw err
  }
  const kind = 'ccache collection'
  if (st.isSymbolicLink()) throw unsafeFile(dir, kind, 'it is a symbolic link (never followed)')
  if (!st.isDirectory()) throw unsafeFile(dir, kind, `it is ${fileTypeName(st)}, not a directory`)
  if (!isTrustedOwner(st.uid, options)) throw unsafeFile(dir, kind, ownerReason(st, 'it'))
  if (effectiveUid() !== undefined && (st.mode & 0o022) !== 0) {
    const mode = (st.mode & 0o7777).toString(8).padStart(4, '0')
    throw unsafeFile(dir, kind, `it is writable by group or others (mode ${mode})`)
  }
  return true
}
