/**
 * FAST (RFC 6113), sans I/O, the request side: the armor key (KRB-FX-CF2 of an armor subkey and
 * a TGT session key), armoring an AS or TGS request (PA-FX-FAST with the req-checksum over the
 * outer request) and the client's encrypted challenge (PA-ENCRYPTED-CHALLENGE, RFC 6113 §5.4.6).
 * A file of its own so that reading replies (`as.ts`, `tgs.ts`) does
 * not pull it into a bundle: a client loads it on first use (docs/bundling.md).
 *
 * @module
 */
import {
  encodeASReq,
  encodeEncryptedData,
  encodeKDCReqBody,
  encodeKrbFastReq,
  encodePAEncTSEnc,
  encodePAFxFastRequest,
  encodeTGSReq,
} from '../asn1/index.js'
import type { KDCReq, KrbFastArmor, PAData } from '../asn1/index.js'
import { cf2, checksumTypeOf, encrypt, makeChecksum, randomKey } from '../crypto/index.js'
import { KeyUsage, PADataType } from '../iana.js'
import { randomBytes, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import { formatPrincipal, isTGSPrincipal } from '../principal.js'
import { makeAPReq } from './ap-req.js'
import type { ASRequest } from './as.js'
import type { FastRequestState } from './fast.js'
import type { TGSRequest } from './tgs.js'
import type { Credentials } from './kdc-rep.js'

/** KrbFastArmor armor-type FX_FAST_ARMOR_AP_REQUEST (RFC 6113 §5.4.1.1). */
export const FAST_ARMOR_AP_REQUEST = 1

/** An armor key, and the explicit armor (an AP-REQ) that lets the KDC compute it too. */
export interface FastArmor {
  /** The armor key; its bytes never print. */
  readonly armorKey: KerberosKey
  /** Explicit armor (AS requests); absent for the implicit armor of a TGS request. */
  readonly armor?: KrbFastArmor
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
