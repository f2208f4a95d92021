/**
 * A scriptable in-process KDC for pure tests: builds AS-REPs, TGS-REPs and KRB-ERRORs for the
 * requests it receives, with hooks to corrupt any field. No sockets.
 */
import {
  decodeKDCReq,
  encodeChecksum,
  setFlags,
  encodeASRep,
  encodeEncASRepPart,
  encodeEncTGSRepPart,
  encodeKRBError,
  encodeTGSRep,
  type EncKDCRepPart,
  type KDCRep,
  type KDCReq,
  type KRBError,
  type PrincipalName,
  type Ticket,
} from '../../src/asn1/index.js'
import type { Transport } from '../../src/client/transport.js'
import { checksumTypeOf, encrypt, makeChecksum, randomKey } from '../../src/crypto/index.js'
import { randomBytes } from '../../src/internal/bytes.js'
import type { KerberosKey } from '../../src/key.js'

/** One request the fake KDC saw. */
export interface SeenRequest {
  readonly realm: string
  readonly bytes: Uint8Array
  readonly req: KDCReq
}

/** A handler answers one request with reply bytes. */
export type KDCHandler = (seen: SeenRequest, index: number) => Uint8Array

/** A Transport that hands each request to `handler` and records it. */
export function fakeTransport(handler: KDCHandler): Transport & { readonly seen: SeenRequest[] } {
  const seen: SeenRequest[] = []
  return {
    seen,
    async sendToKDC(realm, bytes) {
      const s = { realm, bytes, req: decodeKDCReq(bytes) }
      seen.push(s)
      return handler(s, seen.length - 1)
    },
  }
}

const whole = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000)

/** A ticket whose enc-part nobody can read (the client never decrypts it). */
export function opaqueTicket(realm: string, sname: PrincipalName, kvno = 1): Ticket {
  return { tktVno: 5, realm, sname, encPart: { etype: 18, kvno, cipher: randomBytes(80) } }
}

/** Options for {@link makeKDCRep}. */
export interface KDCRepOptions {
  readonly key: KerberosKey
  readonly usage: number
  readonly msgType?: 11 | 13
  readonly tag?: 'as' | 'tgs'
  readonly sessionKey?: KerberosKey
  readonly nonce?: number
  readonly cname?: PrincipalName
  readonly crealm?: string
  /** Server of the ticket and of the enc-part (default: the request's sname@realm). */
  readonly sname?: PrincipalName
  readonly srealm?: string
  /** enc-part sname when it should differ from the ticket's. */
  readonly partSname?: PrincipalName
  readonly now?: Date
  readonly endtime?: Date
  readonly flags?: number
  readonly padata?: KDCRep['padata']
  readonly renewTill?: Date
  /** encrypted-pa-data of the enc-part (RFC 6806 §11 PA-REQ-ENC-PA-REP). */
  readonly encryptedPaData?: EncKDCRepPart['encryptedPaData']
}

/** An AS-REP or TGS-REP answering `req`. */
export function makeKDCRep(req: KDCReq, o: KDCRepOptions): Uint8Array {
  const now = o.now ?? new Date()
  const body = req.reqBody
  const sname = o.sname ?? body.sname!
  const srealm = o.srealm ?? body.realm
  const sessionKey = o.sessionKey ?? randomKey(18)
  const part: EncKDCRepPart = {
    key: sessionKey,
    lastReq: [],
    nonce: o.nonce ?? body.nonce,
    flags: o.flags ?? 0,
    authtime: whole(now.getTime()),
    endtime: o.endtime ?? whole(now.getTime() + 3600_000),
    ...(o.renewTill !== undefined ? { renewTill: o.renewTill } : {}),
    srealm,
    sname: o.partSname ?? sname,
    ...(o.encryptedPaData !== undefined ? { encryptedPaData: o.encryptedPaData } : {}),
  }
  const msgType = o.msgType ?? (req.msgType === 10 ? 11 : 13)
  const tag = o.tag ?? (msgType === 11 ? 'as' : 'tgs')
  const plain = tag === 'as' ? encodeEncASRepPart(part) : encodeEncTGSRepPart(part)
  const rep: KDCRep = {
    pvno: 5,
    msgType,
    ...(o.padata !== undefined ? { padata: o.padata } : {}),
    crealm: o.crealm ?? body.realm,
    cname: o.cname ?? body.cname ?? { nameType: 1, nameString: ['nobody'] },
    ticket: opaqueTicket(srealm, sname),
    encPart: { etype: o.key.enctype, cipher: encrypt(o.key, o.usage, plain) },
  }
  return msgType === 11 ? encodeASRep(rep) : encodeTGSRep(rep)
}

/**
 * What an RFC 6806 §11 KDC adds for a request that carried PA-REQ-ENC-PA-REP: the enc-pa-rep
 * flag and a checksum over the request bytes with the reply key (usage 56).
 */
export function encPARep(
  requestBytes: Uint8Array,
  replyKey: KerberosKey,
): Pick<KDCRepOptions, 'flags' | 'encryptedPaData'> {
  const cksumtype = checksumTypeOf(replyKey.enctype)
  const checksum = makeChecksum(cksumtype, replyKey, 56, requestBytes)
  return {
    flags: setFlags(15),
    encryptedPaData: [{ padataType: 149, padataValue: encodeChecksum({ cksumtype, checksum }) }],
  }
}

/** A KRB-ERROR for `req`. */
export function makeKRBError(
  req: KDCReq,
  errorCode: number,
  o: Partial<Pick<KRBError, 'eData' | 'crealm' | 'cname' | 'eText'>> & {
    readonly stime?: Date
  } = {},
): Uint8Array {
  const stime = o.stime ?? new Date()
  return encodeKRBError({
    pvno: 5,
    msgType: 30,
    stime: whole(stime.getTime()),
    susec: (stime.getTime() % 1000) * 1000,
    errorCode,
    realm: req.reqBody.realm,
    sname: req.reqBody.sname ?? { nameType: 2, nameString: ['krbtgt', req.reqBody.realm] },
    ...(o.crealm !== undefined ? { crealm: o.crealm } : {}),
    ...(o.cname !== undefined ? { cname: o.cname } : {}),
    ...(o.eText !== undefined ? { eText: o.eText } : {}),
    ...(o.eData !== undefined ? { eData: o.eData } : {}),
  })
}
