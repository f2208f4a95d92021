/**
 * `startKDC`: the embedded KDC (`kerberos-ts/kdc`) on 127.0.0.1, UDP and TCP on one port, for
 * tests, demos and development. Not for production (see docs/embedded-kdc.md).
 *
 * @module
 */
import { createSocket, type Socket as UDPSocket } from 'node:dgram'
import { createServer, type Server, type Socket } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KDC } from '../kdc/kdc.js'
import type { KDCOptions } from '../kdc/common.js'
import {
  MemoryPrincipalDatabase,
  type AddPrincipalOptions,
  type KDCPrincipal,
} from '../kdc/database.js'
import { serializeKeytab } from '../keytab/format.js'
import { tgsPrincipal } from '../principal.js'
import { writeFileAtomic } from './files.js'
import { frameKerbMessage } from '../protocol/kkdcp.js'

/** A principal to create: a password (a user, preauth required by default) or random keys. */
export interface KDCPrincipalSpec extends AddPrincipalOptions {
  /** `alice`, `HTTP/localhost`, or with `@REALM`. */
  readonly name: string
  /** The password; without one the principal gets random keys (a service). */
  readonly password?: string
}

/** Options for {@link startKDC}. */
export interface StartKDCOptions extends Omit<KDCOptions, 'realm' | 'database'> {
  readonly realm: string
  readonly principals?: readonly KDCPrincipalSpec[]
  /** `127.0.0.1:0` (default; port 0 = pick one), `HOST:PORT`, or `{ host, port }`. */
  readonly listen?: string | { readonly host?: string; readonly port?: number }
  /** Use this database instead of a new one (`krbtgt/REALM` is added when missing). */
  readonly database?: MemoryPrincipalDatabase
  /** Other realms' KDCs, for the `[realms]` section of {@link RunningKDC.krb5Conf}. */
  readonly realms?: Readonly<Record<string, string>>
}

/** A running embedded KDC. */
export interface RunningKDC {
  readonly realm: string
  readonly host: string
  readonly port: number
  readonly kdc: KDC
  readonly database: MemoryPrincipalDatabase
  /** A client krb5.conf pointing at this KDC (and at `options.realms`). */
  krb5Conf(options?: { readonly extraRealms?: Readonly<Record<string, string>> }): string
  /** A keytab file's bytes with the principal's keys (every kvno kept). */
  keytab(principal: string): Uint8Array
  addPrincipal(spec: KDCPrincipalSpec): KDCPrincipal
  /** New keys at kvno + 1 (a new password, or random keys); old keys kept for tickets in flight. */
  changeKey(principal: string, options?: { readonly password?: string }): KDCPrincipal
  stop(): Promise<void>
}

/** The largest UDP reply; larger ones get KRB_ERR_RESPONSE_TOO_BIG so the client uses TCP. */
const MAX_UDP_REPLY = 65_000
/** The largest TCP request accepted. */
const MAX_TCP_REQUEST = 1 << 20

function parseListen(l: StartKDCOptions['listen']): { host: string; port: number } {
  if (l === undefined) return { host: '127.0.0.1', port: 0 }
  if (typeof l !== 'string') return { host: l.host ?? '127.0.0.1', port: l.port ?? 0 }
  const at = l.lastIndexOf(':')
  const host = at < 0 ? l : l.slice(0, at)
  const port = at < 0 ? 0 : Number(l.slice(at + 1))
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`expected HOST:PORT, got ${JSON.stringify(l)}`)
  return { host: host === '' ? '127.0.0.1' : host, port }
}

function serveTCP(kdc: KDC, socket: Socket): void {
  let buf = new Uint8Array(0)
  socket.setTimeout(30_000, () => socket.destroy())
  socket.on('error', () => socket.destroy())
  socket.on('data', (chunk: Uint8Array) => {
    const next = new Uint8Array(buf.length + chunk.length)
    next.set(buf)
    next.set(chunk, buf.length)
    buf = next
    while (buf.length >= 4) {
      const len = new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0)
      if (len > MAX_TCP_REQUEST) {
        socket.destroy()
        return
      }
      if (buf.length < 4 + len) return
      const req = buf.slice(4, 4 + len)
      buf = buf.slice(4 + len)
      const reply = kdc.handle(req)
      if (reply === undefined) {
        socket.destroy()
        return
      }
      socket.write(frameKerbMessage(reply))
    }
  })
}

function serveUDP(kdc: KDC, udp: UDPSocket): void {
  udp.on('message', (msg, rinfo) => {
    const reply = kdc.handle(new Uint8Array(msg.buffer, msg.byteOffset, msg.length))
    if (reply === undefined) return
    const out = reply.length > MAX_UDP_REPLY ? kdc.responseTooBig() : reply
    udp.send(out, rinfo.port, rinfo.address)
  })
  udp.on('error', () => {})
}

async function listenBoth(
  host: string,
  port: number,
): Promise<{ tcp: Server; udp: UDPSocket; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const tcp = createServer()
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject)
      tcp.listen(port, host, () => resolve())
    })
    const bound = (tcp.address() as { port: number }).port
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4')
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject)
        udp.bind(bound, host, () => resolve())
      })
      return { tcp, udp, port: bound }
    } catch (e) {
      udp.close()
      await new Promise<void>((r) => tcp.close(() => r()))
      if (port !== 0 || attempt >= 20) throw e
    }
  }
}

