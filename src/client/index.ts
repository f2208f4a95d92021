/**
 * The Kerberos client: {@link KerberosClient} (login, service tickets, renewal) over a
 * {@link Transport}, and credentials to and from ccaches.
 *
 * @module
 */
export type { Transport, SendToKDCOptions } from './transport.js'
export {
  KerberosClient,
  type KerberosClientOptions,
  type ClientTraceEvent,
  type LoginCommonOptions,
  type PasswordLoginOptions,
  type KeytabLoginOptions,
  type ServiceTicketOptions,
  type FastMode,
  type FastArmorSource,
  type ImpersonateOptions,
  type DelegationOptions,
} from './client.js'
export {
  credentialsToCCache,
  credentialsFromCCache,
  credentialsToCCacheEntry,
  credentialsFromCCacheEntry,
  isLocalTGT,
  type CredentialsToCCacheOptions,
} from './credentials.js'
export {
  resolveServiceName,
  looksHostBased,
  type ResolveServiceNameOptions,
} from './service-name.js'
export {
  clientSettings,
  isKrb5Config,
  enableKrb5Config,
  type ClientConfig,
  type ClientSettings,
} from './settings.js'
export type { Credentials } from '../protocol/kdc-rep.js'
export {
  verifyCredentials,
  type VerifyCredentialsOptions,
  type VerifiedCredentials,
} from './verify-credentials.js'
export { fetchSaltInfo, type FetchSaltInfoOptions } from './salt-info.js'
export type { KDCSaltInfo } from '../protocol/salt-probe.js'
export {
  changePassword,
  setPassword,
  type ChangePasswordOptions,
  type SetPasswordOptions,
  type PasswordAuth,
  type PasswordChangeResult,
} from './password.js'
export {
  createKKDCPTransport,
  exchangeKKDCP,
  DEFAULT_KKDCP_TIMEOUT_MS,
  DEFAULT_KKDCP_MAX_REPLY_BYTES,
  type KKDCPTransportOptions,
  type KKDCPAttempt,
  type FetchLike,
} from './kkdcp-transport.js'
