/**
 * Password change and set through kpasswd (RFC 3244), over the client's {@link Transport}:
 * an INITIAL ticket for `kadmin/changepw` from an AS exchange (as MIT's
 * `krb5_get_init_creds_*` with `kadmin/changepw` does), then one kpasswd request and reply.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import type { Keytab } from '../keytab/index.js'
import { formatPrincipal, parsePrincipal, type Principal } from '../principal.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import type * as OnDemand from './on-demand.js'
import type { KpasswdReply } from '../protocol/kpasswd.js'
import { KerberosClient, type KerberosClientOptions } from './client.js'

/**
 * The kpasswd exchange (./kpasswd-exchange.ts, protocol/kpasswd.ts), loaded on first use: most
 * clients never change a password. It comes in ./on-demand.ts, one chunk with the client's other
 * lazy parts.
 */
const loadKpasswd = (): Promise<typeof OnDemand> => import('./on-demand.js')

/** How to authenticate to kpasswd: the old password, or the keytab's current key. */
export type PasswordAuth =
  | { readonly oldPassword: string; readonly keytab?: undefined }
  | { readonly keytab: Keytab; readonly oldPassword?: undefined }

/** Options for {@link changePassword}. */
export type ChangePasswordOptions = PasswordAuth & {
  /** Whose password: `alice`, `alice@EXAMPLE.COM` or a {@link Principal}. */
  readonly principal: string | Principal
  readonly newPassword: string
  /** Send the set-password format (0xff80) for oneself instead of version 1 (AD computers). */
  readonly useSetPassword?: boolean
  readonly signal?: AbortSignal
}

/** Options for {@link setPassword}. */
export interface SetPasswordOptions {
  /** The principal whose password to set. */
  readonly target: string | Principal
  readonly newPassword: string
  /**
   * The administrator to authenticate as, with `password` or `keytab` (an INITIAL ticket by AS).
   * Without them the client's own TGT is used for a `kadmin/changepw` service ticket.
   */
  readonly principal?: string | Principal
  readonly password?: string
  readonly keytab?: Keytab
  readonly signal?: AbortSignal
}

/** A successful kpasswd exchange. */
export interface PasswordChangeResult {
  /** The principal whose password changed. */
  readonly principal: Principal
  /** The server's result (code 0) and its text. */
  readonly reply: KpasswdReply
}

function nameOf(p: string | Principal, realm: string | undefined): Principal {
  if (typeof p !== 'string') return p
  const principal = parsePrincipal(p, realm !== undefined ? { defaultRealm: realm } : {})
  if (principal.realm === '') {
    throw new KerberosError(ErrorCodes.CONFIG, `no realm for ${p}: give one or set default_realm`)
  }
  return principal
}

/**
 * Change `principal`'s password (RFC 3244 version 1): log in to `kadmin/changepw` with the old
 * password or the keytab, send the new one in a KRB-PRIV, and check the reply. A refusal throws
 * `ERR_KRB_KPASSWD` (`context.resultName`, `context.policy` for AD); a reply that fails a
 * check throws `ERR_KRB_KPASSWD_REPLY`; no answer within the transport's deadline throws
 * `ERR_KRB_KDC_UNREACHABLE`.
 *
 * @example
 * ```ts
 * await changePassword({ transport, config }, { principal: 'alice', oldPassword, newPassword })
 * ```
 */
export async function changePassword(
  clientOptions: KerberosClientOptions,
  options: ChangePasswordOptions,
): Promise<PasswordChangeResult> {
  if (typeof options?.newPassword !== 'string')
    throw new TypeError('expected newPassword as a string')
  const probe = new KerberosClient(clientOptions)
  const principal = nameOf(options.principal, probe.realm)
  const auth =
    options.keytab !== undefined ? { keytab: options.keytab } : { password: options.oldPassword }
  const k = await loadKpasswd()
  const creds = await k.changepwTicket(clientOptions, principal, auth, options.signal)
  k.checkKpasswdTicket(creds)
  const reply = await k.kpasswdExchange(
    clientOptions,
    probe.now(),
    creds,
    { newPassword: options.newPassword, set: options.useSetPassword === true },
    options.signal,
  )
  if (reply.resultCode !== 0 || !reply.authenticated)
    throw k.kpasswdError(reply, formatPrincipal(principal))
  return { principal: creds.client, reply }
}

/**
 * Set another principal's password (RFC 3244 set-password, 0xff80) with an administrator's
 * credentials: an INITIAL ticket when `principal` and `password`/`keytab` are given, else a
 * `kadmin/changepw` ticket from `client`'s TGT. Errors as {@link changePassword}.
 *
 * @example
 * ```ts
 * await client.setPassword({ target: 'bob', newPassword })
 * ```
 */
export async function setPassword(
  client: KerberosClient,
  clientOptions: KerberosClientOptions,
  options: SetPasswordOptions,
): Promise<PasswordChangeResult> {
  if (typeof options?.newPassword !== 'string')
    throw new TypeError('expected newPassword as a string')
  const target = nameOf(options.target, client.realm)
  const k = await loadKpasswd()
  let creds: Credentials
  if (options.password !== undefined || options.keytab !== undefined) {
    const admin = nameOf(options.principal ?? client.principal ?? '', client.realm)
    const auth =
      options.keytab !== undefined ? { keytab: options.keytab } : { password: options.password! }
    creds = await k.changepwTicket(clientOptions, admin, auth, options.signal)
  } else {
    const realm = client.principal?.realm ?? target.realm
    creds = await client.getServiceTicket(k.kpasswdPrincipal(realm), {
      hostBased: false,
      canonicalize: false,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    })
  }
  const reply = await k.kpasswdExchange(
    clientOptions,
    client.now(),
    creds,
    { newPassword: options.newPassword, target, set: true },
    options.signal,
  )
  if (reply.resultCode !== 0 || !reply.authenticated)
    throw k.kpasswdError(reply, formatPrincipal(target))
  return { principal: target, reply }
}
