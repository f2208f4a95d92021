/**
 * The TGS exchange, KDC side (RFC 4120 §3.3.2–3.3.3): the PA-TGS-REQ AP-REQ and its
 * authenticator (names, skew, replay, body checksum), ticket times and flags, renewal,
 * forwardable/proxiable/renewable as the TGT allows, cross-realm TGTs and referrals.
 *
 * @module
 */
import { decodeAPReq, decodeAuthenticator } from '../asn1/ap.js'
import { decodeAuthorizationData } from '../asn1/basic.js'
import { encodeEncTGSRepPart, encodeTGSRep } from '../asn1/kdc.js'
import { decodeEncTicketPart, encodeEncTicketPart } from '../asn1/ticket.js'
import { hasFlag, setFlags } from '../asn1/flags.js'
import type {
  APReq,
  Authenticator,
  AuthorizationData,
  EncTicketPart,
  KDCReq,
  PrincipalName,
} from '../asn1/types.js'
import { decrypt, encrypt, isKeyedChecksum, randomKey, verifyChecksum } from '../crypto/index.js'
import { KDCOptions as O, KeyUsage, PADataType, TicketFlags as F } from '../iana.js'
import type { KerberosKey } from '../key.js'
import { formatPrincipal, tgsPrincipal, type Principal } from '../principal.js'
import type { KDCKey, KDCPrincipal } from './database.js'
import {
  E,
  endTime,
  nameOf,
  principalOf,
  refuse,
  sessionEnctype,
  splitTime,
  ticketKey,
  type KDCContext,
} from './common.js'
import { hasPac, ticketAuthData } from './pac.js'

const SUPPORTED_TGS_OPTIONS = setFlags(
  O.FORWARDABLE,
  O.FORWARDED,
  O.PROXIABLE,
  O.PROXY,
  O.RENEWABLE,
  O.CANONICALIZE,
  O.RENEWABLE_OK,
  O.RENEW,
  O.VALIDATE,
  O.DISABLE_TRANSITED_CHECK,
)

interface Presented {
  readonly apReq: APReq
  readonly part: EncTicketPart
  readonly auth: Authenticator
  readonly ticketServer: KDCPrincipal
}

function findKey(server: KDCPrincipal, etype: number, kvno: number | undefined): KDCKey[] {
  const same = server.keys.filter((k) => k.key.enctype === etype)
  if (kvno === undefined) return same.sort((a, b) => b.kvno - a.kvno)
  const exact = same.filter((k) => k.kvno === kvno || (k.kvno & 0xff) === (kvno & 0xff))
  if (exact.length === 0) throw refuse(E.BADKEYVER, `no key for kvno ${kvno}`)
  return exact
}

function decryptWith(
  keys: readonly KDCKey[],
  usage: number,
  cipher: Uint8Array,
  weak: boolean,
): Uint8Array {
  for (const k of keys) {
    try {
      return decrypt(k.key, usage, cipher, { allowWeak: weak })
    } catch {
      // next key
    }
  }
  throw refuse(E.BAD_INTEGRITY, 'integrity check on decrypted field failed')
}

/** Decrypt and check the presented ticket and its authenticator (RFC 4120 §3.3.2). */
function presented(ctx: KDCContext, req: KDCReq, renewOrValidate: boolean): Presented {
  const pa = req.padata?.find((p) => p.padataType === PADataType.TGS_REQ)
  if (pa === undefined) throw refuse(E.PADATA_TYPE_NOSUPP, 'TGS-REQ without PA-TGS-REQ')
  const apReq = decodeAPReq(pa.padataValue)
  const t = apReq.ticket
  const tsp = principalOf(t.sname, t.realm)
  const isTGT = t.sname.nameString.length === 2 && t.sname.nameString[0] === 'krbtgt'
  if (isTGT ? t.sname.nameString[1] !== ctx.realm : !(renewOrValidate && t.realm === ctx.realm)) {
    throw refuse(E.NOT_US, `the ticket is for ${formatPrincipal(tsp)}, not a TGS of ${ctx.realm}`)
  }
  const ticketServer = ctx.db.get(tsp)
  if (ticketServer === undefined)
    throw refuse(E.S_PRINCIPAL_UNKNOWN, `no key for ${formatPrincipal(tsp)}`)
  const keys = findKey(ticketServer, t.encPart.etype, t.encPart.kvno)
  if (keys.length === 0) throw refuse(E.ETYPE_NOSUPP, 'no key of the ticket enctype')
  const part = decodeEncTicketPart(
    decryptWith(keys, KeyUsage.KDC_REP_TICKET, t.encPart.cipher, ctx.allowWeak),
  )
  let authPlain: Uint8Array
  try {
    authPlain = decrypt(part.key, KeyUsage.TGS_REQ_AUTH, apReq.authenticator.cipher, {
      allowWeak: ctx.allowWeak,
    })
  } catch {
    throw refuse(E.BAD_INTEGRITY, 'integrity check on the authenticator failed')
  }
  // A TGT from another realm must not name one of our clients: a trusted realm cannot speak for
  // this realm's principals (MIT refuses it too).
  if (t.realm !== ctx.realm && part.crealm === ctx.realm) {
    throw refuse(E.POLICY, `a cross-realm TGT from ${t.realm} names a client of ${ctx.realm}`)
  }
  const auth = decodeAuthenticator(authPlain)
  checkAuthenticator(ctx, req, apReq, part, auth, renewOrValidate)
  return { apReq, part, auth, ticketServer }
}

