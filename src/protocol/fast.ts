/**
 * FAST (RFC 6113), sans I/O: the armor key (KRB-FX-CF2 of an armor subkey and a TGT session
 * key), armoring an AS or TGS request (PA-FX-FAST with the req-checksum over the outer request),
 * opening the armored reply (nonce, KrbFastFinished ticket checksum and client name, strengthened
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
  encodeASReq,
  encodeEncryptedData,
  encodeKDCReqBody,
  encodeKrbFastReq,
  encodeMethodData,
  encodePAEncTSEnc,
  encodePAFxFastRequest,
  encodeTGSReq,
  krbErrorToKDCError,
  principalFromName,
} from '../asn1/index.js'
import type {
  EncKDCRepPart,
  KDCRep,
  KDCReq,
  KRBError,
  KrbFastArmor,
  KrbFastResponse,
  PAData,
} from '../asn1/index.js'
import {
  cf2,
  checksumTypeOf,
  decrypt,
  encrypt,
  makeChecksum,
  randomKey,
  verifyChecksum,
} from '../crypto/index.js'
import { ErrorCodes, KerberosError, type KDCError, type KerberosErrorOptions } from '../errors.js'
import { EncTypeKeyLength, KeyUsage, PADataType, describeEncType } from '../iana.js'
import { randomBytes, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import { formatPrincipal, isTGSPrincipal, principalEquals } from '../principal.js'
import { makeAPReq } from './ap-req.js'
import type { ASRequest } from './as.js'
import type { TGSRequest } from './tgs.js'
import { replyFailure, ticketDER, type Credentials } from './kdc-rep.js'

/** KrbFastArmor armor-type FX_FAST_ARMOR_AP_REQUEST (RFC 6113 §5.4.1.1). */
export const FAST_ARMOR_AP_REQUEST = 1

/** An armor key, and the explicit armor (an AP-REQ) that lets the KDC compute it too. */
export interface FastArmor {
  /** The armor key; its bytes never print. */
  readonly armorKey: KerberosKey
  /** Explicit armor (AS requests); absent for the implicit armor of a TGS request. */
  readonly armor?: KrbFastArmor
}

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

/** Options for {@link makeASArmor}. */
export interface ASArmorOptions {
  /** A TGT for `krbtgt/REALM@REALM` of the realm asked (the armor ticket). */
  readonly tgt: Credentials
  readonly now: Date
  /** Randomness for the armor subkey (a key: not the nonce pool). */
  readonly random?: RandomSource
  readonly allowWeak?: boolean
}

/**
 * Explicit AP-REQ armor (RFC 6113 §5.4.1.1, MIT `fast_armor_ap_request`): an AP-REQ for the armor
 * TGT with a fresh subkey and no checksum; armor key = KRB-FX-CF2(subkey, "subkeyarmor",
 * TGT session key, "ticketarmor").
 *
 * @example
 * ```ts
 * const armor = makeASArmor({ tgt: hostTGT, now: new Date() })
 * const armored = armorASRequest(buildASReq({ ... }), armor)
 * ```
 */
export function makeASArmor(o: ASArmorOptions): FastArmor {
  if (!isTGSPrincipal(o.tgt.server)) {
    throw new RangeError(
      `expected a TGT as FAST armor, got a ticket for ${formatPrincipal(o.tgt.server)}`,
    )
  }
  const random = o.random ?? randomBytes
  const allowWeak = o.allowWeak === true
  const subkey = randomKey(o.tgt.sessionKey.enctype, { random, allowWeak })
  const ap = makeAPReq({
    ticket: o.tgt.ticket,
    sessionKey: o.tgt.sessionKey,
    client: o.tgt.client,
    subkey,
    now: o.now,
    random,
    allowWeak,
  })
  const armorKey = cf2(subkey, 'subkeyarmor', o.tgt.sessionKey, 'ticketarmor', { allowWeak })
  return { armorKey, armor: { armorType: FAST_ARMOR_AP_REQUEST, armorValue: ap.bytes } }
}

/**
 * Implicit TGS armor (RFC 6113 §5.4.1.1, MIT `krb5int_fast_tgs_armor` without a ccache): armor
 * key = KRB-FX-CF2(TGS authenticator subkey, "subkeyarmor", TGT session key, "ticketarmor").
 */
export function makeTGSArmor(
  subkey: KerberosKey,
  sessionKey: KerberosKey,
  options: { readonly allowWeak?: boolean } = {},
): FastArmor {
  return {
    armorKey: cf2(subkey, 'subkeyarmor', sessionKey, 'ticketarmor', {
      allowWeak: options.allowWeak === true,
    }),
  }
}

/** Options for {@link armorKDCRequest}. */
export interface ArmorRequestOptions {
  readonly random?: RandomSource
  readonly allowWeak?: boolean
  /** FastOptions bits; default 0 (no hide-client-names). */
  readonly fastOptions?: number
  /** See {@link FastRequestState.required}; default true. */
  readonly required?: boolean
}

/** An armored request: the outer KDC-REQ, its bytes, and the state its reply is read with. */
export interface ArmoredRequest {
  readonly bytes: Uint8Array
  readonly req: KDCReq
  readonly fast: FastRequestState
}

