/**
 * Server-side logging for HTTP Negotiate: a pino-compatible {@link NegotiateLogger}, the
 * misconfiguration causes a refusal can have ({@link refusalCause}), and a rate-limited
 * reporter ({@link createRefusalReporter}) that says each cause and its fix once per interval.
 *
 * The core ({@link negotiate}) logs only through a logger it is given. The adapters (middleware,
 * Fastify, Koa, Fetch handler) default to {@link consoleLogger}: they are the application's
 * edge, where a bare 401 with nothing in the server log is the worst first experience.
 *
 * @module
 */
import type { KerberosError } from '../errors.js'
import { describeEncType } from '../iana.js'
import { formatPrincipal } from '../principal.js'
import type { NegotiateResult } from './negotiate.js'

/** One log method, pino's argument order: a structured object first, then the message. */
export type NegotiateLogMethod = (obj: Readonly<Record<string, unknown>>, msg: string) => void

/**
 * A logger with pino's `(obj, msg)` argument order: pino, bunyan-style and `console`-backed
 * loggers fit (wrap `console` with {@link consoleLogger} for one-line output). `info` and `debug`
 * are optional.
 */
export interface NegotiateLogger {
  readonly warn: NegotiateLogMethod
  readonly info?: NegotiateLogMethod
  readonly debug?: NegotiateLogMethod
}

/** Why a Negotiate request was refused, as a stable name for logs and metrics. */
export type RefusalCause =
  | 'ntlm'
  | 'principal-not-in-keytab'
  | 'keytab-stale'
  | 'ticket-stale'
  | 'enctype-not-in-keytab'
  | 'keytab-wrong-key'
  | 'clock-skew'
  | 'weak-enctype'
  | 'enctype-not-allowed'
  | 'wrong-service'
  | 'wrong-principal'
  | 'channel-bindings'
  | 'spnego-mech-order'
  | 'replay-cache-full'
  | 'replay'
  | 'ticket-time'
  | 'malformed'
  | 'bad-token'
  | 'forbidden'

/** A cause, the level it is reported at, and what fixes it. */
export interface RefusalCauseInfo {
  readonly cause: RefusalCause
  /** `warn`: a server or client misconfiguration; `info`: a client or hostile request. */
  readonly level: 'warn' | 'info' | 'debug'
  readonly fix: string
}

const FIX: Readonly<Record<RefusalCause, readonly ['warn' | 'info' | 'debug', string]>> = {
  ntlm: [
    'warn',
    'the client had no Kerberos ticket for this server and fell back to NTLM: register HTTP/<the host name clients use> (setspn/ktpass), use DNS names not IP addresses, and list the site in the browser allow list or intranet zone',
  ],
  'principal-not-in-keytab': [
    'warn',
    'clients ask for a service principal the keytab lacks (wrong SPN): add that HTTP/<host> principal to the keytab, or make clients use the host name the keytab has (check CNAMEs and dns_canonicalize_hostname)',
  ],
  'keytab-stale': [
    'warn',
    'the keytab is older than the key the KDC uses (the password or key changed after the keytab was made): export a fresh keytab (ktadd -norandkey, or a new ktpass with the current kvno) and reload it',
  ],
  'ticket-stale': [
    'warn',
    'clients hold tickets from before a key change: they recover when the tickets expire or after kdestroy/klist purge; keep the old kvno in the keytab during a rotation',
  ],
  'enctype-not-in-keytab': [
    'warn',
    'the KDC encrypts tickets with an enctype the keytab lacks: export the keytab with every enctype of the account (AD: msDS-SupportedEncryptionTypes; ktpass -crypto)',
  ],
  'keytab-wrong-key': [
    'warn',
    'the keytab has the ticket kvno and enctype but its key does not decrypt: the keytab was made from another password or salt (ktpass reset the password, wrong AD salt); export it again',
  ],
  'clock-skew': [
    'warn',
    'the clocks of this server and its clients differ by more than the allowed skew: run NTP on both (or raise the acceptor clockSkew)',
  ],
  'weak-enctype': [
    'warn',
    'the ticket or session key is rc4-hmac: enable AES on the service account (AD: msDS-SupportedEncryptionTypes = 24) or pass allowWeakCrypto: true to the Acceptor',
  ],
  'enctype-not-allowed': [
    'warn',
    "the ticket's enctype is outside the Acceptor's enctypes option: widen it or change the account's enctypes",
  ],
  'wrong-service': [
    'warn',
    'the ticket is for another service of this keytab (host/, cifs/...): clients should ask for HTTP/<host>; widen allowedServices only if that is intended',
  ],
  'wrong-principal': [
    'warn',
    "the ticket is for a principal of the keytab other than the Acceptor's principal option: fix the client's URL/SPN or the option",
  ],
  'channel-bindings': [
    'warn',
    "the client's TLS channel bindings do not match this connection: TLS ends at a proxy in front of this server (give channelBindings of that certificate, or drop requireChannelBindings), or a man in the middle",
  ],
  'spnego-mech-order': [
    'warn',
    'the client listed Kerberos after another mechanism (a second SPNEGO round, which HTTP cannot carry): configure the client to prefer Kerberos',
  ],
  'replay-cache-full': [
    'warn',
    'the replay cache is full and set to refuse: raise its size or lower traffic per acceptor',
  ],
  replay: [
    'info',
    'the same authenticator came twice: a replay, a client retrying one header, or acceptors sharing a replay cache behind a load balancer',
  ],
  'ticket-time': [
    'info',
    "the client's ticket is expired or not yet valid: the client should renew it (kinit)",
  ],
  malformed: ['info', 'the Authorization header is not a valid Negotiate token'],
  'bad-token': [
    'info',
    'the token failed an integrity or consistency check: a corrupted or forged request',
  ],
  forbidden: ['debug', 'authorize() returned false for this client'],
}

