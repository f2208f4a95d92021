/**
 * FAST (RFC 6113), sans I/O: the armor key (KRB-FX-CF2 of an armor subkey and a TGT session
 * key), armoring an AS or TGS request (PA-FX-FAST with the req-checksum over the outer request;
 * in `fast-armor.ts`), opening the armored reply (nonce, KrbFastFinished ticket checksum and client name, strengthened
 * reply key), unwrapping a KRB-ERROR sent inside PA-FX-ERROR, and the encrypted challenge
 * (PA-ENCRYPTED-CHALLENGE, RFC 6113 §5.4.6). The login loop that decides when to armor lives in
 * `client/`.
 *
 * @module
 */
import {
  decodeEncryptedData,
  decodeKRBError,
  decodeKrbFastResponse,
  decodeMethodData,
  decodePAEncTSEnc,
  decodePAFxFastReply,
  encodeMethodData,
  krbErrorToKDCError,
  principalFromName,
} from '../asn1/index.js'
import type { EncKDCRepPart, KDCRep, KRBError, KrbFastResponse, PAData } from '../asn1/index.js'
import { cf2, checksumTypeOf, decrypt, verifyChecksum } from '../crypto/index.js'
import { ErrorCodes, KerberosError, type KDCError, type KerberosErrorOptions } from '../errors.js'
import { EncTypeKeyLength, KeyUsage, PADataType, describeEncType } from '../iana.js'
import type { KerberosKey } from '../key.js'
import { formatPrincipal, principalEquals } from '../principal.js'
import { replyFailure, ticketDER } from './kdc-rep.js'

/** What a reply to an armored request is checked against. */
export interface FastRequestState {
  readonly armorKey: KerberosKey
  /** The request's nonce: KrbFastResponse.nonce must equal it. */
  readonly nonce: number
  /** The PA-DATA sent inside the armor (KrbFastReq.padata). */
  readonly padata: readonly PAData[]
  /**
   * A reply without PA-FX-FAST is refused (always for AS; for TGS only when FAST is required,
   * as MIT accepts a TGS-REP from a KDC that ignored the armor: it is still sealed in the subkey).
   */
  readonly required: boolean
}

/**
 * Decrypt the PA-FX-FAST of a reply's padata (or of an error's METHOD-DATA) with the armor key
 * (usage 52) and check its nonce. Missing, undecryptable or for another nonce → ERR_KRB_KDC_REPLY.
 */
export function readFastResponse(
  padata: readonly PAData[] | undefined,
  state: FastRequestState,
  options: { readonly allowWeak?: boolean } = {},
): KrbFastResponse {
  const pa = padata?.find((p) => p.padataType === PADataType.FX_FAST)
  if (pa === undefined) {
    replyFailure('KDC reply to an armored (FAST) request carries no PA-FX-FAST')
  }
  let plain: Uint8Array
  try {
    const { encFastRep } = decodePAFxFastReply(pa.padataValue)
    plain = decrypt(state.armorKey, KeyUsage.FAST_REP, encFastRep.cipher, {
      allowWeak: options.allowWeak === true,
    })
  } catch (e) {
    if (!(e instanceof KerberosError)) throw e
    replyFailure('FAST response does not decrypt with the armor key')
  }
  const rep = decodeKrbFastResponse(plain)
  if (rep.nonce !== state.nonce) {
    replyFailure(`FAST response nonce ${rep.nonce} does not match the request's ${state.nonce}`, {
      nonce: rep.nonce,
    })
  }
  return rep
}

/** An opened armored KDC-REP. */
export interface OpenedFastReply {
  /** The reply with its padata replaced by the FAST response's (RFC 6113 §5.4.3). */
  readonly rep: KDCRep
  /** Present when the KDC strengthened the reply key. */
  readonly strengthenKey?: KerberosKey
}

