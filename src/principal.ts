/**
 * Principal names: parse and unparse `a/b@REALM` with MIT's escaping rules, the GSS host-based
 * form `service@host`, and comparisons. Principals are case-sensitive; nothing here changes case.
 *
 * @module
 */
import { KerberosError, ErrorCodes } from './errors.js'
import { NameType } from './iana.js'

/** A principal: name type, components and realm (RFC 4120 §6.2). */
export interface Principal {
  readonly nameType: number
  readonly components: readonly string[]
  /** The realm; `''` when none was given and there was no default. */
  readonly realm: string
}

/** Options for {@link parsePrincipal}. */
export interface ParsePrincipalOptions {
  /** Realm used when the text has none. */
  readonly defaultRealm?: string
  /** Name type to use instead of MIT's inference (krbtgt → SRV-INST, WELLKNOWN → WELLKNOWN, else PRINCIPAL). */
  readonly nameType?: number
  /** Refuse text without `@REALM`. */
  readonly requireRealm?: boolean
  /**
   * Read `service@host` as a GSS host-based service name (RFC 2743 §4.1): components
   * `[service, host]`, name type SRV-HST, realm from `defaultRealm`. Text that contains an
   * unescaped `/` is parsed as an ordinary principal.
   */
  readonly hostBased?: boolean
  /**
   * Read the text as an NT-ENTERPRISE name (RFC 6806 §5, MIT `KRB5_PRINCIPAL_PARSE_ENTERPRISE`,
   * `kinit -E`): one component holding everything before the *second* unescaped `@` (so
   * `jdoe@ad.test` is the name `jdoe@ad.test` in the default realm, and `jdoe@ad.test@AD.TEST`
   * the same name in `AD.TEST`), `/` taken literally, name type ENTERPRISE (10).
   */
  readonly enterprise?: boolean
}

function malformed(text: string, why: string): never {
  throw new KerberosError(
    ErrorCodes.PRINCIPAL_FORMAT,
    `malformed principal name ${JSON.stringify(text)}: ${why}`,
    {
      context: { principal: text },
    },
  )
}

const UNESCAPE: Readonly<Record<string, string>> = { n: '\n', t: '\t', b: '\b', '0': '\0' }

/** Split on unescaped separators, undoing MIT's backslash escapes (`\n \t \b \0`, others literal). */
function splitEscaped(text: string): { components: string[]; realm: string | undefined } {
  const components: string[] = []
  let current = ''
  let realm: string | undefined
  for (let i = 0; i < text.length; i++) {
    let ch = text[i]!
    if (ch === '\\') {
      if (i + 1 >= text.length) malformed(text, 'trailing backslash')
      const next = text[++i]!
      ch = UNESCAPE[next] ?? next
    } else if (ch === '@') {
      if (realm !== undefined) malformed(text, 'more than one unescaped "@"')
      components.push(current)
      current = ''
      realm = ''
      continue
    } else if (ch === '/' && realm === undefined) {
      components.push(current)
      current = ''
      continue
    }
    current += ch
  }
  if (realm === undefined) components.push(current)
  else realm = current
  return { components, realm }
}

/** MIT's name type inference for parsed names. */
function inferNameType(components: readonly string[]): number {
  if (components.length === 2 && components[0] === 'krbtgt') return NameType.SRV_INST
  if (components[0] === 'WELLKNOWN') return NameType.WELLKNOWN
  return NameType.PRINCIPAL
}

/**
 * Parse a principal name as MIT `krb5_parse_name` does.
 *
 * @example
 * ```ts
 * parsePrincipal('HTTP/web.example.com@EXAMPLE.COM')
 * // { nameType: 1, components: ['HTTP', 'web.example.com'], realm: 'EXAMPLE.COM' }
 * parsePrincipal('HTTP@web.example.com', { hostBased: true, defaultRealm: 'EXAMPLE.COM' })
 * // { nameType: 3, components: ['HTTP', 'web.example.com'], realm: 'EXAMPLE.COM' }
 * ```
 */
export function parsePrincipal(text: string, options: ParsePrincipalOptions = {}): Principal {
  if (typeof text !== 'string')
    throw new TypeError(`expected a principal name string, got ${typeof text}`)
  if (text.length === 0) malformed(text, 'empty name')
  if (options.enterprise === true) return parseEnterprise(text, options)
  const { components, realm } = splitEscaped(text)
  if (options.hostBased && components.length === 1 && realm !== undefined) {
    if (realm.length === 0) malformed(text, 'empty host name')
    return {
      nameType: options.nameType ?? NameType.SRV_HST,
      components: [components[0]!, realm],
      realm: options.defaultRealm ?? '',
    }
  }
  if (realm !== undefined && realm.length === 0) malformed(text, 'empty realm')
  if (realm === undefined && options.requireRealm) malformed(text, 'no realm')
  return {
    nameType: options.nameType ?? inferNameType(components),
    components,
    realm: realm ?? options.defaultRealm ?? '',
  }
}

