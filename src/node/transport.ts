/**
 * The Node.js KDC transport (RFC 4120 §7.2): UDP for small requests, TCP with a 4-byte
 * big-endian length prefix for large ones and whenever a KDC answers KRB_ERR_RESPONSE_TOO_BIG,
 * every KDC of the realm in turn, a timeout per attempt, an overall deadline, an AbortSignal.
 *
 * Order of attempts (as MIT krb5's sendto_kdc): first every KDC over the preferred protocol
 * (UDP when the request is at most `udp_preference_limit` bytes, else TCP), then every KDC over
 * the other protocol. A UDP reply that is KRB_ERR_RESPONSE_TOO_BIG is retried over TCP to the
 * same KDC at once. Unlike MIT, attempts are sequential (no parallel resends), so one attempt
 * waits at most `attemptTimeoutMs`, and the whole call at most `deadlineMs`.
 *
 * @module
 */
import { createSocket, type Socket as UDPSocket } from 'node:dgram'
import { lookup } from 'node:dns/promises'
import { readFile } from 'node:fs/promises'
import { request as httpsRequest } from 'node:https'
import { connect, isIP, type Socket } from 'node:net'
import type { SendToKDCOptions, Transport } from '../client/transport.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import type { Krb5Config } from '../config/index.js'
import {
  discoveryConfigFromKrb5Config,
  locateKDCs,
  locateKpasswdServers,
  type KDCAddress,
  type KDCDiscoveryConfig,
  type KDCProtocol,
  type SRVResolver,
} from './kdc-discovery.js'
import { peekKRBErrorCode } from './transport-peek.js'
import {
  KKDCP_CONTENT_TYPE,
  frameKerbMessage,
  unwrapKKDCPReply,
  wrapKKDCPRequest,
} from '../protocol/kkdcp.js'
import { configNotLoaded, loadConfig } from './config.js'

/** MIT's default `udp_preference_limit`. */
export const DEFAULT_UDP_PREFERENCE_LIMIT = 1465
/** MIT caps `udp_preference_limit` here. */
const HARD_UDP_LIMIT = 32700
/** Default bound on one TCP reply: 1 MiB. */
export const DEFAULT_MAX_REPLY_BYTES: number = 1024 * 1024
/** Default wait for one attempt (connect, send, whole reply). */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 3000
/** Default bound on the whole `sendToKDC` call, discovery included. */
export const DEFAULT_DEADLINE_MS = 10_000
/** KRB_ERR_RESPONSE_TOO_BIG (RFC 4120 §7.5.9). */
const RESPONSE_TOO_BIG = 52
/** KDC_ERR_SVC_UNAVAILABLE: MIT's sendto_kdc moves on to the next KDC (check_for_svc_unavailable). */
const SVC_UNAVAILABLE = 29

/** One try at one KDC, as listed in `context.attempts` of ERR_KRB_KDC_UNREACHABLE. */
export interface KDCAttempt {
  /** The KDC as configured (host name or IP literal). */
  readonly host: string
  /** The IP address tried, when the host name resolved. */
  readonly address?: string
  readonly port: number
  readonly protocol: KDCProtocol
  /** `ETIMEDOUT`, `ECONNREFUSED`, `ERR_KRB_TRANSPORT`, `KRB_ERR_RESPONSE_TOO_BIG`, ... */
  readonly code: string
  readonly error: string
  readonly ms: number
}

/** A trace event: one per attempt start and end. */
export interface TransportTraceEvent {
  readonly type: 'attempt' | 'reply' | 'failure'
  readonly realm: string
  readonly host: string
  readonly port: number
  readonly protocol: KDCProtocol
  readonly bytes?: number
  readonly code?: string
}

