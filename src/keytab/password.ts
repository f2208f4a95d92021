/**
 * Keytab entries from a password: what `ktutil addent -password` and Windows `ktpass` do.
 *
 * @module
 */
import {
  adComputerSalt,
  adUserSalt,
  defaultSalt,
  stringToKey,
  type CryptoOptions,
} from '../crypto/index.js'
import { EncType } from '../iana.js'
import { utf8 } from '../internal/bytes.js'
import { formatPrincipal, type Principal } from '../principal.js'
import type { KeytabEntry } from './format.js'
import { makeKeytabEntry } from './edit.js'
import { toPrincipal, type PrincipalLike } from './lookup.js'

/**
 * Which salt to use.
 * - `default`: realm + name components (RFC 4120 §4; MIT and AD service principals made with ktpass).
 * - `ad-user`: Active Directory user accounts: REALM + sAMAccountName (case as stored in AD;
 *   default: the principal's first component).
 * - `ad-computer`: Active Directory computer accounts: REALM + `host` + lower-case name without `$`
 *   + `.` + lower-case DNS domain.
 * - `explicit`: the salt the KDC announces (ETYPE-INFO2), or `ktutil addent -s`.
 */
export type PasswordSalt =
  | { readonly type: 'default' }
  | { readonly type: 'ad-user'; readonly samAccountName?: string }
  | { readonly type: 'ad-computer'; readonly computerName: string; readonly dnsDomain: string }
  | { readonly type: 'explicit'; readonly salt: string | Uint8Array }

/** Options for {@link keytabEntriesFromPassword}. */
export interface KeytabPasswordOptions extends CryptoOptions {
  readonly principal: PrincipalLike
  readonly password: string | Uint8Array
  /** The key version the KDC holds for this password (AD: msDS-KeyVersionNumber). */
  readonly kvno: number
  /** Enctypes; default aes256-cts-hmac-sha1-96 and aes128-cts-hmac-sha1-96. RC4 needs `allowWeak`. */
  readonly enctypes?: readonly number[]
  /** Default `{ type: 'default' }`. */
  readonly salt?: PasswordSalt
  /** s2kparams (for AES: a 4-byte big-endian iteration count), as ETYPE-INFO2 gives them. */
  readonly params?: Uint8Array
  /** Seconds since the epoch or a Date; default now. */
  readonly timestamp?: number | Date
}

/** The salt bytes for a principal under a {@link PasswordSalt} rule. */
export function passwordSalt(
  principal: Principal,
  salt: PasswordSalt = { type: 'default' },
): Uint8Array {
  switch (salt.type) {
    case 'default':
      return defaultSalt(principal)
    case 'ad-user':
      return adUserSalt(principal.realm, salt.samAccountName ?? principal.components[0] ?? '')
    case 'ad-computer':
      return adComputerSalt(principal.realm, salt.computerName, salt.dnsDomain)
    case 'explicit':
      return typeof salt.salt === 'string' ? utf8(salt.salt) : salt.salt
    default:
      throw new TypeError(`unknown salt type ${JSON.stringify((salt as { type: unknown }).type)}`)
  }
}

/**
 * One keytab entry per enctype, keys derived from the password (string-to-key with the chosen
 * salt). The equivalent of `ktutil addent -password -p P -k KVNO -e E [-s SALT]` or `ktpass`.
 *
 * @example
 * ```ts
 * const entries = keytabEntriesFromPassword({
 *   principal: 'HTTP/web.example.com@EXAMPLE.COM',
 *   password: 'secret',
 *   kvno: 3,
 *   salt: { type: 'ad-user', samAccountName: 'svc-web' },
 * })
 * const bytes = serializeKeytab(createKeytab(entries))
 * ```
 */
export function keytabEntriesFromPassword(options: KeytabPasswordOptions): KeytabEntry[] {
  const { principal } = toPrincipal(options.principal)
  if (principal.realm === '') {
    throw new RangeError(`expected a principal with a realm, got ${formatPrincipal(principal)}`)
  }
  const salt = passwordSalt(principal, options.salt)
  const enctypes = options.enctypes ?? [
    EncType.AES256_CTS_HMAC_SHA1_96,
    EncType.AES128_CTS_HMAC_SHA1_96,
  ]
  const s2k = {
    ...(options.allowWeak === undefined ? {} : { allowWeak: options.allowWeak }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
    ...(options.params === undefined ? {} : { params: options.params }),
  }
  return enctypes.map((enctype) =>
    makeKeytabEntry({
      principal,
      kvno: options.kvno,
      key: stringToKey(enctype, options.password, salt, s2k),
      ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    }),
  )
}
