/**
 * A hostile KDC on 127.0.0.1 (TCP and UDP on one port) for client robustness tests. Transport
 * modes misbehave on the wire; reply modes relay to a real MIT KDC and tamper with what comes
 * back (decoded with src/asn1, modified, re-encoded), or answer with replies built here (a fake
 * realm that knows a password of its own choosing).
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import { createSocket, type Socket as UDPSocket } from 'node:dgram'
import {
  decodeASRep,
  decodeChecksum,
  decodeEncKDCRepPart,
  encodeASReq,
  encodeChecksum,
  type EncKDCRepPart,
  type KDCRep,
  decodeKDCReq,
  encodeASRep,
  encodeEncASRepPart,
  encodeEncTGSRepPart,
  encodeETypeInfo2,
  encodeKRBError,
  encodeMethodData as encodeMethodDataList,
  principalFromName,
  type KDCReq,
} from '../../src/asn1/index.js'
import { decrypt, encrypt, randomKey, stringToKey } from '../../src/crypto/index.js'
import { KeyUsage, PADataType } from '../../src/iana.js'
import type { KerberosKey } from '../../src/key.js'
import { tgsPrincipal, type Principal } from '../../src/principal.js'
import { issueTicket, kdcRep, replyPart } from '../fuzz/world.js'
import { frame } from './realm-net.js'
import { findFreePort } from './realm.js'

/** How the KDC misbehaves. */
export type HostileMode =
  /** Reads requests, never answers. */
  | 'silent'
  /** TCP: a length prefix and half the real reply, then close. UDP: silent. */
  | 'close-mid-frame'
  /** TCP: a 2 GiB length prefix (0x80000000) then a few bytes, and hold. UDP: silent. */
  | 'huge-length'
  /** A 2^31-1 length prefix (reserved bit clear), then hold. */
  | 'huge-length-31'
  /** Random bytes (framed on TCP). */
  | 'garbage'
  /** The real reply, one byte every `dripMs` (TCP); UDP silent. */
  | 'slow-drip'
  /** The real AS-REP with the enc-part nonce changed (needs `clientKeys` to re-encrypt). */
  | 'wrong-nonce'
  /** The first AS-REP seen, sent again for every later AS-REQ. */
  | 'replay'
  /** The real AS-REP with cname changed to `mallory`. */
  | 'other-client'
  /**
   * The real AS-REP with cname changed to `mallory`, and the enc-pa-rep flag and its
   * PA-REQ-ENC-PA-REP checksum removed from the enc-part (needs `clientKeys` to re-encrypt).
   */
  | 'other-client-no-enc-pa-rep'
  /** The real AS-REP without the PA-REQ-ENC-PA-REP checksum, its enc-pa-rep flag kept (`clientKeys`). */
  | 'enc-pa-rep-missing'
  /** The real AS-REP with one bit of the PA-REQ-ENC-PA-REP checksum flipped (`clientKeys`). */
  | 'enc-pa-rep-wrong'
  /** The AS-REQ changed on its way to the real KDC (the first etype dropped: a downgrade). */
  | 'modify-request'
  /** The real AS-REP with crealm changed to EVIL.TEST. */
  | 'other-realm'
  /** PREAUTH_REQUIRED for every request, with a fresh salt each time (an endless preauth loop). */
  | 'preauth-loop'
  /** KRB_AP_ERR_SKEW (37) for every request, with a server time ten years ahead. */
  | 'skew-loop'
  /** KRB-ERROR KDC_ERR_SVC_UNAVAILABLE (29): MIT moves on to the next KDC. */
  | 'svc-unavailable'
  /** KRB-ERROR PREAUTH_REQUIRED whose e-data is malformed DER. */
  | 'bad-edata'
  /** An AS-REP encrypted in a key derived from a password the KDC chose (`spoofPassword`). */
  | 'spoof-key'
  /**
   * A password login: PREAUTH_REQUIRED with the real salt, then an AS-REP whose ETYPE-INFO2
   * names another salt and whose enc-part is in the attacker's key.
   */
  | 'spoof-preauth'
  /**
   * A whole fake realm: AS-REPs in the key of `spoofPassword` (default salt), TGTs and service
   * tickets in keys only this KDC has. A password login with `spoofPassword` succeeds.
   */
  | 'fake-realm'
  /** PREAUTH_REQUIRED whose ETYPE-INFO2 asks 2^24 − 1 PBKDF2 iterations for every aes etype. */
  | 'iteration-bomb'
  /**
   * PREAUTH_REQUIRED for every request, each time with other salts and s2kparams for aes256,
   * aes128 and aes256-sha384 (every answer would cost the client a new string-to-key).
   */
  | 'salt-carousel'
  /** As `salt-carousel` for two rounds, then an AS-REP in the attacker's key and yet another salt. */
  | 'salt-carousel-rep'

