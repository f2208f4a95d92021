/**
 * One error base for everything that goes wrong with data or protocol: {@link KerberosError}
 * with a stable `code`. Argument misuse (wrong types, wrong key lengths) throws
 * `TypeError`/`RangeError` instead.
 *
 * @module
 */
import { errorCodeName } from './iana.js'

/**
 * Stable error codes. Match on `err.code`, never on the message text.
 */
export const ErrorCodes = {
  /** DER input is malformed or truncated; `context` names the structure and offset. */
  ASN1_DECODE: 'ERR_KRB_ASN1_DECODE',
  /** A value cannot be encoded (out of range, too long). */
  ASN1_ENCODE: 'ERR_KRB_ASN1_ENCODE',
  /** A ciphertext or checksum failed its integrity check. The message is always the same. */
  INTEGRITY: 'ERR_KRB_INTEGRITY',
  /** The encryption type is not implemented (DES, DES3) or not known. */
  UNSUPPORTED_ENCTYPE: 'ERR_KRB_UNSUPPORTED_ENCTYPE',
  /** The checksum type is not implemented or not known. */
  UNSUPPORTED_CHECKSUM: 'ERR_KRB_UNSUPPORTED_CHECKSUM',
  /** A weak enctype (rc4-hmac) was used without opting in. */
  WEAK_CRYPTO: 'ERR_KRB_WEAK_CRYPTO',
  /** string-to-key parameters are invalid or below the enctype's minimum. */
  S2K_PARAMS: 'ERR_KRB_S2K_PARAMS',
  /** A principal name cannot be parsed. */
  PRINCIPAL_FORMAT: 'ERR_KRB_PRINCIPAL_FORMAT',
  /** A keytab file is malformed or truncated. */
  KEYTAB_FORMAT: 'ERR_KRB_KEYTAB_FORMAT',
  /** No key in the keytab fits a lookup; see {@link KeytabLookupError}. */
  KEYTAB_NO_KEY: 'ERR_KRB_KEYTAB_NO_KEY',
  /** A credential cache file is malformed or truncated. */
  CCACHE_FORMAT: 'ERR_KRB_CCACHE_FORMAT',
  /** A credential cache does not exist or holds no matching credential. */
  CCACHE_NOT_FOUND: 'ERR_KRB_CCACHE_NOT_FOUND',
  /** The ccache type (KEYRING:, KCM:, API:) is not supported. */
  UNSUPPORTED_CCACHE_TYPE: 'ERR_KRB_UNSUPPORTED_CCACHE_TYPE',
  /** krb5.conf is malformed, or a value in it is invalid. */
  CONFIG: 'ERR_KRB_CONFIG',
  /** The KDC answered with a KRB-ERROR; see {@link KDCError}. */
  KDC_ERROR: 'ERR_KRB_KDC_ERROR',
  /** No KDC answered; `context.attempts` lists every try. */
  KDC_UNREACHABLE: 'ERR_KRB_KDC_UNREACHABLE',
  /** A KDC reply failed a check (nonce, names, message type, times, integrity). */
  KDC_REPLY: 'ERR_KRB_KDC_REPLY',
  /** A transport frame was malformed or over the size bound. */
  TRANSPORT: 'ERR_KRB_TRANSPORT',
  /** The operation was aborted through its AbortSignal. */
  ABORTED: 'ERR_KRB_ABORTED',
  /** Referral chasing went past its bound or looped. */
  REFERRAL: 'ERR_KRB_REFERRAL',
  /** No usable credentials (no TGT, no password, no keytab entry for login). */
  NO_CREDENTIALS: 'ERR_KRB_NO_CREDENTIALS',
  /** An AP-REQ or AP-REP was refused; `context.reason` says why. */
  AP_ERROR: 'ERR_KRB_AP_ERROR',
  /** Clock skew between the two sides is larger than allowed. */
  CLOCK_SKEW: 'ERR_KRB_CLOCK_SKEW',
  /** A request was seen before (replay cache hit). */
  REPLAY: 'ERR_KRB_REPLAY',
  /** A ticket is expired, not yet valid, or marked INVALID. */
  TICKET_TIME: 'ERR_KRB_TICKET_TIME',
  /** A GSS-API token is malformed, or the context is in the wrong state. */
  GSS_TOKEN: 'ERR_KRB_GSS_TOKEN',
  /** A GSS per-message token is a duplicate, out of order, or too old. */
  GSS_SEQUENCE: 'ERR_KRB_GSS_SEQUENCE',
  /** A SPNEGO token is malformed or proposes no mechanism we support. */
  SPNEGO: 'ERR_KRB_SPNEGO',
  /** The client sent NTLMSSP instead of Kerberos: it had no ticket for the SPN it used. */
  SPNEGO_NTLM_TOKEN: 'ERR_SPNEGO_NTLM_TOKEN',
  /** An HTTP Authorization header is malformed or oversized. */
  HTTP_NEGOTIATE: 'ERR_KRB_HTTP_NEGOTIATE',
  /** A feature the peer asked for is not implemented. */
  UNSUPPORTED: 'ERR_KRB_UNSUPPORTED',
  /** GSS channel bindings differ from the acceptor's, or are missing where required. */
  BAD_BINDINGS: 'ERR_KRB_BAD_BINDINGS',
  /** The replay cache is full of unexpired entries and set to fail closed (`whenFull: 'refuse'`). */
  REPLAY_CACHE_FULL: 'ERR_KRB_REPLAY_CACHE_FULL',
  /**
   * A credential file (ccache, keytab) or `DIR:` collection is unsafe to use: a symbolic link, not
   * a regular file/directory, owned by another user, or a group/other-writable collection;
   * `context` has `path` and `reason`.
   */
  UNSAFE_FILE: 'ERR_KRB_UNSAFE_FILE',
  /** An MS-PAC or one of its NDR buffers is malformed; `context` names the buffer and offset. */
  PAC_FORMAT: 'ERR_KRB_PAC_FORMAT',
  /** An MS-PAC failed verification (signature, client info, missing buffer); `context.reason` says which. */
  PAC_VERIFY: 'ERR_KRB_PAC_VERIFY',
  /**
   * A kpasswd server (RFC 3244) refused a password change or set; `context` has `resultCode`,
   * `resultName`, `authenticated` (false: the refusal came in an unprotected KRB-ERROR) and, for
   * Active Directory, the decoded `policy`.
   */
  KPASSWD: 'ERR_KRB_KPASSWD',
  /** A kpasswd reply is malformed or fails a check (framing, AP-REP, KRB-PRIV, sequence number). */
  KPASSWD_REPLY: 'ERR_KRB_KPASSWD_REPLY',
  /** A keytab rotation failed; `context.step` says at which step (the keytab is left as it was). */
  KEYTAB_ROTATE: 'ERR_KRB_KEYTAB_ROTATE',
  /**
   * A shared replay cache (Redis) did not answer in time, failed, or has too many requests
   * waiting, and is set to fail closed: the request is refused (HTTP answers 503).
   */
  REPLAY_CACHE_UNAVAILABLE: 'ERR_KRB_REPLAY_CACHE_UNAVAILABLE',
  /**
   * FAST (RFC 6113) armoring is needed but cannot happen: the KDC offers only FAST
   * preauthentication and no armor was given, `fast: 'required'` without armor, or a KDC that
   * does not answer armored requests. See docs/fast.md.
   */
  FAST_REQUIRED: 'ERR_KRB_FAST_REQUIRED',
  /**
   * Constrained delegation (S4U2Proxy) cannot be asked for: the evidence ticket is not
   * forwardable, or names another service; `context.reason` says which.
   */
  DELEGATION: 'ERR_KRB_DELEGATION',
} as const

