/**
 * The krb5 GSS-API mechanism (RFC 4121): initiator and acceptor security contexts with
 * `step(token)`, and per-message protection once `complete`.
 *
 * Context establishment: the initiator sends an AP-REQ (TOK_ID 01 00) whose authenticator
 * carries the 0x8003 checksum (flags, channel bindings, optional delegation), a subkey and a
 * sequence number; with mutual authentication the acceptor answers an AP-REP (02 00) with its
 * own subkey and sequence number, or a KRB-ERROR (03 00).
 *
 * @module
 */
import { decodeAPReq, decodeKRBError, encodeKRBError, krbErrorToKDCError } from '../asn1/index.js'
import type { APReq, Ticket } from '../asn1/index.js'
import { randomKey, type CryptoBackend } from '../crypto/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { randomBytes, type RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import type { Principal } from '../principal.js'
import { verifyAPRep } from '../protocol/ap-rep.js'
import { makeAPReq, randomSeqNumber } from '../protocol/ap-req.js'
import type { AcceptOptions, AcceptResult, Acceptor } from '../protocol/ap-verify.js'
import {
  GSSFlags,
  GSS_CHECKSUM_TYPE,
  KERB_AP_OPTIONS_CBT,
  checkChannelBindings,
  encodeGSSChecksum,
  kerbAPOptions,
  kerbAPOptionsAD,
} from '../protocol/gss-checksum.js'
import { MechOID, TokenId, frameKrb5Token, unframeKrb5Token } from './framing.js'
import {
  makeMICToken,
  makeWrapToken,
  unwrapToken,
  verifyMICToken,
  type TokenKeys,
} from './per-message.js'
import {
  isRC4Key,
  makeRC4MICToken,
  makeRC4WrapToken,
  unwrapRC4Token,
  verifyRC4MICToken,
} from './rc4-tokens.js'
import { SequenceWindow } from './seqstate.js'

/** Set to `true` by a bundler's `define` for a lean build (docs/bundling.md); absent otherwise. */
declare const __KERBEROS_TS_LEAN__: boolean | undefined

/** RFC 4757's per-message tokens, for rc4-hmac contexts. */
const RC4_TOKENS = { makeRC4WrapToken, unwrapRC4Token, makeRC4MICToken, verifyRC4MICToken }

// Present by default; a lean build leaves RFC 4757's token code out until enableRC4Tokens().
let rc4Tokens: typeof RC4_TOKENS | undefined =
  typeof __KERBEROS_TS_LEAN__ !== 'undefined' && __KERBEROS_TS_LEAN__ ? undefined : RC4_TOKENS

/**
 * Make RFC 4757 (rc4-hmac) per-message tokens available to GSS contexts in a lean build
 * (docs/bundling.md), together with `registerEnctypes(arcfourHmac)` and `allowWeakCrypto`.
 * Without a lean build they always are and this does nothing.
 *
 * @example
 * ```ts
 * import { registerEnctypes, arcfourHmac } from 'kerberos-ts/crypto'
 * import { enableRC4Tokens } from 'kerberos-ts/gssapi'
 * registerEnctypes(arcfourHmac)
 * enableRC4Tokens()
 * ```
 */
export function enableRC4Tokens(): void {
  rc4Tokens = RC4_TOKENS
}

function rc4(): typeof RC4_TOKENS {
  if (rc4Tokens === undefined) {
    throw new KerberosError(
      ErrorCodes.UNSUPPORTED_ENCTYPE,
      'rc4-hmac GSS tokens are not in this lean build: call enableRC4Tokens() (docs/bundling.md)',
      { context: { reason: 'rc4-tokens-not-enabled' } },
    )
  }
  return rc4Tokens
}

/** What an initiator needs: a service ticket, its session key and the client name. */
export interface GSSCredentials {
  readonly client: Principal
  readonly ticket: Ticket
  readonly sessionKey: KerberosKey
}

