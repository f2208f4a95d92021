/**
 * Keytab entries from a password: what `ktutil addent -password` and Windows `ktpass` do.
 *
 * @module
 */
import { saltFor, stringToKey, type CryptoOptions } from '../crypto/index.js'
import { EncType } from '../iana.js'
import { utf8 } from '../internal/bytes.js'
import { formatPrincipal, type Principal } from '../principal.js'
import type { KeytabEntry } from './format.js'
import { makeKeytabEntry } from './edit.js'
import { toPrincipal, type PrincipalLike } from './lookup.js'

/**
 * Which salt to use. The rule that is always right is the KDC's own (ETYPE-INFO2, what
 * `saltInfoFromKDC`/`KerberosClient.fetchSaltInfo` and `keytab add -f` ask for), then `explicit`.
 * - `default`: realm + name components (RFC 4120 §4; MIT, and AD accounts made with `ktpass`,
 *   which sets the UPN to the SPN).
 * - `ad-user`: Active Directory user accounts (Windows and Samba 4): with a userPrincipalName,
 *   REALM + the UPN's name part (`jdoe@ad.test` → `AD.TESTjdoe`); without, REALM +
 *   sAMAccountName (case as stored). For an SPN registered on a user account (setspn) the salt
 *   is that account's: name it with `samAccountName` (and `userPrincipalName` if it has one). With
 *   neither, a one-component principal is taken as the account name, and an SPN throws.
 * - `ad-computer`: Active Directory computer accounts: REALM + `host` + lower-case name without `$`
 *   + `.` + lower-case DNS domain. The name defaults to the principal's (`WEB01$`, or the first
 *   label of `host/web01.ad.test`), the domain to the realm.
 * - `explicit`: the salt the KDC announces (ETYPE-INFO2), or `ktutil addent -s`.
 */
export type PasswordSalt =
  | { readonly type: 'default' }
  | {
      readonly type: 'ad-user'
      readonly samAccountName?: string
      readonly userPrincipalName?: string
    }
  | { readonly type: 'ad-computer'; readonly computerName?: string; readonly dnsDomain?: string }
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
      return saltFor({ kind: 'default', principal })
    case 'ad-user':
      return saltFor({ ...salt, kind: 'ad-user', principal })
    case 'ad-computer':
      return saltFor({ ...salt, kind: 'ad-computer', principal })
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
 *   salt: { type: 'ad-user', samAccountName: 'svc-web' }, // an SPN registered on svc-web (setspn)
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
