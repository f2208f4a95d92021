/**
 * A {@link Transport} over MS-KKDCP (a KDC proxy reached by HTTPS) on the standard `fetch`, so a
 * client runs where there are no sockets: browsers, workers, Deno, Bun. The proxy (for example
 * `kerberos-ts kdc-proxy`, Python's kdcproxy, or Windows' KDC proxy) relays to the realm's KDCs.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import { concatBytes } from '../internal/bytes.js'
import { KKDCP_CONTENT_TYPE, unwrapKKDCPReply, wrapKKDCPRequest } from '../protocol/kkdcp.js'
import type { SendToKDCOptions, Transport } from './transport.js'

/** Default time for one proxy attempt. */
export const DEFAULT_KKDCP_TIMEOUT_MS = 10_000
/** Default largest reply body accepted from a proxy. */
export const DEFAULT_KKDCP_MAX_REPLY_BYTES: number = 1024 * 1024

/** The `fetch` function the transport calls (the global one by default). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

/** Options for {@link createKKDCPTransport}. */
export interface KKDCPTransportOptions {
  /**
   * Proxy URLs: one for every realm, a list tried in order, or a map realm → URL(s). MIT's
   * krb5.conf spelling is `kdc = https://proxy.example.com/KdcProxy`.
   */
  readonly proxies:
    string | readonly string[] | Readonly<Record<string, string | readonly string[]>>
  /** Default `globalThis.fetch`. */
  readonly fetch?: FetchLike
  /** Time for one attempt, default {@link DEFAULT_KKDCP_TIMEOUT_MS}. */
  readonly timeoutMs?: number
  /** Largest reply body, default {@link DEFAULT_KKDCP_MAX_REPLY_BYTES}. */
  readonly maxReplyBytes?: number
  /** MS-NRPC DC locator flags sent as `dclocator-hint` (Windows proxies); omitted by default. */
  readonly dclocatorHint?: number
  /** Extra request headers (e.g. an app's CSRF header for its own proxy). */
  readonly headers?: Readonly<Record<string, string>>
}

/** One failed proxy attempt, kept in the final error's `context.attempts`. */
export interface KKDCPAttempt {
  readonly url: string
  readonly code: string
  readonly error: string
}

function proxyURLs(proxies: KKDCPTransportOptions['proxies'], realm: string): readonly string[] {
  if (typeof proxies === 'string') return [proxies]
  if (Array.isArray(proxies)) return proxies as readonly string[]
  const map = proxies as Readonly<Record<string, string | readonly string[]>>
  const v = Object.hasOwn(map, realm) ? map[realm] : undefined
  return v === undefined ? [] : typeof v === 'string' ? [v] : v
}

/** Read at most `max` bytes of a body; more is `ERR_KRB_TRANSPORT` (the stream is cancelled). */
export async function readBodyLimited(res: Response, max: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN)
  if (declared > max) throw tooBig(max)
  if (res.body === null) return new Uint8Array(0)
  const reader = res.body.getReader()
  const parts: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > max) {
      await reader.cancel().catch(() => undefined)
      throw tooBig(max)
    }
    parts.push(value)
  }
  return concatBytes(...parts)
}

function tooBig(max: number): KerberosError {
  return new KerberosError(
    ErrorCodes.TRANSPORT,
    `expected a KKDCP reply of at most ${max} bytes, got more`,
    { context: { max } },
  )
}

function attemptCode(err: unknown): string {
  if (err instanceof KerberosError) return err.code
  if (err instanceof Error && err.name === 'TimeoutError') return 'ETIMEDOUT'
  return 'ERR_KRB_TRANSPORT'
}

/**
 * POST one request to one proxy and return the KDC's reply. Throws on HTTP errors, malformed
 * bodies, oversize replies, the attempt timeout (a `TimeoutError`) or the caller's abort.
 */
