/**
 * The kpasswd protocol (RFC 3244; MS-KILE for AD's soft-error policy blob), sans I/O: build a
 * change-password (version 1) or set-password (0xff80) request — an AP-REQ for
 * `kadmin/changepw` with a fresh subkey and sequence number, then a KRB-PRIV encrypted in that
 * subkey — and read the server's reply (AP-REP + KRB-PRIV, or an unprotected KRB-ERROR).
 *
 * ```text
 * request/reply = message length (2) | version (2) | AP-REQ/AP-REP length (2) | AP-REQ/AP-REP | KRB-PRIV/KRB-ERROR
 * ChangePasswdData ::= SEQUENCE {
 *   newpasswd [0] OCTET STRING,
 *   targname  [1] PrincipalName OPTIONAL,
 *   targrealm [2] Realm OPTIONAL
 * }
 * ```
 *
 * @module
 */
import { DerWriter, Tag, encodeWith, writeField, wOctets, wString } from '../asn1/der.js'
import {
  decodeAPRep,
  decodeEncKrbPrivPart,
  decodeKRBError,
  decodeKRBPriv,
  encodeEncKrbPrivPart,
  encodeKRBPriv,
  hasFlag,
  principalToName,
  type EncKrbPrivPart,
  type HostAddress,
} from '../asn1/index.js'
import { writePrincipalName } from '../asn1/basic.js'
import { decrypt, encrypt, randomKey } from '../crypto/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { KeyUsage, TicketFlags } from '../iana.js'
import { fromUtf8, randomBytes, utf8, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import { formatPrincipal, type Principal } from '../principal.js'
import { makeAPReq, randomSeqNumber } from './ap-req.js'
import { verifyAPRep } from './ap-rep.js'
import type { Credentials } from './kdc-rep.js'

/** kpasswd protocol versions: RFC 3244 change (1) and set (0xff80). */
export const KpasswdVersion = { CHANGE: 1, SET: 0xff80 } as const
export type KpasswdVersion = (typeof KpasswdVersion)[keyof typeof KpasswdVersion]

/** kpasswd result codes (RFC 3244 §2; 8–10 from the set-password draft, as MIT names them). */
export const KpasswdResultCode = {
  KRB5_KPASSWD_SUCCESS: 0,
  KRB5_KPASSWD_MALFORMED: 1,
  KRB5_KPASSWD_HARDERROR: 2,
  KRB5_KPASSWD_AUTHERROR: 3,
  KRB5_KPASSWD_SOFTERROR: 4,
  KRB5_KPASSWD_ACCESSDENIED: 5,
  KRB5_KPASSWD_BAD_VERSION: 6,
  KRB5_KPASSWD_INITIAL_FLAG_NEEDED: 7,
  KRB5_KPASSWD_POLICY_REJECT: 8,
  KRB5_KPASSWD_BAD_PRINCIPAL: 9,
  KRB5_KPASSWD_ETYPE_NOSUPP: 10,
} as const
export type KpasswdResultCode = (typeof KpasswdResultCode)[keyof typeof KpasswdResultCode]

/** The name of a kpasswd result code, e.g. `KRB5_KPASSWD_SOFTERROR`, or `UNKNOWN_<n>`. */
export function kpasswdResultName(code: number): string {
  for (const [name, n] of Object.entries(KpasswdResultCode)) if (n === code) return name
  return `UNKNOWN_${code}`
}

/** The kpasswd service principal of a realm, `kadmin/changepw@REALM`. */
export function kpasswdPrincipal(realm: string): Principal {
  return { components: ['kadmin', 'changepw'], realm, nameType: 1 }
}

/** Active Directory's password policy, sent with KRB5_KPASSWD_SOFTERROR (MS-KILE). */
export interface ADPolicyInfo {
  readonly minPasswordLength: number
  readonly passwordHistoryLength: number
  /** DOMAIN_PASSWORD_* bits; 1 = complexity required. */
  readonly passwordProperties: number
  /** Maximum password age in seconds (0: none). */
  readonly maxPasswordAgeSeconds: number
  /** Minimum password age in seconds (0: none). */
  readonly minPasswordAgeSeconds: number
}

const AD_POLICY_LENGTH = 30
const DOMAIN_PASSWORD_COMPLEX = 1

function ageSeconds(v: DataView, at: number): number {
  // 100 ns intervals; AD sends them as a (possibly negative) 64-bit value.
  const ticks = v.getBigInt64(at)
  const abs = ticks < 0n ? -ticks : ticks
  return Number(abs / 10_000_000n)
}

/**
 * Decode AD's 30-octet policy blob (a zero 16-bit marker, then minimum length, history length,
 * properties as 32-bit and max/min age as 64-bit big-endian 100 ns counts), or `undefined`
 * when `resultString` is not one.
 *
 * @example
 * ```ts
 * decodeADPolicy(reply.resultBytes)?.minPasswordLength
 * ```
 */
export function decodeADPolicy(resultString: Uint8Array): ADPolicyInfo | undefined {
  if (resultString.length !== AD_POLICY_LENGTH) return undefined
  if (resultString[0] !== 0 || resultString[1] !== 0) return undefined
  const v = new DataView(resultString.buffer, resultString.byteOffset, resultString.length)
  return {
    minPasswordLength: v.getUint32(2),
    passwordHistoryLength: v.getUint32(6),
    passwordProperties: v.getUint32(10),
    maxPasswordAgeSeconds: ageSeconds(v, 14),
    minPasswordAgeSeconds: ageSeconds(v, 22),
  }
}

/** A readable sentence for AD's policy (the facts MIT's `krb5_chpw_message` prints). */
export function describeADPolicy(p: ADPolicyInfo): string {
  const parts: string[] = []
  if (p.minPasswordLength > 0)
    parts.push(`the password must be at least ${p.minPasswordLength} characters long`)
  if ((p.passwordProperties & DOMAIN_PASSWORD_COMPLEX) !== 0)
    parts.push(
      'it must contain characters from three of: upper case, lower case, digits, symbols, and not the account name',
    )
  if (p.passwordHistoryLength > 0)
    parts.push(`it must differ from the last ${p.passwordHistoryLength} passwords`)
  if (p.minPasswordAgeSeconds > 0) {
    const days = Math.floor(p.minPasswordAgeSeconds / 86400)
    const hours = Math.floor(p.minPasswordAgeSeconds / 3600)
    parts.push(
      days > 0
        ? `it cannot be changed again within ${days} day(s) of the last change`
        : `it cannot be changed again within ${hours} hour(s) of the last change`,
    )
  }
  if (parts.length === 0) return 'the password does not meet the domain policy'
  return `password policy: ${parts.join('; ')}`
}

/** Options for {@link buildKpasswdRequest}. */
export interface KpasswdRequestOptions {
  /** An INITIAL ticket for `kadmin/changepw` (from an AS exchange). */
  readonly credentials: Credentials
  readonly newPassword: string
  /** Set-password (0xff80) for this principal; without it, change-password (version 1). */
  readonly target?: Principal
  /** Use the set-password format even without a target (the target is then the client). */
  readonly setPassword?: boolean
  /**
   * The KRB-PRIV s-address (RFC 4120 makes it mandatory; MIT does not compare it, Heimdal and
   * Samba compare it with the address they see); default IPv4 127.0.0.1.
   */
  readonly senderAddress?: HostAddress
  /** The client clock, corrected by any KDC offset. */
  readonly now?: Date
  readonly random?: RandomSource
  readonly allowWeak?: boolean
}

/** A HostAddress from an IP literal (`10.0.0.1`, `::1`); IPv4-mapped IPv6 becomes IPv4. */
export function hostAddressFromIP(ip: string): HostAddress {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  const v4 = mapped?.[1] ?? ip
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(v4)
  if (m !== null) return { addrType: 2, address: new Uint8Array(m.slice(1, 5).map(Number)) }
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::')
  const groups = (x: string): number[] => (x === '' ? [] : x.split(':').map((g) => parseInt(g, 16)))
  const h = groups(head)
  const t = groups(tail)
  const all = ip.includes('::')
    ? [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t]
    : h
  if (all.length !== 8 || all.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff))
    throw new TypeError(`expected an IPv4 or IPv6 address, got ${ip}`)
  const out = new Uint8Array(16)
  all.forEach((g, i) => {
    out[2 * i] = g >> 8
    out[2 * i + 1] = g & 0xff
  })
  return { addrType: 24, address: out }
}

