/**
 * A Koa middleware for HTTP Negotiate: `ctx.state.kerberos` once the client authenticated. No
 * Koa import at run time (structural types only).
 *
 * @module
 */
import { REFUSAL_BODIES, negotiateStep, type NegotiateAdapterOptions } from './adapter.js'

/** The parts of a Koa context the middleware uses (`Koa.Context` fits). */
export interface KoaNegotiateContext {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The connection, for `tlsServerEndPointBindings`. */
  readonly socket?: unknown
  state: Record<string, unknown>
  status: number
  body: unknown
  set(field: string, value: string): void
}

/** Options for {@link koaNegotiate}. */
export interface KoaNegotiateOptions extends NegotiateAdapterOptions<KoaNegotiateContext> {
  /** Key of `ctx.state` that receives the {@link NegotiateUser} (default `kerberos`). */
  readonly property?: string
}

/** A Koa middleware. */
export type KoaNegotiateMiddleware = (
  ctx: KoaNegotiateContext,
  next: () => Promise<unknown>,
) => Promise<void>

/**
 * Authenticate with Negotiate, then `await next()` with `ctx.state.kerberos` set (a
 * {@link NegotiateUser}); the mutual-authentication token goes in `WWW-Authenticate`. Without a
 * token: 401 + `WWW-Authenticate: Negotiate`. Refusals are reported through `logger` (default
 * the console, once per cause per minute).
 *
 * @example
 * ```ts
 * import Koa from 'koa'
 * const app = new Koa()
 * app.use(koaNegotiate({ acceptor }))
 * app.use((ctx) => { ctx.body = `hello ${ctx.state.kerberos.principal}` })
 * ```
 */
export function koaNegotiate(options: KoaNegotiateOptions): KoaNegotiateMiddleware {
  const property = options.property ?? 'kerberos'
  const step = negotiateStep(options)
  return async (ctx, next) => {
    const r = await step(ctx, ctx.headers.authorization)
    if (r.wwwAuthenticate !== undefined) ctx.set('WWW-Authenticate', r.wwwAuthenticate)
    if (r.status === 200) {
      ctx.state[property] = r.user
      await next()
      return
    }
    ctx.status = r.status
    ctx.set('Content-Type', 'text/plain; charset=utf-8')
    ctx.body = REFUSAL_BODIES[r.status]
  }
}
