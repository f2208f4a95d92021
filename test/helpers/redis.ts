/**
 * A throwaway `redis-server` (Debian package `redis-server`) for tests: 127.0.0.1, a random port,
 * its own data directory, no persistence unless asked, stopped by pid. It can be stopped and
 * started again on the same port (Redis down mid-run, Redis restarted).
 *
 * @example
 * ```ts
 * const redis = await startRedis()
 * try {
 *   const client = await createClient({ url: redis.url }).connect()
 * } finally {
 *   await redis.stop()
 * }
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findFreePort, tcpAccepts } from './realm.js'

/** Where Debian puts the server. */
export const REDIS_SERVER = '/usr/bin/redis-server'

/** Options for {@link startRedis}. */
export interface RedisOptions {
  /** `appendonly yes` + `appendfsync always`: entries survive a restart (default off). */
  readonly appendonly?: boolean
  /** How long to wait for the server to accept connections; default 5000 ms. */
  readonly startTimeoutMs?: number
}

/** A running throwaway Redis. */
export interface TestRedis {
  readonly port: number
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string
  /** Its data directory (removed by {@link TestRedis.stop}). */
  readonly dir: string
  /** The server's pid, or undefined while it is down. */
  readonly pid: number | undefined
  /** Stop the server only (Redis down); the directory and port stay. */
  down(): Promise<void>
  /** Start it again on the same port (after {@link TestRedis.down}). */
  up(): Promise<void>
  /** Stop and remove the directory. Safe to call twice. */
  stop(): Promise<void>
}

/** True when redis-server is installed. */
export function redisAvailable(): boolean {
  return existsSync(REDIS_SERVER)
}

/**
 * Guard for tests that need redis-server: true when present; otherwise a loud skip, or a throw
 * under `CI=true` so CI fails.
 */
export function requireRedis(t: { skip(message?: string): void }): boolean {
  if (redisAvailable()) return true
  const msg = `${REDIS_SERVER} missing: install the Debian package redis-server`
  if (process.env.CI === 'true') throw new Error(msg + ' — required when CI=true')
  console.warn(`\n!!!!! SKIPPING REDIS-DEPENDENT TEST: ${msg} !!!!!\n`)
  t.skip(msg)
  return false
}

/** For `describe(name, { skip: skipWithoutRedis() }, ...)`: false when present (throws in CI). */
export function skipWithoutRedis(): string | false {
  let reason: string | false = false
  requireRedis({ skip: (m) => (reason = m ?? 'redis-server missing') })
  return reason
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL')
})

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Start a redis-server on 127.0.0.1 with a random port and a fresh directory. */
export async function startRedis(options: RedisOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'krbts-redis-'))
  const port = await findFreePort()
  let child: ChildProcess | undefined
  let stopped = false
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.appendonly === true ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--daemonize',
    'no',
    '--logfile',
    join(dir, 'redis.log'),
  ]
  const up = async (): Promise<void> => {
    if (child !== undefined) return
    const c = spawn(REDIS_SERVER, args, { stdio: 'ignore' })
    child = c
    live.add(c)
    c.once('exit', () => {
      live.delete(c)
      if (child === c) child = undefined
    })
    const deadline = Date.now() + (options.startTimeoutMs ?? 5000)
    while (!(await tcpAccepts(port, 200))) {
      if (child !== c) throw new Error(`redis-server exited during start (see ${dir}/redis.log)`)
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`)
      await sleep(20)
    }
  }
  const down = async (): Promise<void> => {
    const c = child
    if (c === undefined) return
    const gone = new Promise<void>((r) => c.once('exit', () => r()))
    c.kill('SIGTERM')
    const timer = setTimeout(() => c.kill('SIGKILL'), 3000)
    await gone
    clearTimeout(timer)
    while (await tcpAccepts(port, 100)) await sleep(10)
  }
  await up()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get pid() {
      return child?.pid
    },
    down,
    up,
    async stop() {
      if (stopped) return
      stopped = true
      await down()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
