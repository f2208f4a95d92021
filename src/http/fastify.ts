/**
 * A Fastify plugin for HTTP Negotiate: an `onRequest` hook and a `request.kerberos` decorator,
 * with no `@fastify/middie` and no Fastify import at run time (structural types only).
 *
 * @module
 */
import { REFUSAL_BODIES, negotiateStep, type NegotiateAdapterOptions } from './adapter.js'
import type { NegotiateUser } from './negotiate.js'

/** The parts of a Fastify request the plugin uses (`FastifyRequest` fits). */
export interface FastifyNegotiateRequest {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The connection, for `tlsServerEndPointBindings`. */
  readonly socket?: unknown
}

/** The parts of a Fastify reply the plugin uses (`FastifyReply` fits). */
export interface FastifyNegotiateReply {
  code(statusCode: number): FastifyNegotiateReply
  header(name: string, value: string): FastifyNegotiateReply
  send(payload?: string): FastifyNegotiateReply
}

/** The parts of a Fastify instance the plugin uses (`FastifyInstance` fits). */
export interface FastifyNegotiateInstance {
  decorateRequest(name: string, value: null): unknown
  addHook(
    name: 'onRequest',
    hook: (request: FastifyNegotiateRequest, reply: FastifyNegotiateReply) => Promise<unknown>,
  ): unknown
}

/** Options for {@link fastifyNegotiate}. */
export interface FastifyNegotiateOptions extends NegotiateAdapterOptions<FastifyNegotiateRequest> {
  /** Request property that receives the {@link NegotiateUser} (default `kerberos`). */
  readonly property?: string
}

/**
 * Register with `app.register(fastifyNegotiate, { acceptor })`: every request of the scope it is
 * registered in (the whole app at the top level, as with `fastify-plugin`) needs Negotiate.
 * Without a token: 401 + `WWW-Authenticate: Negotiate`; with a good one: `request.kerberos` (a
 * {@link NegotiateUser}) and the mutual-authentication token on the reply. Refusals are reported
 * through `logger` (default the console, once per cause per minute).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * const app = Fastify()
 * await app.register(fastifyNegotiate, { acceptor })
 * app.get('/', async (request) => `hello ${getKerberos(request)?.principal}`)
 * ```
 */
export function fastifyNegotiate(
  fastify: FastifyNegotiateInstance,
  options: FastifyNegotiateOptions,
  done: (err?: Error) => void,
): void {
  const property = options.property ?? 'kerberos'
  const step = negotiateStep(options)
  fastify.decorateRequest(property, null)
  fastify.addHook('onRequest', async (request, reply) => {
    const r = await step(request, request.headers.authorization)
    if (r.wwwAuthenticate !== undefined) reply.header('WWW-Authenticate', r.wwwAuthenticate)
    if (r.status === 200) {
      ;(request as unknown as Record<string, unknown>)[property] = r.user satisfies
        NegotiateUser | undefined
      return undefined
    }
    reply.code(r.status).header('Content-Type', 'text/plain; charset=utf-8')
    return reply.send(REFUSAL_BODIES[r.status])
  })
  done()
}

// What `fastify-plugin` does: the hook and decorator apply to the scope that registers the
// plugin, not to an encapsulated child of it.
Object.assign(fastifyNegotiate, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'kerberos-ts-negotiate',
})