export async function exchangeKKDCP(
  url: string,
  realm: string,
  request: Uint8Array,
  options: {
    readonly fetch?: FetchLike
    readonly signal?: AbortSignal
    readonly timeoutMs?: number
    readonly maxReplyBytes?: number
    readonly dclocatorHint?: number
    readonly headers?: Readonly<Record<string, string>>
  } = {},
): Promise<Uint8Array> {
  const body = wrapKKDCPRequest(
    request,
    realm,
    options.dclocatorHint !== undefined ? { dclocatorHint: options.dclocatorHint } : {},
  )
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_KKDCP_TIMEOUT_MS)
  const signal = options.signal !== undefined ? AbortSignal.any([options.signal, timeout]) : timeout
  const doFetch = options.fetch ?? (globalThis.fetch as FetchLike)
  const res = await doFetch(url, {
    method: 'POST',
    headers: { ...options.headers, 'content-type': KKDCP_CONTENT_TYPE },
    body: body as Uint8Array<ArrayBuffer>,
    signal,
    // A proxy must answer itself: a redirect could send Kerberos traffic anywhere. 'manual', not
    // 'error': workerd (Cloudflare Workers) throws on 'error'; a 3xx (or a browser's opaque
    // redirect, status 0) is then refused below like any reply that is not 200.
    redirect: 'manual',
    credentials: 'omit',
  })
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined)
    throw new KerberosError(
      ErrorCodes.TRANSPORT,
      `expected HTTP 200 from KDC proxy ${url}, got ${res.status}`,
      { context: { url, status: res.status } },
    )
  }
  return unwrapKKDCPReply(
    await readBodyLimited(res, options.maxReplyBytes ?? DEFAULT_KKDCP_MAX_REPLY_BYTES),
  )
}

class KKDCPTransport implements Transport {
  readonly #o: KKDCPTransportOptions
  constructor(options: KKDCPTransportOptions) {
    this.#o = options
  }

  async sendToKDC(
    realm: string,
    request: Uint8Array,
    options: SendToKDCOptions = {},
  ): Promise<Uint8Array> {
    if (typeof realm !== 'string' || realm === '')
      throw new TypeError('expected a non-empty realm name')
    if (!(request instanceof Uint8Array))
      throw new TypeError(`expected request to be a Uint8Array, got ${typeof request}`)
    const attempts: KKDCPAttempt[] = []
    const aborted = (): boolean => options.signal?.aborted === true
    for (const url of proxyURLs(this.#o.proxies, realm)) {
      if (aborted()) break
      try {
        return await exchangeKKDCP(url, realm, request, {
          ...this.#o,
          ...(options.signal !== undefined ? { signal: options.signal } : {}),
        })
      } catch (err) {
        if (aborted()) break
        const error = err instanceof Error ? err.message : String(err)
        attempts.push({ url, code: attemptCode(err), error })
      }
    }
    if (aborted()) {
      throw new KerberosError(
        ErrorCodes.ABORTED,
        `the request to the KDC proxies of ${realm} was aborted`,
        { cause: options.signal?.reason, context: { realm, attempts } },
      )
    }
    const last = attempts.at(-1)
    throw new KerberosError(
      ErrorCodes.KDC_UNREACHABLE,
      attempts.length === 0
        ? `no KDC proxy is configured for realm ${realm}`
        : `no KDC proxy of realm ${realm} answered (${attempts.length} attempts, last: ${last!.code}: ${last!.error})`,
      { context: { realm, attempts } },
    )
  }
}

/**
 * A {@link Transport} that reaches the KDCs through MS-KKDCP proxies over `fetch`. Each proxy is
 * tried in order; an HTTP error, a malformed body, an oversize reply or a timeout moves on to the
 * next. The caller's `signal` aborts at once (`ERR_KRB_ABORTED`). Redirects are refused.
 *
 * @example
 * ```ts
 * import { KerberosClient, createKKDCPTransport } from 'kerberos-ts/client'
 * const transport = createKKDCPTransport({ proxies: 'https://app.example.com/KdcProxy' })
 * const client = new KerberosClient({ realm: 'EXAMPLE.COM', transport })
 * ```
 */
export function createKKDCPTransport(options: KKDCPTransportOptions): Transport {
  if (options === null || typeof options !== 'object' || options.proxies === undefined)
    throw new TypeError('expected options with proxies (a URL, a list, or a realm map)')
  return new KKDCPTransport(options)
}