function causeOfError(err: KerberosError): RefusalCause {
  const reason = err.context.reason
  switch (err.code) {
    case 'ERR_SPNEGO_NTLM_TOKEN':
      return 'ntlm'
    case 'ERR_KRB_KEYTAB_NO_KEY':
      if (reason === 'principal-not-found') return 'principal-not-in-keytab'
      if (reason === 'enctype-not-found') return 'enctype-not-in-keytab'
      if (reason === 'cannot-decrypt') return 'keytab-wrong-key'
      return staleSide(err)
    case 'ERR_KRB_CLOCK_SKEW':
      return 'clock-skew'
    case 'ERR_KRB_WEAK_CRYPTO':
      return 'weak-enctype'
    case 'ERR_KRB_BAD_BINDINGS':
      return 'channel-bindings'
    case 'ERR_KRB_REPLAY':
      return 'replay'
    case 'ERR_KRB_REPLAY_CACHE_FULL':
      return 'replay-cache-full'
    case 'ERR_KRB_TICKET_TIME':
      return 'ticket-time'
    case 'ERR_KRB_SPNEGO':
      return reason === 'needs-another-round' ? 'spnego-mech-order' : 'malformed'
    case 'ERR_KRB_AP_ERROR':
      if (reason === 'wrong-service' || reason === 'wrong-principal') return reason
      if (reason === 'enctype-not-allowed') return 'enctype-not-allowed'
      return 'bad-token'
    case 'ERR_KRB_HTTP_NEGOTIATE':
    case 'ERR_KRB_ASN1_DECODE':
    case 'ERR_KRB_GSS_TOKEN':
      return 'malformed'
    default:
      return 'bad-token'
  }
}

/** kvno-not-found: the keytab is behind (ticket kvno higher) or the ticket is (keytab higher). */
function staleSide(err: KerberosError): RefusalCause {
  const kvno = err.context.kvno
  const available = err.context.available
  if (typeof kvno !== 'number' || !Array.isArray(available)) return 'keytab-stale'
  const max = Math.max(...available.map((a: { kvno: number }) => a.kvno))
  return max > kvno ? 'ticket-stale' : 'keytab-stale'
}

/**
 * The cause of a refused outcome with its level and fix, or `undefined` for outcomes that are not
 * refusals to report: 200, and a 401 without an error (the normal first challenge, or another
 * scheme such as `Basic`).
 *
 * @example
 * ```ts
 * const r = await negotiate({ acceptor, authorization: `Negotiate ${ntlmToken}` })
 * refusalCause(r)?.cause // 'ntlm'
 * ```
 */
