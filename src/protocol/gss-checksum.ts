/**
 * The GSS-API krb5 authenticator checksum (RFC 4121 §4.1.1, checksum type 0x8003): channel
 * bindings hash, context flags and an optional delegated credential (KRB-CRED). It lives in
 * `protocol/` because the acceptor reads delegated credentials from it; `gssapi/` re-exports it.
 *
 * @module
 */
import {
  decodeADIfRelevant,
  decodeEncKrbCredPart,
  decodeKRBCred,
  encodeADIfRelevant,
} from '../asn1/index.js'
import type { AuthorizationData, EncKrbCredPart, KRBCred } from '../asn1/index.js'
import { decrypt, type CryptoOptions } from '../crypto/index.js'
import { md5 } from '../crypto/md5.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { AuthorizationDataType, KeyUsage } from '../iana.js'
import { concatBytes, constantTimeEqual } from '../internal/bytes.js'
import { RedactedBytes, type KerberosKey } from '../key.js'
import { formatPrincipal, principalEquals, type Principal } from '../principal.js'
import { ticketDER, type Credentials } from './kdc-rep.js'

/** GSS context flags (RFC 2744 §3.9 numbering, as carried in the checksum). */
export const GSSFlags = {
  DELEG: 1,
  MUTUAL: 2,
  REPLAY: 4,
  SEQUENCE: 8,
  CONF: 16,
  INTEG: 32,
  ANON: 64,
  PROT_READY: 128,
  TRANS: 256,
  /** GSS_C_CHANNEL_BOUND_FLAG (MIT 1.19+): the initiator's channel bindings matched ours. */
  CHANNEL_BOUND: 0x800,
  DCE_STYLE: 0x1000,
  IDENTIFY: 0x2000,
  EXTENDED_ERROR: 0x4000,
} as const
export type GSSFlags = (typeof GSSFlags)[keyof typeof GSSFlags]

/** The decoded 0x8003 checksum. */
export interface GSSChecksum {
  /** MD5 of the channel bindings, or 16 zero octets for none. */
  readonly bindings: Uint8Array
  /** Requested context flags ({@link GSSFlags}). */
  readonly flags: number
  /** The delegated credential (a KRB-CRED), when DELEG is set and one was sent. */
  readonly delegation?: Uint8Array
  /** Extension bytes after the delegation (RFC 4121 "Exts"), kept raw. */
  readonly extensions?: Uint8Array
}

/** The checksum type number of {@link GSSChecksum}. */
export const GSS_CHECKSUM_TYPE = 0x8003

function gssError(message: string, context: Readonly<Record<string, unknown>> = {}): KerberosError {
  return new KerberosError(ErrorCodes.GSS_TOKEN, message, { context })
}

/**
 * Encode the checksum value (little-endian fields, RFC 4121 §4.1.1).
 *
 * @example
 * ```ts
 * encodeGSSChecksum({ bindings: new Uint8Array(16), flags: GSSFlags.MUTUAL | GSSFlags.INTEG })
 * ```
 */
export function encodeGSSChecksum(c: GSSChecksum): Uint8Array {
  if (c.bindings.length !== 16)
    throw new RangeError(`expected a 16-octet bindings hash, got ${c.bindings.length}`)
  const deleg = c.delegation
  const ext = c.extensions ?? new Uint8Array(0)
  const flags = deleg === undefined ? c.flags & ~GSSFlags.DELEG : c.flags | GSSFlags.DELEG
  const len = 24 + (deleg === undefined ? 0 : 4 + deleg.length) + ext.length
  const out = new Uint8Array(len)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, 16, true)
  out.set(c.bindings, 4)
  dv.setUint32(20, flags >>> 0, true)
  let at = 24
  if (deleg !== undefined) {
    if (deleg.length > 0xffff) throw new RangeError('delegated credential longer than 65535 octets')
    dv.setUint16(24, 1, true)
    dv.setUint16(26, deleg.length, true)
    out.set(deleg, 28)
    at = 28 + deleg.length
  }
  out.set(ext, at)
  return out
}

/**
 * Decode the checksum value. Throws ERR_KRB_GSS_TOKEN when it is shorter than 24 octets, Lgth
 * is not 16, or the delegation field runs past the end.
 *
 * @example
 * ```ts
 * const { flags, delegation } = decodeGSSChecksum(authenticator.cksum.checksum)
 * ```
 */
