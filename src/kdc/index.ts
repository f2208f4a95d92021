/**
 * An embedded KDC for tests and demos, sans-I/O: `new KDC({ realm, database }).handle(bytes)`
 * answers AS-REQ and TGS-REQ over a {@link PrincipalDatabase} (an in-memory one included). The
 * Node server is `startKDC` in `kerberos-ts/node`. Not for production: no persistence, no admin
 * protocol, no FAST, no PKINIT. See docs/embedded-kdc.md.
 *
 * @example
 * ```ts
 * import { KDC, MemoryPrincipalDatabase } from 'kerberos-ts/kdc'
 * const db = new MemoryPrincipalDatabase('EXAMPLE.COM')
 * db.addRandom('krbtgt/EXAMPLE.COM')
 * db.addPassword('alice', 'secret', { requiresPreauth: true })
 * const kdc = new KDC({ realm: 'EXAMPLE.COM', database: db })
 * ```
 *
 * @module
 */
export { KDC, MAX_KDC_REQUEST } from './kdc.js'
export { DEFAULT_KDC_ENCTYPES, type KDCOptions } from './common.js'
export {
  MemoryPrincipalDatabase,
  DEFAULT_KEY_ENCTYPES,
  type AddPrincipalOptions,
  type KDCKey,
  type KDCPacInfo,
  type KDCPrincipal,
  type PrincipalDatabase,
} from './database.js'