const LOOPBACK: HostAddress = { addrType: 2, address: new Uint8Array([127, 0, 0, 1]) }

/** A built kpasswd request and what is needed to check the reply. */
export interface KpasswdRequest {
  readonly bytes: Uint8Array
  readonly version: KpasswdVersion
  readonly sessionKey: KerberosKey
  readonly subkey: KerberosKey
  readonly ctime: Date
  readonly cusec: number
  /** The sequence number of our KRB-PRIV (the one the AP-REQ announced). */
  readonly seqNumber: number
  readonly client: Principal
  readonly target?: Principal
  /**
   * The same request (same AP-REQ, subkey and sequence number) with another KRB-PRIV s-address,
   * for transports that learn the local address only when they pick a server.
   */
  readonly withSenderAddress: (address: HostAddress) => Uint8Array
}

function writeChangePasswdData(
  w: DerWriter,
  v: { readonly password: Uint8Array; readonly target?: Principal },
): void {
  const m = w.size
  if (v.target !== undefined) {
    const t = principalToName(v.target)
    writeField(w, 2, t.realm, wString)
    writeField(w, 1, t.name, writePrincipalName)
  }
  writeField(w, 0, v.password, wOctets)
  w.wrap(Tag.SEQUENCE, m)
}

function u16(n: number): Uint8Array {
  return new Uint8Array([(n >>> 8) & 0xff, n & 0xff])
}

