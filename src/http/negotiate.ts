/**
 * HTTP Negotiate (RFC 4559), server side, framework-free: read an `Authorization` header value,
 * run SPNEGO/krb5 with an {@link Acceptor}, and say what to answer.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import { SpnegoAcceptorContext } from '../gssapi/spnego.js'
import { fromBase64, toBase64 } from '../internal/bytes.js'
import { formatPrincipal, type Principal } from '../principal.js'
import type { AcceptResult, Acceptor } from '../protocol/ap-verify.js'
import { MemoryReplayCache } from '../protocol/replay-cache.js'
import {
  channelBindingsHash,
  type ChannelBindings,
  type DelegatedCredential,
} from '../protocol/gss-checksum.js'
import { indexOfSpace, isNegotiateScheme, splitAuthValue } from './auth-header.js'
import type * as LogModule from './log.js'
import type { NegotiateLogger, NegotiateTraceEvent, RefusalReporter } from './log.js'

/** Default bound on the `Authorization` header length: 64 KiB (tickets with large PACs fit). */
export const MAX_NEGOTIATE_HEADER = 65536

/** The services {@link negotiate} accepts by default: HTTP only. */
export const DEFAULT_ALLOWED_SERVICES: readonly string[] = Object.freeze(['HTTP'])

/** Options for {@link negotiate}. */
export interface NegotiateOptions {
  /** Verifies the tickets (keytab, replay cache, clock). */
  readonly acceptor: Acceptor
  /** The request's `Authorization` header value (undefined when absent). */
  readonly authorization: string | readonly string[] | undefined | null
  /** Longest header accepted, in characters (default {@link MAX_NEGOTIATE_HEADER}). */
  readonly maxHeaderLength?: number
  /**
   * Services whose tickets are accepted (first name component, case-insensitive; `['*']` any
   * principal of the keytab). Default `['HTTP']`: a `host/` or `cifs/` ticket of the same AD
   * account (same key in the keytab) is refused, not replayed into the web endpoint.
   */
  readonly allowedServices?: readonly string[]
  /** Decide whether an authenticated client may proceed; false gives 403. */
  readonly authorize?: (client: Principal, result: AcceptResult) => boolean | Promise<boolean>
  /**
   * This connection's channel bindings (for HTTPS: `tlsServerEndPoint(cert)` from
   * `kerberos-ts/node`), or their 16-octet MD5 hash. Clients that send other non-zero bindings
   * are refused (401); so are clients that set KERB_AP_OPTIONS_CBT and send none.
   */
  readonly channelBindings?: ChannelBindings | Uint8Array
  /**
   * Refuse clients whose bindings do not match `channelBindings`, including those that send none
   * (curl and most browsers on Linux send none). A request without `channelBindings` (plain HTTP)
   * is then refused too. Default false.
   */
  readonly requireChannelBindings?: boolean
  /**
   * Realms whose users get a short {@link NegotiateUser.name} (`alice`); default: the realms of
   * the acceptor keytab's principals. Users of other realms (cross-realm trusts) keep their
   * realm in `name` (`alice@PARTNER.COM`), so they cannot pass for a local user of that name.
   */
  readonly localRealms?: readonly string[]
  /**
   * Report refusals through this logger (pino's `(obj, msg)` order): each misconfiguration
   * cause (stale keytab, wrong SPN, skew, NTLM, weak enctype, wrong service...) once per
   * `logInterval` at `warn`, with its fix and a count of the ones suppressed meanwhile; every
   * outcome at `debug`. The core logs nothing without it; the adapters default to the console.
   * The rate limit is kept per logger object.
   */
  readonly logger?: NegotiateLogger
  /** Milliseconds between two reports of one cause (default 60 000); read when a logger is first used. */
  readonly logInterval?: number
  /** Called once per request with its outcome (the acceptor-side trace). */
  readonly trace?: (event: NegotiateTraceEvent) => void
}

/** The authenticated user, as put on requests. */
export interface NegotiateUser {
  /** `alice@EXAMPLE.COM`. */
  readonly principal: string
  /** `EXAMPLE.COM`. */
  readonly realm: string
  /**
   * For a user of a local realm ({@link NegotiateOptions.localRealms}): the components joined
   * with `/`, `@` and `/` inside a component escaped (`alice`, `alice\@OTHER`). For any other
   * realm: the whole principal (`alice@PARTNER.COM`), like `principal`.
   */
  readonly name: string
  /** True when the realm is one of the local realms (and `name` is the short form). */
  readonly local: boolean
  readonly client: Principal
  /** A delegated TGT, when the client forwarded one. */
  readonly delegated?: DelegatedCredential
  /** Everything the acceptor learnt (session key, flags, times, authorization data...). */
  readonly result: AcceptResult
  /** True when the client's channel bindings matched this connection's (see `channelBindings`). */
  readonly channelBound: boolean
}