export function decodeGSSChecksum(b: Uint8Array): GSSChecksum {
  if (b.length < 24) throw gssError(`GSS checksum of ${b.length} octets is shorter than 24`)
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const lgth = dv.getUint32(0, true)
  if (lgth !== 16) throw gssError(`GSS checksum Lgth is ${lgth}, expected 16`)
  const bindings = b.slice(4, 20)
  const flags = dv.getUint32(20, true)
  const out: { -readonly [K in keyof GSSChecksum]: GSSChecksum[K] } = { bindings, flags }
  let at = 24
  if ((flags & GSSFlags.DELEG) !== 0 && b.length >= 28) {
    const dlgOpt = dv.getUint16(24, true)
    const dlgth = dv.getUint16(26, true)
    if (dlgOpt !== 1) throw gssError(`GSS checksum DlgOpt is ${dlgOpt}, expected 1`)
    if (28 + dlgth > b.length)
      throw gssError(`GSS checksum delegation of ${dlgth} octets runs past the end`)
    out.delegation = b.slice(28, 28 + dlgth)
    at = 28 + dlgth
  }
  if (at < b.length) out.extensions = b.slice(at)
  return out
}

/** A delegated credential, decrypted. */
export interface DelegatedCredential {
  /** The KRB-CRED as sent (tickets inside). */
  readonly cred: KRBCred
  /** Its decrypted part: session keys, names and times of each ticket. */
  readonly info: EncKrbCredPart
  /** The KRB-CRED bytes ({@link RedactedBytes}: they print as their length only). */
  readonly raw: Uint8Array
}

/**
 * Tie a delegated credential to the client the AP-REQ authenticated: every ticket's `pname` and
 * `prealm` in the KRB-CRED must name that client, and are filled in from it when absent
 * (KrbCredInfo makes them optional). The KRB-CRED is the initiator's own claim (the tickets
 * inside are sealed for the KDC, so the acceptor cannot read their real client): without this
 * check an initiator authenticated as alice could hand over a credential labelled as bob's.
 * Throws ERR_KRB_AP_ERROR (`reason: 'delegation-client'`) on a mismatch.
 *
 * @example
 * ```ts
 * const d = checkDelegatedClient(readDelegatedCredential(bytes, [subkey, sessionKey]), client)
 * ```
 */
export function checkDelegatedClient(
  d: DelegatedCredential,
  client: Principal,
): DelegatedCredential {
  const ticketInfo = d.info.ticketInfo.map((info, i) => {
    const named: Principal = {
      nameType: info.pname?.nameType ?? client.nameType,
      components: info.pname?.nameString ?? client.components,
      realm: info.prealm ?? client.realm,
    }
    if (!principalEquals(named, client)) {
      throw new KerberosError(
        ErrorCodes.AP_ERROR,
        `delegated credential ${i} is for ${formatPrincipal(named)}, not the authenticated client ${formatPrincipal(client)}`,
        {
          context: {
            reason: 'delegation-client',
            client: formatPrincipal(client),
            delegatedClient: formatPrincipal(named),
          },
        },
      )
    }
    if (info.pname !== undefined && info.prealm !== undefined) return info
    return {
      ...info,
      pname: info.pname ?? { nameType: client.nameType, nameString: [...client.components] },
      prealm: info.prealm ?? client.realm,
    }
  })
  return { ...d, info: { ...d.info, ticketInfo } }
}

/**
 * Decrypt a delegated KRB-CRED (key usage 14). Like MIT's krb5_rd_cred it tries the
 * authenticator subkey, then the session key; Windows may send it unencrypted (etype 0).
 *
 * @example
 * ```ts
 * const { info } = readDelegatedCredential(checksum.delegation, [subkey, sessionKey])
 * ```
 */
export function readDelegatedCredential(
  raw: Uint8Array,
  keys: readonly (KerberosKey | undefined)[],
  options?: CryptoOptions,
): DelegatedCredential {
  const cred = decodeKRBCred(raw)
  // The bytes handed back print as their length only: with etype 0 they hold the session keys.
  const kept = RedactedBytes.copyOf(raw)
  if (cred.encPart.etype === 0) {
    // Sent unencrypted (Heimdal, macOS, some Windows initiators): the "cipher" is the
    // EncKrbCredPart itself, session keys included.
    const cipher = RedactedBytes.copyOf(cred.encPart.cipher)
    const clear: KRBCred = { ...cred, encPart: { ...cred.encPart, cipher } }
    return { cred: clear, info: decodeEncKrbCredPart(cipher), raw: kept }
  }
  for (const key of keys) {
    if (key === undefined || key.enctype !== cred.encPart.etype) continue
    let plain: Uint8Array
    try {
      plain = decrypt(key, KeyUsage.KRB_CRED_ENCPART, cred.encPart.cipher, options)
    } catch {
      continue
    }
    return { cred, info: decodeEncKrbCredPart(plain), raw: kept }
  }
  throw new KerberosError(
    ErrorCodes.AP_ERROR,
    'delegated credential does not decrypt with the subkey or the session key',
    {
      context: { reason: 'delegation', enctype: cred.encPart.etype },
    },
  )
}