/** Options for {@link startHostileKDC}. */
export interface HostileKDCOptions {
  readonly mode: HostileMode
  /** Port of the real MIT KDC to relay to (relay modes). */
  readonly upstreamPort?: number
  /** Client keys that decrypt the real AS-REP (`wrong-nonce`). */
  readonly clientKeys?: readonly KerberosKey[]
  /** The attacker's password (`spoof-key`, `spoof-preauth`, `fake-realm`); default `attacker-pw`. */
  readonly spoofPassword?: string
  /**
   * `fake-realm`: break its TGS replies (another nonce, another server, another key), or answer
   * every TGS-REQ with a referral: REALM → LOOP.REALM → REALM → ...
   */
  readonly tgsTamper?: 'nonce' | 'server' | 'key' | 'referral-loop'
  /** Delay between bytes in `slow-drip`; default 100 ms. */
  readonly dripMs?: number
}

/** A running hostile KDC. */
export interface HostileKDC {
  readonly port: number
  /** Requests received (TCP and UDP). */
  readonly requests: number
  close(): Promise<void>
}

/** One framed request/reply with the real KDC over TCP. */
export function relayTCP(port: number, request: Uint8Array, timeoutMs = 5000): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port })
    let buf = new Uint8Array(0)
    const timer = setTimeout(() => {
      s.destroy()
      reject(new Error('relay timeout'))
    }, timeoutMs)
    s.on('connect', () => s.write(frame(request)))
    s.on('data', (d: Uint8Array) => {
      const next = new Uint8Array(buf.length + d.length)
      next.set(buf)
      next.set(d, buf.length)
      buf = next
      if (buf.length >= 4) {
        const len = new DataView(buf.buffer, buf.byteOffset).getUint32(0)
        if (buf.length >= 4 + len) {
          clearTimeout(timer)
          s.destroy()
          resolve(buf.slice(4, 4 + len))
        }
      }
    })
    s.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
  })
}

function randomGarbage(n: number): Uint8Array {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = (Math.random() * 256) | 0
  // Not a KRB-ERROR tag, so the transport's peek sees garbage.
  b[0] = 0x5a
  return b
}

/** Decode an AS-REP, change its outer fields, re-encode. */
function tamperOuter(
  reply: Uint8Array,
  change: (rep: ReturnType<typeof decodeASRep>) => ReturnType<typeof decodeASRep>,
): Uint8Array {
  if ((reply[0]! & 0x1f) !== 11) return reply
  return encodeASRep(change(decodeASRep(reply)))
}

function changeNonce(reply: Uint8Array, keys: readonly KerberosKey[]): Uint8Array {
  if ((reply[0]! & 0x1f) !== 11) return reply
  const rep = decodeASRep(reply)
  for (const key of keys) {
    if (key.enctype !== rep.encPart.etype) continue
    let plain: Uint8Array
    try {
      plain = decrypt(key, KeyUsage.AS_REP_ENCPART, rep.encPart.cipher)
    } catch {
      continue
    }
    // MIT tags the AS-REP enc-part as EncTGSRepPart [APPLICATION 26]; keep its choice.
    const part = decodeEncKDCRepPart(plain).value
    const encode = plain[0] === 0x7a ? encodeEncTGSRepPart : encodeEncASRepPart
    const cipher = encrypt(
      key,
      KeyUsage.AS_REP_ENCPART,
      encode({ ...part, nonce: (part.nonce ^ 0x5a5a) >>> 0 }),
    )
    return encodeASRep({ ...rep, encPart: { ...rep.encPart, cipher } })
  }
  throw new Error('hostile KDC: no client key decrypts the real AS-REP')
}

