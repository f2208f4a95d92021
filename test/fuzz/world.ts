/**
 * A self-made Kerberos world for the fuzz targets: a realm with a client key, a service keytab, a
 * TGT and the real messages each reader expects (AS-REP, TGS-REP, AP-REQ, AP-REP, GSS and SPNEGO
 * tokens), all built with our own encoders and crypto from a deterministic random source, so the
 * seeds are valid inputs and mutations start from the deep end of each reader.
 */
import {
  encodeAPRep,
  encodeASRep,
  encodeAuthenticator,
  encodeEncAPRepPart,
  encodeEncASRepPart,
  encodeEncTGSRepPart,
  encodeEncTicketPart,
  encodeETypeInfo2,
  encodeKRBError,
  encodeMethodData,
  encodeTGSRep,
  encodeTicket,
  principalToName,
  setFlags,
  type EncKDCRepPart,
  type EncTicketPart,
  type KDCRep,
  type KDCReq,
  type Ticket,
} from '../../src/asn1/index.js'
import { encrypt, randomKey } from '../../src/crypto/index.js'
import { KeyUsage, PADataType, TicketFlags } from '../../src/iana.js'
import type { RandomSource } from '../../src/internal/bytes.js'
import type { KerberosKey } from '../../src/key.js'
import { createKeytab, makeKeytabEntry, type Keytab } from '../../src/keytab/index.js'
import { parsePrincipal, tgsPrincipal, type Principal } from '../../src/principal.js'
import { buildASReq, type ASRequest } from '../../src/protocol/as.js'
import { makeAPReq } from '../../src/protocol/ap-req.js'
import type { Credentials } from '../../src/protocol/kdc-rep.js'
import { buildTGSReq, type TGSRequest } from '../../src/protocol/tgs.js'
import { splitmix } from './mutate.js'

/** A deterministic RandomSource (so the seeds, and so every failure, reproduce). */
export function seededRandom(seed: number): RandomSource {
  const next = splitmix(seed)
  return (n) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = next() & 0xff
    return out
  }
}

const whole = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000)

/** Everything the targets need. */
export interface FuzzWorld {
  readonly realm: string
  readonly now: Date
  readonly client: Principal
  readonly clientKey: KerberosKey
  readonly service: Principal
  readonly serviceKey: KerberosKey
  readonly serviceKeytab: Keytab
  readonly tgt: Credentials
  readonly tgsKey: KerberosKey
  readonly asRequest: ASRequest
  readonly asReply: Uint8Array
  readonly asError: Uint8Array
  readonly tgsRequest: TGSRequest
  readonly tgsReply: Uint8Array
  readonly serviceTicket: Ticket
  readonly serviceSessionKey: KerberosKey
  readonly encTicketPart: Uint8Array
  readonly encASRepPart: Uint8Array
  readonly encTGSRepPart: Uint8Array
  readonly authenticator: Uint8Array
  readonly encAPRepPart: Uint8Array
  readonly methodData: Uint8Array
  readonly etypeInfo2: Uint8Array
  /** Distinct AP-REQs for the service (different ctime/cusec, with and without subkeys). */
  readonly apReqs: readonly Uint8Array[]
  /** An AP-REP answering apReqs[0], with what the client checks it against. */
  readonly apRep: { bytes: Uint8Array; ctime: Date; cusec: number }
  readonly random: RandomSource
}

/** Issue a ticket for `server` encrypted in `serverKey`. */
export function issueTicket(o: {
  readonly client: Principal
  readonly server: Principal
  readonly serverKey: KerberosKey
  readonly sessionKey: KerberosKey
  readonly now: Date
  readonly kvno?: number
  readonly hours?: number
}): { ticket: Ticket; part: EncTicketPart; partDer: Uint8Array } {
  const part: EncTicketPart = {
    flags: setFlags(TicketFlags.FORWARDABLE, TicketFlags.PRE_AUTHENT, TicketFlags.INITIAL),
    key: o.sessionKey,
    crealm: o.client.realm,
    cname: principalToName(o.client).name,
    transited: { trType: 1, contents: new Uint8Array(0) },
    authtime: o.now,
    endtime: new Date(o.now.getTime() + (o.hours ?? 24) * 3600_000),
  }
  const partDer = encodeEncTicketPart(part)
  const ticket: Ticket = {
    tktVno: 5,
    realm: o.server.realm,
    sname: principalToName(o.server).name,
    encPart: {
      etype: o.serverKey.enctype,
      kvno: o.kvno ?? 2,
      cipher: encrypt(o.serverKey, KeyUsage.KDC_REP_TICKET, partDer),
    },
  }
  return { ticket, part, partDer }
}

