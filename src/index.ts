/**
 * kerberos-ts: pure-TypeScript Kerberos 5. The common surface: errors and protocol numbers,
 * principals and keys, keytabs and credential caches, the sans-I/O protocol steps, the
 * `KerberosClient` and the `Acceptor`. Subpaths (`kerberos-ts/crypto`, `kerberos-ts/asn1`,
 * `kerberos-ts/gssapi`, `kerberos-ts/http`, `kerberos-ts/node`, ...) export each module on its own.
 *
 * @example
 * ```ts
 * import { Acceptor, KerberosClient, parseKeytab } from 'kerberos-ts'
 * const acceptor = new Acceptor({ keytab: parseKeytab(keytabBytes) })
 * const { client, apRep } = acceptor.accept(apReqBytes)
 * ```
 *
 * @module
 */
export * from './errors.js'
export * from './iana.js'
export * from './principal.js'
export { KerberosKey, RedactedBytes } from './key.js'
export * from './keytab/index.js'
export * from './ccache/index.js'
export * from './protocol/index.js'
export * from './client/index.js'