/** Decrypt the real AS-REP with one of `keys`, change its enc-part, re-encrypt. */
function rewriteEncPart(
  reply: Uint8Array,
  keys: readonly KerberosKey[],
  change: (part: EncKDCRepPart) => EncKDCRepPart,
  outer: (rep: KDCRep) => KDCRep = (r) => r,
): Uint8Array {
  if ((reply[0]! & 0x1f) !== 11) return reply
  const rep = decodeASRep(reply)
  for (const key of keys) {
    if (key.enctype !== rep.encPart.etype) continue
    let plain: Uint8Array
    try {
      plain = decrypt(key, KeyUsage.AS_REP_ENCPART, rep.encPart.cipher)
    } catch {
      continue
    }
    const part = decodeEncKDCRepPart(plain).value
    const encode = plain[0] === 0x7a ? encodeEncTGSRepPart : encodeEncASRepPart
    const cipher = encrypt(key, KeyUsage.AS_REP_ENCPART, encode(change(part)))
    return encodeASRep(outer({ ...rep, encPart: { ...rep.encPart, cipher } }))
  }
  throw new Error('hostile KDC: no client key decrypts the real AS-REP')
}

const ENC_PA_REP_BIT = 0x80000000 >>> 15

function withoutEncPARep(part: EncKDCRepPart, keepFlag: boolean): EncKDCRepPart {
  const rest = (part.encryptedPaData ?? []).filter((p) => p.padataType !== 149)
  const { encryptedPaData: _drop, ...base } = part
  return {
    ...base,
    flags: keepFlag ? part.flags : (part.flags & ~ENC_PA_REP_BIT) >>> 0,
    ...(rest.length > 0 ? { encryptedPaData: rest } : {}),
  }
}

function flipEncPARep(part: EncKDCRepPart): EncKDCRepPart {
  return {
    ...part,
    encryptedPaData: (part.encryptedPaData ?? []).map((p) => {
      if (p.padataType !== 149) return p
      const c = decodeChecksum(p.padataValue)
      const checksum = c.checksum.slice()
      checksum[0] ^= 1
      return { ...p, padataValue: encodeChecksum({ ...c, checksum }) }
    }),
  }
}

function krbError(
  req: KDCReq,
  errorCode: number,
  eData?: Uint8Array,
  stime = new Date(),
): Uint8Array {
  const body = req.reqBody
  return encodeKRBError({
    pvno: 5,
    msgType: 30,
    stime: new Date(Math.floor(stime.getTime() / 1000) * 1000),
    susec: 0,
    errorCode,
    realm: body.realm,
    sname: body.sname ?? { nameType: 2, nameString: ['krbtgt', body.realm] },
    ...(body.cname !== undefined ? { cname: body.cname, crealm: body.realm } : {}),
    ...(eData !== undefined ? { eData } : {}),
  })
}

const whole = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000)

/** The fake realm's state: TGT session keys it issued, by TGT cipher. */
class FakeRealm {
  readonly tgsKey = randomKey(18)
  readonly serviceKey = randomKey(18)
  readonly sessions = new Map<string, KerberosKey>()
  home: string | undefined
  readonly password: string
  readonly tgsTamper: HostileKDCOptions['tgsTamper']
  constructor(password: string, tgsTamper?: HostileKDCOptions['tgsTamper']) {
    this.password = password
    this.tgsTamper = tgsTamper
  }