/** Default flags an initiator asks for (as MIT's gss-client and browsers do). */
export const DEFAULT_INITIATOR_FLAGS: number =
  GSSFlags.MUTUAL | GSSFlags.REPLAY | GSSFlags.SEQUENCE | GSSFlags.CONF | GSSFlags.INTEG

const ZERO_BINDINGS = new Uint8Array(16)

/** Result of {@link SecurityContext.unwrap}. */
export interface UnwrapResult {
  readonly message: Uint8Array
  /** True when the token was sealed (encrypted). */
  readonly conf: boolean
}

/** Options shared by both context kinds. */
export interface ContextOptions {
  /** MD5 hash of the channel bindings (RFC 4121 §4.1.1.2), 16 octets; default none (zeros). */
  readonly channelBindingsHash?: Uint8Array
  /** RRC for Wrap tokens we send; default 0. */
  readonly rrc?: number
  readonly random?: RandomSource
  readonly backend?: CryptoBackend
  /**
   * Allow arcfour-hmac (rc4) contexts, whose per-message tokens use the RFC 4757 format. Default
   * false for initiators; an acceptor context defaults to its Acceptor's `allowWeakCrypto`.
   */
  readonly allowWeakCrypto?: boolean
}

function stateError(message: string): KerberosError {
  return new KerberosError(ErrorCodes.GSS_TOKEN, message, { context: { reason: 'state' } })
}

/**
 * What both contexts share: established keys, flags, sequence numbers and the per-message calls.
 */
export abstract class SecurityContext {
  /** True once establishment finished; per-message calls need it. */
  complete = false
  /** Established context flags ({@link GSSFlags}). */
  flags = 0
  /** The mechanism OID used on the wire. */
  mech: string = MechOID.KRB5
  protected keys: TokenKeys | undefined
  protected sendSeq = 0
  protected window: SequenceWindow | undefined
  protected readonly options: ContextOptions

  protected constructor(options: ContextOptions) {
    const cb = options?.channelBindingsHash
    if (cb !== undefined && (!(cb instanceof Uint8Array) || cb.length !== 16))
      throw new RangeError(
        `expected a 16-octet channelBindingsHash (MD5 of the bindings), got ${cb instanceof Uint8Array ? `${cb.length} octets` : typeof cb}`,
      )
    this.options = options
  }

  /** The key protecting per-message tokens (acceptor subkey, else initiator subkey, else session key). */
  get key(): KerberosKey {
    return this.ready().key
  }

  protected ready(): TokenKeys {
    if (!this.complete || this.keys === undefined)
      throw stateError('the security context is not established yet')
    return this.keys
  }

  /** True when rc4-hmac contexts are allowed (see {@link ContextOptions.allowWeakCrypto}). */
  protected get allowWeakCrypto(): boolean {
    return this.options.allowWeakCrypto === true
  }

  private crypto(): {
    backend?: CryptoBackend
    random?: RandomSource
    allowWeak: boolean
    mech: string
  } {
    const o = this.options
    return {
      ...(o.backend ? { backend: o.backend } : {}),
      ...(o.random ? { random: o.random } : {}),
      allowWeak: this.allowWeakCrypto,
      mech: this.mech,
    }
  }

  /**
   * Protect `message` (RFC 4121 Wrap token, or RFC 4757 for rc4-hmac); sealed unless `conf` is
   * false.
   *
   * @example
   * ```ts
   * const token = ctx.wrap(utf8('hello'))
   * ```
   */
  wrap(message: Uint8Array, options: { readonly conf?: boolean } = {}): Uint8Array {
    const keys = this.ready()
    const seq = this.sendSeq++
    const conf = options.conf !== false
    if (isRC4Key(keys.key)) return rc4().makeRC4WrapToken(keys, seq, message, conf, this.crypto())
    const rrc = this.options.rrc
    return makeWrapToken(keys, seq, message, conf, {
      ...this.crypto(),
      ...(rrc ? { rrc } : {}),
    })
  }

