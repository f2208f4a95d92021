/**
 * `req.kerberos` typed on `node:http`'s `IncomingMessage`, which Express's `Request` extends:
 * what {@link negotiateMiddleware} sets after a good Negotiate header. Imported for its types by
 * `kerberos-ts/node`; it holds no code. With another `property` option, use `getKerberos`.
 *
 * @module
 */
import type { NegotiateUser } from '../http/negotiate.js'

declare module 'node:http' {
  interface IncomingMessage {
    /** Set by `negotiateMiddleware` (kerberos-ts/http) once the client authenticated. */
    kerberos?: NegotiateUser
  }
}