  answer(req: KDCReq): Uint8Array {
    const body = req.reqBody
    const realm = body.realm
    const now = whole()
    if (req.msgType === 10) {
      this.home = realm
      const client = principalFromName(body.cname!, realm)
      const salt = realm + client.components.join('')
      const clientKey = stringToKey(18, this.password, salt)
      const session = randomKey(18)
      const krbtgt = tgsPrincipal(realm)
      const t = issueTicket({
        client,
        server: krbtgt,
        serverKey: this.tgsKey,
        sessionKey: session,
        now,
      })
      this.sessions.set(Buffer.from(t.ticket.encPart.cipher).toString('hex'), session)
      return kdcRep('as', {
        client,
        ticket: t.ticket,
        part: replyPart(req, { sessionKey: session, server: krbtgt, now }),
        key: clientKey,
        usage: KeyUsage.AS_REP_ENCPART,
        padata: [
          {
            padataType: PADataType.ETYPE_INFO2,
            padataValue: encodeETypeInfo2([{ etype: 18, salt }]),
          },
        ],
      })
    }
    // TGS: find the TGT in PA-TGS-REQ and answer in its session key.
    const apReq = req.padata?.find((p) => p.padataType === PADataType.TGS_REQ)
    const hex = apReq === undefined ? '' : Buffer.from(apReq.padataValue).toString('hex')
    for (const [cipher, session] of this.sessions) {
      if (!hex.includes(cipher)) continue
      const home = this.home ?? realm
      const client = { nameType: 1, components: ['alice'], realm: home } as Principal
      const asked = principalFromName(body.sname!, realm)
      const loop = this.tgsTamper === 'referral-loop'
      const server = loop
        ? tgsPrincipal(realm === home ? `LOOP.${home}` : home, realm)
        : this.tgsTamper === 'server'
          ? { ...asked, components: ['cifs', 'evil.example'] }
          : asked
      const st = issueTicket({
        client,
        server,
        serverKey: loop ? this.tgsKey : this.serviceKey,
        sessionKey: randomKey(18),
        now,
      })
      if (loop)
        this.sessions.set(Buffer.from(st.ticket.encPart.cipher).toString('hex'), st.part.key)
      return kdcRep('tgs', {
        client,
        ticket: st.ticket,
        part: replyPart(req, {
          sessionKey: st.part.key,
          server,
          now,
          ...(this.tgsTamper === 'nonce' ? { nonce: (body.nonce + 1) >>> 0 } : {}),
        }),
        key: this.tgsTamper === 'key' ? randomKey(18) : session,
        usage: KeyUsage.TGS_REP_ENCPART_SESSKEY,
      })
    }
    return krbError(req, 31) // KRB_AP_ERR_BAD_INTEGRITY
  }
}

class Behaviour {
  stored: Uint8Array | undefined
  rounds = 0
  readonly fake: FakeRealm
  readonly o: HostileKDCOptions
  constructor(o: HostileKDCOptions) {
    this.o = o
    this.fake = new FakeRealm(o.spoofPassword ?? 'attacker-pw', o.tgsTamper)
  }

  private async real(request: Uint8Array): Promise<Uint8Array> {
    if (this.o.upstreamPort === undefined)
      throw new Error(`hostile KDC mode ${this.o.mode} needs upstreamPort`)
    return relayTCP(this.o.upstreamPort, request)
  }

