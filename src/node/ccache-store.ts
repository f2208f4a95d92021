/**
 * Credential caches by name, as MIT resolves them: `FILE:path`, `WRFILE:path`, a plain path,
 * `DIR:dir` collections (the `primary` file names the current `tkt*` cache; `DIR::path` names one
 * cache in a collection) and `MEMORY:name` caches that live in this process. `KEYRING:`, `KCM:`
 * and `API:` caches need OS services and are refused with a hint.
 *
 * @module
 */
import { mkdir, readdir, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { KerberosError, ErrorCodes } from '../errors.js'
import { parseCCache, serializeCCache } from '../ccache/index.js'
import type { CCache } from '../ccache/index.js'
import { resolveCCacheName, splitTypedName } from './env.js'
import type { DefaultNameOptions } from './env.js'
import { checkCollectionDir, type FileOwnerOptions } from './file-safety.js'
import { readCredentialFile, throwIfAborted, writeFileAtomic } from './files.js'
import type { FileOptions } from './files.js'

/** Where a ccache name leads. */
export type CCacheLocation =
  | {
      readonly kind: 'file'
      readonly name: string
      readonly path: string
      readonly collection?: string
    }
  | { readonly kind: 'memory'; readonly name: string; readonly key: string }

const UNSUPPORTED = new Set(['KEYRING', 'KCM', 'API', 'MSLSA'])

const memory = new Map<string, CCache>()

function unsupported(name: string, type: string): never {
  const why = UNSUPPORTED.has(type)
    ? 'needs an OS credential service this library does not talk to'
    : 'is not a known ccache type'
  throw new KerberosError(
    ErrorCodes.UNSUPPORTED_CCACHE_TYPE,
    `ccache type ${type}: ${why}; use a FILE: cache, e.g. KRB5CCNAME=FILE:/tmp/krb5cc_$(id -u)`,
    { context: { name, type } },
  )
}

/** MIT cc_dir: subsidiary cache files are named `tkt*`. */
function isSubsidiaryName(name: string): boolean {
  return name.startsWith('tkt') && !name.includes('/')
}

async function readPrimary(dir: string, options: CCacheOptions): Promise<string> {
  const bytes = await readCredentialFile(join(dir, 'primary'), 'ccache', options)
  if (bytes === undefined) return 'tkt'
  const first = new TextDecoder().decode(bytes).split('\n')[0] ?? ''
  if (!isSubsidiaryName(first)) {
    throw new KerberosError(
      ErrorCodes.CCACHE_FORMAT,
      `${join(dir, 'primary')}: expected a tkt* file name, got ${JSON.stringify(first)}`,
      {
        context: { path: join(dir, 'primary') },
      },
    )
  }
  return first
}

/**
 * Resolve a ccache name (default: `KRB5CCNAME`, `default_ccache_name`, `FILE:/tmp/krb5cc_%{uid}`,
 * read at call time) to a file path or an in-memory key.
 *
 * @example
 * ```ts
 * await resolveCCache('DIR:/run/user/1000/krb5cc') // { kind: 'file', path: '/run/user/1000/krb5cc/tkt', ... }
 * ```
 */
export async function resolveCCache(
  name?: string,
  options: CCacheOptions = {},
): Promise<CCacheLocation> {
  const full = name ?? resolveCCacheName(options)
  const { type, residual } = splitTypedName(full)
  switch (type) {
    case 'FILE':
    case 'WRFILE':
      return { kind: 'file', name: full, path: residual }
    case 'MEMORY':
      return { kind: 'memory', name: full, key: residual }
    case 'DIR': {
      if (residual.startsWith(':')) {
        const path = residual.slice(1)
        if (!isSubsidiaryName(basename(path))) unsupportedDirName(full)
        await checkCollectionDir(dirname(path), options)
        return { kind: 'file', name: full, path, collection: dirname(path) }
      }
      // Another user's (or a group/other-writable) collection could hand us their caches.
      await checkCollectionDir(residual, options)
      const sub = await readPrimary(residual, options)
      return { kind: 'file', name: full, path: join(residual, sub), collection: residual }
    }
    default:
      return unsupported(full, type)
  }
}

function unsupportedDirName(name: string): never {
  throw new KerberosError(
    ErrorCodes.CCACHE_NOT_FOUND,
    `${name}: a DIR:: cache file name must start with "tkt"`,
    { context: { name } },
  )
}

/** Options for the ccache functions. */
export interface CCacheOptions extends FileOptions, DefaultNameOptions, FileOwnerOptions {}

/**
 * Read a credential cache. A missing cache throws `ERR_KRB_CCACHE_NOT_FOUND`; malformed bytes
 * throw `ERR_KRB_CCACHE_FORMAT` with the path. A symbolic link owned by another user, a file that
 * is not regular or belongs to another user (not root, not in `trustedOwners`), and an unsafe
 * `DIR:` collection throw `ERR_KRB_UNSAFE_FILE`.
 *
 * @example
 * ```ts
 * const cc = await readCCache()            // KRB5CCNAME or /tmp/krb5cc_<uid>
 * formatPrincipal(cc.defaultPrincipal)
 * ```
 */
export async function readCCache(name?: string, options: CCacheOptions = {}): Promise<CCache> {
  throwIfAborted(options.signal)
  const loc = await resolveCCache(name, options)
  if (loc.kind === 'memory') {
    const cc = memory.get(loc.key)
    if (cc === undefined) notFound(loc.name)
    return cc
  }
  const bytes = await readCredentialFile(loc.path, 'ccache', options)
  if (bytes === undefined) notFound(`FILE:${loc.path}`)
  try {
    return parseCCache(bytes)
  } catch (err) {
    if (err instanceof KerberosError) {
      throw new KerberosError(err.code, `${loc.path}: ${err.message}`, {
        cause: err,
        context: { ...err.context, path: loc.path },
      })
    }
    throw err
  }
}

function notFound(name: string): never {
  throw new KerberosError(ErrorCodes.CCACHE_NOT_FOUND, `no credentials cache found (${name})`, {
    context: { name },
  })
}

async function ensurePrimary(dir: string, options: CCacheOptions): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await checkCollectionDir(dir, options) // it may have been there already, made by someone else
  const primary = join(dir, 'primary')
  if ((await readCredentialFile(primary, 'ccache', options)) === undefined) {
    await writeFileAtomic(primary, new TextEncoder().encode('tkt\n'), {
      ...options,
      kind: 'ccache',
    })
  }
}