/**
 * Open the FAST response of a KDC-REP (MIT `krb5int_fast_process_response`): KrbFastFinished must
 * be present, its ticket checksum (armor key, usage 53, the armor key's checksum type) must
 * match the reply's ticket, and its client must be the reply's (we never ask to hide names).
 * Any failure → ERR_KRB_KDC_REPLY.
 */
export function openFastReply(
  rep: KDCRep,
  state: FastRequestState,
  options: { readonly allowWeak?: boolean } = {},
): OpenedFastReply {
  const resp = readFastResponse(rep.padata, state, options)
  const fin = resp.finished
  if (fin === undefined) replyFailure('FAST response has no KrbFastFinished')
  const want = checksumTypeOf(state.armorKey.enctype)
  if (fin.ticketChecksum.cksumtype !== want) {
    replyFailure(
      `FAST ticket checksum type ${fin.ticketChecksum.cksumtype} is not ${want}, the armor key's`,
    )
  }
  const ok = verifyChecksum(
    want,
    state.armorKey,
    KeyUsage.FAST_FINISHED,
    ticketDER(rep.ticket),
    fin.ticketChecksum.checksum,
    { allowWeak: options.allowWeak === true },
  )
  if (!ok) replyFailure('FAST ticket checksum does not match the ticket in the KDC reply')
  const named = principalFromName(fin.cname, fin.crealm)
  const outer = principalFromName(rep.cname, rep.crealm)
  if (!principalEquals(named, outer)) {
    replyFailure(
      `KDC reply names client ${formatPrincipal(outer)} but its FAST response says ${formatPrincipal(named)}`,
      { client: formatPrincipal(outer) },
    )
  }
  const sk = resp.strengthenKey
  if (sk !== undefined && EncTypeKeyLength.get(sk.enctype) !== sk.length) {
    replyFailure(
      `FAST strengthen key of ${describeEncType(sk.enctype)} has ${sk.length} octets, expected ${EncTypeKeyLength.get(sk.enctype) ?? 'a supported enctype'}`,
    )
  }
  return {
    rep: { ...rep, padata: resp.padata },
    ...(sk !== undefined ? { strengthenKey: sk } : {}),
  }
}

/**
 * The reply key after FAST (RFC 6113 §5.4.3): KRB-FX-CF2(strengthen-key, "strengthenkey", key,
 * "replykey") when the KDC sent a strengthen key, else `key`.
 */
export function fastReplyKey(
  strengthenKey: KerberosKey | undefined,
  key: KerberosKey,
  options: { readonly allowWeak?: boolean } = {},
): KerberosKey {
  if (strengthenKey === undefined) return key
  return cf2(strengthenKey, 'strengthenkey', key, 'replykey', {
    allowWeak: options.allowWeak === true,
  })
}

/** A KRB-ERROR from inside PA-FX-ERROR, its e-data replaced by the FAST response's padata. */
export interface UnwrappedFastError {
  readonly error: KRBError
  readonly kdcError: KDCError
  /** The FAST response's padata without PA-FX-ERROR (hints, PA-FX-COOKIE, ...). */
  readonly padata: readonly PAData[]
}

/**
 * Unwrap the error a KDC sends for an armored request (RFC 6113 §5.4.4): the outer KRB-ERROR's
 * e-data is METHOD-DATA with PA-FX-FAST; inside, PA-FX-ERROR holds the real KRB-ERROR, beside the
 * padata (hints, cookie) the client acts on. The returned error's e-data is that padata, as
 * METHOD-DATA (as MIT). `undefined` when the error carries no PA-FX-FAST (an unprotected error:
 * not to be acted on). A PA-FX-FAST that fails its checks → ERR_KRB_KDC_REPLY.
 */