/** What to answer. */
export interface NegotiateResult {
  /**
   * 200: authenticated; 401: ask (again) for credentials; 400: malformed header; 403: not
   * authorized; 503: a shared replay cache (Redis) could not answer and fails closed
   * (ERR_KRB_REPLAY_CACHE_UNAVAILABLE): the request may be retried.
   */
  readonly status: 200 | 400 | 401 | 403 | 503
  /** The `WWW-Authenticate` value to send, when there is one. */
  readonly wwwAuthenticate?: string
  /** The user, on 200 (and on 403, for logging). */
  readonly user?: NegotiateUser
  /** Why it failed, for logs (do not send details to the client). */
  readonly error?: KerberosError
}

function headerError(
  message: string,
  context: Readonly<Record<string, unknown>> = {},
): KerberosError {
  return new KerberosError(ErrorCodes.HTTP_NEGOTIATE, message, { context })
}

/**
 * Parse `Negotiate <base64>`: the token, undefined for another scheme, or an error (no token,
 * whitespace inside the token, bad base64, over `maxLength`). Linear in the header's length.
 */
export function parseNegotiateHeader(
  value: string | readonly string[] | undefined | null,
  maxLength: number = MAX_NEGOTIATE_HEADER,
): Uint8Array | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') {
    if (value.length !== 1)
      throw headerError(`expected one Authorization header, got ${value.length}`)
    value = value[0]!
  }
  if (value.length > maxLength) {
    throw headerError(
      `Authorization header of ${value.length} characters is over the ${maxLength} limit`,
      { length: value.length },
    )
  }
  // One linear scan, no regular expression: a pattern with adjacent whitespace quantifiers
  // backtracks quadratically on `Negotiate` + 64 KiB of spaces + `a b` (seconds per request).
  const { scheme, rest: b64 } = splitAuthValue(value)
  if (!isNegotiateScheme(scheme)) return undefined
  if (b64 === '') throw headerError('Negotiate header without a token')
  if (indexOfSpace(b64) >= 0) throw headerError('Negotiate token holds whitespace')
  const token = fromBase64(b64)
  if (token === null || token.length === 0) throw headerError('Negotiate token is not valid base64')
  return token
}

function isMalformed(err: KerberosError): boolean {
  const c = err.code
  return (
    c === ErrorCodes.HTTP_NEGOTIATE ||
    c === ErrorCodes.ASN1_DECODE ||
    c === ErrorCodes.GSS_TOKEN ||
    c === ErrorCodes.SPNEGO
  )
}

/**
 * Authenticate one request. Never throws for bad input: failures come back as 400/401 with
 * `error` set (programming errors — a wrong `acceptor` — still throw). Logs nothing unless given
 * a `logger` (then each misconfiguration cause once per `logInterval`, see `createRefusalReporter`);
 * `trace` receives every outcome.
 *
 * @example
 * ```ts
 * const r = await negotiate({ acceptor, authorization: req.headers.authorization })
 * if (r.wwwAuthenticate) res.setHeader('WWW-Authenticate', r.wwwAuthenticate)
 * if (r.status !== 200) return res.writeHead(r.status).end()
 * console.log(r.user.principal) // 'alice@EXAMPLE.COM'
 * ```
 */
export async function negotiate(options: NegotiateOptions): Promise<NegotiateResult> {
  const r = await negotiateOnce(options)
  if (options.trace === undefined && options.logger === undefined) return r
  // ./log.js (refusal causes and their fixes) is loaded on first use: an application without a
  // logger or trace hook does not download it (docs/bundling.md). Best effort: a failing log
  // sink or trace hook must not change who is let in.
  let log: typeof LogModule
  try {
    log = await import('./log.js')
  } catch {
    return r
  }
  try {
    if (options.trace !== undefined) options.trace(log.traceEvent(r))
  } catch {
    // ignored
  }
  try {
    if (options.logger !== undefined) {
      reporterFor(log, options.logger, options.logInterval).report(r)
    }
  } catch {
    // ignored
  }
  return r
}

const reporters = new WeakMap<NegotiateLogger, RefusalReporter>()

/** One reporter per logger object, so the rate limit holds across requests. */
function reporterFor(
  log: typeof LogModule,
  logger: NegotiateLogger,
  interval: number | undefined,
): RefusalReporter {
  let r = reporters.get(logger)
  if (r === undefined) {
    r = log.createRefusalReporter({ logger, ...(interval === undefined ? {} : { interval }) })
    reporters.set(logger, r)
  }
  return r
}

