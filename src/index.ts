/**
 * kerberos-ts: pure-TypeScript Kerberos 5. The common surface; subpaths (`kerberos-ts/crypto`,
 * `kerberos-ts/keytab`, ...) export each module on its own.
 *
 * @module
 */
export * from './errors.js'
export * from './iana.js'
export * from './principal.js'
export { KerberosKey } from './key.js'