export function unwrapFastError(
  outer: KRBError,
  state: FastRequestState,
  options: { readonly allowWeak?: boolean } = {},
): UnwrappedFastError | undefined {
  let list: readonly PAData[]
  try {
    list = outer.eData !== undefined ? decodeMethodData(outer.eData) : []
  } catch {
    return undefined
  }
  if (!list.some((p) => p.padataType === PADataType.FX_FAST)) return undefined
  const resp = readFastResponse(list, state, options)
  const fx = resp.padata.find((p) => p.padataType === PADataType.FX_ERROR)
  if (fx === undefined) replyFailure('FAST error response carries no PA-FX-ERROR')
  const inner = decodeKRBError(fx.padataValue)
  const padata = resp.padata.filter((p) => p.padataType !== PADataType.FX_ERROR)
  const { eData: _drop, ...rest } = inner
  const error: KRBError = padata.length > 0 ? { ...rest, eData: encodeMethodData(padata) } : rest
  return { error, kdcError: krbErrorToKDCError(error), padata }
}

/**
 * Check the KDC's PA-ENCRYPTED-CHALLENGE in an armored AS-REP (RFC 6113 §5.4.6): it must be
 * present, decrypt (usage 55) in the KDC challenge key KRB-FX-CF2(armor key,
 * "kdcchallengearmor", client key, "challengelongterm") and hold a time within `clockskew` of
 * `now`. This proves the KDC knew the client key (MIT's client only checks that it decrypts).
 * Any failure → ERR_KRB_KDC_REPLY.
 */
export function verifyKDCChallenge(
  padata: readonly PAData[] | undefined,
  armorKey: KerberosKey,
  clientKey: KerberosKey,
  o: { readonly now: Date; readonly clockskew: number; readonly allowWeak?: boolean },
): void {
  const pa = padata?.find((p) => p.padataType === PADataType.ENCRYPTED_CHALLENGE)
  if (pa === undefined) {
    replyFailure(
      'armored AS-REP after an encrypted challenge carries no KDC PA-ENCRYPTED-CHALLENGE',
    )
  }
  const allowWeak = o.allowWeak === true
  const key = cf2(armorKey, 'kdcchallengearmor', clientKey, 'challengelongterm', { allowWeak })
  let when: Date
  try {
    const enc = decodeEncryptedData(pa.padataValue)
    when = decodePAEncTSEnc(
      decrypt(key, KeyUsage.ENC_CHALLENGE_KDC, enc.cipher, { allowWeak }),
    ).patimestamp
  } catch (e) {
    if (!(e instanceof KerberosError)) throw e
    replyFailure('the KDC PA-ENCRYPTED-CHALLENGE does not decrypt with the KDC challenge key')
  }
  if (Math.abs(when.getTime() - o.now.getTime()) > o.clockskew * 1000) {
    replyFailure(
      `the KDC PA-ENCRYPTED-CHALLENGE time ${when.toISOString()} is outside the clock skew`,
    )
  }
}

/**
 * True when an AS-REP's encrypted padata holds PA-FX-FAST: the KDC supports FAST (RFC 6806 §11,
 * MIT's `fast_avail`). Trust it only together with a verified PA-REQ-ENC-PA-REP.
 */
export function fastAvailable(part: EncKDCRepPart): boolean {
  return part.encryptedPaData?.some((p) => p.padataType === PADataType.FX_FAST) === true
}

/** The PA-FX-COOKIE to echo in the next request (RFC 6113 §5.2), if the KDC sent one. */
export function fastCookie(padata: readonly PAData[] | undefined): PAData | undefined {
  return padata?.find((p) => p.padataType === PADataType.FX_COOKIE)
}

/** An `ERR_KRB_FAST_REQUIRED` error: a request must be armored but cannot be. */
export function fastRequiredError(
  message: string,
  options: KerberosErrorOptions = {},
): KerberosError {
  return new KerberosError(ErrorCodes.FAST_REQUIRED, message, {
    hint: 'give FAST armor: a TGT ccache (kinit -T) or a host keytab; see docs/fast.md',
    ...options,
  })
}