/** Channel bindings (RFC 2744 §3.11 `gss_channel_bindings_struct`). */
export interface ChannelBindings {
  readonly initiatorAddrType?: number
  readonly initiatorAddress?: Uint8Array
  readonly acceptorAddrType?: number
  readonly acceptorAddress?: Uint8Array
  /** For TLS: `tls-server-end-point:` + hash of the server certificate (RFC 5929). */
  readonly applicationData?: Uint8Array
}

/**
 * The 16-octet MD5 hash of channel bindings that goes into the GSS checksum (RFC 4121
 * §4.1.1.2): each address type and length as 32-bit little-endian, then the bytes.
 *
 * @example
 * ```ts
 * const hash = channelBindingsHash({ applicationData: utf8('tls-server-end-point:') })
 * ```
 */
export function channelBindingsHash(cb: ChannelBindings): Uint8Array {
  const parts: Uint8Array[] = []
  const u32 = (n: number): Uint8Array => {
    const b = new Uint8Array(4)
    new DataView(b.buffer).setUint32(0, n >>> 0, true)
    return b
  }
  const field = (data: Uint8Array | undefined): void => {
    parts.push(u32(data?.length ?? 0))
    if (data !== undefined) parts.push(data)
  }
  parts.push(u32(cb.initiatorAddrType ?? 0))
  field(cb.initiatorAddress)
  parts.push(u32(cb.acceptorAddrType ?? 0))
  field(cb.acceptorAddress)
  field(cb.applicationData)
  return md5(concatBytes(...parts))
}

/**
 * The tickets of a delegated credential as {@link Credentials}, ready for a `KerberosClient`
 * (`getServiceTicket(spn, { tgt })`) or a ccache. Entries without the names or times a credential
 * needs (KrbCredInfo makes them optional) are skipped.
 *
 * @example
 * ```ts
 * const [tgt] = delegatedCredentials(result.delegated)
 * const backend = await client.getServiceTicket('postgres@db.example.com', { tgt })
 * ```
 */
export function delegatedCredentials(d: DelegatedCredential): Credentials[] {
  const out: Credentials[] = []
  d.info.ticketInfo.forEach((info, i) => {
    const ticket = d.cred.tickets[i]
    if (ticket === undefined || info.pname === undefined || info.sname === undefined) return
    if (info.endtime === undefined) return
    const prealm = info.prealm ?? ticket.realm
    const srealm = info.srealm ?? ticket.realm
    const c: { -readonly [K in keyof Credentials]: Credentials[K] } = {
      client: {
        nameType: info.pname.nameType,
        components: [...info.pname.nameString],
        realm: prealm,
      },
      server: {
        nameType: info.sname.nameType,
        components: [...info.sname.nameString],
        realm: srealm,
      },
      sessionKey: info.key,
      authtime: info.authtime ?? info.starttime ?? info.endtime,
      endtime: info.endtime,
      flags: info.flags ?? 0,
      ticket,
      ticketBytes: ticketDER(ticket),
    }
    if (info.starttime !== undefined) c.starttime = info.starttime
    if (info.renewTill !== undefined) c.renewTill = info.renewTill
    if (ticket.encPart.kvno !== undefined) c.ticketKvno = ticket.encPart.kvno
    out.push(c)
  })
  return out
}

// ---------------------------------------------------------------------------------------------
// Channel bindings: KERB_AP_OPTIONS_CBT and the acceptor's check

/**
 * KERB_AP_OPTIONS_CBT (MS-KILE §2.2.10): in AD-AUTH-DATA-AP-OPTIONS (ad-type 143, a 32-bit
 * little-endian value inside AD-IF-RELEVANT in the authenticator), the initiator says it is aware
 * of channel bindings, so an acceptor that has bindings must find them matching.
 */
export const KERB_AP_OPTIONS_CBT = 0x4000

