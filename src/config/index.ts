/**
 * krb5.conf: the MIT profile parser (sections, relations, subsections, final markers, include
 * and includedir through an injected reader), chained files with MIT's finality rules, and typed
 * views of `[libdefaults]`, `[realms]`, `[domain_realm]` and `[capaths]`. Pure: no file access.
 *
 * @example
 * ```ts
 * import { parseConfig, readLibDefaults, realmForHost } from 'kerberos-ts/config'
 * const conf = parseConfig(text)
 * readLibDefaults(conf).defaultRealm
 * realmForHost(conf, 'www.example.com')
 * ```
 *
 * @module
 */
export { parseProfile, isIncludableName } from './profile.js'
export type { ProfileNode, ConfigReader, ParseProfileOptions } from './profile.js'
export { createConfig, parseConfig, loadConfigFiles } from './config.js'
export type {
  ConfigFile,
  Krb5Config,
  ParseConfigOptions,
  LoadConfigFilesOptions,
} from './config.js'
export {
  parseConfigBoolean,
  parseConfigInteger,
  parseDuration,
  parseEncTypeList,
  parseServerAddress,
  DEFAULT_ENCTYPES,
  WEAK_ENCTYPES,
} from './values.js'
export type { ParseEncTypeListOptions, ServerAddress } from './values.js'
export { readLibDefaults, DEFAULT_MAX_S2K_ITERATIONS } from './libdefaults.js'
export type { LibDefaults, ReadLibDefaultsOptions } from './libdefaults.js'
export {
  readRealm,
  configuredRealms,
  realmForHost,
  fallbackRealmForHost,
  capathFor,
} from './realms.js'
export type { RealmConfig } from './realms.js'
