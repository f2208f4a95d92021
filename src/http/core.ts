/**
 * HTTP Negotiate (RFC 4559) without the framework adapters and log helpers of `kerberos-ts/http`:
 * {@link negotiate} and what it takes, for bundles that want only that (docs/bundling.md). The
 * same functions as `kerberos-ts/http` exports; a `logger` or `trace` hook still works (its code
 * is loaded on first use).
 *
 * @example
 * ```ts
 * import { negotiate } from 'kerberos-ts/http/core'
 * const r = await negotiate({ acceptor, authorization: req.headers.authorization })
 * ```
 *
 * @module
 */
export {
  negotiate,
  parseNegotiateHeader,
  MAX_NEGOTIATE_HEADER,
  DEFAULT_ALLOWED_SERVICES,
  type NegotiateOptions,
  type NegotiateResult,
  type NegotiateUser,
} from './negotiate.js'
export type { NegotiateLogger, NegotiateTraceEvent } from './log.js'