/** Every stable error code. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

/** Context attached to an error: offsets, principals, kvnos, enctypes. Never key material. */
export type ErrorContext = Readonly<Record<string, unknown>>

/** Options for {@link KerberosError}. */
export interface KerberosErrorOptions {
  readonly cause?: unknown
  readonly context?: ErrorContext
  /** What to do about it, and where the docs say more (`docs/troubleshooting.md#anchor`). */
  readonly hint?: string
}

/**
 * The base of every data and protocol error in kerberos-ts.
 *
 * @example
 * ```ts
 * import { KerberosError } from 'kerberos-ts/errors'
 * try {
 *   parseKeytab(bytes)
 * } catch (err) {
 *   if (err instanceof KerberosError && err.code === 'ERR_KRB_KEYTAB_FORMAT') console.log(err.context)
 * }
 * ```
 */
export class KerberosError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode
  /** Where and what: offsets, principal, kvno, enctype. Never keys or passwords. */
  readonly context: ErrorContext
  /** What to do about it, with a pointer into `docs/troubleshooting.md`; not every error has one. */
  readonly hint: string | undefined

  constructor(code: ErrorCode, message: string, options: KerberosErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.context = options.context ?? {}
    this.hint = options.hint
  }

  override get name(): string {
    return 'KerberosError'
  }
}

