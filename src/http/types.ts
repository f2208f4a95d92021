/**
 * Typed access to the user {@link negotiateMiddleware} attached to a request, for any framework
 * (the middleware sets a plain property, `kerberos` by default). For `req.kerberos` typed on
 * `node:http`'s `IncomingMessage` (and so on Express's `Request`), import `kerberos-ts/node`,
 * which declares it.
 *
 * @module
 */
import type { NegotiateUser } from './negotiate.js'

/**
 * The {@link NegotiateUser} the middleware set on `req` (property `kerberos`, or the
 * `property` option given to the middleware), or `undefined` before it ran or when it refused.
 *
 * @example
 * ```ts
 * import { getKerberos } from 'kerberos-ts/http'
 * const user = getKerberos(req)
 * if (user !== undefined) console.log(user.principal) // 'alice@EXAMPLE.COM'
 * ```
 */
export function getKerberos(req: object, property: string = 'kerberos'): NegotiateUser | undefined {
  const value = (req as Record<string, unknown>)[property]
  return value === null || typeof value !== 'object' ? undefined : (value as NegotiateUser)
}