/** Options for {@link createNodeTransport}. */
export interface NodeTransportOptions {
  /**
   * KDC addresses and DNS settings: a parsed krb5.conf (`loadConfig()`), read per realm at call
   * time, or the same as plain values. Absent (and no `locate`): krb5.conf is loaded from
   * `KRB5_CONFIG`, else `/etc/krb5.conf`, at the first request (as MIT's library does), unless
   * `loadConfig` is false.
   */
  readonly config?: KDCDiscoveryConfig | Krb5Config
  /**
   * Load krb5.conf when no `config` is given (default true). False: no realms configured, KDCs
   * from DNS SRV only.
   */
  readonly loadConfig?: boolean
  /** Environment for the default krb5.conf load (`KRB5_CONFIG`); default `process.env` at call time. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Replace discovery entirely: return the KDCs of a realm in order. */
  readonly locate?: (
    realm: string,
    options: { readonly signal?: AbortSignal },
  ) => Promise<readonly KDCAddress[]>
  /** Replace kpasswd server discovery (`kpasswd_server`, `admin_server`:464, `_kpasswd` SRV). */
  readonly locateKpasswd?: (
    realm: string,
    options: { readonly signal?: AbortSignal },
  ) => Promise<readonly KDCAddress[]>
  /** SRV resolver for discovery (tests point one at a local DNS server). */
  readonly resolver?: SRVResolver
  /** Requests larger than this go over TCP first; default `config.udpPreferenceLimit` or 1465. 1 = always TCP. */
  readonly udpPreferenceLimit?: number
  /** Wait for one attempt (connect + send + whole reply); default 3000 ms. */
  readonly attemptTimeoutMs?: number
  /** Bound on the whole call; default 10000 ms. */
  readonly deadlineMs?: number
  /** Largest TCP reply accepted (checked on the length prefix, before allocating); default 1 MiB. */
  readonly maxReplyBytes?: number
  /**
   * Resolve a KDC host name to IP addresses (each is tried in turn, as MIT does); default
   * `node:dns` lookup (getaddrinfo) with `all: true`.
   */
  readonly lookupHost?: (host: string) => Promise<readonly string[]>
  /** Called per attempt; for KRB5_TRACE-style diagnostics. */
  readonly trace?: (event: TransportTraceEvent) => void
  /**
   * Keep connected UDP sockets between exchanges (see {@link UDPSocketPool}); default true.
   * false: a new socket per exchange.
   */
  readonly reuseUDPSockets?: boolean
  /**
   * Trust anchors (PEM) for `kdc = https://…` proxies (MS-KKDCP). Default: the realm's
   * krb5.conf `http_anchors` (`FILE:/path/ca.pem` or `ENV:VAR`, as MIT), else Node's CA store.
   */
  readonly httpAnchors?: string | readonly string[]
  /** Follow `kdc = https://…` (MS-KKDCP proxy) entries; default true. A KDC proxy sets false. */
  readonly kdcProxies?: boolean
}

/** An attempt failed for a reason that should move on to the next KDC. */
class AttemptError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}

/** Thrown inside an attempt when the caller's signal fired. */
class Aborted extends Error {}

/** Options for one {@link exchangeTCP} / {@link exchangeUDP}. */
export interface ExchangeOptions {
  /** Bound on connect + send + whole reply. */
  readonly timeoutMs: number
  readonly signal: AbortSignal | undefined
  /** Largest TCP reply accepted. */
  readonly maxReplyBytes: number
  /** UDP sockets kept between exchanges (a transport's own); none: a socket per exchange. */
  readonly udpPool?: UDPSocketPool
}

/** Idle connected UDP sockets kept per KDC address. */
const MAX_IDLE_PER_KDC = 4

/**
 * Connected UDP sockets reused between exchanges (issue 11 speed: a socket, bind and connect per
 * exchange was a large share of a login's cost). A socket is only put back after an exchange that
 * got its one reply; one that timed out, failed or was aborted is closed, so a late reply can
 * never answer a later request. An idle socket that receives anything is closed (a stray or
 * injected datagram is never read as the next reply), and idle sockets do not keep the process
 * alive (`unref`). The kernel only delivers datagrams from the connected KDC address and port.
 * `createNodeTransport` keeps one per transport (`reuseUDPSockets: false` turns it off).
 *
 * @example
 * ```ts
 * const pool = new UDPSocketPool()
 * const reply = await exchangeUDP('127.0.0.1', 88, asReq, {
 *   timeoutMs: 3000,
 *   signal: undefined,
 *   maxReplyBytes: 1 << 20,
 *   udpPool: pool,
 * })
 * pool.close()
 * ```
 */
export class UDPSocketPool {
  readonly #idle = new Map<string, UDPSocket[]>()

