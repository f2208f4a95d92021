/**
 * The Node.js layer: files (keytabs, credential caches, krb5.conf), environment defaults, KDC
 * transports (TCP/UDP) and discovery (krb5.conf, DNS SRV), and the `node:crypto` backend.
 *
 * @example
 * ```ts
 * import { loadConfig, readKeytab, readCCache } from 'kerberos-ts/node'
 * const conf = await loadConfig()
 * const kt = await readKeytab()   // KRB5_KTNAME or /etc/krb5.keytab
 * const cc = await readCCache()   // KRB5CCNAME or /tmp/krb5cc_<uid>
 * ```
 *
 * Importing this module also types `req.kerberos` on `node:http`'s `IncomingMessage` (and so on
 * Express's `Request`): see `negotiateMiddleware` in `kerberos-ts/http`.
 *
 * @module
 */
import './http-request.js'
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
export {
  DEFAULT_CONFIG_PATHS,
  nodeConfigReader,
  configPaths,
  loadConfig,
  configNotLoaded,
} from './config.js'
export type { LoadConfigOptions } from './config.js'
export { readKeytab, writeKeytab, keytabPath, writeFileAtomic } from './files.js'
export type {
  FileOptions,
  ReadKeytabOptions,
  WriteKeytabOptions,
  WriteFileAtomicOptions,
} from './files.js'
export { readCredentialFile } from './files.js'
export type { CredentialFileKind, FileOwnerOptions } from './file-safety.js'
export {
  resolveCCache,
  readCCache,
  writeCCache,
  destroyCCache,
  listCCacheCollection,
  clearMemoryCCaches,
} from './ccache-store.js'
export type { CCacheLocation, CCacheOptions } from './ccache-store.js'
export {
  DEFAULT_UDP_PREFERENCE_LIMIT,
  DEFAULT_MAX_REPLY_BYTES,
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  DEFAULT_DEADLINE_MS,
  exchangeTCP,
  exchangeUDP,
  createNodeTransport,
  UDPSocketPool,
} from './transport.js'
export type {
  KDCAttempt,
  TransportTraceEvent,
  NodeTransportOptions,
  ExchangeOptions,
} from './transport.js'
export type { Transport, SendToKDCOptions } from '../client/transport.js'
export { peekKRBErrorCode } from './transport-peek.js'
export {
  KERBEROS_PORT,
  parseKDCAddress,
  orderSRVRecords,
  locateKDCs,
  locateKpasswdServers,
  KPASSWD_PORT,
  discoveryConfigFromKrb5Config,
} from './kdc-discovery.js'
export type {
  KDCProtocol,
  KDCAddress,
  RealmKDCConfig,
  KDCDiscoveryConfig,
  SRVRecord,
  SRVResolver,
  SRVLookup,
  KDCLocation,
  LocateKDCsOptions,
} from './kdc-discovery.js'
export { nodeBackend, useNodeCrypto } from './crypto-backend.js'
export { watchKeytab, type WatchKeytabOptions, type KeytabWatcher } from './keytab-watch.js'
export {
  tlsServerEndPoint,
  tlsServerEndPointHash,
  tlsServerEndPointHashName,
  tlsServerEndPointBindings,
} from './tls-bindings.js'
export { createClient, type CreateClientOptions } from './create-client.js'
export { createDebugLogger, type DebugLoggerOptions } from './debug-logger.js'
export {
  rotateKeytab,
  scheduleKeytabRotation,
  generatePassword,
  type RotateKeytabOptions,
  type RotateKeytabResult,
  type RotateStep,
  type ScheduleKeytabRotationOptions,
} from './keytab-rotate.js'
export { runDoctor } from './doctor.js'
export type { DoctorCheck, DoctorOptions, DoctorReport, DoctorStatus } from './doctor.js'
export {
  createKDCProxyHandler,
  DEFAULT_KDC_PROXY_MAX_REQUEST_BYTES,
  DEFAULT_KDC_PROXY_BODY_TIMEOUT_MS,
  type KDCProxyOptions,
  type KDCProxyHandler,
  type KDCProxyEvent,
} from './kdc-proxy.js'
export {
  startKDC,
  startTestKDC,
  krb5ConfText,
  type StartKDCOptions,
  type RunningKDC,
  type KDCPrincipalSpec,
  type TestKDC,
} from './kdc-server.js'
