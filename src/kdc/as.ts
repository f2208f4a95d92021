/**
 * The AS exchange, KDC side (RFC 4120 §3.1.2–3.1.3): client and server lookup, PA-ENC-TIMESTAMP
 * with PREAUTH_REQUIRED / ETYPE-INFO2, enctype choice, flags and lifetimes, the AS-REP.
 *
 * @module
 */
import { encodeASRep, encodeEncASRepPart } from '../asn1/kdc.js'
import { encodeEncTicketPart } from '../asn1/ticket.js'
import { decodeEncryptedData } from '../asn1/basic.js'
import { decodePAEncTSEnc, decodePAPacRequest, encodeETypeInfo2 } from '../asn1/padata.js'
import { hasFlag, setFlags } from '../asn1/flags.js'
import type {
  EncTicketPart,
  EncryptedData,
  ETypeInfo2Entry,
  KDCReq,
  PAData,
} from '../asn1/types.js'
import { decrypt, encrypt, randomKey } from '../crypto/index.js'
import { defaultSalt } from '../crypto/salt.js'
import { KDCOptions as O, KeyUsage, PADataType, TicketFlags as F } from '../iana.js'
import { fromUtf8 } from '../internal/bytes.js'
import { formatPrincipal } from '../principal.js'
import type { KDCKey, KDCPrincipal } from './database.js'
import {
  E,
  endTime,
  methodData,
  nameOf,
  newestKey,
  permitted,
  principalOf,
  refuse,
  sessionEnctype,
  splitTime,
  ticketKey,
  type KDCContext,
} from './common.js'
import { ticketAuthData } from './pac.js'

const SUPPORTED_AS_OPTIONS = setFlags(
  O.FORWARDABLE,
  O.PROXIABLE,
  O.RENEWABLE,
  O.CANONICALIZE,
  O.RENEWABLE_OK,
  O.DISABLE_TRANSITED_CHECK,
)

/** The client's reply key: its first requested enctype the client has a key for. */
function replyKey(ctx: KDCContext, client: KDCPrincipal, etypes: readonly number[]): KDCKey {
  for (const e of etypes) {
    if (!permitted(ctx, e)) continue
    const k = newestKey(client, e)
    if (k !== undefined) return k
  }
  throw refuse(E.ETYPE_NOSUPP, 'no requested enctype matches a key of the client and the policy')
}

function etypeInfo2(client: KDCPrincipal, k: KDCKey): Uint8Array {
  const salt = k.salt ?? fromUtf8(defaultSalt(client.principal))
  const entry: ETypeInfo2Entry =
    k.s2kparams !== undefined
      ? { etype: k.key.enctype, salt, s2kparams: k.s2kparams }
      : { etype: k.key.enctype, salt }
  return encodeETypeInfo2([entry])
}

function preauthHints(client: KDCPrincipal, k: KDCKey): PAData[] {
  return [
    { padataType: PADataType.ETYPE_INFO2, padataValue: etypeInfo2(client, k) },
    { padataType: PADataType.ENC_TIMESTAMP, padataValue: new Uint8Array(0) },
  ]
}

/** Check PA-ENC-TIMESTAMP: decrypts with the client key of its enctype, within skew, not replayed. */
function checkTimestamp(ctx: KDCContext, client: KDCPrincipal, reply: KDCKey, pa: PAData): void {
  const failed = (): never => {
    throw refuse(
      E.PREAUTH_FAILED,
      'preauthentication failed',
      methodData([{ padataType: PADataType.ETYPE_INFO2, padataValue: etypeInfo2(client, reply) }]),
    )
  }
  let plain: Uint8Array
  let ed: EncryptedData
  try {
    ed = decodeEncryptedData(pa.padataValue)
    const candidates = client.keys.filter((k) => k.key.enctype === ed.etype)
    if (!permitted(ctx, ed.etype) || candidates.length === 0) return failed()
    candidates.sort((a, b) => b.kvno - a.kvno)
    let out: Uint8Array | undefined
    for (const k of candidates) {
      try {
        out = decrypt(k.key, KeyUsage.AS_REQ_PA_ENC_TIMESTAMP, ed.cipher, {
          allowWeak: ctx.allowWeak,
        })
        break
      } catch {
        // try an older kvno
      }
    }
    if (out === undefined) return failed()
    plain = out
  } catch (e) {
    if (e instanceof Error && 'errorCode' in e) throw e
    return failed()
  }
  const ts = decodePAEncTSEnc(plain)
  const t = ts.patimestamp.getTime() + Math.floor((ts.pausec ?? 0) / 1000)
  if (Math.abs(t - ctx.nowMs) > ctx.skewMs) throw refuse(E.SKEW, 'clock skew too great')
  const who = formatPrincipal(client.principal)
  if (!ctx.fresh(ed, who, t)) throw refuse(E.REPEAT, 'request is a replay')
}