  /** An idle socket connected to `address`:`port`, taken out of the pool, or undefined. */
  take(address: string, port: number): UDPSocket | undefined {
    const list = this.#idle.get(`${address}|${port}`)
    const sock = list?.pop()
    if (sock === undefined) return undefined
    sock.removeAllListeners('message')
    sock.removeAllListeners('error')
    sock.ref()
    return sock
  }

  /** Keep `sock` (connected to `address`:`port`, its exchange over) for a later exchange. */
  give(address: string, port: number, sock: UDPSocket): void {
    const key = `${address}|${port}`
    const list = this.#idle.get(key) ?? []
    sock.removeAllListeners('message')
    sock.removeAllListeners('error')
    if (list.length >= MAX_IDLE_PER_KDC) {
      closeQuietly(sock)
      return
    }
    const drop = (): void => {
      const at = list.indexOf(sock)
      if (at >= 0) list.splice(at, 1)
      closeQuietly(sock)
    }
    sock.on('message', drop)
    sock.on('error', drop)
    sock.unref()
    list.push(sock)
    this.#idle.set(key, list)
  }

  /** Close every idle socket. */
  close(): void {
    for (const list of this.#idle.values()) for (const sock of list.splice(0)) closeQuietly(sock)
    this.#idle.clear()
  }
}

function closeQuietly(sock: UDPSocket): void {
  try {
    sock.close()
  } catch {
    // already closed
  }
}

/** Run `body` with a timeout and the abort signal; `cleanup` always runs. */
function guarded<T>(
  o: ExchangeOptions,
  what: string,
  body: (resolve: (v: T) => void, reject: (e: Error) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cleanup: () => void = () => {}
    let done = false
    const finish = (fn: () => void): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      o.signal?.removeEventListener('abort', onAbort)
      cleanup()
      fn()
    }
    const onAbort = (): void => finish(() => reject(new Aborted()))
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new AttemptError('ETIMEDOUT', `no complete ${what} reply within ${o.timeoutMs} ms`),
          ),
        ),
      o.timeoutMs,
    )
    o.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      cleanup = body(
        (v) => finish(() => resolve(v)),
        (e) => finish(() => reject(e)),
      )
    } catch (e) {
      // e.g. net.connect throwing on an invalid port: fail this attempt, release the timer.
      finish(() => reject(systemError(e)))
    }
    if (done) cleanup()
  })
}

function systemError(err: unknown): AttemptError {
  const code = (err as { code?: unknown }).code
  return new AttemptError(
    typeof code === 'string' ? code : 'EIO',
    err instanceof Error ? err.message : String(err),
  )
}

function frameError(message: string, context: Record<string, unknown>): KerberosError {
  return new KerberosError(ErrorCodes.TRANSPORT, message, { context })
}

/** Reassembles one length-prefixed reply from TCP chunks, refusing oversized lengths before allocating. */
class FrameReader {
  private readonly header = new Uint8Array(4)
  private headerFill = 0
  private body: Uint8Array | undefined
  private bodyFill = 0
  private readonly maxBytes: number
  constructor(maxBytes: number) {
    this.maxBytes = maxBytes
  }

  /** Feed a chunk; returns the complete reply once it is there. */
  push(chunk: Uint8Array): Uint8Array | undefined {
    let off = 0
    if (this.body === undefined) {
      const take = Math.min(4 - this.headerFill, chunk.length)
      this.header.set(chunk.subarray(0, take), this.headerFill)
      this.headerFill += take
      off = take
      if (this.headerFill < 4) return undefined
      this.body = new Uint8Array(this.checkLength())
    }
    const take = Math.min(this.body.length - this.bodyFill, chunk.length - off)
    this.body.set(chunk.subarray(off, off + take), this.bodyFill)
    this.bodyFill += take
    return this.bodyFill === this.body.length ? this.body : undefined
  }

  private checkLength(): number {
    const len = new DataView(this.header.buffer).getUint32(0)
    if (len & 0x80000000) {
      throw frameError('expected a TCP reply length with the reserved high bit clear, got it set', {
        length: len,
      })
    }
    if (len === 0)
      throw frameError('expected a TCP reply of at least 1 byte, got a zero length', { length: 0 })
    if (len > this.maxBytes) {
      throw frameError(
        `expected a TCP reply of at most ${this.maxBytes} bytes, got a length of ${len}`,
        {
          length: len,
          max: this.maxBytes,
        },
      )
    }
    return len
  }