function checkAuthenticator(
  ctx: KDCContext,
  req: KDCReq,
  apReq: APReq,
  part: EncTicketPart,
  auth: Authenticator,
  renewOrValidate: boolean,
): void {
  const sameName =
    auth.crealm === part.crealm &&
    auth.cname.nameString.length === part.cname.nameString.length &&
    auth.cname.nameString.every((c, i) => c === part.cname.nameString[i])
  if (!sameName) throw refuse(E.BADMATCH, 'ticket and authenticator do not match')
  const at = auth.ctime.getTime() + Math.floor(auth.cusec / 1000)
  if (Math.abs(at - ctx.nowMs) > ctx.skewMs) throw refuse(E.SKEW, 'clock skew too great')
  const now = ctx.nowMs
  if (part.endtime.getTime() + ctx.skewMs < now) throw refuse(E.TKT_EXPIRED, 'ticket expired')
  const start = (part.starttime ?? part.authtime).getTime()
  const validating = hasFlag(req.reqBody.kdcOptions, O.VALIDATE)
  if (!validating && (start - ctx.skewMs > now || hasFlag(part.flags, F.INVALID))) {
    throw refuse(E.TKT_NYV, 'ticket not yet valid')
  }
  void renewOrValidate
  const ck = auth.cksum
  if (ck === undefined) throw refuse(E.INAPP_CKSUM, 'the authenticator has no body checksum')
  if (!isKeyedChecksum(ck.cksumtype)) throw refuse(E.INAPP_CKSUM, 'unkeyed body checksum')
  const raw = req.reqBody.raw
  let ok = false
  try {
    ok =
      raw !== undefined &&
      verifyChecksum(ck.cksumtype, part.key, KeyUsage.TGS_REQ_AUTH_CKSUM, raw, ck.checksum, {
        allowWeak: ctx.allowWeak,
      })
  } catch {
    throw refuse(E.SUMTYPE_NOSUPP, 'checksum type not supported')
  }
  if (!ok) throw refuse(E.MODIFIED, 'the request body does not match its checksum')
  const who = formatPrincipal({
    nameType: part.cname.nameType,
    components: part.cname.nameString,
    realm: part.crealm,
  })
  if (!ctx.fresh(apReq.authenticator, who, at)) throw refuse(E.REPEAT, 'request is a replay')
}

/** The service to issue for: local, a cross-realm TGT, or a referral. */
function resolveServer(
  ctx: KDCContext,
  sname: PrincipalName,
): { server: KDCPrincipal; sname: PrincipalName; referral: boolean } {
  const sp = principalOf(sname, ctx.realm)
  const local = ctx.db.get(sp)
  if (local !== undefined && local.disallowServer !== true)
    return { server: local, sname, referral: false }
  const other = ctx.referral?.(sp)
  if (other !== undefined && other !== ctx.realm) {
    const cross = ctx.db.get(tgsPrincipal(other, ctx.realm))
    if (cross !== undefined) {
      return { server: cross, sname: nameOf(tgsPrincipal(other, ctx.realm)), referral: true }
    }
  }
  throw refuse(
    E.S_PRINCIPAL_UNKNOWN,
    `server ${formatPrincipal(sp)} not found in Kerberos database`,
  )
}

