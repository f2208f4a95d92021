/**
 * Shared pieces of the embedded KDC: options, the request context, KRB-ERROR replies, times,
 * enctype choice.
 *
 * @module
 */
import { encodeKRBError } from '../asn1/error.js'
import { encodeMethodData } from '../asn1/basic.js'
import type { EncryptedData, KRBError, PAData, PrincipalName } from '../asn1/types.js'
import { isEnctypeSupported } from '../crypto/index.js'
import { EncType } from '../iana.js'
import type { RandomSource } from '../internal/bytes.js'
import type { Principal } from '../principal.js'
import type { KDCKey, KDCPrincipal, PrincipalDatabase } from './database.js'

/** Options of {@link KDC}. */
export interface KDCOptions {
  /** The realm this KDC serves. */
  readonly realm: string
  /** The principals, including `krbtgt/REALM@REALM` (and `krbtgt/OTHER@REALM` for cross-realm). */
  readonly database: PrincipalDatabase
  /** Enctypes allowed for tickets, reply keys and session keys, in preference order. */
  readonly enctypes?: readonly number[]
  /** Allow rc4-hmac (23) where the principal has such a key. Default false. */
  readonly allowWeakCrypto?: boolean
  /** Allowed clock difference in seconds (default 300). */
  readonly clockSkew?: number
  /** Default longest ticket life, seconds (default 10 h). */
  readonly maxLife?: number
  /** Default longest renewable life, seconds (default 7 days). */
  readonly maxRenewableLife?: number
  /** Put a PAC in tickets even when the client does not ask (MIT does). Default false. */
  readonly alwaysPac?: boolean
  /**
   * Where a service not in this realm lives (a referral, RFC 6806): return a realm this KDC
   * shares a `krbtgt/THAT@THIS` key with, or undefined.
   */
  readonly referral?: (server: Principal) => string | undefined
  readonly now?: () => number
  readonly random?: RandomSource
}

/** The default enctype policy: aes-sha1, aes-sha2, camellia; rc4 only when allowed. */
export const DEFAULT_KDC_ENCTYPES: readonly number[] = [
  EncType.AES256_CTS_HMAC_SHA1_96,
  EncType.AES128_CTS_HMAC_SHA1_96,
  EncType.AES256_CTS_HMAC_SHA384_192,
  EncType.AES128_CTS_HMAC_SHA256_128,
  EncType.CAMELLIA256_CTS_CMAC,
  EncType.CAMELLIA128_CTS_CMAC,
]

/** A refusal: becomes a KRB-ERROR. */
export class KDCRefusal extends Error {
  readonly errorCode: number
  readonly eData: Uint8Array | undefined
  constructor(errorCode: number, text: string, eData?: Uint8Array) {
    super(text)
    this.errorCode = errorCode
    this.eData = eData
  }
}

export const E = {
  NAME_EXP: 1,
  BAD_PVNO: 3,
  C_PRINCIPAL_UNKNOWN: 6,
  S_PRINCIPAL_UNKNOWN: 7,
  NEVER_VALID: 11,
  POLICY: 12,
  BADOPTION: 13,
  ETYPE_NOSUPP: 14,
  SUMTYPE_NOSUPP: 15,
  PADATA_TYPE_NOSUPP: 16,
  PREAUTH_FAILED: 24,
  PREAUTH_REQUIRED: 25,
  BAD_INTEGRITY: 31,
  TKT_EXPIRED: 32,
  TKT_NYV: 33,
  REPEAT: 34,
  NOT_US: 35,
  BADMATCH: 36,
  SKEW: 37,
  MSG_TYPE: 40,
  MODIFIED: 41,
  BADKEYVER: 44,
  INAPP_CKSUM: 50,
  GENERIC: 60,
  WRONG_REALM: 68,
} as const

export const refuse = (code: number, text: string, eData?: Uint8Array): KDCRefusal =>
  new KDCRefusal(code, text, eData)