  /** Read a Wrap token from the peer; checks integrity, direction and sequence. */
  unwrap(token: Uint8Array): UnwrapResult {
    const keys = this.ready()
    const out = isRC4Key(keys.key)
      ? rc4().unwrapRC4Token(keys, token, this.crypto())
      : unwrapToken(keys, token, this.crypto())
    this.window?.check(out.seq)
    return { message: out.message, conf: out.sealed }
  }

  /** A MIC token over `message`. */
  getMIC(message: Uint8Array): Uint8Array {
    const keys = this.ready()
    const seq = this.sendSeq++
    return isRC4Key(keys.key)
      ? rc4().makeRC4MICToken(keys, seq, message, this.crypto())
      : makeMICToken(keys, seq, message, this.crypto())
  }

  /** Check the peer's MIC token over `message`; throws when it does not verify. */
  verifyMIC(message: Uint8Array, token: Uint8Array): void {
    const keys = this.ready()
    const out = isRC4Key(keys.key)
      ? rc4().verifyRC4MICToken(keys, token, message, this.crypto())
      : verifyMICToken(keys, token, message, this.crypto())
    this.window?.check(out.seq)
  }

  protected establish(keys: TokenKeys, sendSeq: number, recvSeq: number, flags: number): void {
    checkTokenKey(keys.key, this.allowWeakCrypto)
    if (isRC4Key(keys.key)) rc4()
    this.keys = keys
    this.sendSeq = sendSeq
    this.window = new SequenceWindow(recvSeq, {
      replay: (flags & GSSFlags.REPLAY) !== 0,
      sequence: (flags & GSSFlags.SEQUENCE) !== 0,
    })
    this.flags = flags | GSSFlags.CONF | GSSFlags.INTEG | GSSFlags.TRANS | GSSFlags.PROT_READY
    this.complete = true
  }
}

/** Options for {@link InitiatorContext}. */
export interface InitiatorContextOptions extends ContextOptions {
  /** The service ticket (from `KerberosClient.getServiceTicket`). */
  readonly credentials: GSSCredentials
  /** Requested flags; default {@link DEFAULT_INITIATOR_FLAGS}. */
  readonly flags?: number
  /** A KRB-CRED to delegate (sets DELEG). */
  readonly delegation?: Uint8Array
  /** Mechanism OID to put on the wire; default krb5. */
  readonly mech?: string
  /** The clock (already corrected by any KDC offset). */
  readonly now?: () => Date
  /**
   * Ask the acceptor to insist on matching channel bindings: sends KERB_AP_OPTIONS_CBT in the
   * authenticator (MIT's `client_aware_channel_bindings`). Needs `channelBindingsHash`.
   */
  readonly requireChannelBindings?: boolean
}

/**
 * The initiator (client) side.
 *
 * @example
 * ```ts
 * const creds = await client.getServiceTicket('HTTP@web.example.com')
 * const ctx = new InitiatorContext({ credentials: creds })
 * const first = ctx.step()          // send to the server
 * ctx.step(serverToken)             // AP-REP: mutual authentication checked
 * const sealed = ctx.wrap(utf8('hi'))
 * ```
 */
export class InitiatorContext extends SecurityContext {
  readonly #o: InitiatorContextOptions
  #sent: { ctime: Date; cusec: number; subkey: KerberosKey; seq: number; flags: number } | undefined

  constructor(options: InitiatorContextOptions) {
    super(options)
    if (options?.credentials?.sessionKey === undefined)
      throw new TypeError('expected credentials with a session key')
    if (options.requireChannelBindings === true && options.channelBindingsHash === undefined)
      throw new TypeError('requireChannelBindings needs a channelBindingsHash')
    this.#o = options
    this.mech = options.mech ?? MechOID.KRB5
  }