  describe(): string {
    return this.body === undefined
      ? `${this.headerFill} of 4 length bytes`
      : `${this.bodyFill} of ${this.body.length} bytes`
  }
}

/** One request/reply over TCP. */
export function exchangeTCP(
  host: string,
  port: number,
  request: Uint8Array,
  o: ExchangeOptions,
): Promise<Uint8Array> {
  return guarded<Uint8Array>(o, 'TCP', (resolve, reject) => {
    const frames = new FrameReader(o.maxReplyBytes)
    const sock: Socket = connect({ host, port })
    sock.setNoDelay(true)
    sock.on('connect', () => sock.write(frameKerbMessage(request)))
    sock.on('data', (chunk: Uint8Array) => {
      try {
        const reply = frames.push(chunk)
        if (reply !== undefined) resolve(reply)
      } catch (e) {
        reject(e as Error)
      }
    })
    sock.on('error', (e) => reject(systemError(e)))
    sock.on('close', () =>
      reject(
        frameError(`expected a complete TCP reply, the KDC closed after ${frames.describe()}`, {
          host,
          port,
        }),
      ),
    )
    return () => sock.destroy()
  })
}

/**
 * One request/reply through an MS-KKDCP proxy: an HTTPS POST of a KDC-PROXY-MESSAGE
 * (`target-domain` = the realm). No redirects are followed; the reply body is bounded by
 * `maxReplyBytes`; a status other than 200 or a malformed body fails the attempt.
 */
export function exchangeHTTPS(
  url: string,
  realm: string,
  request: Uint8Array,
  o: ExchangeOptions & { readonly ca?: string | readonly string[] },
): Promise<Uint8Array> {
  const body = wrapKKDCPRequest(request, realm)
  return guarded<Uint8Array>(o, 'HTTPS', (resolve, reject) => {
    const req = httpsRequest(url, {
      method: 'POST',
      headers: { 'content-type': KKDCP_CONTENT_TYPE, 'content-length': body.length },
      ...(o.ca !== undefined ? { ca: o.ca as string | string[] } : {}),
      agent: false,
    })
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        reject(
          frameError(`expected HTTP 200 from KDC proxy ${url}, got ${res.statusCode}`, { url }),
        )
        return
      }
      const declared = Number(res.headers['content-length'] ?? NaN)
      if (declared > o.maxReplyBytes) {
        reject(
          frameError(
            `expected a KKDCP reply of at most ${o.maxReplyBytes} bytes, got a length of ${declared}`,
            { url },
          ),
        )
        return
      }
      const parts: Uint8Array[] = []
      let total = 0
      res.on('data', (chunk: Uint8Array) => {
        total += chunk.length
        if (total > o.maxReplyBytes) {
          reject(
            frameError(`expected a KKDCP reply of at most ${o.maxReplyBytes} bytes, got more`, {
              url,
            }),
          )
        } else parts.push(chunk)
      })
      res.on('end', () => {
        try {
          resolve(unwrapKKDCPReply(concatBytes(parts, total)))
        } catch (e) {
          reject(e as Error)
        }
      })
      res.on('error', (e) => reject(systemError(e)))
    })
    req.on('error', (e) => reject(systemError(e)))
    req.end(body)
    return () => req.destroy()
  })
}

function concatBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/**
 * One request/reply over UDP (a connected socket: only the KDC's datagrams count). Host names
 * are resolved first, inside the same timeout.
 */
