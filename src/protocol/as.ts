/**
 * The AS exchange (RFC 4120 §3.1), sans I/O: build the AS-REQ, read the preauth hints of a
 * KDC_ERR_PREAUTH_REQUIRED error (RFC 4120 §5.2.7, ETYPE-INFO2 first), make PA-ENC-TIMESTAMP,
 * and read and check the AS-REP. The loop that sends and retries lives in `client/`.
 *
 * @module
 */
import {
  decodeChecksum,
  decodeETypeInfo,
  decodeETypeInfo2,
  decodeMethodData,
  encodeASReq,
  encodePAEncTSEnc,
  encodePAPacRequest,
  encodeEncryptedData,
  hasFlag,
  principalFromName,
  principalToName,
  setFlags,
} from '../asn1/index.js'
import type { KDCReq, KDCReqBody, PAData } from '../asn1/index.js'
import { checksumTypeOf, encrypt, isEnctypeSupported, verifyChecksum } from '../crypto/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import {
  EncTypeKeyLength,
  KDCOptions,
  KeyUsage,
  PADataType,
  TicketFlags,
  describeEncType,
} from '../iana.js'
import { randomBytes, utf8, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import {
  formatPrincipal,
  isTGSPrincipal,
  principalEquals,
  tgsPrincipal,
  type Principal,
} from '../principal.js'
import {
  checkKDCRepPart,
  credentialsFromReply,
  decryptKDCRepPart,
  parseKDCReply,
  replyFailure,
  type Credentials,
  type KDCReply,
} from './kdc-rep.js'
import type { EncKDCRepPart, KDCRep, KRBError } from '../asn1/index.js'
import type { KDCError } from '../errors.js'
import {
  fastAvailable,
  fastReplyKey,
  openFastReply,
  unwrapFastError,
  verifyKDCChallenge,
  type FastRequestState,
} from './fast.js'

/** A 31-bit positive nonce from `random` (MIT masks to 31 bits: some KDCs read it as signed). */
export function makeNonce(random: RandomSource = randomBytes): number {
  const b = random(4)
  const n = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) & 0x7fffffff
  return n === 0 ? 1 : n
}

/** The KDC options a login or TGS request asks for. */
export interface KDCOptionFlags {
  readonly forwardable?: boolean
  readonly proxiable?: boolean
  /** RENEWABLE, with RENEWABLE-OK (take a renewable ticket rather than a shorter one). */
  readonly renewable?: boolean
  readonly canonicalize?: boolean
  /** RENEW (TGS only: renew the ticket given as the TGT). */
  readonly renew?: boolean
}

/**
 * KDCOptions bits (RFC 4120 §5.4.1) for the given choices.
 *
 * @example
 * ```ts
 * kdcOptionsFor({ forwardable: true, canonicalize: true }) // FORWARDABLE | CANONICALIZE
 * ```
 */
export function kdcOptionsFor(o: KDCOptionFlags): number {
  const bits: number[] = []
  if (o.forwardable === true) bits.push(KDCOptions.FORWARDABLE)
  if (o.proxiable === true) bits.push(KDCOptions.PROXIABLE)
  if (o.renewable === true) bits.push(KDCOptions.RENEWABLE, KDCOptions.RENEWABLE_OK)
  if (o.canonicalize === true) bits.push(KDCOptions.CANONICALIZE)
  if (o.renew === true) bits.push(KDCOptions.RENEW)
  return setFlags(...bits)
}

/** Options for {@link orderEtypes}. */
export interface OrderEtypesOptions {
  /** `permitted_enctypes`: anything else is dropped. */
  readonly permitted?: readonly number[]
  /** Only these (for a keytab login: the etypes at the keytab's highest kvno). */
  readonly available?: readonly number[]
  /** Keep rc4-hmac (off by default). */
  readonly allowWeak?: boolean
}

/**
 * The etype list of a request: `preferred` in order (`default_tkt_enctypes`), minus what is not
 * permitted, not available or not implemented, without duplicates.
 *
 * @example
 * ```ts
 * orderEtypes([18, 17, 23], { available: [17, 18] }) // [18, 17]
 * ```
 */
export function orderEtypes(preferred: readonly number[], o: OrderEtypesOptions = {}): number[] {
  const out: number[] = []
  for (const e of preferred) {
    if (out.includes(e)) continue
    if (o.permitted !== undefined && !o.permitted.includes(e)) continue
    if (o.available !== undefined && !o.available.includes(e)) continue
    if (!isEnctypeSupported(e, { allowWeak: o.allowWeak === true })) continue
    out.push(e)
  }
  return out
}