function newFlags(req: KDCReq, tgt: EncTicketPart): number {
  const o = req.reqBody.kdcOptions
  let flags = tgt.flags & setFlags(F.PRE_AUTHENT, F.HW_AUTHENT)
  const tgtHas = (f: number): boolean => hasFlag(tgt.flags, f)
  const bad = (what: string): never => {
    throw refuse(E.BADOPTION, `${what} requested but the ticket does not allow it`)
  }
  if (hasFlag(o, O.FORWARDABLE)) flags |= tgtHas(F.FORWARDABLE) ? setFlags(F.FORWARDABLE) : 0
  if (hasFlag(o, O.FORWARDED)) {
    if (!tgtHas(F.FORWARDABLE)) bad('FORWARDED')
    flags |= setFlags(F.FORWARDED)
  }
  if (tgtHas(F.FORWARDED)) flags |= setFlags(F.FORWARDED)
  if (hasFlag(o, O.PROXIABLE)) flags |= tgtHas(F.PROXIABLE) ? setFlags(F.PROXIABLE) : 0
  if (hasFlag(o, O.PROXY)) {
    if (!tgtHas(F.PROXIABLE)) bad('PROXY')
    flags |= setFlags(F.PROXY)
  }
  return flags | setFlags(F.TRANSITED_POLICY_CHECKED)
}

/** Answer a TGS-REQ (already decoded). */
export function handleTGS(ctx: KDCContext, req: KDCReq): Uint8Array {
  const body = req.reqBody
  const o = body.kdcOptions
  if ((o & ~SUPPORTED_TGS_OPTIONS) !== 0) throw refuse(E.BADOPTION, 'KDC option not supported')
  const renew = hasFlag(o, O.RENEW)
  const validate = hasFlag(o, O.VALIDATE)
  const p = presented(ctx, req, renew || validate)
  const tgt = p.part
  if (body.sname === undefined) throw refuse(E.S_PRINCIPAL_UNKNOWN, 'TGS-REQ without sname')
  if (body.realm !== ctx.realm) throw refuse(E.WRONG_REALM, `this KDC serves ${ctx.realm}`)
  const now = ctx.nowMs
  let flags: number
  let start = now
  let end: number
  let renewTill: number | undefined
  let target: { server: KDCPrincipal; sname: PrincipalName; referral: boolean }
  if (renew || validate) {
    // The ticket is re-issued for its own server (RFC 4120 §3.3.3.1).
    target = { server: p.ticketServer, sname: p.apReq.ticket.sname, referral: false }
    flags = tgt.flags & ~setFlags(F.INVALID)
    if (renew) {
      if (!hasFlag(tgt.flags, F.RENEWABLE) || tgt.renewTill === undefined)
        throw refuse(E.BADOPTION, 'RENEW requested but the ticket is not renewable')
      const rt = tgt.renewTill.getTime()
      if (rt < now) throw refuse(E.TKT_EXPIRED, 'ticket past its renew-till time')
      const life = tgt.endtime.getTime() - (tgt.starttime ?? tgt.authtime).getTime()
      end = Math.min(now + life, rt)
      renewTill = rt
    } else {
      start = (tgt.starttime ?? tgt.authtime).getTime()
      end = tgt.endtime.getTime()
      renewTill = tgt.renewTill?.getTime()
    }
  } else {
    target = resolveServer(ctx, body.sname)
    flags = newFlags(req, tgt)
    const life = target.server.maxLife ?? ctx.maxLife
    end = endTime(now, body.till, life, tgt.endtime.getTime())
    const rlife = target.server.maxRenewableLife ?? ctx.maxRenewableLife
    const wantRenew =
      hasFlag(o, O.RENEWABLE) || (hasFlag(o, O.RENEWABLE_OK) && body.till.getTime() > end)
    if (wantRenew && hasFlag(tgt.flags, F.RENEWABLE) && tgt.renewTill !== undefined && rlife > 0) {
      const rt = hasFlag(o, O.RENEWABLE) && body.rtime !== undefined ? body.rtime : body.till
      renewTill = endTime(now, rt, rlife, tgt.renewTill.getTime())
      if (renewTill < end) end = renewTill
      flags |= setFlags(F.RENEWABLE)
    }
    if (end <= now) throw refuse(E.NEVER_VALID, 'the ticket would end before it starts')
  }
  const tkey = ticketKey(ctx, target.server)
  const sEtype = sessionEnctype(ctx, body.etype, target.server)
  if (tkey === undefined || sEtype === undefined) {
    throw refuse(E.ETYPE_NOSUPP, 'no enctype for the ticket or session key')
  }
  const sessionKey = randomKey(sEtype, {
    allowWeak: ctx.allowWeak,
    ...(ctx.random !== undefined ? { random: ctx.random } : {}),
  })
  const ad = authData(ctx, req, p, tgt, tkey, target)
  const startD = splitTime(start).time
  const endD = splitTime(end).time
  const renewD = renewTill !== undefined ? splitTime(renewTill).time : undefined
  const etp: EncTicketPart = {
    flags,
    key: sessionKey,
    crealm: tgt.crealm,
    cname: tgt.cname,
    transited: tgt.transited,
    authtime: tgt.authtime,
    starttime: startD,
    endtime: endD,
    ...(renewD !== undefined ? { renewTill: renewD } : {}),
    ...(tgt.caddr !== undefined ? { caddr: tgt.caddr } : {}),
    ...(ad !== undefined && ad.length > 0 ? { authorizationData: ad } : {}),
  }
  const canonical = hasFlag(o, O.CANONICALIZE) && !renew && !validate
  const sname = target.referral
    ? target.sname
    : canonical
      ? nameOf(target.server.principal)
      : target.sname
  const replyKey: KerberosKey = p.auth.subkey ?? tgt.key
  const usage =
    p.auth.subkey !== undefined ? KeyUsage.TGS_REP_ENCPART_SUBKEY : KeyUsage.TGS_REP_ENCPART_SESSKEY
  const enc = encodeEncTGSRepPart({
    key: sessionKey,
    lastReq: [{ lrType: 0, lrValue: tgt.authtime }],
    nonce: body.nonce,
    flags,
    authtime: tgt.authtime,
    starttime: startD,
    endtime: endD,
    ...(renewD !== undefined ? { renewTill: renewD } : {}),
    srealm: ctx.realm,
    sname,
    ...(tgt.caddr !== undefined ? { caddr: tgt.caddr } : {}),
  })
  return encodeTGSRep({
    pvno: 5,
    msgType: 13,
    crealm: tgt.crealm,
    cname: tgt.cname,
    ticket: {
      tktVno: 5,
      realm: ctx.realm,
      sname,
      encPart: {
        etype: tkey.key.enctype,
        kvno: tkey.kvno,
        cipher: encrypt(tkey.key, KeyUsage.KDC_REP_TICKET, encodeEncTicketPart(etp), {
          allowWeak: ctx.allowWeak,
        }),
      },
    },
    encPart: {
      etype: replyKey.enctype,
      cipher: encrypt(replyKey, usage, enc, { allowWeak: ctx.allowWeak }),
    },
  })
}