/** What a decoded KRB-ERROR carries (RFC 4120 §5.9.1), as plain values. */
export interface KDCErrorInfo {
  /** The RFC 4120 §7.5.9 error number. */
  readonly errorCode: number
  /** e-text, when the KDC sent one. */
  readonly eText?: string
  /** e-data bytes as sent (METHOD-DATA, TYPED-DATA, ...). */
  readonly eData?: Uint8Array
  /** The KDC's clock (stime + susec). */
  readonly serverTime?: Date
  /** The realm and server principal the error names, for messages. */
  readonly realm?: string
  readonly server?: string
  readonly client?: string
}

/** Options for {@link KDCError}: what the client knows about the request the error answers. */
export interface KDCErrorOptions {
  readonly cause?: unknown
  /** Replaces `for <client>: <e-text>` after the error name: what was asked and what went wrong. */
  readonly detail?: string
  /** Added to the context (the request's server, the keytab kvno and enctype, the KDC's time). */
  readonly context?: ErrorContext
  /** What to do about it, with a pointer into `docs/troubleshooting.md`. */
  readonly hint?: string
}

/**
 * A KRB-ERROR from a KDC or a peer, with its number and RFC name
 * (for example 24 / `KDC_ERR_PREAUTH_FAILED`).
 *
 * @example
 * ```ts
 * if (err instanceof KDCError && err.errorName === 'KDC_ERR_PREAUTH_FAILED') askAgain()
 * ```
 */
export class KDCError extends KerberosError {
  readonly errorCode: number
  /** The RFC 4120 name, e.g. `KDC_ERR_C_PRINCIPAL_UNKNOWN`, or `UNKNOWN_<n>`. */
  readonly errorName: string
  readonly eText: string | undefined
  readonly eData: Uint8Array | undefined
  readonly serverTime: Date | undefined

  constructor(info: KDCErrorInfo, options: KDCErrorOptions = {}) {
    const errorName = errorCodeName(info.errorCode)
    const who = info.client !== undefined ? ` for ${info.client}` : ''
    const text = info.eText ? `: ${info.eText}` : ''
    const detail = options.detail !== undefined ? `: ${options.detail}` : `${who}${text}`
    super(ErrorCodes.KDC_ERROR, `KDC error ${info.errorCode} ${errorName}${detail}`, {
      cause: options.cause,
      context: {
        errorCode: info.errorCode,
        errorName,
        realm: info.realm,
        server: info.server,
        client: info.client,
        ...options.context,
      },
      ...(options.hint !== undefined ? { hint: options.hint } : {}),
    })
    this.errorCode = info.errorCode
    this.errorName = errorName
    this.eText = info.eText
    this.eData = info.eData
    this.serverTime = info.serverTime
  }

  override get name(): string {
    return 'KDCError'
  }
}

/** Why a keytab lookup (or an acceptor's key search) found no usable key. */
export type KeytabLookupReason =
  'principal-not-found' | 'kvno-not-found' | 'enctype-not-found' | 'cannot-decrypt'

/** One key the keytab holds, as listed in a {@link KeytabLookupError}. */
export interface KeytabKeyInfo {
  readonly kvno: number
  readonly enctype: number
}

/** Data carried by {@link KeytabLookupError}. */
export interface KeytabLookupInfo {
  readonly reason: KeytabLookupReason
  readonly principal: string
  readonly kvno?: number
  readonly enctype?: number
  /** What the keytab holds for that principal. */
  readonly available: readonly KeytabKeyInfo[]
}

/**
 * No key fits: the principal is missing, the kvno is missing (and which side is out of date),
 * the enctype is missing, or keys exist but none decrypts. Code `ERR_KRB_KEYTAB_NO_KEY`.
 */
export class KeytabLookupError extends KerberosError {
  readonly reason: KeytabLookupReason
  readonly principal: string
  readonly kvno: number | undefined
  readonly enctype: number | undefined
  readonly available: readonly KeytabKeyInfo[]

  constructor(info: KeytabLookupInfo, message: string, options: { readonly cause?: unknown } = {}) {
    super(ErrorCodes.KEYTAB_NO_KEY, message, {
      cause: options.cause,
      context: {
        reason: info.reason,
        principal: info.principal,
        kvno: info.kvno,
        enctype: info.enctype,
        available: info.available,
      },
    })
    this.reason = info.reason
    this.principal = info.principal
    this.kvno = info.kvno
    this.enctype = info.enctype
    this.available = info.available
  }

  override get name(): string {
    return 'KeytabLookupError'
  }
}

/** True when `err` is a {@link KerberosError}, optionally with the given code. */
export function isKerberosError(err: unknown, code?: ErrorCode): err is KerberosError {
  return err instanceof KerberosError && (code === undefined || err.code === code)
}
