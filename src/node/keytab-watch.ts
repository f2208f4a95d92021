/**
 * Reload an acceptor's keytab when its file changes (key rotation with `ktadd` without a restart).
 *
 * @module
 */
import { statSync, unwatchFile, watchFile, type Stats } from 'node:fs'
import { readKeytab } from './files.js'
import type { Acceptor } from '../protocol/ap-verify.js'

/** Options for {@link watchKeytab}. */
export interface WatchKeytabOptions {
  /** Poll interval in ms (default 2000). Polling survives editors and `ktadd` replacing the file. */
  readonly intervalMs?: number
  /** Called after each successful reload. */
  readonly onReload?: (entries: number) => void
  /** Called when the file cannot be read or parsed; the old keys stay in use. */
  readonly onError?: (err: unknown) => void
}

/** A running watcher. */
export interface KeytabWatcher {
  /** Re-read the file now. */
  reload(): Promise<void>
  /** Stop watching. */
  close(): void
}

/**
 * Watch `path` and call `acceptor.setKeytab` with the new contents whenever it changes.
 *
 * @example
 * ```ts
 * const acceptor = new Acceptor({ keytab: await readKeytab('/etc/http.keytab') })
 * const watcher = watchKeytab('/etc/http.keytab', acceptor, { onError: console.error })
 * // ... later
 * watcher.close()
 * ```
 */
export function watchKeytab(
  path: string,
  acceptor: Acceptor,
  options: WatchKeytabOptions = {},
): KeytabWatcher {
  const reload = async (): Promise<void> => {
    try {
      // The same checks as readKeytab: no symlink planted by another user, no foreign file.
      const keytab = await readKeytab(`FILE:${path}`)
      acceptor.setKeytab(keytab)
      options.onReload?.(keytab.entries.length)
    } catch (err) {
      options.onError?.(err)
    }
  }
  // Compare with the last state seen, taken now: a change made before the first poll still counts.
  let seen = signature(statOrUndefined(path))
  const listener = (cur: Stats): void => {
    const now = signature(cur)
    if (now === seen) return
    seen = now
    void reload()
  }
  watchFile(path, { interval: options.intervalMs ?? 2000, persistent: false }, listener)
  return { reload, close: () => unwatchFile(path, listener) }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

function signature(st: Stats | undefined): string {
  return st === undefined || st.ino === 0 ? 'missing' : `${st.ino}:${st.size}:${st.mtimeMs}`
}
