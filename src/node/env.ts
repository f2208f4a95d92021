/**
 * Defaults from the environment, read at call time (never at import): `KRB5CCNAME`,
 * `KRB5_KTNAME`, `KRB5_CLIENT_KTNAME`, and MIT's `%{token}` path expansion
 * (lib/krb5/os/expand_path.c).
 *
 * Order, as MIT: the environment variable (used as written), then the krb5.conf relation
 * (`default_ccache_name`, `default_keytab_name`, `default_client_keytab_name`, expanded), then
 * the built-in default (expanded).
 *
 * @module
 */
import { userInfo } from 'node:os'
import { KerberosError, ErrorCodes } from '../errors.js'
import type { Krb5Config } from '../config/index.js'

/** MIT's built-in default credential cache name. */
export const DEFAULT_CCACHE_NAME = 'FILE:/tmp/krb5cc_%{uid}'
/** MIT's built-in default keytab name. */
export const DEFAULT_KEYTAB_NAME = 'FILE:/etc/krb5.keytab'
/**
 * The client keytab default of Debian/Ubuntu's MIT build (`%{LOCALSTATEDIR}` = /etc there;
 * upstream builds use `/usr/local/var/krb5/user/%{euid}/client.keytab`).
 */
export const DEFAULT_CLIENT_KEYTAB_NAME = 'FILE:/etc/krb5/user/%{euid}/client.keytab'

/** Where the environment comes from; tests inject one. Default: `process.env` at call time. */
export interface EnvOptions {
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Values for `%{uid}`, `%{euid}`, `%{username}` (default: the current process). */
  readonly identity?: { readonly uid?: number; readonly euid?: number; readonly username?: string }
}

/** Options for the default-name resolvers. */
export interface DefaultNameOptions extends EnvOptions {
  /** krb5.conf to consult after the environment. */
  readonly config?: Krb5Config
}

function envOf(options: EnvOptions): Readonly<Record<string, string | undefined>> {
  return options.env ?? process.env
}

function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0
}

function currentEuid(): number {
  return typeof process.geteuid === 'function' ? process.geteuid() : currentUid()
}

function tokenValue(token: string, options: EnvOptions): string | undefined {
  const id = options.identity ?? {}
  switch (token) {
    case 'uid':
    case 'USERID':
      return String(id.uid ?? currentUid())
    case 'euid':
      return String(id.euid ?? currentEuid())
    case 'username':
      return id.username ?? userInfo().username
    case 'TEMP':
      return envOf(options).TMPDIR ?? '/tmp'
    case 'null':
      return ''
    case 'LIBDIR':
      return '/usr/lib/x86_64-linux-gnu'
    case 'BINDIR':
      return '/usr/bin'
    case 'SBINDIR':
      return '/usr/sbin'
    default:
      return undefined
  }
}

/**
 * Expand MIT path tokens: `%{uid}`, `%{USERID}`, `%{euid}`, `%{username}`, `%{TEMP}` (TMPDIR or
 * /tmp), `%{null}`, `%{LIBDIR}`, `%{BINDIR}`, `%{SBINDIR}`. Unknown tokens and a missing `}`
 * throw `ERR_KRB_CONFIG`, as MIT refuses them.
 *
 * @example
 * ```ts
 * expandPath('FILE:/tmp/krb5cc_%{uid}') // 'FILE:/tmp/krb5cc_1000'
 * ```
 */
export function expandPath(path: string, options: EnvOptions = {}): string {
  let out = ''
  let rest = path
  for (;;) {
    const start = rest.indexOf('%{')
    if (start < 0) return out + rest
    const end = rest.indexOf('}', start)
    if (end < 0)
      throw new KerberosError(
        ErrorCodes.CONFIG,
        `path ${JSON.stringify(path)}: token is missing "}"`,
        { context: { path } },
      )
    const token = rest.slice(start + 2, end)
    const value = tokenValue(token, options)
    if (value === undefined) {
      throw new KerberosError(
        ErrorCodes.CONFIG,
        `path ${JSON.stringify(path)}: unknown token %{${token}}`,
        { context: { path, token } },
      )
    }
    out += rest.slice(0, start) + value
    rest = rest.slice(end + 1)
  }
}

function fromEnvConfigDefault(
  envVar: string,
  tag: string,
  fallback: string,
  options: DefaultNameOptions,
): string {
  const fromEnv = envOf(options)[envVar]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  const fromConf = options.config?.get('libdefaults', tag)
  return expandPath(fromConf ?? fallback, options)
}

/**
 * The default credential cache name: `KRB5CCNAME`, else `default_ccache_name`, else
 * `FILE:/tmp/krb5cc_%{uid}` (expanded).
 *
 * @example
 * ```ts
 * process.env.KRB5CCNAME = 'FILE:/tmp/cc'
 * resolveCCacheName() // 'FILE:/tmp/cc'
 * ```
 */
export function resolveCCacheName(options: DefaultNameOptions = {}): string {
  return fromEnvConfigDefault('KRB5CCNAME', 'default_ccache_name', DEFAULT_CCACHE_NAME, options)
}

/** The default keytab name: `KRB5_KTNAME`, else `default_keytab_name`, else `FILE:/etc/krb5.keytab`. */
export function resolveKeytabName(options: DefaultNameOptions = {}): string {
  return fromEnvConfigDefault('KRB5_KTNAME', 'default_keytab_name', DEFAULT_KEYTAB_NAME, options)
}

/**
 * The default client keytab name (used by kinit -k without -t and for automatic client login):
 * `KRB5_CLIENT_KTNAME`, else `default_client_keytab_name`, else Debian's
 * `FILE:/etc/krb5/user/%{euid}/client.keytab`.
 */
export function resolveClientKeytabName(options: DefaultNameOptions = {}): string {
  return fromEnvConfigDefault(
    'KRB5_CLIENT_KTNAME',
    'default_client_keytab_name',
    DEFAULT_CLIENT_KEYTAB_NAME,
    options,
  )
}

/** A `TYPE:residual` name split apart. Names without a type prefix are `FILE`. */
export interface TypedName {
  /** The type in upper case: `FILE`, `WRFILE`, `DIR`, `MEMORY`, `KEYRING`, `KCM`, `API`, ... */
  readonly type: string
  readonly residual: string
}

/**
 * Split a ccache or keytab name as MIT does: the type is the text before the first `:`; no
 * colon (or a leading `/`) means a FILE path.
 *
 * @example
 * ```ts
 * splitTypedName('DIR:/run/user/1000/krb5cc') // { type: 'DIR', residual: '/run/user/1000/krb5cc' }
 * splitTypedName('/tmp/krb5cc_0')             // { type: 'FILE', residual: '/tmp/krb5cc_0' }
 * ```
 */
export function splitTypedName(name: string): TypedName {
  if (typeof name !== 'string' || name === '')
    throw new TypeError('expected a non-empty ccache or keytab name')
  const colon = name.indexOf(':')
  if (colon <= 0 || name.startsWith('/') || name.startsWith('.'))
    return { type: 'FILE', residual: name }
  return { type: name.slice(0, colon).toUpperCase(), residual: name.slice(colon + 1) }
}