/** Options for {@link buildASReq}. */
export interface ASRequestOptions {
  /** The client; its realm is the realm asked. */
  readonly client: Principal
  /** Default `krbtgt/REALM@REALM`. */
  readonly server?: Principal
  /** Etypes in preference order (see {@link orderEtypes}). */
  readonly etypes: readonly number[]
  /** KDCOptions bits (see {@link kdcOptionsFor}). */
  readonly kdcOptions?: number
  /** Client clock (already corrected by a known KDC offset). */
  readonly now: Date
  /** Requested lifetime in seconds (till = now + lifetime); default 86400. */
  readonly lifetime?: number
  /** Requested renewable lifetime in seconds; 0 or absent = no rtime. */
  readonly renewLifetime?: number
  readonly nonce: number
  /** Pre-authentication data (PA-ENC-TIMESTAMP on the second round). */
  readonly padata?: readonly PAData[]
  /** Add KERB-PA-PAC-REQUEST (MS-KILE) with this include-pac value. */
  readonly pacRequest?: boolean
  /**
   * Send an empty PA-REQ-ENC-PA-REP (149, RFC 6806 §11) asking the KDC to return a checksum of
   * this request in the encrypted reply, as MIT's client does; default true.
   */
  readonly requestEncPARep?: boolean
}

/** A built request: the bytes to send and what the reply is checked against. */
export interface ASRequest {
  readonly bytes: Uint8Array
  readonly req: KDCReq
  readonly nonce: number
  readonly client: Principal
  readonly server: Principal
  readonly till: Date
  readonly rtime?: Date
  /**
   * Set on an armored request (`armorASRequest`): `bytes` and `req` are the outer request, and
   * the reply is read through FAST (RFC 6113).
   */
  readonly fast?: FastRequestState
}

const wholeSeconds = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000)

/**
 * Build an AS-REQ (RFC 4120 §5.4.1).
 *
 * @example
 * ```ts
 * const req = buildASReq({
 *   client: parsePrincipal('alice@EXAMPLE.COM'),
 *   etypes: [18, 17],
 *   now: new Date(),
 *   nonce: makeNonce(),
 *   kdcOptions: kdcOptionsFor({ forwardable: true }),
 * })
 * await transport.sendToKDC('EXAMPLE.COM', req.bytes)
 * ```
 */
export function buildASReq(o: ASRequestOptions): ASRequest {
  if (o.etypes.length === 0) throw new RangeError('expected at least one etype for the AS-REQ')
  const server = o.server ?? tgsPrincipal(o.client.realm)
  const nowMs = o.now.getTime()
  const till = wholeSeconds(nowMs + (o.lifetime ?? 86400) * 1000)
  const renew = o.renewLifetime ?? 0
  const rtime = renew > 0 ? wholeSeconds(nowMs + renew * 1000) : undefined
  let kdcOptions = o.kdcOptions ?? 0
  if (rtime !== undefined) kdcOptions |= setFlags(KDCOptions.RENEWABLE, KDCOptions.RENEWABLE_OK)
  const body: KDCReqBody = {
    kdcOptions: kdcOptions >>> 0,
    cname: principalToName(o.client).name,
    realm: o.client.realm,
    sname: principalToName(server).name,
    till,
    ...(rtime !== undefined ? { rtime } : {}),
    nonce: o.nonce,
    etype: [...o.etypes],
  }
  const padata: PAData[] = [...(o.padata ?? [])]
  if (o.pacRequest !== undefined) {
    padata.push({
      padataType: PADataType.PAC_REQUEST,
      padataValue: encodePAPacRequest({ includePac: o.pacRequest }),
    })
  }
  if (o.requestEncPARep !== false) {
    padata.push({ padataType: PADataType.REQ_ENC_PA_REP, padataValue: new Uint8Array(0) })
  }
  const req: KDCReq = {
    pvno: 5,
    msgType: 10,
    ...(padata.length > 0 ? { padata } : {}),
    reqBody: body,
  }
  return {
    bytes: encodeASReq(req),
    req,
    nonce: o.nonce,
    client: o.client,
    server,
    till,
    ...(rtime !== undefined ? { rtime } : {}),
  }
}

