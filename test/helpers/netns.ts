/**
 * A network namespace with nothing but loopback, for browsers and edge runtimes (issue 15 items 3
 * and 4). Chromium contacts Google hosts whatever flags it is given; inside such a namespace the
 * only reachable addresses are 127.0.0.1 and ::1 *of that namespace* — so every server the browser
 * must reach (KDC, web server, KDC proxy) has to run inside the same namespace too: start the
 * whole scenario with {@link LoopbackNetns.command}.
 *
 * Needs root (CI runs as root) and iproute2. Outside CI a missing capability skips loudly; with
 * `CI=true` it throws, so CI fails instead of skipping.
 */
import { spawnSync } from 'node:child_process'

export interface LoopbackNetns {
  /** The namespace's name (`kts-<pid>-<n>`). */
  readonly name: string
  /** argv that runs `cmd args…` inside the namespace: spawn(argv[0], argv.slice(1)). */
  command(cmd: string, args?: readonly string[]): string[]
  /** Delete the namespace (idempotent). */
  close(): void
}

let counter = 0

/** Why a loopback-only namespace can't be made here, or undefined when it can. */
export function netnsUnavailable(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'network namespaces need root (CI runs as root)'
  }
  const r = spawnSync('ip', ['-V'], { encoding: 'utf8' })
  if (r.error !== undefined || r.status !== 0) return 'iproute2 (`ip`) is not installed'
  return undefined
}

/**
 * Guard in the style of requireMIT: true when namespaces can be made; otherwise skip loudly
 * outside CI and throw under CI=true.
 */
export function requireNetns(t: { skip(message?: string): void }): boolean {
  const why = netnsUnavailable()
  if (why === undefined) return true
  if (process.env.CI === 'true') throw new Error(why + ' — required when CI=true')
  console.warn(`\n!!!!! SKIPPING NETNS TEST: ${why} !!!!!\n`)
  t.skip(why)
  return false
}

function ip(args: readonly string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 })
  if (r.status !== 0) {
    throw new Error(`ip ${args.join(' ')} failed: ${r.stderr || r.error?.message || r.status}`)
  }
}

/** Make a namespace whose only interface is `lo`, up. Close it when done. */
export function createLoopbackNetns(): LoopbackNetns {
  const name = `kts-${process.pid}-${counter++}`
  ip(['netns', 'add', name])
  let closed = false
  try {
    ip(['-n', name, 'link', 'set', 'lo', 'up'])
  } catch (e) {
    spawnSync('ip', ['netns', 'del', name])
    throw e
  }
  return {
    name,
    command: (cmd, args = []) => ['ip', 'netns', 'exec', name, cmd, ...args],
    close() {
      if (closed) return
      closed = true
      spawnSync('ip', ['netns', 'del', name], { timeout: 10_000 })
    },
  }
}

/** The interfaces a namespace has (names), to assert it is loopback-only. */
export function netnsInterfaces(ns: LoopbackNetns): string[] {
  const r = spawnSync('ip', ['-n', ns.name, '-o', 'link', 'show'], { encoding: 'utf8' })
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(':')[1]!.trim().split('@')[0]!)
}
