/**
 * Salts for string-to-key: the RFC 4120 §4 default and Active Directory's rules.
 *
 * @module
 */
import { utf8 } from '../internal/bytes.js'
import type { Principal } from '../principal.js'

/**
 * The default salt (RFC 4120 §4): the realm followed by every name component, no separators.
 *
 * @example
 * ```ts
 * fromUtf8(defaultSalt(parsePrincipal('HTTP/web.example.com@EXAMPLE.COM')))
 * // 'EXAMPLE.COMHTTPweb.example.com'
 * ```
 */
export function defaultSalt(principal: Principal): Uint8Array {
  return utf8(principal.realm + principal.components.join(''))
}

/**
 * Active Directory user salt: the realm in upper case followed by the sAMAccountName exactly as
 * given (case matters).
 *
 * @example
 * ```ts
 * fromUtf8(adUserSalt('example.com', 'Alice')) // 'EXAMPLE.COMAlice'
 * ```
 */
export function adUserSalt(realm: string, samAccountName: string): Uint8Array {
  return utf8(realm.toUpperCase() + samAccountName)
}

/**
 * Active Directory computer-account salt: REALM (upper case) + `host` + the computer name in
 * lower case without its trailing `$` + `.` + the DNS domain in lower case.
 *
 * @example
 * ```ts
 * fromUtf8(adComputerSalt('EXAMPLE.COM', 'WEB01$', 'Example.COM')) // 'EXAMPLE.COMhostweb01.example.com'
 * ```
 */
export function adComputerSalt(realm: string, computerName: string, dnsDomain: string): Uint8Array {
  const name = computerName.endsWith('$') ? computerName.slice(0, -1) : computerName
  return utf8(`${realm.toUpperCase()}host${name.toLowerCase()}.${dnsDomain.toLowerCase()}`)
}

/** How {@link saltFor} picks a salt. */
export type SaltSpec =
  | { readonly kind: 'default'; readonly principal: Principal }
  | { readonly kind: 'ad-user'; readonly principal: Principal; readonly samAccountName?: string }
  | {
      readonly kind: 'ad-computer'
      readonly principal: Principal
      readonly computerName: string
      readonly dnsDomain?: string
    }
  | {
      readonly kind: 'explicit'
      readonly principal?: Principal
      readonly salt: string | Uint8Array
    }

/**
 * One entry point for keytab generators. `ad-user` defaults the sAMAccountName to the first
 * component; `ad-computer` defaults the DNS domain to the realm.
 *
 * @example
 * ```ts
 * saltFor({ kind: 'ad-computer', principal, computerName: 'WEB01$', dnsDomain: 'example.com' })
 * saltFor({ kind: 'explicit', salt: 'EXAMPLE.COMsomething' })
 * ```
 */
export function saltFor(spec: SaltSpec): Uint8Array {
  switch (spec.kind) {
    case 'default':
      return defaultSalt(spec.principal)
    case 'ad-user':
      return adUserSalt(
        spec.principal.realm,
        spec.samAccountName ?? spec.principal.components[0] ?? '',
      )
    case 'ad-computer':
      return adComputerSalt(
        spec.principal.realm,
        spec.computerName,
        spec.dnsDomain ?? spec.principal.realm,
      )
    case 'explicit':
      return typeof spec.salt === 'string' ? utf8(spec.salt) : spec.salt.slice()
    default:
      throw new TypeError(`unknown salt kind ${String((spec as { kind: unknown }).kind)}`)
  }
}