  /** The reply bytes for a content mode (undefined = do not answer). */
  async reply(request: Uint8Array): Promise<Uint8Array | undefined> {
    const req = decodeKDCReq(request)
    switch (this.o.mode) {
      case 'garbage':
        return randomGarbage(64 + ((Math.random() * 200) | 0))
      case 'wrong-nonce':
        return changeNonce(await this.real(request), this.o.clientKeys ?? [])
      case 'replay': {
        const r = await this.real(request)
        if ((r[0]! & 0x1f) !== 11) return r
        this.stored ??= r
        return this.stored
      }
      case 'other-client':
        return tamperOuter(await this.real(request), (rep) => ({
          ...rep,
          cname: { nameType: 1, nameString: ['mallory'] },
        }))
      case 'other-client-no-enc-pa-rep':
        return rewriteEncPart(
          await this.real(request),
          this.o.clientKeys ?? [],
          (part) => withoutEncPARep(part, false),
          (rep) => ({ ...rep, cname: { nameType: 1, nameString: ['mallory'] } }),
        )
      case 'enc-pa-rep-missing':
        return rewriteEncPart(await this.real(request), this.o.clientKeys ?? [], (part) =>
          withoutEncPARep(part, true),
        )
      case 'enc-pa-rep-wrong':
        return rewriteEncPart(await this.real(request), this.o.clientKeys ?? [], flipEncPARep)
      case 'modify-request': {
        if (req.msgType !== 10 || req.reqBody.etype.length < 2) return this.real(request)
        const body = { ...req.reqBody, etype: req.reqBody.etype.slice(1) }
        return this.real(encodeASReq({ ...req, reqBody: body }))
      }
      case 'other-realm':
        return tamperOuter(await this.real(request), (rep) => ({ ...rep, crealm: 'EVIL.TEST' }))
      case 'preauth-loop': {
        const salt = `${req.reqBody.realm}loop${(this.rounds++).toString()}`
        return krbError(req, 25, encodeMethodDataETI2(salt))
      }
      case 'skew-loop':
        return krbError(req, 37, undefined, new Date(Date.now() + 10 * 365 * 86400_000))
      case 'svc-unavailable':
        return krbError(req, 29)
      case 'bad-edata':
        return krbError(
          req,
          25,
          new Uint8Array([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30, 0x03, 0xa1]),
        )
      case 'spoof-key':
        return this.spoof(req, 'EVIL.TESTmallory')
      case 'spoof-preauth': {
        if (req.padata?.some((p) => p.padataType === PADataType.ENC_TIMESTAMP) !== true) {
          const salt = req.reqBody.realm + (req.reqBody.cname?.nameString.join('') ?? '')
          return krbError(req, 25, encodeMethodDataETI2(salt))
        }
        return this.spoof(req, 'EVIL.TESTother-salt')
      }
      case 'fake-realm':
        return this.fake.answer(req)
      case 'iteration-bomb':
        return krbError(req, 25, encodeMethodDataS2K(req, 0xffffff, ''))
      case 'salt-carousel':
      case 'salt-carousel-rep': {
        const round = this.rounds++
        if (this.o.mode === 'salt-carousel-rep' && round >= 2) {
          return this.spoof(req, `${req.reqBody.realm}carousel-reply`)
        }
        return krbError(req, 25, encodeMethodDataS2K(req, 4096 + round, `carousel${round}`))
      }
      default:
        return this.real(request)
    }
  }

  /** An AS-REP in the attacker's key (with its salt announced in ETYPE-INFO2). */
  spoof(req: KDCReq, salt: string): Uint8Array {
    const body = req.reqBody
    const client = principalFromName(body.cname!, body.realm)
    const krbtgt = tgsPrincipal(body.realm)
    const now = whole()
    const session = randomKey(18)
    const t = issueTicket({
      client,
      server: krbtgt,
      serverKey: randomKey(18),
      sessionKey: session,
      now,
    })
    const etype = body.etype.includes(18) ? 18 : body.etype[0]!
    return kdcRep('as', {
      client,
      ticket: t.ticket,
      part: replyPart(req, { sessionKey: session, server: krbtgt, now }),
      key: stringToKey(etype, this.o.spoofPassword ?? 'attacker-pw', salt),
      usage: KeyUsage.AS_REP_ENCPART,
      padata: [
        { padataType: PADataType.ETYPE_INFO2, padataValue: encodeETypeInfo2([{ etype, salt }]) },
      ],
    })
  }
}

function encodeMethodDataETI2(salt: string): Uint8Array {
  // METHOD-DATA ::= SEQUENCE OF PA-DATA: ETYPE-INFO2 and PA-ENC-TIMESTAMP.
  return encodeMethodDataList([
    { padataType: PADataType.ETYPE_INFO2, padataValue: encodeETypeInfo2([{ etype: 18, salt }]) },
    { padataType: PADataType.ENC_TIMESTAMP, padataValue: new Uint8Array(0) },
  ])
}

/** METHOD-DATA offering PA-ENC-TIMESTAMP with `iterations` for every aes etype (salt + `tag`). */
function encodeMethodDataS2K(req: KDCReq, iterations: number, tag: string): Uint8Array {
  const base = req.reqBody.realm + (req.reqBody.cname?.nameString.join('') ?? '') + tag
  const params = (count: number): Uint8Array => {
    const n = Math.min(count, 0xffffff) // MIT's ceiling: the most a KDC can make us run
    return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff])
  }
  return encodeMethodDataList([
    {
      padataType: PADataType.ETYPE_INFO2,
      padataValue: encodeETypeInfo2([
        { etype: 18, salt: `${base}-18`, s2kparams: params(iterations) },
        { etype: 17, salt: `${base}-17`, s2kparams: params(iterations + 1) },
        { etype: 20, salt: `${base}-20`, s2kparams: params(Math.max(iterations, 32768) + 2) },
        { etype: 19, salt: `${base}-19`, s2kparams: params(Math.max(iterations, 32768) + 3) },
      ]),
    },
    { padataType: PADataType.ENC_TIMESTAMP, padataValue: new Uint8Array(0) },
  ])
}