function frame(version: number, ap: Uint8Array, priv: Uint8Array): Uint8Array {
  const total = 6 + ap.length + priv.length
  if (total > 0xffff || ap.length > 0xffff) {
    throw new RangeError(`expected a kpasswd message under 65536 octets, got ${total}`)
  }
  const out = new Uint8Array(total)
  out.set(u16(total), 0)
  out.set(u16(version), 2)
  out.set(u16(ap.length), 4)
  out.set(ap, 6)
  out.set(priv, 6 + ap.length)
  return out
}

/**
 * Build a kpasswd request (RFC 3244 §2): an AP-REQ with a fresh subkey of the session key's
 * enctype and a random sequence number, then a KRB-PRIV (key usage 13) encrypted in that subkey
 * carrying the new password (version 1) or a ChangePasswdData (0xff80) with the timestamp and
 * the announced sequence number.
 *
 * @example
 * ```ts
 * const req = buildKpasswdRequest({ credentials: changepwCreds, newPassword })
 * const reply = readKpasswdReply(await send(req.bytes), req)
 * ```
 */
export function buildKpasswdRequest(o: KpasswdRequestOptions): KpasswdRequest {
  if (typeof o.newPassword !== 'string') throw new TypeError('expected newPassword as a string')
  const creds = o.credentials
  const random = o.random ?? randomBytes
  const allowWeak = o.allowWeak === true
  const subkey = randomKey(creds.sessionKey.enctype, { random, allowWeak })
  const seqNumber = randomSeqNumber(random)
  const now = o.now ?? new Date()
  const ap = makeAPReq({
    ticket: creds.ticket,
    sessionKey: creds.sessionKey,
    client: creds.client,
    subkey,
    seqNumber,
    now,
    random,
    allowWeak,
  })
  const set = o.target !== undefined || o.setPassword === true
  const version = set ? KpasswdVersion.SET : KpasswdVersion.CHANGE
  const encode = (sAddress: HostAddress): Uint8Array => {
    const password = utf8(o.newPassword)
    const userData = set
      ? encodeWith(
          { password, ...(o.target !== undefined ? { target: o.target } : {}) },
          writeChangePasswdData,
        )
      : password
    const plain = encodeEncKrbPrivPart({
      userData,
      timestamp: ap.ctime,
      usec: ap.cusec,
      seqNumber,
      sAddress,
    })
    const cipher = encrypt(subkey, KeyUsage.KRB_PRIV_ENCPART, plain, { random, allowWeak })
    password.fill(0)
    userData.fill(0)
    plain.fill(0)
    const priv = encodeKRBPriv({ pvno: 5, msgType: 21, encPart: { etype: subkey.enctype, cipher } })
    return frame(version, ap.bytes, priv)
  }
  return {
    bytes: encode(o.senderAddress ?? LOOPBACK),
    withSenderAddress: encode,
    version,
    sessionKey: creds.sessionKey,
    subkey,
    ctime: ap.ctime,
    cusec: ap.cusec,
    seqNumber,
    client: creds.client,
    ...(o.target !== undefined ? { target: o.target } : {}),
  }
}

