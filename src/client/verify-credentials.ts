/**
 * Verify a freshly obtained TGT against a local service keytab, as MIT's
 * `krb5_verify_init_creds` does: a password login alone proves only that *some* KDC knew a key
 * derived from the password typed — an attacker who answers as the KDC (spoofed DNS, a rogue host
 * on the path) and types a password of their own choosing "logs in" as anybody. Asking for a
 * ticket to a service whose key only the real KDC and this machine share, and verifying it
 * locally, closes that hole.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import type { Keytab } from '../keytab/index.js'
import { formatPrincipal, parsePrincipal, principalEquals, type Principal } from '../principal.js'
import { makeAPReq } from '../protocol/ap-req.js'
import { Acceptor, type AcceptResult } from '../protocol/ap-verify.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import type { KerberosClient } from './client.js'

/** Options for {@link verifyCredentials}. */
export interface VerifyCredentialsOptions {
  /** The local service keytab (for example `/etc/krb5.keytab`). */
  readonly keytab: Keytab
  /**
   * The service to verify against; default the first `host/...` principal of the keytab (as MIT
   * does when no server is given).
   */
  readonly principal?: string | Principal
  /** Allowed clock difference in seconds (default 300). */
  readonly clockSkew?: number
  /** The local clock for the acceptor side (default `Date.now`). */
  readonly now?: () => Date
  readonly signal?: AbortSignal
}

/** What {@link verifyCredentials} returns. */
export interface VerifiedCredentials {
  /** The service principal the TGT was verified against. */
  readonly server: Principal
  /** The service ticket obtained with the TGT. */
  readonly serviceTicket: Credentials
  /** The acceptor's view of the AP-REQ made with that ticket. */
  readonly accepted: AcceptResult
}

function noHostKey(): KerberosError {
  return new KerberosError(
    ErrorCodes.NO_CREDENTIALS,
    'the keytab has no host/ principal to verify the TGT against: pass options.principal',
    { context: { reason: 'no-host-principal' } },
  )
}

/** The first `host/...` principal of the keytab, in file order. */
function defaultServer(keytab: Keytab): Principal {
  const entry = keytab.entries.find(
    (e) => e.principal.components.length === 2 && e.principal.components[0] === 'host',
  )
  if (entry === undefined) throw noHostKey()
  return entry.principal
}

function serverOf(options: VerifyCredentialsOptions): Principal {
  if (options.principal === undefined) return defaultServer(options.keytab)
  return typeof options.principal === 'string'
    ? parsePrincipal(options.principal)
    : options.principal
}

/**
 * Check that `tgt` came from the real KDC: get a ticket for a service in the local keytab with
 * it, and verify that ticket with the keytab. Throws what the acceptor throws when the ticket
 * does not decrypt with the local key (a spoofed KDC): `KeytabLookupError`
 * (`ERR_KRB_KEYTAB_NO_KEY`), `ERR_KRB_AP_ERROR`, `ERR_KRB_INTEGRITY`; `ERR_KRB_NO_CREDENTIALS`
 * when the keytab has no usable principal; KDC errors from the TGS exchange as they come.
 *
 * @example
 * ```ts
 * import { KerberosClient, verifyCredentials } from 'kerberos-ts'
 * import { readKeytab } from 'kerberos-ts/node'
 * const tgt = await client.login({ principal: 'alice', password })
 * await verifyCredentials(client, tgt, { keytab: await readKeytab('/etc/krb5.keytab') })
 * // only now trust that the password was alice's
 * ```
 */
export async function verifyCredentials(
  client: KerberosClient,
  tgt: Credentials,
  options: VerifyCredentialsOptions,
): Promise<VerifiedCredentials> {
  if (options?.keytab?.entries === undefined) throw new TypeError('expected options with a keytab')
  const server = serverOf(options)
  const serviceTicket = await client.getServiceTicket(server, {
    tgt,
    canonicalize: false,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  })
  const apReq = makeAPReq({
    ticket: serviceTicket.ticket,
    sessionKey: serviceTicket.sessionKey,
    client: serviceTicket.client,
    now: client.now(),
  })
  const acceptor = new Acceptor({
    keytab: options.keytab,
    principal: server,
    replayCache: false,
    ...(options.clockSkew !== undefined ? { clockSkew: options.clockSkew } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  })
  const accepted = acceptor.accept(apReq.bytes, { mutual: false })
  if (!principalEquals(accepted.client, tgt.client)) {
    throw new KerberosError(
      ErrorCodes.KDC_REPLY,
      `the verification ticket names client ${formatPrincipal(accepted.client)}, expected ${formatPrincipal(tgt.client)}`,
      { context: { client: formatPrincipal(accepted.client) } },
    )
  }
  return { server, serviceTicket, accepted }
}