const MAX_AD_DEPTH = 4

/**
 * The KERB-AP-OPTIONS an initiator put in its authenticator's authorization data (top level or
 * inside AD-IF-RELEVANT, several entries OR'ed together); 0 when there are none. Like MIT, an
 * AD-IF-RELEVANT that does not decode, or an ad-data that is not 4 octets, counts as absent.
 *
 * @example
 * ```ts
 * const cbt = (kerbAPOptions(result.authenticator.authorizationData) & KERB_AP_OPTIONS_CBT) !== 0
 * ```
 */
export function kerbAPOptions(ad: AuthorizationData | undefined, depth = 0): number {
  let out = 0
  for (const e of ad ?? []) {
    if (e.adType === AuthorizationDataType.AP_OPTIONS && e.adData.length === 4) {
      out |= new DataView(e.adData.buffer, e.adData.byteOffset, 4).getUint32(0, true)
    } else if (e.adType === AuthorizationDataType.IF_RELEVANT && depth < MAX_AD_DEPTH) {
      let inner: AuthorizationData
      try {
        inner = decodeADIfRelevant(e.adData)
      } catch {
        continue
      }
      out |= kerbAPOptions(inner, depth + 1)
    }
  }
  return out >>> 0
}

/**
 * Authorization data for an authenticator carrying KERB-AP-OPTIONS (AD-IF-RELEVANT holding
 * ad-type 143), as MIT sends with `client_aware_channel_bindings = true`.
 *
 * @example
 * ```ts
 * makeAPReq({ ..., authorizationData: kerbAPOptionsAD(KERB_AP_OPTIONS_CBT) })
 * ```
 */
export function kerbAPOptionsAD(options: number): AuthorizationData {
  const value = new Uint8Array(4)
  new DataView(value.buffer).setUint32(0, options >>> 0, true)
  return [
    {
      adType: AuthorizationDataType.IF_RELEVANT,
      adData: encodeADIfRelevant([{ adType: AuthorizationDataType.AP_OPTIONS, adData: value }]),
    },
  ]
}

/** What {@link checkChannelBindings} compares. */
export interface ChannelBindingsCheck {
  /** The acceptor's bindings hash (16 octets), or undefined when it has none. */
  readonly ours?: Uint8Array
  /** The Bnd field of the initiator's 0x8003 checksum (16 octets; zeros for none). */
  readonly theirs: Uint8Array
  /** The initiator set KERB_AP_OPTIONS_CBT. */
  readonly initiatorRequires: boolean
  /** The acceptor refuses initiators that did not bind to its channel. */
  readonly acceptorRequires: boolean
}

function bindingsError(reason: string, message: string): KerberosError {
  return new KerberosError(ErrorCodes.BAD_BINDINGS, message, { context: { reason } })
}

/**
 * The acceptor's channel-binding decision (RFC 4121 §4.1.1.2 with MIT's and MS-KILE's rules):
 * non-zero bindings from the initiator must equal ours; zero bindings are accepted unless the
 * initiator set KERB_AP_OPTIONS_CBT or the acceptor requires bindings. Returns true when the
 * context is channel-bound; throws ERR_KRB_BAD_BINDINGS otherwise. Without bindings of our own
 * nothing is compared (as MIT), and `acceptorRequires` is a programming error.
 *
 * @example
 * ```ts
 * const bound = checkChannelBindings({ ours, theirs: gss.bindings, initiatorRequires: false, acceptorRequires: true })
 * ```
 */
export function checkChannelBindings(c: ChannelBindingsCheck): boolean {
  if (c.theirs.length !== 16)
    throw bindingsError('length', `channel bindings hash of ${c.theirs.length} octets, expected 16`)
  if (c.ours === undefined) {
    if (c.acceptorRequires) throw new TypeError('requireChannelBindings needs channel bindings')
    return false
  }
  if (c.ours.length !== 16)
    throw new RangeError(`expected a 16-octet channel bindings hash, got ${c.ours.length}`)
  if (c.theirs.every((b) => b === 0)) {
    if (c.initiatorRequires)
      throw bindingsError(
        'missing',
        'the initiator asked for channel bindings (KERB_AP_OPTIONS_CBT) but sent none',
      )
    if (c.acceptorRequires)
      throw bindingsError('missing', 'channel bindings are required but the initiator sent none')
    return false
  }
  if (!constantTimeEqual(c.ours, c.theirs))
    throw bindingsError('mismatch', 'channel bindings do not match')
  return true
}