async function negotiateOnce(options: NegotiateOptions): Promise<NegotiateResult> {
  let token: Uint8Array | undefined
  try {
    token = parseNegotiateHeader(
      options.authorization,
      options.maxHeaderLength ?? MAX_NEGOTIATE_HEADER,
    )
  } catch (err) {
    return { status: 400, error: err as KerberosError }
  }
  if (token === undefined) return { status: 401, wwwAuthenticate: 'Negotiate' }
  const cb = options.channelBindings
  if (cb === undefined && options.requireChannelBindings === true) {
    const error = new KerberosError(
      ErrorCodes.BAD_BINDINGS,
      'channel bindings are required but this connection has none (not TLS?)',
      { context: { reason: 'no-channel' } },
    )
    return { status: 401, wwwAuthenticate: 'Negotiate', error }
  }
  const ctx = new SpnegoAcceptorContext({
    acceptor: options.acceptor,
    ...(cb === undefined
      ? {}
      : { channelBindingsHash: cb instanceof Uint8Array ? cb : channelBindingsHash(cb) }),
    ...(options.requireChannelBindings === true ? { requireChannelBindings: true } : {}),
    allowedServices: options.allowedServices ?? DEFAULT_ALLOWED_SERVICES,
  })
  let reply: Uint8Array | undefined
  try {
    reply = isSyncCache(options.acceptor) ? ctx.step(token) : await ctx.stepAsync(token)
  } catch (err) {
    if (!(err instanceof KerberosError)) throw err
    // Not the client's fault and not a reason to ask for other credentials: retry later.
    if (err.code === ErrorCodes.REPLAY_CACHE_UNAVAILABLE) return { status: 503, error: err }
    return { status: isMalformed(err) ? 400 : 401, wwwAuthenticate: 'Negotiate', error: err }
  }
  const result = ctx.result
  if (result === undefined || !ctx.complete) {
    // A multi-round SPNEGO exchange (krb5 was not the client's first choice): HTTP keeps no
    // state between requests, so this is refused; browsers and curl list krb5 first.
    return {
      status: 401,
      wwwAuthenticate: 'Negotiate',
      error: new KerberosError(
        ErrorCodes.SPNEGO,
        'SPNEGO needs another round, which HTTP Negotiate does not support here: list Kerberos first',
        { context: { reason: 'needs-another-round' } },
      ),
    }
  }
  const user = userOf(result, localRealmsOf(options), ctx.channelBound)
  const wwwAuthenticate = reply === undefined ? undefined : `Negotiate ${toBase64(reply)}`
  if (options.authorize !== undefined && !(await options.authorize(result.client, result))) {
    return { status: 403, user, ...(wwwAuthenticate ? { wwwAuthenticate } : {}) }
  }
  return { status: 200, user, ...(wwwAuthenticate ? { wwwAuthenticate } : {}) }
}

/** The in-memory cache (or none) answers synchronously: no Promise per request on that path. */
function isSyncCache(acceptor: Acceptor): boolean {
  const cache = acceptor.replayCache as Acceptor['replayCache'] | null
  return cache === undefined || cache === null || cache instanceof MemoryReplayCache
}

const keytabRealms = new WeakMap<object, ReadonlySet<string>>()

/** The local realms: the option, else the realms of the keytab's principals (cached per keytab). */
function localRealmsOf(options: NegotiateOptions): ReadonlySet<string> {
  if (options.localRealms !== undefined) return new Set(options.localRealms)
  const keytab = options.acceptor.keytab as Acceptor['keytab'] | undefined
  if (keytab === undefined) return new Set()
  let realms = keytabRealms.get(keytab)
  if (realms === undefined) {
    realms = new Set(keytab.entries.map((e) => e.principal.realm))
    keytabRealms.set(keytab, realms)
  }
  return realms
}

function userOf(
  result: AcceptResult,
  localRealms: ReadonlySet<string>,
  channelBound: boolean,
): NegotiateUser {
  const client = result.client
  const local = client.realm !== '' && localRealms.has(client.realm)
  // Short names only for local realms, with '@' escaped (formatPrincipal of a realm-less copy):
  // `alice@PARTNER` and a local `alice\@PARTNER` then stay apart from each other and from `alice`.
  const name = local ? formatPrincipal({ ...client, realm: '' }) : formatPrincipal(client)
  return {
    channelBound,
    principal: formatPrincipal(client),
    realm: client.realm,
    name,
    local,
    client,
    ...(result.delegated ? { delegated: result.delegated } : {}),
    result,
  }
}
