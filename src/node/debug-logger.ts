/**
 * `NODE_DEBUG=kerberos` for the HTTP acceptor: a {@link NegotiateLogger} whose debug level (the
 * story of every request) goes to Node's `util.debuglog('kerberos')`. Environment variables are
 * read only here, in the Node layer.
 *
 * @module
 */
import { debuglog } from 'node:util'
import { consoleLogger, type NegotiateLogger } from '../http/log.js'

/** Options for {@link createDebugLogger}. */
export interface DebugLoggerOptions {
  /** Where warn/info go (default: the console at level warn, as the adapters' default). */
  readonly base?: NegotiateLogger
  /** The `NODE_DEBUG` section (default `kerberos`). */
  readonly section?: string
  /** The debug sink (default `util.debuglog(section)`); for tests. */
  readonly sink?: ((msg: string) => void) & { readonly enabled?: boolean }
}

/**
 * The adapters' default logger plus, when `NODE_DEBUG` names `kerberos`, one debug line per
 * request on stderr: the challenge, the accepted client with service principal, kvno and
 * enctype, or the refusal with its cause.
 *
 * @example
 * ```ts
 * // NODE_DEBUG=kerberos node server.js
 * app.use(negotiateMiddleware({ acceptor, logger: createDebugLogger() }))
 * ```
 */
export function createDebugLogger(options: DebugLoggerOptions = {}): NegotiateLogger {
  const base = options.base ?? consoleLogger()
  const sink = options.sink ?? debuglog(options.section ?? 'kerberos')
  const enabled = sink.enabled ?? true
  const logger: NegotiateLogger = {
    warn: (obj, msg) => base.warn(obj, msg),
    ...(base.info ? { info: (obj, msg) => base.info!(obj, msg) } : {}),
  }
  if (!enabled) return base.debug ? { ...logger, debug: base.debug } : logger
  return {
    ...logger,
    debug: (obj, msg) => {
      base.debug?.(obj, msg)
      sink(`${msg} ${safeJson(obj)}`)
    },
  }
}

function safeJson(obj: unknown): string {
  try {
    return JSON.stringify(obj)
  } catch {
    return '{}'
  }
}
