/**
 * HTTP Negotiate for Fetch-API servers (Hono, Deno, Bun, Cloudflare-style workers): a
 * `Request` in, a refusal `Response` or the authenticated identity out.
 *
 * @module
 */
import { REFUSAL_BODIES, negotiateStep, type NegotiateAdapterOptions } from './adapter.js'
import type { NegotiateUser } from './negotiate.js'

/** Options for {@link negotiateHandler}. */
export type NegotiateHandlerOptions = NegotiateAdapterOptions<Request>

/** A request that authenticated. */
export interface NegotiateIdentity {
  readonly user: NegotiateUser
  /** The mutual-authentication token to send back (`Negotiate <base64>`), when there is one. */
  readonly wwwAuthenticate?: string
  /** Add `wwwAuthenticate` to the application's response (copying it when its headers are immutable). */
  finish(response: Response): Response
}

/** `Request → Response | NegotiateIdentity`. */
export type NegotiateHandler = (request: Request) => Promise<Response | NegotiateIdentity>

function withHeader(response: Response, value: string | undefined): Response {
  if (value === undefined) return response
  try {
    response.headers.set('WWW-Authenticate', value)
    return response
  } catch {
    // Headers of a fetch() result or Response.redirect() are immutable: copy the response.
    const copy = new Response(response.body, response)
    copy.headers.set('WWW-Authenticate', value)
    return copy
  }
}

/**
 * Authenticate a Fetch-API `Request`: a `Response` (401 challenge, 400, 401, 403) to return as
 * it is, or the {@link NegotiateIdentity}. Refusals are reported through `logger` (default the
 * console, once per cause per minute).
 *
 * @example
 * ```ts
 * const auth = negotiateHandler({ acceptor })
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     const r = await auth(request)
 *     if (r instanceof Response) return r
 *     return r.finish(new Response(`hello ${r.user.principal}`))
 *   },
 * }
 * ```
 */
export function negotiateHandler(options: NegotiateHandlerOptions): NegotiateHandler {
  const step = negotiateStep(options)
  return async (request) => {
    const r = await step(request, request.headers.get('authorization'))
    if (r.status === 200 && r.user !== undefined) {
      const token = r.wwwAuthenticate
      return {
        user: r.user,
        ...(token === undefined ? {} : { wwwAuthenticate: token }),
        finish: (response: Response) => withHeader(response, token),
      }
    }
    const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' }
    if (r.wwwAuthenticate !== undefined) headers['WWW-Authenticate'] = r.wwwAuthenticate
    return new Response(REFUSAL_BODIES[r.status] ?? null, { status: r.status, headers })
  }
}
