/**
 * The Node.js layer: files (keytabs, credential caches, krb5.conf) and environment defaults.
 * Other Node modules (transports, KDC discovery) are exported here as they land.
 *
 * @example
 * ```ts
 * import { loadConfig, readKeytab, readCCache } from 'kerberos-ts/node'
 * const conf = await loadConfig()
 * const kt = await readKeytab()   // KRB5_KTNAME or /etc/krb5.keytab
 * const cc = await readCCache()   // KRB5CCNAME or /tmp/krb5cc_<uid>
 * ```
 *
 * @module
 */
export {
  DEFAULT_CCACHE_NAME,
  DEFAULT_KEYTAB_NAME,
  DEFAULT_CLIENT_KEYTAB_NAME,
  expandPath,
  resolveCCacheName,
  resolveKeytabName,
  resolveClientKeytabName,
  splitTypedName,
} from './env.js'
export type { EnvOptions, DefaultNameOptions, TypedName } from './env.js'
export { DEFAULT_CONFIG_PATHS, nodeConfigReader, configPaths, loadConfig } from './config.js'
export type { LoadConfigOptions } from './config.js'
export { readKeytab, writeKeytab, keytabPath, writeFileAtomic } from './files.js'
export type {
  FileOptions,
  ReadKeytabOptions,
  WriteKeytabOptions,
  WriteFileAtomicOptions,
} from './files.js'
export {
  resolveCCache,
  readCCache,
  writeCCache,
  destroyCCache,
  listCCacheCollection,
  clearMemoryCCaches,
} from './ccache-store.js'
export type { CCacheLocation, CCacheOptions } from './ccache-store.js'