/** The first unescaped `@` is part of an enterprise name; a second one starts the realm. */
function parseEnterprise(text: string, options: ParsePrincipalOptions): Principal {
  let name = ''
  let realm: string | undefined
  let ats = 0
  for (let i = 0; i < text.length; i++) {
    let ch = text[i]!
    if (ch === '\\') {
      if (i + 1 >= text.length) malformed(text, 'trailing backslash')
      const next = text[++i]!
      ch = UNESCAPE[next] ?? next
    } else if (ch === '@' && realm === undefined && ++ats === 2) {
      realm = ''
      continue
    } else if (ch === '@' && realm !== undefined) {
      malformed(text, 'more than two unescaped "@" in an enterprise name')
    }
    if (realm === undefined) name += ch
    else realm += ch
  }
  if (name.length === 0) malformed(text, 'empty enterprise name')
  if (realm !== undefined && realm.length === 0) malformed(text, 'empty realm')
  if (realm === undefined && options.requireRealm) malformed(text, 'no realm')
  return {
    nameType: options.nameType ?? NameType.ENTERPRISE,
    components: [name],
    realm: realm ?? options.defaultRealm ?? '',
  }
}

function escapeComponent(s: string, escapeAt: boolean): string {
  let out = ''
  for (const ch of s) {
    switch (ch) {
      case '\\':
      case '/':
        out += '\\' + ch
        break
      case '@':
        out += escapeAt ? '\\@' : '@'
        break
      case '\n':
        out += '\\n'
        break
      case '\t':
        out += '\\t'
        break
      case '\b':
        out += '\\b'
        break
      case '\0':
        out += '\\0'
        break
      default:
        out += ch
    }
  }
  return out
}

/** Options for {@link formatPrincipal}. */
export interface FormatPrincipalOptions {
  /** Leave the realm out (MIT's `KRB5_PRINCIPAL_UNPARSE_NO_REALM`); `@` is then not escaped. */
  readonly noRealm?: boolean
  /**
   * Write an NT-ENTERPRISE name as typed (`jdoe@ad.test@AD.TEST`, the `@` inside the name not
   * escaped), the form {@link parsePrincipal} reads back with `enterprise: true`. Other names,
   * and the default, use MIT's escaping (`jdoe\@ad.test@AD.TEST`, what `klist` shows).
   */
  readonly enterprise?: boolean
}

/**
 * Unparse a principal as MIT `krb5_unparse_name` does: `/`, `@`, `\` and the control characters
 * `\n \t \b \0` are escaped in components and realm.
 *
 * @example
 * ```ts
 * formatPrincipal({ nameType: 1, components: ['a/b', 'c'], realm: 'R' }) // 'a\\/b/c@R'
 * ```
 */
export function formatPrincipal(p: Principal, options: FormatPrincipalOptions = {}): string {
  const enterprise = options.enterprise === true && p.nameType === NameType.ENTERPRISE
  const escapeAt = !options.noRealm && !enterprise
  const name = p.components.map((c) => escapeComponent(c, escapeAt)).join('/')
  if (options.noRealm || p.realm === '') return name
  // In the realm, '/' is escaped too (MIT quotes the same set in every part).
  return `${name}@${escapeComponent(p.realm, true)}`
}

/** Build a principal from parts. */
export function makePrincipal(
  components: readonly string[],
  realm: string,
  nameType: number = inferNameType(components),
): Principal {
  return { nameType, components: [...components], realm }
}

/** The TGS principal `krbtgt/SERVICE_REALM@CLIENT_REALM` (RFC 4120 §7.3). */
export function tgsPrincipal(serviceRealm: string, realm: string = serviceRealm): Principal {
  return { nameType: NameType.SRV_INST, components: ['krbtgt', serviceRealm], realm }
}

/** True for `krbtgt/X@Y`. */
export function isTGSPrincipal(p: Principal): boolean {
  return p.components.length === 2 && p.components[0] === 'krbtgt'
}

/**
 * Same components and realm. Name types are not compared: a GSS host-based name (SRV-HST) and
 * the keytab's NT-PRINCIPAL entry for the same service are the same principal.
 */
export function principalEquals(
  a: Principal,
  b: Principal,
  options: { readonly ignoreRealm?: boolean } = {},
): boolean {
  if (!options.ignoreRealm && a.realm !== b.realm) return false
  if (a.components.length !== b.components.length) return false
  for (let i = 0; i < a.components.length; i++)
    if (a.components[i] !== b.components[i]) return false
  return true
}