/** A decoded kpasswd result. */
export interface KpasswdReply {
  readonly resultCode: number
  /** `KRB5_KPASSWD_SUCCESS`, `KRB5_KPASSWD_SOFTERROR`, ... */
  readonly resultName: string
  /** The result string as text (empty when it was AD's policy blob or absent). */
  readonly resultString: string
  /** AD's policy, when the result string was the policy blob. */
  readonly policy?: ADPolicyInfo
  /**
   * True when the result came in a KRB-PRIV that decrypted with our subkey and carried the
   * server's announced sequence number; false for a KRB-ERROR (anyone on the path can forge it).
   */
  readonly authenticated: boolean
  /** One readable sentence: the result string, the decoded policy, or the code's name. */
  readonly message: string
}

function replyError(reason: string, message: string, cause?: unknown): KerberosError {
  return new KerberosError(ErrorCodes.KPASSWD_REPLY, message, {
    context: { reason },
    ...(cause === undefined ? {} : { cause }),
  })
}

/** Decode `result code (2) | result string` from KRB-PRIV user-data or KRB-ERROR e-data. */
function readResult(data: Uint8Array, authenticated: boolean): KpasswdReply {
  if (data.length < 2)
    throw replyError('result', `kpasswd result is ${data.length} octets, expected at least 2`)
  const resultCode = (data[0]! << 8) | data[1]!
  const rest = data.subarray(2)
  const policy =
    resultCode === KpasswdResultCode.KRB5_KPASSWD_SOFTERROR ? decodeADPolicy(rest) : undefined
  const text =
    policy === undefined
      ? fromUtf8(rest)
          .replace(/[\u0000-\u001f\u007f]/g, ' ')
          .trim()
          .slice(0, 512)
      : ''
  const resultName = kpasswdResultName(resultCode)
  const message = policy !== undefined ? describeADPolicy(policy) : text !== '' ? text : resultName
  return {
    resultCode,
    resultName,
    resultString: text,
    ...(policy !== undefined ? { policy } : {}),
    authenticated,
    message,
  }
}

function readU16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!
}

/** An unprotected KRB-ERROR (framed with an empty AP-REP, or bare). */
function readErrorReply(bytes: Uint8Array): KpasswdReply {
  let err
  try {
    err = decodeKRBError(bytes)
  } catch (e) {
    throw replyError('decode', 'kpasswd reply holds a malformed KRB-ERROR', e)
  }
  if (err.eData !== undefined && err.eData.length >= 2) {
    const r = readResult(err.eData, false)
    // A success claimed without a KRB-PRIV is not a success.
    if (r.resultCode !== 0) return r
  }
  const text = err.eText !== undefined ? `: ${err.eText.slice(0, 200)}` : ''
  return {
    resultCode: KpasswdResultCode.KRB5_KPASSWD_HARDERROR,
    resultName: 'KRB5_KPASSWD_HARDERROR',
    resultString: err.eText?.slice(0, 200) ?? '',
    authenticated: false,
    message: `kpasswd server sent KRB-ERROR ${err.errorCode}${text}`,
  }
}

/**
 * Read a kpasswd reply to `request` (RFC 3244 §2): check the framing, verify the AP-REP against
 * our authenticator, decrypt the KRB-PRIV with the AP-REP's subkey (else ours), require the
 * sequence number the AP-REP announced, and decode the result (with AD's policy blob). A
 * KRB-ERROR is returned with `authenticated: false` and never as a success. Anything malformed
 * or failing a check throws `ERR_KRB_KPASSWD_REPLY` (`context.reason`).
 *
 * @example
 * ```ts
 * const r = readKpasswdReply(replyBytes, req)
 * if (r.resultCode !== 0) throw new Error(r.message)
 * ```
 */