/** Salt and string-to-key parameters the KDC gave for one etype. */
export interface SaltInfo {
  readonly etype: number
  /** The salt as sent (ETYPE-INFO2's KerberosString is UTF-8 here); absent = default salt. */
  readonly salt?: Uint8Array
  readonly s2kparams?: Uint8Array
}

/** What a KDC_ERR_PREAUTH_REQUIRED error (or an AS-REP's padata) tells the client. */
export interface PreauthHints {
  /** PA-DATA types the KDC offers, in its order. */
  readonly methods: readonly number[]
  /** Salts per etype, in the KDC's preference order (ETYPE-INFO2, else ETYPE-INFO, else PW-SALT). */
  readonly saltInfo: readonly SaltInfo[]
}

/**
 * Salt information from a PA-DATA list: ETYPE-INFO2 (RFC 4120 §5.2.7.5) wins, then ETYPE-INFO
 * (§5.2.7.4), then PW-SALT (§5.2.7.3, salt for every etype).
 */
export function saltInfoFromPAData(padata: readonly PAData[] | undefined): SaltInfo[] {
  const list = padata ?? []
  const info2 = list.find((p) => p.padataType === PADataType.ETYPE_INFO2)
  if (info2 !== undefined) {
    return decodeETypeInfo2(info2.padataValue).map((e) => ({
      etype: e.etype,
      ...(e.salt !== undefined ? { salt: utf8(e.salt) } : {}),
      ...(e.s2kparams !== undefined ? { s2kparams: e.s2kparams } : {}),
    }))
  }
  const info = list.find((p) => p.padataType === PADataType.ETYPE_INFO)
  if (info !== undefined) {
    return decodeETypeInfo(info.padataValue).map((e) => ({
      etype: e.etype,
      ...(e.salt !== undefined ? { salt: e.salt } : {}),
    }))
  }
  const pw = list.find((p) => p.padataType === PADataType.PW_SALT)
  // PW-SALT carries no etype: 0 stands for "any".
  return pw !== undefined ? [{ etype: 0, salt: pw.padataValue }] : []
}

/**
 * Read the METHOD-DATA e-data of KDC_ERR_PREAUTH_REQUIRED (RFC 4120 §5.9.1). Empty or missing
 * e-data gives no hints (the client then tries the default salt).
 *
 * @example
 * ```ts
 * const { saltInfo } = readPreauthHints(kdcError.eData)
 * const info = chooseSaltInfo(saltInfo, [18, 17])
 * const key = stringToKey(info.etype, password, info.salt ?? defaultSalt(client), { params: info.s2kparams })
 * ```
 */
export function readPreauthHints(eData: Uint8Array | undefined): PreauthHints {
  if (eData === undefined || eData.length === 0) return { methods: [], saltInfo: [] }
  const padata = decodeMethodData(eData)
  return { methods: padata.map((p) => p.padataType), saltInfo: saltInfoFromPAData(padata) }
}

/**
 * The first hint (KDC order) for an etype we can use; a PW-SALT hint applies to `etypes[0]`.
 */
export function chooseSaltInfo(
  hints: readonly SaltInfo[],
  etypes: readonly number[],
): SaltInfo | undefined {
  for (const h of hints) {
    if (h.etype === 0 && etypes.length > 0) return { ...h, etype: etypes[0]! }
    if (etypes.includes(h.etype)) return h
  }
  return undefined
}

/**
 * PA-ENC-TIMESTAMP (RFC 4120 §5.2.7.2): the client time encrypted in the client key, usage 1.
 *
 * @example
 * ```ts
 * const pa = makeEncTimestamp(key, new Date())
 * buildASReq({ ..., padata: [pa] })
 * ```
 */
export function makeEncTimestamp(
  key: KerberosKey,
  now: Date,
  options: { readonly random?: RandomSource; readonly allowWeak?: boolean } = {},
): PAData {
  const ms = now.getTime()
  const pausec = (((ms % 1000) + 1000) % 1000) * 1000
  const plain = encodePAEncTSEnc({ patimestamp: wholeSeconds(ms), pausec })
  const cipher = encrypt(key, KeyUsage.AS_REQ_PA_ENC_TIMESTAMP, plain, {
    random: options.random ?? randomBytes,
    allowWeak: options.allowWeak === true,
  })
  return {
    padataType: PADataType.ENC_TIMESTAMP,
    padataValue: encodeEncryptedData({ etype: key.enctype, cipher }),
  }
}

