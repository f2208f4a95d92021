/**
 * The kpasswd exchange of `changePassword` and `setPassword` (./password.ts): the
 * `kadmin/changepw` login and the request and reply (RFC 3244), loaded on first use with the
 * kpasswd protocol code (in ./on-demand.ts).
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import type { Keytab } from '../keytab/index.js'
import type { Principal } from '../principal.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import {
  buildKpasswdRequest,
  hostAddressFromIP,
  kpasswdPrincipal,
  readKpasswdReply,
  type KpasswdReply,
} from '../protocol/kpasswd.js'
import { KerberosClient, type KerberosClientOptions } from './client.js'

/** An INITIAL `kadmin/changepw` ticket by AS, from a client of its own (the caller's is untouched). */
export async function changepwTicket(
  clientOptions: KerberosClientOptions,
  principal: Principal,
  auth: { readonly password?: string; readonly keytab?: Keytab },
  signal: AbortSignal | undefined,
): Promise<Credentials> {
  const c = new KerberosClient(clientOptions)
  const common = {
    principal,
    server: kpasswdPrincipal(principal.realm),
    lifetime: 300,
    renewLifetime: 0,
    forwardable: false,
    proxiable: false,
    canonicalize: false,
    ...(signal !== undefined ? { signal } : {}),
  }
  if (auth.keytab !== undefined) return c.login({ ...common, keytab: auth.keytab })
  if (typeof auth.password !== 'string') {
    throw new TypeError('expected oldPassword (or password) as a string, or a keytab')
  }
  return c.login({ ...common, password: auth.password })
}

/** Send the request to kpasswd and read the reply. */
export async function kpasswdExchange(
  clientOptions: KerberosClientOptions,
  now: Date,
  creds: Credentials,
  o: { readonly newPassword: string; readonly target?: Principal; readonly set: boolean },
  signal: AbortSignal | undefined,
): Promise<KpasswdReply> {
  const transport = clientOptions.transport
  if (typeof transport.sendToKpasswd !== 'function') {
    throw new KerberosError(
      ErrorCodes.UNSUPPORTED,
      'the transport cannot reach kpasswd servers (it has no sendToKpasswd)',
    )
  }
  const req = buildKpasswdRequest({
    credentials: creds,
    newPassword: o.newPassword,
    ...(o.target !== undefined ? { target: o.target } : {}),
    setPassword: o.set,
    now,
    ...(clientOptions.random !== undefined ? { random: clientOptions.random } : {}),
    allowWeak: true,
  })
  const sig = signal ?? clientOptions.signal
  const bytes = await transport.sendToKpasswd(creds.server.realm, req.bytes, {
    ...(sig !== undefined ? { signal: sig } : {}),
    forLocalAddress: (local) => req.withSenderAddress(hostAddressFromIP(local.address)),
  })
  return readKpasswdReply(bytes, req)
}