/** What every handler gets. */
export interface KDCContext {
  readonly realm: string
  readonly db: PrincipalDatabase
  readonly policy: readonly number[]
  readonly allowWeak: boolean
  readonly skewMs: number
  readonly maxLife: number
  readonly maxRenewableLife: number
  readonly alwaysPac: boolean
  readonly referral: ((server: Principal) => string | undefined) | undefined
  readonly nowMs: number
  readonly random: RandomSource | undefined
  /**
   * Authenticator/timestamp replay check, true when new: `encrypted` is keyed on its integrity tag
   * (the replay cache's key), `client` (authenticated) decides who pays when the cache is full;
   * `time` (ms) is the request's own time, remembered for the clock-skew window.
   */
  readonly fresh: (encrypted: EncryptedData, client: string, time: number) => boolean
}

/** Whole-second KerberosTime and the microseconds beside it. */
export function splitTime(ms: number): { time: Date; usec: number } {
  const s = Math.floor(ms / 1000)
  return { time: new Date(s * 1000), usec: (ms - s * 1000) * 1000 }
}

export function krbError(
  ctx: { realm: string; nowMs: number },
  code: number,
  text: string,
  extra: {
    sname?: PrincipalName
    cname?: PrincipalName
    crealm?: string
    eData?: Uint8Array | undefined
  } = {},
): Uint8Array {
  const { time, usec } = splitTime(ctx.nowMs)
  const v: KRBError = {
    pvno: 5,
    msgType: 30,
    stime: time,
    susec: usec,
    errorCode: code,
    ...(extra.crealm !== undefined ? { crealm: extra.crealm } : {}),
    ...(extra.cname !== undefined ? { cname: extra.cname } : {}),
    realm: ctx.realm,
    sname: extra.sname ?? { nameType: 2, nameString: ['krbtgt', ctx.realm] },
    eText: text,
    ...(extra.eData !== undefined ? { eData: extra.eData } : {}),
  }
  return encodeKRBError(v)
}

export const methodData = (pa: readonly PAData[]): Uint8Array => encodeMethodData(pa)

export const nameOf = (p: Principal): PrincipalName => ({
  nameType: p.nameType,
  nameString: p.components,
})

export const principalOf = (n: PrincipalName, realm: string): Principal => ({
  nameType: n.nameType,
  components: n.nameString,
  realm,
})

/** Allowed by policy and implemented. */
export function permitted(ctx: KDCContext, etype: number): boolean {
  if (etype === EncType.RC4_HMAC)
    return ctx.allowWeak && isEnctypeSupported(etype, { allowWeak: true })
  return ctx.policy.includes(etype) && isEnctypeSupported(etype)
}

/** The newest key of an enctype. */
export function newestKey(p: KDCPrincipal, etype: number): KDCKey | undefined {
  let best: KDCKey | undefined
  for (const k of p.keys) {
    if (k.key.enctype === etype && (best === undefined || k.kvno > best.kvno)) best = k
  }
  return best
}

/** The key tickets for a server are encrypted with: the newest kvno, the first policy enctype. */
export function ticketKey(ctx: KDCContext, server: KDCPrincipal): KDCKey | undefined {
  const newest = Math.max(...server.keys.map((k) => k.kvno))
  const order = ctx.allowWeak ? [...ctx.policy, EncType.RC4_HMAC] : ctx.policy
  for (const e of order) {
    const k = server.keys.find((x) => x.kvno === newest && x.key.enctype === e)
    if (k !== undefined && permitted(ctx, e)) return k
  }
  return undefined
}

/** The session key enctype: the client's first that policy allows and the service takes. */
export function sessionEnctype(
  ctx: KDCContext,
  requested: readonly number[],
  server: KDCPrincipal,
): number | undefined {
  const takes = server.sessionEnctypes ?? server.keys.map((k) => k.key.enctype)
  const isTGS = server.principal.components[0] === 'krbtgt'
  for (const e of requested) {
    if (permitted(ctx, e) && (isTGS || takes.includes(e))) return e
  }
  return undefined
}

/** Clamp `till` (0 or far future = as long as allowed). */
export function endTime(startMs: number, till: Date, lifeSec: number, limitMs: number): number {
  const t = till.getTime()
  const want = t <= 0 ? Number.POSITIVE_INFINITY : t
  return Math.min(want, startMs + lifeSec * 1000, limitMs)
}