/**
 * Write a credential cache atomically with mode 0600 and return the name written. Writing to a
 * `DIR:` collection creates the directory (0700) and its `primary` file when missing. A symbolic
 * link or another user's file at the name, or a `DIR:` directory that is a link, another user's,
 * or group/other-writable, throws `ERR_KRB_UNSAFE_FILE` (links are never followed for writes).
 *
 * @example
 * ```ts
 * await writeCCache('FILE:/tmp/krb5cc_test', createCCache('alice@EXAMPLE.COM', { credentials: [tgt] }))
 * ```
 */
export async function writeCCache(
  name: string | undefined,
  cc: CCache,
  options: CCacheOptions = {},
): Promise<string> {
  throwIfAborted(options.signal)
  const bytes = serializeCCache(cc)
  const loc = await resolveCCache(name, options)
  if (loc.kind === 'memory') {
    memory.set(loc.key, parseCCache(bytes))
    return loc.name
  }
  if (loc.collection !== undefined) await ensurePrimary(loc.collection, options)
  await writeFileAtomic(loc.path, bytes, { ...options, kind: 'ccache' })
  return loc.name
}

/**
 * Delete a credential cache (kdestroy). Returns false when there was nothing to delete.
 */
export async function destroyCCache(name?: string, options: CCacheOptions = {}): Promise<boolean> {
  throwIfAborted(options.signal)
  const loc = await resolveCCache(name, options)
  if (loc.kind === 'memory') return memory.delete(loc.key)
  try {
    await unlink(loc.path)
    return true
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return false
    throw err
  }
}

/**
 * The caches of a `DIR:` collection as `DIR::path` names, the primary one first, then the other
 * `tkt*` files in name order (MIT's collection cursor).
 *
 * @example
 * ```ts
 * await listCCacheCollection('DIR:/run/user/1000/krb5cc') // ['DIR::/run/user/1000/krb5cc/tkt', ...]
 * ```
 */
export async function listCCacheCollection(
  name: string,
  options: FileOptions & FileOwnerOptions = {},
): Promise<string[]> {
  const { type, residual } = splitTypedName(name)
  if (type !== 'DIR') return [name]
  const dir = residual.startsWith(':') ? dirname(residual.slice(1)) : residual
  if (!(await checkCollectionDir(dir, options))) return []
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return []
    throw err
  }
  const primary = await readPrimary(dir, options)
  const subs = entries.filter(isSubsidiaryName).sort()
  const ordered = subs.includes(primary) ? [primary, ...subs.filter((s) => s !== primary)] : subs
  return ordered.map((s) => `DIR::${join(dir, s)}`)
}

/** Forget every in-process `MEMORY:` cache (for tests). */
export function clearMemoryCCaches(): void {
  memory.clear()
}