  /**
   * First call (no token): returns the AP-REQ token. With mutual authentication, call again with
   * the acceptor's answer (AP-REP, or KRB-ERROR which throws a KDCError); returns undefined.
   */
  step(token?: Uint8Array): Uint8Array | undefined {
    if (this.complete) throw stateError('the security context is already established')
    if (this.#sent === undefined) return this.#first()
    if (token === undefined) throw stateError('expected the acceptor token')
    this.#second(token)
    return undefined
  }

  #first(): Uint8Array {
    const o = this.#o
    const creds = o.credentials
    checkTokenKey(creds.sessionKey, this.allowWeakCrypto)
    let flags = (o.flags ?? DEFAULT_INITIATOR_FLAGS) & ~GSSFlags.DELEG
    if (o.delegation !== undefined) flags |= GSSFlags.DELEG
    const random = o.random ?? randomBytes
    const subkey = randomKey(creds.sessionKey.enctype, {
      random,
      allowWeak: this.allowWeakCrypto,
    })
    const seq = randomSeqNumber(random)
    const checksum = encodeGSSChecksum({
      bindings: o.channelBindingsHash ?? ZERO_BINDINGS,
      flags,
      ...(o.delegation === undefined ? {} : { delegation: o.delegation }),
    })
    const req = makeAPReq({
      ticket: creds.ticket,
      sessionKey: creds.sessionKey,
      client: creds.client,
      checksum: { cksumtype: GSS_CHECKSUM_TYPE, checksum },
      subkey,
      seqNumber: seq,
      mutualRequired: (flags & GSSFlags.MUTUAL) !== 0,
      random,
      allowWeak: this.allowWeakCrypto,
      ...(o.requireChannelBindings === true
        ? { authorizationData: kerbAPOptionsAD(KERB_AP_OPTIONS_CBT) }
        : {}),
      ...(o.now === undefined ? {} : { now: o.now() }),
    })
    this.#sent = { ctime: req.ctime, cusec: req.cusec, subkey, seq, flags }
    if ((flags & GSSFlags.MUTUAL) === 0) {
      this.establish({ key: subkey, acceptorSubkey: false, isAcceptor: false }, seq, seq, flags)
    }
    return frameKrb5Token(TokenId.AP_REQ, req.bytes, this.mech)
  }

  #second(token: Uint8Array): void {
    const sent = this.#sent!
    const t = unframeKrb5Token(token)
    if (t.tokId === TokenId.KRB_ERROR) throw krbErrorToKDCError(decodeKRBError(t.body))
    if (t.tokId !== TokenId.AP_REP)
      throw stateError(
        `expected an AP-REP token (02 00), got TOK_ID ${t.tokId.toString(16).padStart(4, '0')}`,
      )
    const part = verifyAPRep(t.body, {
      sessionKey: this.#o.credentials.sessionKey,
      ctime: sent.ctime,
      cusec: sent.cusec,
      ...(this.#o.backend ? { backend: this.#o.backend } : {}),
      allowWeak: this.allowWeakCrypto,
    })
    const recv = part.seqNumber ?? sent.seq
    this.establish(
      { ...tokenKey(sent.subkey, part.subkey), isAcceptor: false },
      sent.seq,
      recv,
      sent.flags,
    )
  }
}

/** Options for {@link AcceptorContext}. */
export interface AcceptorContextOptions extends ContextOptions {
  /** Verifies AP-REQs (keytab, replay cache, clock). */
  readonly acceptor: Acceptor
  /** Put an acceptor subkey in the AP-REP (MIT does for RFC 4121 enctypes); default true. */
  readonly acceptorSubkey?: boolean
  /**
   * Refuse initiators whose channel bindings do not match `channelBindingsHash` — including
   * those that sent none. Default false: zero bindings are accepted unless the initiator set
   * KERB_AP_OPTIONS_CBT (as MIT). Needs `channelBindingsHash`.
   */
  readonly requireChannelBindings?: boolean
  /** Accept only these services (first name component), passed to {@link Acceptor.accept}. */
  readonly allowedServices?: readonly string[]
}

/**
 * The acceptor (server) side.
 *
 * @example
 * ```ts
 * const ctx = new AcceptorContext({ acceptor })
 * const reply = ctx.step(clientToken) // AP-REP token when mutual authentication was asked
 * formatPrincipal(ctx.client!)
 * ```
 */