export function exchangeUDP(
  host: string,
  port: number,
  request: Uint8Array,
  o: ExchangeOptions,
): Promise<Uint8Array> {
  return guarded<Uint8Array>(o, 'UDP', (resolve, reject) => {
    let sock: UDPSocket | undefined
    let connectedTo: string | undefined
    let closed = false
    let answered = false
    const listen = (s: UDPSocket): void => {
      s.on('error', (e) => reject(systemError(e)))
      s.on('message', (msg: Uint8Array) => {
        if (msg.length === 0) {
          reject(frameError('expected a UDP reply, got an empty datagram', { host, port }))
          return
        }
        answered = true
        resolve(new Uint8Array(msg))
      })
    }
    const send = (s: UDPSocket): void => s.send(request, (e) => e && reject(systemError(e)))
    const open = (address: string): void => {
      if (closed) return
      const pooled = o.udpPool?.take(address, port)
      sock = pooled ?? createSocket(isIP(address) === 6 ? 'udp6' : 'udp4')
      listen(sock)
      const s = sock
      if (pooled !== undefined) {
        connectedTo = address
        send(s)
        return
      }
      s.connect(port, address, () => {
        connectedTo = address
        send(s)
      })
    }
    if (isIP(host) !== 0) open(host)
    else
      lookup(host).then(
        ({ address }) => open(address),
        (e: unknown) => reject(systemError(e)),
      )
    return () => {
      closed = true
      if (sock === undefined) return
      // Back to the pool only after the one reply of a completed exchange.
      if (answered && o.udpPool !== undefined && connectedTo !== undefined) {
        o.udpPool.give(connectedTo, port, sock)
      } else {
        closeQuietly(sock)
      }
    }
  })
}

/** A KDC with one of its addresses. */
interface Target {
  readonly kdc: KDCAddress
  readonly address: string
}

interface Step {
  readonly target: Target
  readonly protocol: KDCProtocol
}

function planSteps(targets: readonly Target[], tcpFirst: boolean): Step[] {
  const order: KDCProtocol[] = tcpFirst ? ['tcp', 'udp'] : ['udp', 'tcp']
  const seen = new Set<string>()
  const steps: Step[] = []
  for (const protocol of order) {
    for (const target of targets) {
      // As MIT's sendto_kdc: an https (MS-KKDCP) KDC is tried in the TCP pass, in list order.
      const p: KDCProtocol = target.kdc.protocol === 'https' ? 'https' : protocol
      const key = `${p}|${target.address}|${target.kdc.port}`
      const fits =
        target.kdc.protocol === undefined ||
        target.kdc.protocol === protocol ||
        (target.kdc.protocol === 'https' && protocol === 'tcp')
      if (fits && !seen.has(key)) {
        seen.add(key)
        steps.push({ target, protocol: p })
      }
    }
  }
  return steps
}

/** The local address the system routes to `address` from (a connected UDP socket sends nothing). */
async function localAddressFor(
  address: string,
  port: number,
): Promise<{ readonly address: string; readonly family: string }> {
  const family = isIP(address) === 6 ? 'udp6' : 'udp4'
  const sock = createSocket(family)
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject)
      sock.connect(port, address, () => resolve())
    })
    const a = sock.address()
    return { address: a.address, family: a.family }
  } finally {
    sock.close()
  }
}

async function defaultLookupHost(host: string): Promise<readonly string[]> {
  const found = await lookup(host, { all: true })
  return found.map((a) => a.address)
}

/** Thrown by {@link raceCall} when the deadline passed first. */
class DeadlinePassed extends Error {}

/** Wait for `p`, but no longer than the call's deadline, and not past an abort. */
async function raceCall<T>(call: Call, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  let onAbort: (() => void) | undefined
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlinePassed()), Math.max(0, call.deadline - Date.now()))
    onAbort = () => reject(new Aborted())
    call.signal?.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([p, stop])
  } finally {
    clearTimeout(timer)
    call.signal?.removeEventListener('abort', onAbort!)
  }
}

function abortedError(
  realm: string,
  signal: AbortSignal | undefined,
  attempts: readonly KDCAttempt[],
): KerberosError {
  return new KerberosError(ErrorCodes.ABORTED, `the request to the KDCs of ${realm} was aborted`, {
    cause: signal?.reason,
    context: { realm, attempts },
  })
}

/** Everything one sendToKDC call carries around. */
interface Call {
  readonly service: 'kdc' | 'kpasswd'
  readonly realm: string
  readonly request: Uint8Array
  readonly forLocalAddress?: SendToKDCOptions['forLocalAddress']
  readonly signal: AbortSignal | undefined
  readonly deadline: number
  readonly attempts: KDCAttempt[]
  readonly tried: Set<string>
}