/**
 * Start an embedded KDC on loopback, UDP and TCP on one port.
 *
 * @example
 * ```ts
 * const kdc = await startKDC({
 *   realm: 'EXAMPLE.TEST',
 *   principals: [{ name: 'alice', password: 'secret' }, { name: 'HTTP/localhost' }],
 * })
 * await writeFile('krb5.conf', kdc.krb5Conf())
 * await writeFileAtomic('http.keytab', kdc.keytab('HTTP/localhost')) // 0600, never through a link
 * await kdc.stop()
 * ```
 */
export async function startKDC(options: StartKDCOptions): Promise<RunningKDC> {
  const realm = options.realm
  const database = options.database ?? new MemoryPrincipalDatabase(realm)
  if (database.get(tgsPrincipal(realm)) === undefined) database.addRandom(tgsPrincipal(realm))
  const addPrincipal = (spec: KDCPrincipalSpec): KDCPrincipal =>
    spec.password !== undefined
      ? database.addPassword(spec.name, spec.password, {
          requiresPreauth: true,
          ...spec,
        })
      : database.addRandom(spec.name, spec)
  for (const p of options.principals ?? []) addPrincipal(p)
  const { database: _d, principals: _p, listen, realms, ...kdcOptions } = options
  void _d
  void _p
  const kdc = new KDC({ ...kdcOptions, realm, database })
  const { host, port: want } = parseListen(listen)
  const { tcp, udp, port } = await listenBoth(host, want)
  const sockets = new Set<Socket>()
  tcp.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    serveTCP(kdc, s)
  })
  serveUDP(kdc, udp)
  let stopped = false
  return {
    realm,
    host,
    port,
    kdc,
    database,
    krb5Conf: (o) =>
      krb5ConfText(
        realm,
        `${host}:${port}`,
        { ...realms, ...o?.extraRealms },
        options.allowWeakCrypto === true,
      ),
    keytab: (name) => serializeKeytab(database.keytab(name)),
    addPrincipal,
    changeKey: (name, o) => database.changeKey(name, o ?? {}),
    async stop() {
      if (stopped) return
      stopped = true
      for (const s of sockets) s.destroy()
      await Promise.all([
        new Promise<void>((r) => tcp.close(() => r())),
        new Promise<void>((r) => udp.close(() => r())),
      ])
    },
  }
}

/** A client krb5.conf for a realm at `kdc` (`HOST:PORT`), with `localhost` in the realm. */
export function krb5ConfText(
  realm: string,
  kdc: string,
  others: Readonly<Record<string, string>> = {},
  allowWeak = false,
): string {
  const realmBlock = (r: string, k: string): string => `  ${r} = {\n    kdc = ${k}\n  }\n`
  return (
    `[libdefaults]\n  default_realm = ${realm}\n  dns_lookup_kdc = false\n  dns_lookup_realm = false\n` +
    `  dns_canonicalize_hostname = false\n  rdns = false\n  qualify_shortname = ""\n` +
    `  udp_preference_limit = 1465\n  forwardable = true\n` +
    (allowWeak ? `  allow_weak_crypto = true\n` : '') +
    `\n[realms]\n` +
    realmBlock(realm, kdc) +
    Object.entries(others)
      .map(([r, k]) => realmBlock(r, k))
      .join('') +
    `\n[domain_realm]\n  localhost = ${realm}\n  .localhost = ${realm}\n`
  )
}

/** A started KDC plus a temporary directory holding its krb5.conf, for a test suite. */
export interface TestKDC extends RunningKDC {
  /** The temporary directory (removed by `stop`). */
  readonly dir: string
  /** Path of the written krb5.conf. */
  readonly krb5ConfPath: string
  /** Environment for MIT tools and `kerberos-ts/node`: KRB5_CONFIG, KRB5CCNAME. */
  readonly env: Readonly<Record<string, string>>
  /** Write the principal's keytab (0600) into the directory and return its path. */
  writeKeytab(principal: string): Promise<string>
}

/**
 * {@link startKDC} for a test suite: also writes a krb5.conf into a fresh temporary directory.
 * Works with `node:test` (`before`/`after`) and vitest (`beforeAll`/`afterAll`).
 *
 * @example
 * ```ts
 * let kdc: TestKDC
 * before(async () => { kdc = await startTestKDC({ realm: 'T.TEST', principals: [{ name: 'HTTP/localhost' }] }) })
 * after(() => kdc.stop())
 * ```
 */
export async function startTestKDC(options: StartKDCOptions): Promise<TestKDC> {
  const dir = await mkdtemp(join(tmpdir(), 'kerberos-ts-kdc-'))
  let running: RunningKDC
  try {
    running = await startKDC(options)
  } catch (e) {
    await rm(dir, { recursive: true, force: true })
    throw e
  }
  const krb5ConfPath = join(dir, 'krb5.conf')
  await writeFileAtomic(krb5ConfPath, new TextEncoder().encode(running.krb5Conf()), { mode: 0o644 })
  return {
    ...running,
    dir,
    krb5ConfPath,
    env: { KRB5_CONFIG: krb5ConfPath, KRB5CCNAME: `FILE:${join(dir, 'ccache')}` },
    async writeKeytab(principal) {
      const path = join(dir, `${principal.replace(/[^A-Za-z0-9.-]/g, '_')}.keytab`)
      await writeFileAtomic(path, running.keytab(principal), { mode: 0o600 })
      return path
    },
    async stop() {
      await running.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