export function readKpasswdReply(bytes: Uint8Array, request: KpasswdRequest): KpasswdReply {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('expected the reply as a Uint8Array')
  if (bytes.length > 0 && (bytes[0] === 0x7e || bytes[0] === 0x5e)) return readErrorReply(bytes)
  if (bytes.length < 6)
    throw replyError('framing', `kpasswd reply is ${bytes.length} octets, expected at least 6`)
  const length = readU16(bytes, 0)
  if (length !== bytes.length)
    throw replyError('framing', `kpasswd reply says ${length} octets, got ${bytes.length}`)
  const version = readU16(bytes, 2)
  // MIT and AD answer version 1 to both; 0xff80 is accepted too.
  if (version !== 1 && version !== KpasswdVersion.SET)
    throw replyError('version', `kpasswd reply has version ${version}, expected 1 or 0xff80`)
  const apLen = readU16(bytes, 4)
  if (6 + apLen > bytes.length)
    throw replyError('framing', `kpasswd reply AP-REP length ${apLen} runs past the reply`)
  const rest = bytes.subarray(6 + apLen)
  if (apLen === 0) return readErrorReply(rest)
  const apRep = bytes.subarray(6, 6 + apLen)
  let part
  try {
    decodeAPRep(apRep)
    part = verifyAPRep(apRep, {
      sessionKey: request.sessionKey,
      ctime: request.ctime,
      cusec: request.cusec,
      allowWeak: true,
    })
  } catch (e) {
    throw replyError('ap-rep', 'kpasswd reply AP-REP does not verify against our request', e)
  }
  if (rest.length > 0 && (rest[0] === 0x7e || rest[0] === 0x5e)) return readErrorReply(rest)
  const key = part.subkey ?? request.subkey
  let priv: EncKrbPrivPart
  try {
    const msg = decodeKRBPriv(rest)
    const plain = decrypt(key, KeyUsage.KRB_PRIV_ENCPART, msg.encPart.cipher, { allowWeak: true })
    priv = decodeEncKrbPrivPart(plain)
  } catch (e) {
    throw replyError(
      'krb-priv',
      'kpasswd reply KRB-PRIV does not decrypt with the negotiated key',
      e,
    )
  }
  if (part.seqNumber !== undefined || priv.seqNumber !== undefined) {
    if (part.seqNumber === undefined || priv.seqNumber !== part.seqNumber) {
      throw replyError(
        'sequence',
        `kpasswd reply KRB-PRIV has sequence number ${priv.seqNumber ?? 'none'}, expected ${part.seqNumber ?? 'none'} from the AP-REP`,
      )
    }
  }
  return readResult(priv.userData, true)
}

/** Check a ticket is usable for kpasswd: for `kadmin/changepw` and INITIAL (MIT requires it). */
export function checkKpasswdTicket(creds: Credentials): void {
  if (!hasFlag(creds.flags, TicketFlags.INITIAL)) {
    throw new KerberosError(
      ErrorCodes.NO_CREDENTIALS,
      `kpasswd needs an INITIAL ticket for kadmin/changepw (from an AS exchange), got one for ${formatPrincipal(creds.server)} without INITIAL`,
      { context: { server: formatPrincipal(creds.server) } },
    )
  }
}

/** The error to throw for a reply that is not a success. */
export function kpasswdError(reply: KpasswdReply, who: string): KerberosError {
  const how = reply.authenticated ? '' : ' (unauthenticated KRB-ERROR)'
  return new KerberosError(
    ErrorCodes.KPASSWD,
    `kpasswd refused the password for ${who}: ${reply.resultName}${how}: ${reply.message}`,
    {
      context: {
        principal: who,
        resultCode: reply.resultCode,
        resultName: reply.resultName,
        authenticated: reply.authenticated,
        ...(reply.policy !== undefined ? { policy: reply.policy } : {}),
      },
    },
  )
}
