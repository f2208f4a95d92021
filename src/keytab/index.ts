/**
 * MIT keytab files: lossless parse/serialize, MIT's lookup rules, listing and editing, keys from
 * passwords.
 *
 * @module
 */
export {
  KeytabVersion,
  keytabEntryDate,
  parseKeytab,
  serializeKeytab,
  type Keytab,
  type KeytabEntry,
  type KeytabEntryWire,
  type KeytabTrailer,
  type SerializeKeytabOptions,
} from './format.js'
export { OpaqueBytes } from './opaque.js'
export type { RawName } from './names.js'
export {
  entryMatchesPrincipal,
  findKeytabEntries,
  findKeytabEntry,
  isMoreRecent,
  toPrincipal,
  type KeytabQuery,
  type PrincipalLike,
} from './lookup.js'
export {
  addKeytabEntries,
  createKeytab,
  listKeytabKvnos,
  listKeytabPrincipals,
  makeKeytabEntry,
  mergeKeytabs,
  removeKeytabEntries,
  type CreateKeytabOptions,
  type KeytabEntryFilter,
  type NewKeytabEntry,
} from './edit.js'
export {
  keytabEntriesFromPassword,
  passwordSalt,
  type KeytabPasswordOptions,
  type PasswordSalt,
} from './password.js'