/** Which key decrypts the AS-REP: the etype and kvno it names, and the KDC's salt for it. */
export interface ASReplyKeyRequest {
  readonly etype: number
  readonly kvno?: number
  /** From the AS-REP's own padata, else from the preauth round. */
  readonly saltInfo?: SaltInfo
}

/** Options for {@link readASReply}. */
export interface ReadASReplyOptions {
  readonly request: ASRequest
  /**
   * Candidate keys for the reply's etype (a password: one key from the salt; a keytab: that
   * etype at every kvno, the reply's kvno first). Each is tried until one decrypts.
   */
  readonly keys: (want: ASReplyKeyRequest) => readonly KerberosKey[]
  /** Salt hints from an earlier PREAUTH_REQUIRED round. */
  readonly hints?: readonly SaltInfo[]
  /** We asked the KDC to canonicalize: accept a different client name in the reply. */
  readonly canonicalize?: boolean
  /** Seconds of skew allowed; default 300. */
  readonly clockskew?: number
  readonly allowWeak?: boolean
  /**
   * An armored request that carried PA-ENCRYPTED-CHALLENGE: the reply must carry the KDC's
   * encrypted challenge, checked against this clock (RFC 6113 §5.4.6).
   */
  readonly kdcChallenge?: { readonly now: Date }
}

/** A checked AS-REP, or the KRB-ERROR the KDC sent instead. */
export type ASReplyOutcome =
  | {
      readonly kind: 'ok'
      readonly credentials: Credentials
      readonly rep: KDCRep
      readonly encPart: EncKDCRepPart
      /** The key that decrypted the reply (the client's long-term key). */
      readonly replyKey: KerberosKey
      /**
       * True when the reply set the enc-pa-rep flag and its PA-REQ-ENC-PA-REP checksum over our
       * AS-REQ verified with the reply key (RFC 6806 §11): the KDC saw the request unmodified.
       */
      readonly encPARepVerified: boolean
      /** The request was armored and the reply passed the FAST checks (RFC 6113). */
      readonly fast: boolean
      /** The encrypted padata holds PA-FX-FAST: the KDC does FAST (MIT's `fast_avail`). */
      readonly fastAvailable: boolean
    }
  | {
      readonly kind: 'error'
      readonly error: KRBError
      readonly kdcError: KDCError
      /**
       * For an armored request: `armored` when the error came inside PA-FX-ERROR (its e-data is
       * then the FAST response's padata), `unprotected` when it did not (never to be acted on).
       */
      readonly fast?: 'armored' | 'unprotected'
    }

/**
 * Read an AS reply: a KRB-ERROR comes back as `{ kind: 'error' }`; an AS-REP is decrypted with
 * usage 3 and checked (RFC 4120 §3.1.5): client name and realm (unless canonicalize was asked),
 * a krbtgt server when one was asked, nonce, times. Any failed check throws `ERR_KRB_KDC_REPLY`;
 * a reply no candidate key decrypts throws `ERR_KRB_INTEGRITY`.
 *
 * @example
 * ```ts
 * const out = readASReply(replyBytes, { request: req, keys: () => [clientKey] })
 * if (out.kind === 'error') throw out.kdcError // or answer PREAUTH_REQUIRED / SKEW
 * out.credentials.sessionKey
 * ```
 */
export function readASReply(bytes: Uint8Array, o: ReadASReplyOptions): ASReplyOutcome {
  const reply: KDCReply = parseKDCReply(bytes, 11)
  const fast = o.request.fast
  const allowWeak = o.allowWeak === true
  if (reply.kind === 'error') {
    if (fast === undefined) return reply
    const inner = unwrapFastError(reply.error, fast, { allowWeak })
    return inner === undefined
      ? { ...reply, fast: 'unprotected' }
      : { kind: 'error', error: inner.error, kdcError: inner.kdcError, fast: 'armored' }
  }
  const opened = fast !== undefined ? openFastReply(reply.rep, fast, { allowWeak }) : undefined
  const rep = opened?.rep ?? reply.rep
  if (!o.request.req.reqBody.etype.includes(rep.encPart.etype)) {
    replyFailure(
      `AS-REP is encrypted with ${describeEncType(rep.encPart.etype)}, which was not requested`,
      {
        etype: rep.encPart.etype,
      },
    )
  }
  checkASClient(rep, o)
  const { encPart, replyKey, clientKey } = decryptASRep(rep, o, opened?.strengthenKey)
  if (fast !== undefined && o.kdcChallenge !== undefined) {
    verifyKDCChallenge(rep.padata, fast.armorKey, clientKey, {
      now: o.kdcChallenge.now,
      clockskew: o.clockskew ?? 300,
      allowWeak,
    })
  }
  const encPARepVerified = checkEncPARep(encPart, replyKey, o)
  // With FAST the client name is also in KrbFastFinished, under the armor key.
  checkRenamedClient(rep, o, encPARepVerified || fast !== undefined)
  checkKDCRepPart(rep, encPart, {
    nonce: o.request.nonce,
    clockskew: o.clockskew ?? 300,
    till: o.request.till,
    ...(o.request.rtime !== undefined ? { rtime: o.request.rtime } : {}),
  })
  checkASServer(rep, o)
  return {
    kind: 'ok',
    credentials: credentialsFromReply(rep, encPart),
    rep,
    encPart,
    replyKey,
    encPARepVerified,
    fast: fast !== undefined,
    fastAvailable: encPARepVerified && fastAvailable(encPart),
  }
}

