/**
 * {@link Credentials} to and from MIT credential caches.
 *
 * @module
 */
import { decodeTicket } from '../asn1/index.js'
import {
  CCacheVersion,
  createCCache,
  isConfigEntry,
  kdcTimeOffset,
  type CCache,
  type Credential,
  type KDCTimeOffset,
} from '../ccache/index.js'
import { KerberosError, ErrorCodes } from '../errors.js'
import { isTGSPrincipal, type Principal } from '../principal.js'
import type { Credentials } from '../protocol/kdc-rep.js'

const secs = (d: Date | undefined): number => (d === undefined ? 0 : Math.floor(d.getTime() / 1000))
const date = (s: number): Date | undefined => (s === 0 ? undefined : new Date(s * 1000))

/**
 * A ccache credential for `creds` (flags keep their RFC bit positions, as MIT stores them).
 *
 * @example
 * ```ts
 * const cc = storeCredential(createCCache(tgt.client), credentialsToCCacheEntry(tgt))
 * ```
 */
export function credentialsToCCacheEntry(creds: Credentials): Credential {
  return {
    client: creds.client,
    server: creds.server,
    key: creds.sessionKey,
    authtime: secs(creds.authtime),
    starttime: secs(creds.starttime ?? creds.authtime),
    endtime: secs(creds.endtime),
    renewTill: secs(creds.renewTill),
    isSKey: false,
    ticketFlags: creds.flags >>> 0,
    addresses: [],
    authData: [],
    ticket: creds.ticketBytes,
    secondTicket: new Uint8Array(0),
  }
}

/**
 * {@link Credentials} from a ccache credential (ours or MIT's). A ticket that does not decode
 * throws `ERR_KRB_ASN1_DECODE`.
 */
export function credentialsFromCCacheEntry(cred: Credential): Credentials {
  const ticket = decodeTicket(cred.ticket)
  const starttime = date(cred.starttime)
  const renewTill = date(cred.renewTill)
  return {
    client: cred.client,
    server: cred.server,
    sessionKey: cred.key,
    authtime: new Date(cred.authtime * 1000),
    ...(starttime !== undefined ? { starttime } : {}),
    endtime: new Date(cred.endtime * 1000),
    ...(renewTill !== undefined ? { renewTill } : {}),
    flags: cred.ticketFlags >>> 0,
    ticket,
    ticketBytes: cred.ticket,
    ...(ticket.encPart.kvno !== undefined ? { ticketKvno: ticket.encPart.kvno } : {}),
  }
}

/** Options for {@link credentialsToCCache}. */
export interface CredentialsToCCacheOptions {
  /** Default principal; default the first credential's client. */
  readonly principal?: Principal
  /** KDC clock minus ours, in milliseconds (stored in the v4 header when non-zero). */
  readonly timeOffsetMs?: number
  /** File format version; default 0x0504. Earlier versions cannot hold the time offset. */
  readonly version?: CCacheVersion
}

/**
 * A new version-4 ccache holding `creds` (TGT first, as MIT writes).
 *
 * @example
 * ```ts
 * await writeCCache('FILE:/tmp/krb5cc_test', credentialsToCCache([tgt, service]))
 * ```
 */
export function credentialsToCCache(
  creds: readonly Credentials[],
  options: CredentialsToCCacheOptions = {},
): CCache {
  const principal = options.principal ?? creds[0]?.client
  if (principal === undefined) {
    throw new KerberosError(ErrorCodes.NO_CREDENTIALS, 'no credentials to store in a ccache')
  }
  const ms = Math.round(options.timeOffsetMs ?? 0)
  const offset: KDCTimeOffset | undefined =
    ms === 0 ? undefined : { seconds: Math.trunc(ms / 1000), microseconds: (ms % 1000) * 1000 }
  const version = options.version ?? CCacheVersion.V4
  return createCCache(principal, {
    version,
    credentials: creds.map(credentialsToCCacheEntry),
    ...(offset !== undefined && version === CCacheVersion.V4 ? { kdcTimeOffset: offset } : {}),
  })
}

/** Every ticket of a ccache (configuration entries skipped) and its KDC time offset in ms. */
export function credentialsFromCCache(cc: CCache): {
  readonly principal: Principal
  readonly credentials: readonly Credentials[]
  readonly timeOffsetMs: number
} {
  const credentials = cc.credentials
    .filter((c) => !isConfigEntry(c))
    .map(credentialsFromCCacheEntry)
  const off = kdcTimeOffset(cc)
  const timeOffsetMs =
    off === undefined ? 0 : off.seconds * 1000 + Math.trunc(off.microseconds / 1000)
  return { principal: cc.defaultPrincipal, credentials, timeOffsetMs }
}

/** True for a TGT of its client's realm (`krbtgt/R@R`). */
export function isLocalTGT(c: Credentials): boolean {
  return (
    isTGSPrincipal(c.server) &&
    c.server.components[1] === c.server.realm &&
    c.server.realm === c.client.realm
  )
}
