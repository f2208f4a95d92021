/**
 * The embedded KDC: request bytes in, reply bytes out (sans-I/O).
 *
 * @module
 */
import { decodeKDCReq } from '../asn1/kdc.js'
import type { KDCReq, PrincipalName } from '../asn1/types.js'
import { KerberosError } from '../errors.js'
import { toHex } from '../internal/bytes.js'
import { MemoryReplayCache, replayKey } from '../protocol/replay-cache.js'
import { sha1Digest } from '../crypto/sha1.js'
import { handleAS } from './as.js'
import { handleTGS } from './tgs.js'
import {
  DEFAULT_KDC_ENCTYPES,
  E,
  KDCRefusal,
  krbError,
  type KDCContext,
  type KDCOptions,
} from './common.js'

/** The largest request the KDC reads (MIT: 64 KiB over UDP; the TCP limit is the server's). */
export const MAX_KDC_REQUEST: number = 1 << 20

/**
 * A KDC for tests and demos (RFC 4120 §3.1, §3.3): `handle(request)` answers an AS-REQ or a
 * TGS-REQ with an AS-REP, a TGS-REP or a KRB-ERROR. Never throws on network input; returns
 * `undefined` (silence) only for input that is not a Kerberos request at all.
 *
 * Not for production: no database persistence, no admin protocol, no FAST, no PKINIT.
 *
 * @example
 * ```ts
 * const db = new MemoryPrincipalDatabase('EXAMPLE.COM')
 * db.addRandom('krbtgt/EXAMPLE.COM')
 * db.addPassword('alice', 'secret', { requiresPreauth: true })
 * const kdc = new KDC({ realm: 'EXAMPLE.COM', database: db })
 * const reply = kdc.handle(asReqBytes)
 * ```
 */
export class KDC {
  readonly realm: string
  readonly #options: KDCOptions
  /**
   * Seen PA-ENC-TIMESTAMPs and TGS authenticators, keyed on their integrity tags; when full of
   * unexpired entries the flooding client's own entries go first (the acceptor's cache).
   */
  readonly #seen: MemoryReplayCache
  // MIT's lookaside cache: a retransmitted request (same bytes) gets the same reply.
  readonly #lookaside = new Map<string, { reply: Uint8Array; expiresAt: number }>()

  constructor(options: KDCOptions) {
    if (typeof options.realm !== 'string' || options.realm === '')
      throw new TypeError('expected a realm name')
    this.realm = options.realm
    this.#options = options
    this.#seen = new MemoryReplayCache({ maxEntries: 100_000, now: () => this.#now() })
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now()
  }

  #context(nowMs: number): KDCContext {
    const o = this.#options
    return {
      realm: o.realm,
      db: o.database,
      policy: o.enctypes ?? DEFAULT_KDC_ENCTYPES,
      allowWeak: o.allowWeakCrypto === true,
      skewMs: (o.clockSkew ?? 300) * 1000,
      maxLife: o.maxLife ?? 36_000,
      maxRenewableLife: o.maxRenewableLife ?? 7 * 86_400,
      alwaysPac: o.alwaysPac === true,
      referral: o.referral,
      nowMs,
      random: o.random,
      fresh: (encrypted, client, time) =>
        this.#seen.checkAndStore({
          key: replayKey(encrypted),
          client,
          server: o.realm,
          time,
          expiresAt: time + (o.clockSkew ?? 300) * 1000,
        }),
    }
  }

  /** A KRB_ERR_RESPONSE_TOO_BIG error (52): the server sends it when a reply does not fit UDP. */
  responseTooBig(): Uint8Array {
    return krbError(this.#context(this.#now()), 52, 'response too big for UDP, retry with TCP')
  }

  /** Answer one request. Returns undefined (say nothing) for bytes that are no AS-REQ/TGS-REQ. */
  handle(request: Uint8Array): Uint8Array | undefined {
    const now = this.#now()
    if (
      !(request instanceof Uint8Array) ||
      request.length === 0 ||
      request.length > MAX_KDC_REQUEST
    )
      return undefined
    const first = request[0]
    if (first !== 0x6a && first !== 0x6c) return undefined
    const id = toHex(sha1Digest(request))
    const cached = this.#lookaside.get(id)
    if (cached !== undefined && cached.expiresAt >= now) return cached.reply
    const reply = this.#answer(request, now)
    this.#remember(id, reply, now)
    return reply
  }

  #remember(id: string, reply: Uint8Array, now: number): void {
    if (this.#lookaside.size >= 10_000) {
      for (const [k, v] of this.#lookaside) if (v.expiresAt < now) this.#lookaside.delete(k)
      if (this.#lookaside.size >= 10_000) this.#lookaside.clear()
    }
    this.#lookaside.set(id, { reply, expiresAt: now + 60_000 })
  }

  #answer(request: Uint8Array, now: number): Uint8Array {
    const ctx = this.#context(now)
    let req: KDCReq
    try {
      req = decodeKDCReq(request)
    } catch {
      return krbError(ctx, E.GENERIC, 'malformed request')
    }
    const errorNames: { sname?: PrincipalName; cname?: PrincipalName; crealm?: string } = {}
    if (req.reqBody.sname !== undefined) errorNames.sname = req.reqBody.sname
    if (req.reqBody.cname !== undefined) {
      errorNames.cname = req.reqBody.cname
      errorNames.crealm = req.reqBody.realm
    }
    try {
      return req.msgType === 10 ? handleAS(ctx, req) : handleTGS(ctx, req)
    } catch (e) {
      if (e instanceof KDCRefusal) {
        return krbError(ctx, e.errorCode, e.message, { ...errorNames, eData: e.eData })
      }
      if (e instanceof KerberosError) {
        const code = e.code === 'ERR_KRB_INTEGRITY' ? E.BAD_INTEGRITY : E.GENERIC
        return krbError(ctx, code, 'request could not be processed', errorNames)
      }
      // Anything else (a RangeError from a hostile length, a bug): a KRB-ERROR, never a crash.
      return krbError(ctx, E.GENERIC, 'request could not be processed', errorNames)
    }
  }
}
