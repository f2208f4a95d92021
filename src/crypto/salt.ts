/**
 * Salts for string-to-key: the RFC 4120 §4 default and Active Directory's rules.
 *
 * @module
 */
import { utf8 } from '../internal/bytes.js'
import { parsePrincipal, type Principal } from '../principal.js'

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
 * Active Directory user salt for an account **without** a userPrincipalName: the realm in upper
 * case followed by the sAMAccountName exactly as given (case matters). An account that has a
 * UPN is salted by {@link adUpnSalt} instead.
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
 * Active Directory salt of a user account that has a userPrincipalName (Windows, and Samba,
 * whose salt code follows it): the realm in upper case followed by the UPN's name part read as a
 * principal name, components joined with no separator (the default salt of that name in the
 * realm). `jdoe@ad.test` → `AD.TESTjdoe`; `ktpass` sets the UPN to the SPN, so
 * `HTTP/web.ad.test@AD.TEST` → `AD.TESTHTTPweb.ad.test`. The UPN's suffix does not matter.
 *
 * @example
 * ```ts
 * fromUtf8(adUpnSalt('ad.test', 'jdoe@ad.test')) // 'AD.TESTjdoe'
 * ```
 */
export function adUpnSalt(realm: string, userPrincipalName: string): Uint8Array {
  const at = lastUnescapedAt(userPrincipalName)
  const name = at < 0 ? userPrincipalName : userPrincipalName.slice(0, at)
  if (name === '')
    throw new RangeError(
      `expected a userPrincipalName with a name part, got ${JSON.stringify(userPrincipalName)}`,
    )
  const components = parsePrincipal(name, { defaultRealm: realm.toUpperCase() }).components
  return utf8(realm.toUpperCase() + components.join(''))
}

function lastUnescapedAt(text: string): number {
  let found = -1
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '@') found = i
  }
  return found
}

/**
 * The NetBIOS computer name in an AD computer principal: `WEB01$` → `WEB01`, `host/web01.ad.test`
 * → `web01` (the first label of the host name), `web01.ad.test` → `web01`.
 *
 * @example
 * ```ts
 * adComputerName(parsePrincipal('host/web01.ad.test@AD.TEST')) // 'web01'
 * ```
 */
export function adComputerName(nameOrPrincipal: string | Principal): string {
  const p = typeof nameOrPrincipal === 'string' ? undefined : nameOrPrincipal
  const text =
    p === undefined
      ? (nameOrPrincipal as string)
      : p.components.length > 1
        ? p.components[1]!
        : (p.components[0] ?? '')
  const name = text.endsWith('$') ? text.slice(0, -1) : text
  const label = name.split('.')[0] ?? ''
  if (label === '') throw new RangeError(`expected a computer name, got ${JSON.stringify(text)}`)
  return label
}

/**
 * Active Directory computer-account salt: REALM (upper case) + `host` + the computer name in
 * lower case without its trailing `$` + `.` + the DNS domain in lower case. The computer name may
 * be given as `WEB01$`, `WEB01` or the host's FQDN (`web01.ad.test`: its first label).
 *
 * @example
 * ```ts
 * fromUtf8(adComputerSalt('EXAMPLE.COM', 'WEB01$', 'Example.COM')) // 'EXAMPLE.COMhostweb01.example.com'
 * fromUtf8(adComputerSalt('EXAMPLE.COM', 'web01.example.com', 'example.com')) // the same
 * ```
 */
export function adComputerSalt(realm: string, computerName: string, dnsDomain: string): Uint8Array {
  const name = adComputerName(computerName)
  return utf8(`${realm.toUpperCase()}host${name.toLowerCase()}.${dnsDomain.toLowerCase()}`)
}

/** How {@link saltFor} picks a salt. */
export type SaltSpec =
  | { readonly kind: 'default'; readonly principal: Principal }
  | {
      readonly kind: 'ad-user'
      readonly principal: Principal
      /** The account's sAMAccountName: needed when `principal` is an SPN on a user account. */
      readonly samAccountName?: string
      /** The account's userPrincipalName, when it has one: it decides the salt. */
      readonly userPrincipalName?: string
    }
  | {
      readonly kind: 'ad-computer'
      readonly principal: Principal
      /** Default: from the principal (`WEB01$`, or the first label of `host/web01.ad.test`). */
      readonly computerName?: string
      /** Default: the realm in lower case. */
      readonly dnsDomain?: string
    }
  | {
      readonly kind: 'explicit'
      readonly principal?: Principal
      readonly salt: string | Uint8Array
    }

/**
 * The AD salt of a user account (Windows and Samba 4): with a userPrincipalName, its name part
 * ({@link adUpnSalt}); without one, REALM + sAMAccountName ({@link adUserSalt}). With neither
 * given, a one-component principal is taken as the account's own name; a service name
 * (`HTTP/vault.ad.test`) throws: AD salts an SPN with the account that holds it, which the name
 * does not tell (a setspn-style SPN on `svc-vault` is salted `REALMsvc-vault`; a ktpass'd one,
 * whose UPN is the SPN, has the SPN's default salt). Ask the KDC when unsure.
 *
 * @example
 * ```ts
 * adAccountSalt(parsePrincipal('JDoe@AD.TEST'), { userPrincipalName: 'jdoe@ad.test' }) // 'AD.TESTjdoe'
 * adAccountSalt(parsePrincipal('HTTP/vault.ad.test@AD.TEST'), { samAccountName: 'svc-vault' })
 * ```
 */
export function adAccountSalt(
  principal: Principal,
  account: { readonly samAccountName?: string; readonly userPrincipalName?: string } = {},
): Uint8Array {
  if (account.userPrincipalName !== undefined) {
    return adUpnSalt(principal.realm, account.userPrincipalName)
  }
  if (account.samAccountName !== undefined)
    return adUserSalt(principal.realm, account.samAccountName)
  if (principal.components.length === 1)
    return adUserSalt(principal.realm, principal.components[0]!)
  throw new RangeError(
    `${principal.components.join('/')}@${principal.realm} is a service name: Active Directory salts it with the account that holds it; give that account's samAccountName (or userPrincipalName), use the default salt for a ktpass-mapped account (UPN = SPN), or ask the KDC for the salt`,
  )
}

/**
 * One entry point for keytab generators. `ad-user` follows {@link adAccountSalt}; `ad-computer`
 * defaults the computer name to the principal's and the DNS domain to the realm.
 *
 * @example
 * ```ts
 * saltFor({ kind: 'ad-computer', principal }) // host/web01.example.com@EXAMPLE.COM → 'EXAMPLE.COMhostweb01.example.com'
 * saltFor({ kind: 'ad-user', principal: spn, samAccountName: 'svc-vault' })
 * saltFor({ kind: 'explicit', salt: 'EXAMPLE.COMsomething' })
 * ```
 */
export function saltFor(spec: SaltSpec): Uint8Array {
  switch (spec.kind) {
    case 'default':
      return defaultSalt(spec.principal)
    case 'ad-user':
      return adAccountSalt(spec.principal, spec)
    case 'ad-computer':
      return adComputerSalt(
        spec.principal.realm,
        spec.computerName ?? adComputerName(spec.principal),
        spec.dnsDomain ?? spec.principal.realm,
      )
    case 'explicit':
      return typeof spec.salt === 'string' ? utf8(spec.salt) : spec.salt.slice()
    default:
      throw new TypeError(`unknown salt kind ${String((spec as { kind: unknown }).kind)}`)
  }
}