export function refusalCause(result: NegotiateResult): RefusalCauseInfo | undefined {
  if (result.status === 200) return undefined
  let cause: RefusalCause
  if (result.status === 403) cause = 'forbidden'
  else if (result.error === undefined) return undefined
  else cause = causeOfError(result.error)
  const [level, fix] = FIX[cause]
  return { cause, level, fix }
}

/** Options for {@link createRefusalReporter}. */
export interface RefusalReporterOptions {
  readonly logger: NegotiateLogger
  /** Report each cause at most once per this many milliseconds (default 60 000). */
  readonly interval?: number
  /** The clock, in milliseconds (default `Date.now`). */
  readonly now?: () => number
}

/** Reports refusals through a logger, each cause once per interval. */
export interface RefusalReporter {
  /** Report one outcome (200s and first challenges are ignored). */
  report(result: NegotiateResult): void
}

/** Default interval between two reports of one cause: 60 s. */
export const DEFAULT_LOG_INTERVAL = 60_000

/** Longest text (message, principal) put in a log entry. */
const MAX_LOG_TEXT = 512

/**
 * Text from the network made safe for a log line: control characters, line and paragraph
 * separators and bidi overrides escaped as `\uXXXX` (a clear-text sname holding a newline must
 * not forge a second line), and cut at {@link MAX_LOG_TEXT}. Linear in the length.
 */