export class AcceptorContext extends SecurityContext {
  readonly #o: AcceptorContextOptions
  /** The verified AP-REQ, once established. */
  result: AcceptResult | undefined
  /**
   * True when the initiator's channel bindings matched ours (GSS_C_CHANNEL_BOUND_FLAG, also set
   * in {@link SecurityContext.flags}).
   */
  channelBound = false

  constructor(options: AcceptorContextOptions) {
    super(options)
    if (options?.acceptor === undefined) throw new TypeError('expected options with an acceptor')
    if (options.requireChannelBindings === true && options.channelBindingsHash === undefined)
      throw new TypeError('requireChannelBindings needs a channelBindingsHash')
    this.#o = options
  }

  /** The authenticated client, once established. */
  get client(): Principal | undefined {
    return this.result?.client
  }

  protected override get allowWeakCrypto(): boolean {
    return (this.#o.allowWeakCrypto ?? this.#o.acceptor.options.allowWeakCrypto) === true
  }

  /** Accept the initiator's AP-REQ token; returns the AP-REP token when mutual authentication was asked. */
  step(token: Uint8Array): Uint8Array | undefined {
    const apReq = this.#begin(token)
    return this.#end(this.#o.acceptor.accept(apReq, this.#acceptOptions(apReq)))
  }

  /** {@link AcceptorContext.step} for acceptors with an asynchronous replay cache. */
  async stepAsync(token: Uint8Array): Promise<Uint8Array | undefined> {
    const apReq = this.#begin(token)
    return this.#end(await this.#o.acceptor.acceptAsync(apReq, this.#acceptOptions(apReq)))
  }

  /**
   * No acceptor subkey for rc4-hmac (RFC 4757) contexts, as MIT's acceptor: its initiator
   * ignores one of the same enctype and keeps using its own subkey.
   */
  #acceptOptions(apReq: Uint8Array | APReq): AcceptOptions {
    const rc4 = !(apReq instanceof Uint8Array) && [23, 24].includes(apReq.authenticator.etype)
    const o: AcceptOptions = {
      acceptorSubkey: this.#o.acceptorSubkey !== false && !rc4,
      apRepSeqNumber: true,
    }
    return this.#o.allowedServices === undefined
      ? o
      : { ...o, allowedServices: this.#o.allowedServices }
  }

  /** The AP-REQ, decoded when it decodes (otherwise the Acceptor reports why). */
  #begin(token: Uint8Array): Uint8Array | APReq {
    if (this.complete) throw stateError('the security context is already established')
    const t = unframeKrb5Token(token)
    if (t.tokId !== TokenId.AP_REQ)
      throw stateError(
        `expected an AP-REQ token (01 00), got TOK_ID ${t.tokId.toString(16).padStart(4, '0')}`,
      )
    this.mech = t.mech
    try {
      return decodeAPReq(t.body)
    } catch {
      return t.body
    }
  }

  #end(r: AcceptResult): Uint8Array | undefined {
    const gss = r.gssChecksum
    if (gss === undefined) {
      throw new KerberosError(
        ErrorCodes.GSS_TOKEN,
        'AP-REQ has no GSS-API checksum (type 0x8003)',
        { context: { reason: 'checksum' } },
      )
    }
    const ours = this.#o.channelBindingsHash
    const bound = checkChannelBindings({
      ...(ours === undefined ? {} : { ours }),
      theirs: gss.bindings,
      initiatorRequires:
        ours !== undefined &&
        (kerbAPOptions(r.authenticator.authorizationData) & KERB_AP_OPTIONS_CBT) !== 0,
      acceptorRequires: this.#o.requireChannelBindings === true,
    })
    this.result = r
    this.channelBound = bound
    const initKey = r.subkey ?? r.sessionKey
    const recv = r.seqNumber ?? 0
    const flags =
      (gss.flags & ~(GSSFlags.DELEG | GSSFlags.CHANNEL_BOUND)) |
      (r.delegated ? GSSFlags.DELEG : 0) |
      (bound ? GSSFlags.CHANNEL_BOUND : 0)
    if (r.apRep === undefined) {
      this.establish({ key: initKey, acceptorSubkey: false, isAcceptor: true }, recv, recv, flags)
      return undefined
    }
    this.establish(
      { ...tokenKey(initKey, r.acceptorSubkey), isAcceptor: true },
      r.acceptorSeqNumber ?? recv,
      recv,
      flags,
    )
    return frameKrb5Token(TokenId.AP_REP, r.apRep, this.mech)
  }

  /**
   * A KRB-ERROR token (03 00) telling the initiator why `err` refused its AP-REQ, as MIT's
   * acceptor sends when mutual authentication was asked.
   */
  errorToken(
    err: unknown,
    options: { readonly now?: Date; readonly realm?: string } = {},
  ): Uint8Array {
    const now = options.now ?? new Date()
    const krbError = encodeKRBError({
      pvno: 5,
      msgType: 30,
      stime: new Date(Math.floor(now.getTime() / 1000) * 1000),
      susec: (now.getTime() % 1000) * 1000,
      errorCode: krbErrorNumber(err),
      realm: options.realm ?? '',
      sname: { nameType: 0, nameString: [] },
    })
    return frameKrb5Token(TokenId.KRB_ERROR, krbError, this.mech)
  }
}