function isKrb5Config(c: KDCDiscoveryConfig | Krb5Config): c is Krb5Config {
  return typeof (c as Krb5Config).get === 'function'
}

class NodeTransport implements Transport {
  private o: NodeTransportOptions
  private readonly udpPool: UDPSocketPool | undefined
  /** Set when krb5.conf was loaded by default and no file was found. */
  private notLoaded: string | undefined
  private loading: Promise<void> | undefined
  constructor(options: NodeTransportOptions) {
    this.o = options
    this.udpPool = options.reuseUDPSockets === false ? undefined : new UDPSocketPool()
  }

  /** The default krb5.conf load, once, at the first request. */
  private ensureConfig(): Promise<void> {
    if (this.o.config !== undefined || this.o.locate !== undefined || this.o.loadConfig === false)
      return Promise.resolve()
    this.loading ??= (async () => {
      const env = this.o.env !== undefined ? { env: this.o.env } : {}
      const config = await loadConfig(env)
      this.notLoaded = configNotLoaded(config, env)
      this.o = { ...this.o, config }
    })()
    return this.loading
  }

  sendToKDC(
    realm: string,
    request: Uint8Array,
    options: SendToKDCOptions = {},
  ): Promise<Uint8Array> {
    return this.send('kdc', realm, request, options)
  }

  sendToKpasswd(
    realm: string,
    request: Uint8Array,
    options: SendToKDCOptions = {},
  ): Promise<Uint8Array> {
    return this.send('kpasswd', realm, request, options)
  }

  private async send(
    service: 'kdc' | 'kpasswd',
    realm: string,
    request: Uint8Array,
    options: SendToKDCOptions,
  ): Promise<Uint8Array> {
    if (typeof realm !== 'string' || realm === '')
      throw new TypeError('expected a non-empty realm name')
    if (!(request instanceof Uint8Array))
      throw new TypeError(`expected request to be a Uint8Array, got ${typeof request}`)
    if (request.length === 0 || request.length > 0x7fffffff) {
      throw new RangeError(`expected a request of 1 to 2^31-1 bytes, got ${request.length}`)
    }
    const call: Call = {
      service,
      realm,
      request,
      ...(options.forLocalAddress !== undefined
        ? { forLocalAddress: options.forLocalAddress }
        : {}),
      signal: options.signal,
      deadline: Date.now() + (this.o.deadlineMs ?? DEFAULT_DEADLINE_MS),
      attempts: [],
      tried: new Set(),
    }
    if (call.signal?.aborted === true) throw abortedError(realm, call.signal, [])
    await this.ensureConfig()
    const tcpFirst = options.preferTCP === true || request.length > this.udpLimit()
    let unavailable: Uint8Array | undefined
    try {
      const kdcs = await raceCall(call, this.locate(call))
      if (kdcs.length === 0) {
        const why = this.notLoaded !== undefined ? `${this.notLoaded}; ` : ''
        const what = service === 'kdc' ? 'KDC' : 'kpasswd server'
        throw new KerberosError(
          ErrorCodes.KDC_UNREACHABLE,
          `${why}no ${what} is known for realm ${realm}`,
          { context: { realm, attempts: [] } },
        )
      }
      const targets = await this.resolve(call, kdcs, tcpFirst ? 'tcp' : 'udp')
      for (const step of planSteps(targets, tcpFirst)) {
        if (Date.now() >= call.deadline) break
        const reply = await this.tryStep(call, step)
        if (
          reply !== undefined &&
          service === 'kdc' &&
          peekKRBErrorCode(reply) === SVC_UNAVAILABLE
        ) {
          // As MIT: try the other KDCs, and give this answer only when none does better.
          const t = step.target
          this.record(
            call,
            t,
            step.protocol,
            'KDC_ERR_SVC_UNAVAILABLE',
            'the KDC is unavailable',
            0,
          )
          unavailable = reply
          continue
        }
        if (reply !== undefined) return reply
      }
    } catch (err) {
      if (err instanceof Aborted) throw abortedError(realm, call.signal, call.attempts)
      if (!(err instanceof DeadlinePassed)) throw err
    }
    if (unavailable !== undefined) return unavailable
    const last = call.attempts.at(-1)
    const timedOut =
      Date.now() >= call.deadline
        ? ` before the ${this.o.deadlineMs ?? DEFAULT_DEADLINE_MS} ms deadline`
        : ''
    throw new KerberosError(
      ErrorCodes.KDC_UNREACHABLE,
      `no ${service === 'kdc' ? 'KDC' : 'kpasswd server'} of realm ${realm} answered${timedOut} (${call.attempts.length} attempts, last: ${last?.code ?? 'none'})`,
      { context: { realm, attempts: call.attempts } },
    )
  }