export function logSafe(text: string): string {
  const cut = text.length > MAX_LOG_TEXT ? `${text.slice(0, MAX_LOG_TEXT)}…` : text
  return cut.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** Safe, key-free fields of an error context for a log line. */
function fieldsOf(err: KerberosError | undefined): Record<string, unknown> {
  if (err === undefined) return {}
  const out: Record<string, unknown> = { code: err.code }
  for (const k of ['reason', 'principal', 'kvno', 'enctype', 'client', 'skew', 'available']) {
    const v = err.context[k]
    if (v !== undefined) out[k] = typeof v === 'string' ? logSafe(v) : v
  }
  return out
}

/**
 * One request's outcome on the acceptor side, for `trace` hooks and debug logs: the first
 * challenge, an accepted ticket (who, for which service key), or a refusal with its cause.
 * Names, kvnos and enctype numbers only: never keys or ticket bytes.
 */
export interface NegotiateTraceEvent {
  readonly type: 'challenge' | 'accepted' | 'refused'
  readonly status: number
  /** One line saying what happened. */
  readonly message: string
  /** The structured fields (cause, code, reason, client, server, kvno, enctype...). */
  readonly fields: Readonly<Record<string, unknown>>
}

/**
 * Describe an outcome as a {@link NegotiateTraceEvent}.
 *
 * @example
 * ```ts
 * const r = await negotiate({ acceptor, authorization })
 * console.log(traceEvent(r).message) // 'kerberos-ts: Negotiate accepted alice@EXAMPLE.COM ...'
 * ```
 */
export function traceEvent(result: NegotiateResult): NegotiateTraceEvent {
  const status = result.status
  if (status === 200) {
    const u = result.user
    const fields = u
      ? {
          client: logSafe(u.principal),
          server: logSafe(formatPrincipal(u.result.server)),
          kvno: u.result.kvno,
          enctype: u.result.enctype,
          mutual: result.wwwAuthenticate !== undefined,
          channelBound: u.channelBound,
          delegated: u.delegated !== undefined,
        }
      : {}
    const msg = u
      ? `kerberos-ts: Negotiate accepted ${fields.client} for ${fields.server} (kvno ${u.result.kvno}, ${describeEncType(u.result.enctype)})`
      : 'kerberos-ts: Negotiate accepted'
    return { type: 'accepted', status, message: msg, fields }
  }
  const info = refusalCause(result)
  if (info === undefined) {
    const msg = 'kerberos-ts: Negotiate challenge sent (no Negotiate Authorization header)'
    return { type: 'challenge', status, message: msg, fields: {} }
  }
  const fields = {
    cause: info.cause,
    ...fieldsOf(result.error),
    ...(result.user ? { client: logSafe(result.user.principal) } : {}),
  }
  const what = logSafe(
    result.error?.message ?? `${result.user?.principal ?? 'client'} not authorized`,
  )
  return {
    type: 'refused',
    status,
    message: `kerberos-ts: Negotiate refused with ${status} (${info.cause}): ${what}`,
    fields,
  }
}

/**
 * A rate-limited reporter: the first refusal of each cause is logged at the cause's level
 * (`warn` for misconfigurations) with its fix; later ones within `interval` are counted, and the
 * count (`suppressed`) comes with the next report of that cause. The normal first challenge is
 * never reported above debug. Every outcome also goes to `logger.debug` when the logger has one.
 *
 * @example
 * ```ts
 * const reporter = createRefusalReporter({ logger: consoleLogger() })
 * reporter.report(await negotiate({ acceptor, authorization }))
 * ```
 */
export function createRefusalReporter(options: RefusalReporterOptions): RefusalReporter {
  const { logger } = options
  const interval = options.interval ?? DEFAULT_LOG_INTERVAL
  const now = options.now ?? Date.now
  const last = new Map<RefusalCause, { at: number; suppressed: number }>()
  return {
    report(result) {
      if (logger.debug !== undefined) {
        const e = traceEvent(result)
        logger.debug.call(logger, { status: e.status, ...e.fields }, e.message)
      }
      const info = refusalCause(result)
      if (info === undefined || info.level === 'debug') return
      const method = logger[info.level]
      if (method === undefined) return
      const t = now()
      const seen = last.get(info.cause)
      if (seen !== undefined && t - seen.at < interval) {
        seen.suppressed++
        return
      }
      last.set(info.cause, { at: t, suppressed: 0 })
      const more = seen !== undefined ? seen.suppressed : 0
      const e = traceEvent(result)
      const tail = more > 0 ? ` (${more} more since the last report)` : ''
      method.call(
        logger,
        { status: e.status, ...e.fields, fix: info.fix, ...(more > 0 ? { suppressed: more } : {}) },
        `${e.message}; fix: ${info.fix}${tail}`,
      )
    },
  }
}

/** The `console`-like sink {@link consoleLogger} writes to. */
export interface ConsoleLike {
  warn(...args: unknown[]): void
  info?(...args: unknown[]): void
  debug?(...args: unknown[]): void
}

/** Options for {@link consoleLogger}. */
export interface ConsoleLoggerOptions {
  /**
   * Lowest level printed: `'warn'` (default: misconfiguration causes only), `'info'` (also
   * replays, expired tickets, malformed headers), `'debug'` (every request).
   */
  readonly level?: 'warn' | 'info' | 'debug'
}

function line(obj: Readonly<Record<string, unknown>>, msg: string): string {
  // The message already says what and how to fix; add the structured fields compactly.
  const { fix: _fix, ...rest } = obj
  let json: string
  try {
    json = JSON.stringify(rest)
  } catch {
    json = '{}'
  }
  return `${msg} ${json}`
}

/**
 * A {@link NegotiateLogger} over `console` (or any object with `warn`/`info`/`debug`), one line
 * per entry: the default logger of the HTTP adapters. The library's only use of the console:
 * the adapters pick it when the application gives no logger, so that refusals are visible.
 *
 * @example
 * ```ts
 * negotiateMiddleware({ acceptor, logger: consoleLogger({ level: 'debug' }) })
 * ```
 */
export function consoleLogger(
  options: ConsoleLoggerOptions = {},
  sink?: ConsoleLike,
): NegotiateLogger {
  const level = options.level ?? 'warn'
  const out = (): ConsoleLike | undefined =>
    sink ?? (globalThis as { console?: ConsoleLike }).console
  const method =
    (name: 'warn' | 'info' | 'debug'): NegotiateLogMethod =>
    (obj, msg) => {
      const c = out()
      const f = c?.[name] ?? c?.warn
      f?.call(c, line(obj, msg))
    }
  return {
    warn: method('warn'),
    ...(level !== 'warn' ? { info: method('info') } : {}),
    ...(level === 'debug' ? { debug: method('debug') } : {}),
  }
}

/**
 * Resolve an adapter's `logger` option: `undefined` → a new {@link consoleLogger} (so each
 * adapter instance keeps its own rate limit), `false` → none.
 */
export function adapterLogger(
  logger: NegotiateLogger | false | undefined,
): NegotiateLogger | undefined {
  return logger === undefined ? consoleLogger() : logger === false ? undefined : logger
}