/** Answer an AS-REQ (already decoded). */
export function handleAS(ctx: KDCContext, req: KDCReq): Uint8Array {
  const body = req.reqBody
  if (body.cname === undefined) throw refuse(E.C_PRINCIPAL_UNKNOWN, 'AS-REQ without cname')
  if (body.sname === undefined) throw refuse(E.S_PRINCIPAL_UNKNOWN, 'AS-REQ without sname')
  if (body.realm !== ctx.realm) throw refuse(E.WRONG_REALM, `this KDC serves ${ctx.realm}`)
  if ((body.kdcOptions & ~SUPPORTED_AS_OPTIONS) !== 0) {
    throw refuse(E.BADOPTION, 'KDC option not supported')
  }
  const cp = principalOf(body.cname, ctx.realm)
  const client = ctx.db.get(cp)
  if (client === undefined) {
    throw refuse(
      E.C_PRINCIPAL_UNKNOWN,
      `client ${formatPrincipal(cp)} not found in Kerberos database`,
    )
  }
  const sp = principalOf(body.sname, ctx.realm)
  const server = ctx.db.get(sp)
  if (server === undefined || server.disallowServer === true) {
    throw refuse(
      E.S_PRINCIPAL_UNKNOWN,
      `server ${formatPrincipal(sp)} not found in Kerberos database`,
    )
  }
  const reply = replyKey(ctx, client, body.etype)
  const tsPa = req.padata?.find((p) => p.padataType === PADataType.ENC_TIMESTAMP)
  if (tsPa !== undefined) checkTimestamp(ctx, client, reply, tsPa)
  else if (client.requiresPreauth === true) {
    throw refuse(
      E.PREAUTH_REQUIRED,
      'additional pre-authentication required',
      methodData(preauthHints(client, reply)),
    )
  }
  const tkey = ticketKey(ctx, server)
  const sEtype = sessionEnctype(ctx, body.etype, server)
  if (tkey === undefined || sEtype === undefined) {
    throw refuse(E.ETYPE_NOSUPP, 'no enctype for the ticket or session key')
  }
  const canonical = hasFlag(body.kdcOptions, O.CANONICALIZE)
  const cname = canonical ? nameOf(client.principal) : body.cname
  const sname = canonical ? nameOf(server.principal) : body.sname
  const now = ctx.nowMs
  const life = Math.min(client.maxLife ?? ctx.maxLife, server.maxLife ?? ctx.maxLife)
  const rlife = Math.min(
    client.maxRenewableLife ?? ctx.maxRenewableLife,
    server.maxRenewableLife ?? ctx.maxRenewableLife,
  )
  let end = endTime(now, body.till, life, Number.POSITIVE_INFINITY)
  if (end <= now) throw refuse(E.NEVER_VALID, 'requested end time is in the past')
  let flags = setFlags(F.INITIAL)
  if (tsPa !== undefined) flags |= setFlags(F.PRE_AUTHENT)
  if (hasFlag(body.kdcOptions, O.FORWARDABLE)) flags |= setFlags(F.FORWARDABLE)
  if (hasFlag(body.kdcOptions, O.PROXIABLE)) flags |= setFlags(F.PROXIABLE)
  let renewTill: number | undefined
  const tillWanted = body.till.getTime()
  const wantRenew =
    hasFlag(body.kdcOptions, O.RENEWABLE) ||
    (hasFlag(body.kdcOptions, O.RENEWABLE_OK) && tillWanted > end)
  if (wantRenew && rlife > 0) {
    const rt =
      hasFlag(body.kdcOptions, O.RENEWABLE) && body.rtime !== undefined ? body.rtime : body.till
    renewTill = endTime(now, rt, rlife, Number.POSITIVE_INFINITY)
    if (renewTill <= end) end = renewTill
    flags |= setFlags(F.RENEWABLE)
  }
  const sessionKey = randomKey(sEtype, {
    allowWeak: ctx.allowWeak,
    ...(ctx.random !== undefined ? { random: ctx.random } : {}),
  })
  const authtime = splitTime(now).time
  const endDate = splitTime(end).time
  const renewDate = renewTill !== undefined ? splitTime(renewTill).time : undefined
  const pacPa = req.padata?.find((p) => p.padataType === PADataType.PAC_REQUEST)
  let wantPac = ctx.alwaysPac
  if (pacPa !== undefined) {
    try {
      wantPac = decodePAPacRequest(pacPa.padataValue).includePac
    } catch {
      // an undecodable PA-PAC-REQUEST is ignored, as MIT does
    }
  }
  const ad = wantPac ? ticketAuthData(ctx, client, tkey, authtime, cname) : undefined
  const etp: EncTicketPart = {
    flags,
    key: sessionKey,
    crealm: ctx.realm,
    cname,
    transited: { trType: 1, contents: new Uint8Array(0) },
    authtime,
    starttime: authtime,
    endtime: endDate,
    ...(renewDate !== undefined ? { renewTill: renewDate } : {}),
    ...(body.addresses !== undefined ? { caddr: body.addresses } : {}),
    ...(ad !== undefined ? { authorizationData: ad } : {}),
  }
  const ticketCipher = encrypt(tkey.key, KeyUsage.KDC_REP_TICKET, encodeEncTicketPart(etp), {
    allowWeak: ctx.allowWeak,
  })
  const encPart = encodeEncASRepPart({
    key: sessionKey,
    lastReq: [{ lrType: 0, lrValue: authtime }],
    nonce: body.nonce,
    flags,
    authtime,
    starttime: authtime,
    endtime: endDate,
    ...(renewDate !== undefined ? { renewTill: renewDate } : {}),
    srealm: ctx.realm,
    sname,
    ...(body.addresses !== undefined ? { caddr: body.addresses } : {}),
  })
  return encodeASRep({
    pvno: 5,
    msgType: 11,
    padata: [{ padataType: PADataType.ETYPE_INFO2, padataValue: etypeInfo2(client, reply) }],
    crealm: ctx.realm,
    cname,
    ticket: {
      tktVno: 5,
      realm: ctx.realm,
      sname,
      encPart: { etype: tkey.key.enctype, kvno: tkey.kvno, cipher: ticketCipher },
    },
    encPart: {
      etype: reply.key.enctype,
      kvno: reply.kvno,
      cipher: encrypt(reply.key, KeyUsage.AS_REP_ENCPART, encPart, { allowWeak: ctx.allowWeak }),
    },
  })
}