/** The enc-part of a KDC reply for `req`. */
export function replyPart(
  req: KDCReq,
  o: {
    readonly sessionKey: KerberosKey
    readonly server: Principal
    readonly now: Date
    readonly nonce?: number
    readonly hours?: number
  },
): EncKDCRepPart {
  return {
    key: o.sessionKey,
    lastReq: [{ lrType: 0, lrValue: o.now }],
    nonce: o.nonce ?? req.reqBody.nonce,
    flags: setFlags(TicketFlags.FORWARDABLE, TicketFlags.PRE_AUTHENT),
    authtime: o.now,
    endtime: new Date(o.now.getTime() + (o.hours ?? 10) * 3600_000),
    srealm: o.server.realm,
    sname: principalToName(o.server).name,
  }
}

/** A KDC-REP (AS or TGS) with `ticket`, its enc-part encrypted in `key` with `usage`. */
export function kdcRep(
  kind: 'as' | 'tgs',
  o: {
    readonly client: Principal
    readonly ticket: Ticket
    readonly part: EncKDCRepPart
    readonly key: KerberosKey
    readonly usage: number
    readonly padata?: KDCRep['padata']
  },
): Uint8Array {
  const plain = kind === 'as' ? encodeEncASRepPart(o.part) : encodeEncTGSRepPart(o.part)
  const rep: KDCRep = {
    pvno: 5,
    msgType: kind === 'as' ? 11 : 13,
    ...(o.padata !== undefined ? { padata: o.padata } : {}),
    crealm: o.client.realm,
    cname: principalToName(o.client).name,
    ticket: o.ticket,
    encPart: { etype: o.key.enctype, kvno: 1, cipher: encrypt(o.key, o.usage, plain) },
  }
  return kind === 'as' ? encodeASRep(rep) : encodeTGSRep(rep)
}

let cached: FuzzWorld | undefined

/** The world (built once per process; `now` is the wall clock rounded to seconds). */
export function fuzzWorld(): FuzzWorld {
  cached ??= buildWorld(0x6b7262)
  return cached
}