  /** Discovery settings for one realm; a krb5.conf is read for that realm only. */
  private discovery(realm: string): KDCDiscoveryConfig | undefined {
    const c = this.o.config
    if (c === undefined || !isKrb5Config(c)) return c
    return discoveryConfigFromKrb5Config(c, { realms: [realm] })
  }

  private udpLimit(): number {
    const limit =
      this.o.udpPreferenceLimit ??
      this.discovery('')?.udpPreferenceLimit ??
      DEFAULT_UDP_PREFERENCE_LIMIT
    return limit < 0 ? DEFAULT_UDP_PREFERENCE_LIMIT : Math.min(limit, HARD_UDP_LIMIT)
  }

  private async locate(call: Call): Promise<readonly KDCAddress[]> {
    const custom = call.service === 'kdc' ? this.o.locate : this.o.locateKpasswd
    if (custom !== undefined) return custom(call.realm, { signal: call.signal })
    const config = this.discovery(call.realm)
    const find = call.service === 'kdc' ? locateKDCs : locateKpasswdServers
    const loc = await find(call.realm, {
      ...(config !== undefined ? { config } : {}),
      ...(this.o.resolver !== undefined ? { resolver: this.o.resolver } : {}),
      ...(call.signal !== undefined ? { signal: call.signal } : {}),
    })
    return loc.kdcs
  }

  /** Host names to addresses (IP literals as they are); a name that does not resolve is an attempt. */
  private async resolve(
    call: Call,
    kdcs: readonly KDCAddress[],
    first: KDCProtocol,
  ): Promise<Target[]> {
    const targets: Target[] = []
    for (const kdc of kdcs) {
      if (kdc.protocol === 'https') {
        if (this.o.kdcProxies === false || kdc.url === undefined) continue
        targets.push({ kdc, address: kdc.url }) // the TLS client resolves and checks the name
        continue
      }
      if (isIP(kdc.host) !== 0) {
        targets.push({ kdc, address: kdc.host })
        continue
      }
      const started = Date.now()
      try {
        const addresses = await raceCall(call, (this.o.lookupHost ?? defaultLookupHost)(kdc.host))
        for (const address of addresses) targets.push({ kdc, address })
      } catch (err) {
        if (err instanceof Aborted || err instanceof DeadlinePassed) throw err
        const e = systemError(err)
        const target = { kdc, address: '' }
        this.record(call, target, kdc.protocol ?? first, e.code, e.message, Date.now() - started)
      }
    }
    return targets
  }

  /** One attempt (plus the TCP retry on RESPONSE_TOO_BIG); undefined = move on. */
  private async tryStep(call: Call, step: Step): Promise<Uint8Array | undefined> {
    const reply = await this.attempt(call, step.target, step.protocol)
    if (
      reply === undefined ||
      step.protocol !== 'udp' ||
      call.service !== 'kdc' ||
      peekKRBErrorCode(reply) !== RESPONSE_TOO_BIG
    )
      return reply
    this.record(call, step.target, 'udp', 'KRB_ERR_RESPONSE_TOO_BIG', 'the KDC asked for TCP', 0)
    if (step.target.kdc.protocol === 'udp' || Date.now() >= call.deadline) return undefined
    return this.attempt(call, step.target, 'tcp')
  }