/**
 * Refuse keys whose per-message tokens we cannot make: arcfour-hmac without `allowWeakCrypto`,
 * and arcfour-hmac-exp (24) always.
 */
function checkTokenKey(key: KerberosKey, allowWeakCrypto: boolean): void {
  if (key.enctype === 24) {
    throw new KerberosError(
      ErrorCodes.UNSUPPORTED,
      'GSS contexts with arcfour-hmac-exp (24), the exportable RFC 4757 variant, are not implemented',
      { context: { enctype: 24 } },
    )
  }
  if (key.enctype === 23 && !allowWeakCrypto) {
    throw new KerberosError(
      ErrorCodes.WEAK_CRYPTO,
      'weak enctype arcfour-hmac (23) refused for a GSS context; pass allowWeakCrypto: true to use it',
      { context: { enctype: 23 } },
    )
  }
}

/**
 * The key for per-message tokens: the acceptor's subkey when it sent one, except that an
 * RFC 4757 (rc4) context keeps the initiator's key when the acceptor's has the same enctype —
 * MIT's rule (init_sec_context.c), which Windows peers expect.
 */
function tokenKey(
  initKey: KerberosKey,
  acceptorSubkey: KerberosKey | undefined,
): { key: KerberosKey; acceptorSubkey: boolean } {
  if (
    acceptorSubkey === undefined ||
    (isRC4Key(initKey) && acceptorSubkey.enctype === initKey.enctype)
  )
    return { key: initKey, acceptorSubkey: false }
  return { key: acceptorSubkey, acceptorSubkey: true }
}

/** RFC 4120 error numbers for our acceptor errors. */
export function krbErrorNumber(err: unknown): number {
  if (!(err instanceof KerberosError)) return 60 // KRB_ERR_GENERIC
  const reason = err.context.reason
  switch (err.code) {
    case ErrorCodes.CLOCK_SKEW:
      return 37
    case ErrorCodes.REPLAY:
      return 34
    case ErrorCodes.TICKET_TIME:
      return reason === 'not-yet-valid' || reason === 'invalid' ? 33 : 32
    case ErrorCodes.KEYTAB_NO_KEY:
      return reason === 'kvno-not-found'
        ? 44
        : reason === 'principal-not-found'
          ? 35
          : reason === 'cannot-decrypt'
            ? 31
            : 45
    case ErrorCodes.AP_ERROR:
      return reason === 'bad-match'
        ? 36
        : reason === 'wrong-principal' || reason === 'wrong-service'
          ? 35
          : reason === 'transited'
            ? 51 // KRB_AP_PATH_NOT_ACCEPTED
            : 41
    case ErrorCodes.WEAK_CRYPTO:
    case ErrorCodes.UNSUPPORTED_ENCTYPE:
      return 14 // KDC_ERR_ETYPE_NOSUPP
    default:
      return 60
  }
}