/**
 * Armor a KDC request (RFC 6113 §5.4.2, MIT `krb5int_fast_prep_req`): the inner padata (PA-TGS-REQ
 * left out) and body go encrypted in the armor key (usage 51) into PA-FX-FAST; the req-checksum
 * (armor key, usage 50, its mandatory checksum type) covers the outer KDC-REQ-BODY of an AS-REQ
 * or the AP-REQ of a TGS-REQ. The outer request keeps the body; its padata is PA-FX-FAST (AS), or
 * PA-TGS-REQ, PA-FX-FAST and copies of the inner padata (TGS, as MIT).
 *
 * @example
 * ```ts
 * const { bytes, fast } = armorKDCRequest(asReq.req, makeASArmor({ tgt, now }))
 * ```
 */
export function armorKDCRequest(
  inner: KDCReq,
  armor: FastArmor,
  o: ArmorRequestOptions = {},
): ArmoredRequest {
  const tgs = inner.msgType === 12
  const all = inner.padata ?? []
  const tgsReq = all.find((p) => p.padataType === PADataType.TGS_REQ)
  if (tgs && tgsReq === undefined) throw new RangeError('expected a TGS-REQ with PA-TGS-REQ')
  const padata = all.filter((p) => p.padataType !== PADataType.TGS_REQ)
  const allowWeak = o.allowWeak === true
  const { armorKey } = armor
  const plain = encodeKrbFastReq({
    fastOptions: o.fastOptions ?? 0,
    padata,
    reqBody: inner.reqBody,
  })
  const covered = tgsReq !== undefined ? tgsReq.padataValue : encodeKDCReqBody(inner.reqBody)
  const cksumtype = checksumTypeOf(armorKey.enctype)
  const value = encodePAFxFastRequest({
    ...(armor.armor !== undefined ? { armor: armor.armor } : {}),
    reqChecksum: {
      cksumtype,
      checksum: makeChecksum(cksumtype, armorKey, KeyUsage.FAST_REQ_CHKSUM, covered, { allowWeak }),
    },
    encFastReq: {
      etype: armorKey.enctype,
      cipher: encrypt(armorKey, KeyUsage.FAST_ENC, plain, {
        random: o.random ?? randomBytes,
        allowWeak,
      }),
    },
  })
  const fx: PAData = { padataType: PADataType.FX_FAST, padataValue: value }
  const req: KDCReq = { ...inner, padata: tgsReq !== undefined ? [tgsReq, fx, ...padata] : [fx] }
  return {
    bytes: tgs ? encodeTGSReq(req) : encodeASReq(req),
    req,
    fast: { armorKey, nonce: inner.reqBody.nonce, padata, required: o.required !== false },
  }
}

/**
 * Armor a built AS-REQ (see {@link armorKDCRequest}): the result's `bytes` and `req` are the
 * outer request and `fast` the state `readASReply` reads the reply with.
 *
 * @example
 * ```ts
 * const req = armorASRequest(buildASReq({ ... }), makeASArmor({ tgt: armorTGT, now }))
 * const out = readASReply(await send(req.bytes), { request: req, keys })
 * ```
 */
export function armorASRequest(
  req: ASRequest,
  armor: FastArmor,
  o: ArmorRequestOptions = {},
): ASRequest {
  if (armor.armor === undefined) throw new RangeError('expected explicit armor for an AS-REQ')
  const a = armorKDCRequest(req.req, armor, o)
  return { ...req, bytes: a.bytes, req: a.req, fast: a.fast }
}

/**
 * Armor a built TGS-REQ with implicit armor (its authenticator subkey and the TGT session key,
 * RFC 6113 §5.4.1.1); the request must have been built with a subkey.
 *
 * @example
 * ```ts
 * const req = armorTGSRequest(buildTGSReq({ tgt, server, etypes, nonce, now, subkey: true }))
 * ```
 */
export function armorTGSRequest(req: TGSRequest, o: ArmorRequestOptions = {}): TGSRequest {
  if (req.subkey === undefined) {
    throw new RangeError('expected a TGS-REQ built with a subkey for FAST armor')
  }
  const armor = makeTGSArmor(req.subkey, req.tgt.sessionKey, o)
  const a = armorKDCRequest(req.req, armor, o)
  return { ...req, bytes: a.bytes, req: a.req, fast: a.fast }
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

const wholeSeconds = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000)

/** Options for {@link makeEncryptedChallenge}. */
export interface EncryptedChallengeOptions {
  readonly random?: RandomSource
  readonly allowWeak?: boolean
}

/**
 * PA-ENCRYPTED-CHALLENGE from the client (RFC 6113 §5.4.6): PA-ENC-TS-ENC encrypted (usage 54)
 * in the client challenge key KRB-FX-CF2(armor key, "clientchallengearmor", client key,
 * "challengelongterm"). Sent inside the armor only.
 *
 * @example
 * ```ts
 * const pa = makeEncryptedChallenge(armor.armorKey, clientKey, new Date())
 * ```
 */
export function makeEncryptedChallenge(
  armorKey: KerberosKey,
  clientKey: KerberosKey,
  now: Date,
  o: EncryptedChallengeOptions = {},
): PAData {
  const allowWeak = o.allowWeak === true
  const key = cf2(armorKey, 'clientchallengearmor', clientKey, 'challengelongterm', { allowWeak })
  const ms = now.getTime()
  const pausec = (((ms % 1000) + 1000) % 1000) * 1000
  const plain = encodePAEncTSEnc({ patimestamp: wholeSeconds(ms), pausec })
  const cipher = encrypt(key, KeyUsage.ENC_CHALLENGE_CLIENT, plain, {
    random: o.random ?? randomBytes,
    allowWeak,
  })
  return {
    padataType: PADataType.ENCRYPTED_CHALLENGE,
    padataValue: encodeEncryptedData({ etype: key.enctype, cipher }),
  }
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