/**
 * RFC 6806 §11 (MIT `krb5int_fast_verify_nego`): when the reply sets the enc-pa-rep ticket flag,
 * its encrypted padata must hold PA-REQ-ENC-PA-REP, a checksum of the exact AS-REQ bytes we sent
 * keyed with the reply key (usage 56) of that key's mandatory checksum type. Missing, of another
 * type or wrong → `ERR_KRB_KDC_REPLY` (someone changed the request or the reply). Without the
 * flag, or when the request did not ask for it, there is nothing to check (older KDCs; MIT's
 * KDC sets the flag in every AS reply); returns whether a checksum was verified.
 */
function checkEncPARep(part: EncKDCRepPart, replyKey: KerberosKey, o: ReadASReplyOptions): boolean {
  // MIT's KDC sets the flag in every AS reply and adds the checksum only when asked for it.
  const sent = o.request.fast?.padata ?? o.request.req.padata
  const asked = sent?.some((p) => p.padataType === PADataType.REQ_ENC_PA_REP)
  if (asked !== true || !hasFlag(part.flags >>> 0, TicketFlags.ENC_PA_REP)) return false
  const pa = part.encryptedPaData?.find((p) => p.padataType === PADataType.REQ_ENC_PA_REP)
  if (pa === undefined) {
    replyFailure('AS-REP sets enc-pa-rep but carries no PA-REQ-ENC-PA-REP checksum')
  }
  let cksum: ReturnType<typeof decodeChecksum>
  try {
    cksum = decodeChecksum(pa.padataValue)
  } catch {
    return replyFailure('AS-REP PA-REQ-ENC-PA-REP is not a Checksum')
  }
  const want = checksumTypeOf(replyKey.enctype)
  if (cksum.cksumtype !== want) {
    replyFailure(
      `AS-REP PA-REQ-ENC-PA-REP checksum type ${cksum.cksumtype} is not ${want}, the reply key's`,
      { cksumtype: cksum.cksumtype },
    )
  }
  const ok = verifyChecksum(want, replyKey, KeyUsage.AS_REQ, o.request.bytes, cksum.checksum, {
    allowWeak: o.allowWeak === true,
  })
  if (!ok) replyFailure('AS-REP PA-REQ-ENC-PA-REP checksum does not match the AS-REQ we sent')
  return true
}

/**
 * A canonicalizing KDC may name the client differently (RFC 6806 §5), but the reply's cname is
 * outside the encrypted part: accept another name only when the KDC's checksum over our request
 * verified, and refuse it otherwise (MIT accepts it either way).
 */
function checkRenamedClient(rep: KDCRep, o: ReadASReplyOptions, verified: boolean): void {
  if (o.canonicalize !== true || verified) return
  const got = principalFromName(rep.cname, rep.crealm)
  if (principalEquals(got, o.request.client)) return
  replyFailure(
    `AS-REP renames client ${formatPrincipal(o.request.client)} to ${formatPrincipal(got)} without a verified PA-REQ-ENC-PA-REP checksum`,
    { client: formatPrincipal(got) },
  )
}

function checkASClient(rep: KDCRep, o: ReadASReplyOptions): void {
  if (o.canonicalize === true) return
  const got = principalFromName(rep.cname, rep.crealm)
  if (!principalEquals(got, o.request.client)) {
    replyFailure(
      `AS-REP is for client ${formatPrincipal(got)}, expected ${formatPrincipal(o.request.client)}`,
      { client: formatPrincipal(got) },
    )
  }
}

