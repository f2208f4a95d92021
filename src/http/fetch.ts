/**
 * HTTP Negotiate (RFC 4559), client side: a `fetch` wrapper that answers a
 * `401 WWW-Authenticate: Negotiate` with a SPNEGO token from our initiator, and checks the
 * server's mutual-authentication token on the response.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import type { GSSCredentials } from '../gssapi/context.js'
import { SpnegoInitiatorContext } from '../gssapi/spnego.js'
import { fromBase64, toBase64 } from '../internal/bytes.js'
import { channelBindingsHash, type ChannelBindings } from '../protocol/gss-checksum.js'
import { indexOfSpace, isNegotiateScheme, splitAuthValue } from './auth-header.js'

/** Where service tickets come from: a `KerberosClient` fits (`getServiceTicket`, `now`). */
export interface TicketSource {
  getServiceTicket(spn: string): Promise<GSSCredentials>
  /**
   * The client's clock corrected by the KDC offset it learnt (KRB_AP_ERR_SKEW, a reply's
   * authtime, a ccache v4 header): authenticators are stamped with it.
   */
  now?(): Date
}

/** A first token and, optionally, a check of the server's answer. */
export interface NegotiateToken {
  readonly token: Uint8Array
  /** Called with the server's token (or undefined when it sent none); throw to refuse. */
  readonly verify?: (serverToken: Uint8Array | undefined) => void
}

/** Options for {@link negotiateFetch}. */
export interface NegotiateFetchOptions {
  /** Gets service tickets (a logged-in `KerberosClient`). */
  readonly client?: TicketSource
  /** Or: makes the first token yourself. */
  readonly getToken?: (spn: string) => NegotiateToken | Promise<NegotiateToken>
  /** Service name: text, or a function of the URL; default `HTTP@<hostname>`. */
  readonly spn?: string | ((url: URL) => string)
  /** The fetch to wrap (default `globalThis.fetch`). */
  readonly fetch?: typeof fetch
  /** Require the server's mutual-authentication token (default true). */
  readonly mutual?: boolean
  /** Send the token on the first request instead of waiting for a 401. */
  readonly preemptive?: boolean
  /**
   * Channel bindings to put in the token (for HTTPS: `tlsServerEndPoint(serverCertDer)` from
   * `kerberos-ts/node`), their 16-octet hash, or a function of the URL giving either.
   */
  readonly channelBindings?:
    ChannelBindings | Uint8Array | ((url: URL) => ChannelBindings | Uint8Array | undefined)
  /** Ask the server to insist on the bindings (KERB_AP_OPTIONS_CBT); needs `channelBindings`. */
  readonly requireChannelBindings?: boolean
  /**
   * The clock for authenticators (default: `client.now()`, the KDC-corrected time, when the
   * client has one; else the system clock).
   */
  readonly now?: () => Date
}

function fetchError(message: string, cause?: unknown): KerberosError {
  return new KerberosError(ErrorCodes.HTTP_NEGOTIATE, message, cause === undefined ? {} : { cause })
}

/** The token in a `WWW-Authenticate: Negotiate <b64>` value, if any. */
export function serverNegotiateToken(header: string | null): Uint8Array | undefined {
  if (header === null) return undefined
  // Linear scans only (the header comes from the server, or whoever sits in between).
  for (const part of header.split(',')) {
    const { scheme, rest } = splitAuthValue(part)
    if (isNegotiateScheme(scheme) && rest !== '' && indexOfSpace(rest) < 0) {
      const token = fromBase64(rest)
      if (token !== null) return token
    }
  }
  return undefined
}

function offersNegotiate(res: Response): boolean {
  const h = res.headers.get('www-authenticate')
  if (res.status !== 401 || h === null) return false
  return h.split(',').some((part) => isNegotiateScheme(splitAuthValue(part).scheme))
}

async function tokenFor(
  options: NegotiateFetchOptions,
  spn: string,
  url: URL,
): Promise<NegotiateToken> {
  if (options.getToken !== undefined) return options.getToken(spn)
  if (options.client === undefined)
    throw new TypeError('negotiateFetch needs `client` or `getToken`')
  const client = options.client
  const credentials = await client.getServiceTicket(spn)
  const o = options.channelBindings
  const cb = typeof o === 'function' ? o(url) : o
  // The KDC-corrected clock: a server whose clock agrees with the KDC refuses the raw system
  // time when it is off by more than the skew (review #18b).
  const now = options.now ?? (typeof client.now === 'function' ? () => client.now!() : undefined)
  const ctx = new SpnegoInitiatorContext({
    credentials,
    ...(now === undefined ? {} : { now }),
    ...(cb === undefined
      ? {}
      : { channelBindingsHash: cb instanceof Uint8Array ? cb : channelBindingsHash(cb) }),
    ...(options.requireChannelBindings === true ? { requireChannelBindings: true } : {}),
  })
  const token = ctx.step()!
  return {
    token,
    verify: (serverToken) => {
      if (serverToken === undefined) {
        if (options.mutual !== false)
          throw fetchError(`server sent no mutual-authentication token for ${spn}`)
        return
      }
      ctx.step(serverToken)
    },
  }
}

/**
 * Wrap `fetch` with Negotiate authentication.
 *
 * @example
 * ```ts
 * const client = new KerberosClient({ transport: createNodeTransport() })
 * await client.login({ principal: 'alice', password })
 * const kfetch = negotiateFetch({ client })
 * const res = await kfetch('https://intranet.example.com/api')
 * ```
 */
export function negotiateFetch(options: NegotiateFetchOptions): typeof fetch {
  const base = options.fetch ?? globalThis.fetch
  const wrapped = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const spn =
      typeof options.spn === 'function' ? options.spn(url) : (options.spn ?? `HTTP@${url.hostname}`)
    if (options.preemptive !== true) {
      const first = await base(input, init)
      if (!offersNegotiate(first)) return first
      await first.body?.cancel()
    }
    const t = await tokenFor(options, spn, url)
    const headers = new Headers(
      init?.headers ?? (input instanceof Request ? input.headers : undefined),
    )
    headers.set('Authorization', `Negotiate ${toBase64(t.token)}`)
    const res = await base(input, { ...init, headers })
    if (res.status !== 401) {
      try {
        t.verify?.(serverNegotiateToken(res.headers.get('www-authenticate')))
      } catch (err) {
        await res.body?.cancel()
        throw err instanceof KerberosError ? err : fetchError('mutual authentication failed', err)
      }
    }
    return res
  }
  return wrapped as typeof fetch
}