/** The new ticket's authorization data: the TGT's (PAC re-signed for the service) plus enc-authorization-data. */
function authData(
  ctx: KDCContext,
  req: KDCReq,
  p: Presented,
  tgt: EncTicketPart,
  tkey: KDCKey,
  target: { server: KDCPrincipal; referral: boolean },
): AuthorizationData | undefined {
  const out: AuthorizationData[number][] = []
  const carried = tgt.authorizationData ?? []
  const hadPac = hasPac(carried)
  for (const e of carried) if (!hadPac || !hasPac([e])) out.push(e)
  if (hadPac) {
    const local: Principal = principalOf(tgt.cname, tgt.crealm)
    const client = tgt.crealm === ctx.realm ? ctx.db.get(local) : undefined
    if (client !== undefined) {
      const pac = ticketAuthData(ctx, client, tkey, tgt.authtime, tgt.cname)
      if (pac !== undefined) out.unshift(...pac)
    }
  }
  void target
  const ead = req.reqBody.encAuthorizationData
  if (ead !== undefined) {
    const key = p.auth.subkey ?? tgt.key
    const usage =
      p.auth.subkey !== undefined ? KeyUsage.TGS_REQ_AD_SUBKEY : KeyUsage.TGS_REQ_AD_SESSKEY
    let plain: Uint8Array
    try {
      plain = decrypt(key, usage, ead.cipher, { allowWeak: ctx.allowWeak })
    } catch {
      throw refuse(E.BAD_INTEGRITY, 'integrity check on enc-authorization-data failed')
    }
    out.push(...decodeAuthorizationData(plain))
  }
  return out
}