  private async attempt(
    call: Call,
    target: Target,
    protocol: KDCProtocol,
  ): Promise<Uint8Array | undefined> {
    const { kdc, address } = target
    const key = `${protocol}|${address}|${kdc.port}`
    if (call.tried.has(key)) return undefined
    if (call.signal?.aborted === true) throw abortedError(call.realm, call.signal, call.attempts)
    call.tried.add(key)
    const started = Date.now()
    const o: ExchangeOptions = {
      timeoutMs: Math.max(
        1,
        Math.min(this.o.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS, call.deadline - started),
      ),
      signal: call.signal,
      maxReplyBytes: this.o.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES,
      ...(this.udpPool !== undefined ? { udpPool: this.udpPool } : {}),
    }
    this.trace({ type: 'attempt', realm: call.realm, host: kdc.host, port: kdc.port, protocol })
    try {
      // kpasswd's KRB-PRIV names our address on the path to this server (not for https proxies).
      const request = async (): Promise<Uint8Array> =>
        call.forLocalAddress !== undefined
          ? call.forLocalAddress(await localAddressFor(address, kdc.port))
          : call.request
      const reply =
        protocol === 'https'
          ? await exchangeHTTPS(address, call.realm, call.request, {
              ...o,
              ...(await this.anchors(call.realm)),
            })
          : protocol === 'tcp'
            ? await exchangeTCP(address, kdc.port, await request(), o)
            : await exchangeUDP(address, kdc.port, await request(), o)
      this.trace({
        type: 'reply',
        realm: call.realm,
        host: kdc.host,
        port: kdc.port,
        protocol,
        bytes: reply.length,
      })
      return reply
    } catch (err) {
      if (err instanceof Aborted) throw abortedError(call.realm, call.signal, call.attempts)
      const code =
        err instanceof AttemptError || err instanceof KerberosError
          ? err.code
          : systemError(err).code
      const message = err instanceof Error ? err.message : String(err)
      this.record(call, target, protocol, code, message, Date.now() - started)
      return undefined
    }
  }

  /** TLS trust anchors for the realm's KDC proxies: the option, else krb5.conf `http_anchors`. */
  private async anchors(realm: string): Promise<{ ca?: string | readonly string[] }> {
    if (this.o.httpAnchors !== undefined) return { ca: this.o.httpAnchors }
    const c = this.o.config
    if (c === undefined || !isKrb5Config(c)) return {}
    const specs = c.getAll('realms', realm, 'http_anchors')
    if (specs.length === 0) return {}
    const ca: string[] = []
    for (const spec of specs) {
      const m = /^(FILE|ENV):(.+)$/.exec(spec.trim())
      const path = m?.[1] === 'ENV' ? (this.o.env ?? process.env)[m[2]!] : m?.[2]
      if (path === undefined)
        throw new AttemptError(
          'ERR_KRB_CONFIG',
          `expected http_anchors FILE:path or ENV:VAR, got "${spec}"`,
        )
      ca.push(await readFile(path, 'utf8'))
    }
    return { ca }
  }

  private record(
    call: Call,
    target: Target,
    protocol: KDCProtocol,
    code: string,
    error: string,
    ms: number,
  ): void {
    const { kdc, address } = target
    const where = address !== '' && address !== kdc.host ? { address } : {}
    call.attempts.push({ host: kdc.host, ...where, port: kdc.port, protocol, code, error, ms })
    this.trace({
      type: 'failure',
      realm: call.realm,
      host: kdc.host,
      port: kdc.port,
      protocol,
      code,
    })
  }

  private trace(event: TransportTraceEvent): void {
    this.o.trace?.(event)
  }
}

/**
 * A {@link Transport} over Node's sockets, with KDCs from krb5.conf values or DNS SRV. Without
 * `config`, krb5.conf (`KRB5_CONFIG`, else `/etc/krb5.conf`) is loaded at the first request.
 *
 * @example
 * ```ts
 * import { createNodeTransport, loadConfig } from 'kerberos-ts/node'
 * const transport = createNodeTransport() // krb5.conf loaded at the first request
 * const same = createNodeTransport({ config: await loadConfig() }) // [realms] and DNS SRV
 * // or plain values:
 * const fixed = createNodeTransport({
 *   config: { realms: { 'EXAMPLE.COM': { kdc: ['kdc1.example.com', 'kdc2.example.com'] } } },
 * })
 * const reply = await transport.sendToKDC('EXAMPLE.COM', asReqBytes, { signal: AbortSignal.timeout(5000) })
 * ```
 */
export function createNodeTransport(options: NodeTransportOptions = {}): Transport {
  return new NodeTransport(options)
}