function checkASServer(rep: KDCRep, o: ReadASReplyOptions): void {
  const got = principalFromName(rep.ticket.sname, rep.ticket.realm)
  const want = o.request.server
  if (isTGSPrincipal(want)) {
    if (!isTGSPrincipal(got)) {
      replyFailure(`AS-REP ticket is for ${formatPrincipal(got)}, expected a krbtgt principal`)
    }
    if (o.canonicalize !== true && !principalEquals(got, want)) {
      replyFailure(
        `AS-REP ticket is for ${formatPrincipal(got)}, expected ${formatPrincipal(want)}`,
      )
    }
    return
  }
  if (o.canonicalize !== true && !principalEquals(got, want)) {
    replyFailure(`AS-REP ticket is for ${formatPrincipal(got)}, expected ${formatPrincipal(want)}`)
  }
}

function decryptASRep(
  rep: KDCRep,
  o: ReadASReplyOptions,
  strengthenKey?: KerberosKey,
): { encPart: EncKDCRepPart; replyKey: KerberosKey; clientKey: KerberosKey } {
  const etype = rep.encPart.etype
  const offered = o.keys(replyKeyRequest(rep, o.hints))
  // A keytab key of the wrong size (a damaged keytab) can never decrypt: leave it out.
  const want = EncTypeKeyLength.get(etype)
  const keys = offered.filter((k) => want === undefined || k.length === want)
  if (keys.length === 0) {
    const bad =
      offered.length > 0
        ? ` (the keytab's key has ${offered[0]!.length} octets, expected ${want})`
        : ''
    throw new KerberosError(
      ErrorCodes.NO_CREDENTIALS,
      `no client key of etype ${etype} to decrypt the AS-REP${bad}`,
      { context: { etype, kvno: rep.encPart.kvno } },
    )
  }
  let last: unknown
  for (const key of keys) {
    try {
      // RFC 6113 §5.4.3: with a strengthen key the reply is in KRB-FX-CF2 of it and our key.
      const replyKey = fastReplyKey(strengthenKey, key, { allowWeak: o.allowWeak === true })
      const { value } = decryptKDCRepPart(rep, replyKey, KeyUsage.AS_REP_ENCPART, {
        allowWeak: o.allowWeak === true,
      })
      return { encPart: value, replyKey, clientKey: key }
    } catch (e) {
      if (!(e instanceof KerberosError) || e.code !== ErrorCodes.INTEGRITY) throw e
      last = e
    }
  }
  throw last
}

/** The key an AS-REP needs: its etype and kvno, and the salt from its padata, else the hints. */
function replyKeyRequest(rep: KDCRep, hints: readonly SaltInfo[] | undefined): ASReplyKeyRequest {
  const etype = rep.encPart.etype
  const fromRep = chooseSaltInfo(saltInfoFromPAData(rep.padata), [etype])
  const saltInfo = fromRep ?? chooseSaltInfo(hints ?? [], [etype])
  return {
    etype,
    ...(rep.encPart.kvno !== undefined ? { kvno: rep.encPart.kvno } : {}),
    ...(saltInfo !== undefined ? { saltInfo } : {}),
  }
}

/**
 * Which client key {@link readASReply} will ask its `keys` callback for, without decrypting:
 * `undefined` for a KRB-ERROR or an AS-REP in an etype that was not requested (which
 * `readASReply` refuses). A password login derives that key (asynchronously, once) before the
 * synchronous read. Malformed replies throw as `readASReply` would.
 *
 * @example
 * ```ts
 * const want = asReplyKeyRequest(replyBytes, { request: req, hints })
 * if (want !== undefined) await deriveKeyFor(want)
 * const out = readASReply(replyBytes, { request: req, hints, keys: () => [derivedKey] })
 * ```
 */
export function asReplyKeyRequest(
  bytes: Uint8Array,
  o: {
    readonly request: ASRequest
    readonly hints?: readonly SaltInfo[]
    readonly allowWeak?: boolean
  },
): ASReplyKeyRequest | undefined {
  const reply = parseKDCReply(bytes, 11)
  if (reply.kind === 'error') return undefined
  if (!o.request.req.reqBody.etype.includes(reply.rep.encPart.etype)) return undefined
  const fast = o.request.fast
  // An armored reply's salt hints are inside its FAST response.
  const rep =
    fast !== undefined
      ? openFastReply(reply.rep, fast, { allowWeak: o.allowWeak === true }).rep
      : reply.rep
  return replyKeyRequest(rep, o.hints)
}