function onTCP(b: Behaviour, socket: Socket, count: () => void): void {
  const o = b.o
  let buf = new Uint8Array(0)
  socket.on('error', () => {})
  socket.on('data', (d: Uint8Array) => {
    const next = new Uint8Array(buf.length + d.length)
    next.set(buf)
    next.set(d, buf.length)
    buf = next
    if (buf.length < 4) return
    const len = new DataView(buf.buffer, buf.byteOffset).getUint32(0)
    if (buf.length < 4 + len) return
    const request = buf.slice(4, 4 + len)
    buf = buf.slice(4 + len)
    count()
    void answerTCP(b, o, socket, request)
  })
}

async function answerTCP(
  b: Behaviour,
  o: HostileKDCOptions,
  socket: Socket,
  request: Uint8Array,
): Promise<void> {
  try {
    switch (o.mode) {
      case 'silent':
        return
      case 'huge-length':
        socket.write(new Uint8Array([0x80, 0, 0, 0, 0x6b, 0x82]))
        return
      case 'huge-length-31':
        socket.write(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 0x6b, 0x82]))
        return
      case 'close-mid-frame': {
        const real = await relayTCP(o.upstreamPort!, request)
        const framed = frame(real)
        socket.end(framed.subarray(0, 4 + (real.length >> 1)))
        return
      }
      case 'slow-drip': {
        const framed = frame(await relayTCP(o.upstreamPort!, request))
        for (let i = 0; i < framed.length && !socket.destroyed; i++) {
          socket.write(framed.subarray(i, i + 1))
          await new Promise((r) => setTimeout(r, o.dripMs ?? 100))
        }
        return
      }
      default: {
        const r = await b.reply(request)
        if (r !== undefined && !socket.destroyed) socket.write(frame(r))
      }
    }
  } catch (err) {
    if (process.env.HOSTILE_KDC_DEBUG !== undefined) console.error('hostile KDC:', err)
    socket.destroy()
  }
}

async function answerUDP(
  b: Behaviour,
  sock: UDPSocket,
  msg: Uint8Array,
  port: number,
  address: string,
): Promise<void> {
  const m = b.o.mode
  if (
    m === 'silent' ||
    m === 'close-mid-frame' ||
    m === 'huge-length' ||
    m === 'huge-length-31' ||
    m === 'slow-drip'
  )
    return
  try {
    const r = await b.reply(msg)
    if (r !== undefined) sock.send(r, port, address)
  } catch {
    // a request we cannot decode: stay silent
  }
}

/** Start a hostile KDC on 127.0.0.1 (TCP and UDP on the same port). */
export async function startHostileKDC(options: HostileKDCOptions): Promise<HostileKDC> {
  const behaviour = new Behaviour(options)
  let requests = 0
  const count = (): void => {
    requests++
  }
  const sockets = new Set<Socket>()
  for (let attempt = 0; ; attempt++) {
    const port = await findFreePort()
    const server: Server = createServer((s) => {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      onTCP(behaviour, s, count)
    })
    const udp = createSocket('udp4')
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve())
      })
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject)
        udp.bind({ address: '127.0.0.1', port, exclusive: true }, () => resolve())
      })
    } catch (err) {
      server.close()
      try {
        udp.close()
      } catch {
        // not bound
      }
      if (attempt < 5) continue
      throw err
    }
    udp.on('message', (msg, from) => {
      count()
      void answerUDP(behaviour, udp, new Uint8Array(msg), from.port, from.address)
    })
    return {
      port,
      get requests() {
        return requests
      },
      close: async () => {
        for (const s of sockets) s.destroy()
        await Promise.all([
          new Promise<void>((r) => server.close(() => r())),
          new Promise<void>((r) => udp.close(() => r())),
        ])
      },
    }
  }
}