function buildWorld(seed: number): FuzzWorld {
  const random = seededRandom(seed)
  const realm = 'FUZZ.TEST'
  const now = whole(Date.now())
  const client = parsePrincipal(`alice@${realm}`)
  const service = parsePrincipal(`HTTP/localhost@${realm}`)
  const clientKey = randomKey(18, { random })
  const tgsKey = randomKey(18, { random })
  const serviceKey = randomKey(18, { random })
  const serviceKeytab = createKeytab([
    makeKeytabEntry({ principal: service, kvno: 2, key: serviceKey, timestamp: 1 }),
    makeKeytabEntry({ principal: service, kvno: 2, key: randomKey(17, { random }), timestamp: 1 }),
  ])
  // AS exchange.
  const krbtgt = tgsPrincipal(realm)
  const asRequest = buildASReq({ client, etypes: [18, 17], now, nonce: 0x1234567, lifetime: 86400 })
  const tgtSession = randomKey(18, { random })
  const tgtTicket = issueTicket({
    client,
    server: krbtgt,
    serverKey: tgsKey,
    sessionKey: tgtSession,
    now,
  })
  const asPart = replyPart(asRequest.req, { sessionKey: tgtSession, server: krbtgt, now })
  const etypeInfo2 = encodeETypeInfo2([
    { etype: 18, salt: `${realm}alice` },
    { etype: 17, salt: `${realm}alice`, s2kparams: new Uint8Array([0, 0, 0x10, 0]) },
  ])
  const asReply = kdcRep('as', {
    client,
    ticket: tgtTicket.ticket,
    part: asPart,
    key: clientKey,
    usage: KeyUsage.AS_REP_ENCPART,
    padata: [{ padataType: PADataType.ETYPE_INFO2, padataValue: etypeInfo2 }],
  })
  const methodData = encodeMethodData([
    { padataType: PADataType.ETYPE_INFO2, padataValue: etypeInfo2 },
    { padataType: PADataType.ENC_TIMESTAMP, padataValue: new Uint8Array(0) },
    { padataType: 138, padataValue: new Uint8Array(0) },
  ])
  const asError = encodeKRBError({
    pvno: 5,
    msgType: 30,
    stime: now,
    susec: 0,
    errorCode: 25,
    crealm: realm,
    cname: principalToName(client).name,
    realm,
    sname: principalToName(krbtgt).name,
    eData: methodData,
  })
  const tgt: Credentials = {
    client,
    server: krbtgt,
    sessionKey: tgtSession,
    authtime: now,
    endtime: asPart.endtime,
    flags: asPart.flags,
    ticket: tgtTicket.ticket,
    ticketBytes: encodeTicket(tgtTicket.ticket),
  }
  // TGS exchange.
  const tgsRequest = buildTGSReq({
    tgt,
    server: service,
    etypes: [18, 17],
    nonce: 0x7654321,
    now,
    random,
  })
  const serviceSessionKey = randomKey(18, { random })
  const st = issueTicket({
    client,
    server: service,
    serverKey: serviceKey,
    sessionKey: serviceSessionKey,
    now,
  })
  const tgsPart = replyPart(tgsRequest.req, { sessionKey: serviceSessionKey, server: service, now })
  const tgsReply = kdcRep('tgs', {
    client,
    ticket: st.ticket,
    part: tgsPart,
    key: tgtSession,
    usage: KeyUsage.TGS_REP_ENCPART_SESSKEY,
  })
  // AP exchange.
  const apReqs: Uint8Array[] = []
  let first: { ctime: Date; cusec: number } | undefined
  let authenticator: Uint8Array = new Uint8Array(0)
  for (let i = 0; i < 8; i++) {
    const r = makeAPReq({
      ticket: st.ticket,
      sessionKey: serviceSessionKey,
      client,
      now: new Date(now.getTime() + i * 7),
      random,
      mutualRequired: i % 2 === 0,
      ...(i % 3 === 0 ? { subkey: randomKey(18, { random }), seqNumber: 1000 + i } : {}),
      ...(i % 4 === 1 ? { checksumData: new Uint8Array([1, 2, 3]) } : {}),
    })
    apReqs.push(r.bytes)
    if (i === 0) {
      first = { ctime: r.ctime, cusec: r.cusec }
      authenticator = encodeAuthenticator(r.authenticator)
    }
  }
  const encAPRepPart = encodeEncAPRepPart({
    ctime: first!.ctime,
    cusec: first!.cusec,
    subkey: randomKey(18, { random }),
    seqNumber: 42,
  })
  const apRep = {
    bytes: encodeAPRep({
      pvno: 5,
      msgType: 15,
      encPart: {
        etype: 18,
        cipher: encrypt(serviceSessionKey, KeyUsage.AP_REP_ENCPART, encAPRepPart),
      },
    }),
    ...first!,
  }
  return {
    realm,
    now,
    client,
    clientKey,
    service,
    serviceKey,
    serviceKeytab,
    tgt,
    tgsKey,
    asRequest,
    asReply,
    asError,
    tgsRequest,
    tgsReply,
    serviceTicket: st.ticket,
    serviceSessionKey,
    encTicketPart: st.partDer,
    encASRepPart: encodeEncASRepPart(asPart),
    encTGSRepPart: encodeEncTGSRepPart(tgsPart),
    authenticator,
    encAPRepPart,
    methodData,
    etypeInfo2,
    apReqs,
    apRep,
    random,
  }
}
