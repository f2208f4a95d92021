/**
 * MIT FILE credential caches: lossless parse/serialize of versions 0x0501–0x0504, configuration
 * entries, credential lookup and storage, the KDC time offset.
 *
 * @module
 */
export {
  CCacheVersion,
  parseCCache,
  serializeCCache,
  type CCache,
  type CCacheAddress,
  type CCacheAuthData,
  type CCacheHeaderField,
  type Credential,
  type CredentialWire,
} from './format.js'
export {
  CONFIG_COMPONENT,
  CONFIG_REALM,
  HEADER_TAG_KDC_TIME_OFFSET,
  ccacheDefaultPrincipal,
  createCCache,
  findCredential,
  hasTicketFlag,
  isConfigEntry,
  kdcTimeOffset,
  listCredentials,
  makeConfigEntry,
  readConfigEntry,
  removeCredentials,
  setKDCTimeOffset,
  storeCredential,
  ticketFlagLetters,
  type CCachePrincipalLike,
  type ConfigEntryInfo,
  type CreateCCacheOptions,
  type FindCredentialOptions,
  type KDCTimeOffset,
} from './credentials.js'
