/**
 * SPNEGO (RFC 4178): NegTokenInit / NegTokenResp codecs, and initiator and acceptor contexts
 * that negotiate the krb5 mechanism (either OID) and exchange mechListMIC when required.
 * NTLMSSP tokens (a client without a Kerberos ticket) are refused with ERR_SPNEGO_NTLM_TOKEN.
 *
 * @module
 */
import { DerReader, DerWriter, Tag } from '../asn1/der.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import type { Principal } from '../principal.js'
import type { AcceptResult } from '../protocol/ap-verify.js'
import {
  AcceptorContext,
  InitiatorContext,
  type AcceptorContextOptions,
  type InitiatorContextOptions,
} from './context.js'
import {
  MechOID,
  decodeOID,
  encodeOID,
  frameGSSToken,
  isKrb5OID,
  unframeGSSToken,
} from './framing.js'

/** negState values (RFC 4178 §4.2.2). */
export const NegState = {
  ACCEPT_COMPLETED: 0,
  ACCEPT_INCOMPLETE: 1,
  REJECT: 2,
  REQUEST_MIC: 3,
} as const
export type NegState = (typeof NegState)[keyof typeof NegState]

/** NegTokenInit (RFC 4178 §4.2.1); Microsoft's NegTokenInit2 negHints are skipped on input. */
export interface NegTokenInit {
  /** Mechanism OIDs, dotted, initiator's preference first. */
  readonly mechTypes: readonly string[]
  /** The exact DER of the MechTypeList (what mechListMIC covers). */
  readonly mechTypesDER: Uint8Array
  readonly reqFlags?: number
  /** The optimistic token for the first mechanism. */
  readonly mechToken?: Uint8Array
  readonly mechListMIC?: Uint8Array
}

/** NegTokenResp (RFC 4178 §4.2.2). */
export interface NegTokenResp {
  readonly negState?: NegState
  readonly supportedMech?: string
  readonly responseToken?: Uint8Array
  readonly mechListMIC?: Uint8Array
}

const NTLMSSP = [0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00]

/** True when `b` starts with the NTLMSSP signature `NTLMSSP\0`. */
export function isNTLMSSP(b: Uint8Array): boolean {
  return b.length >= 8 && NTLMSSP.every((x, i) => b[i] === x)
}

/** The error for an NTLMSSP token: the client had no Kerberos ticket for the name it used. */
export function ntlmError(where: string): KerberosError {
  return new KerberosError(
    ErrorCodes.SPNEGO_NTLM_TOKEN,
    `client sent an NTLMSSP token ${where} instead of Kerberos: it had no ticket for this service — check that the SPN (HTTP/<host>) exists in the KDC and the keytab, and that the client used the DNS name (not an IP address or a CNAME the KDC does not know)`,
    { context: { where } },
  )
}

function spnegoError(message: string, cause?: unknown): KerberosError {
  return new KerberosError(ErrorCodes.SPNEGO, message, cause === undefined ? {} : { cause })
}

// ---- codecs ----

function writeOID(w: DerWriter, oid: string): void {
  const b = encodeOID(oid)
  w.bytes(b)
  w.header(0x06, b.length)
}

function writeMechTypes(w: DerWriter, mechs: readonly string[]): void {
  const m = w.size
  for (let i = mechs.length - 1; i >= 0; i--) writeOID(w, mechs[i]!)
  w.wrap(Tag.SEQUENCE, m)
}

/** DER of a MechTypeList (what a mechListMIC covers). */
export function encodeMechTypes(mechs: readonly string[]): Uint8Array {
  const w = new DerWriter(64)
  writeMechTypes(w, mechs)
  return w.finish()
}

function readOID(r: DerReader): string {
  const end = r.next(0x06)
  try {
    return decodeOID(r.buf.subarray(r.valueStart, end))
  } catch {
    return r.fail('malformed OBJECT IDENTIFIER', r.valueStart)
  }
}

function octetField(w: DerWriter, n: number, v: Uint8Array | undefined): void {
  if (v === undefined) return
  const m = w.size
  w.octets(v)
  w.wrap(0xa0 | n, m)
}

/**
 * DER of a ContextFlags BIT STRING (RFC 4178 §4.2.1; `flags` as its first octet, delegFlag =
 * 0x80). A named-bit list drops trailing zero bits in DER (X.690 §11.2.2), so the unused-bit
 * count is the number of trailing zeros: `03 02 01 xx` whenever integFlag (0x02) is set, the only
 * form MIT's SPNEGO acceptor reads (it rejects `03 02 00 xx` as a defective token).
 *
 * @example
 * ```ts
 * encodeContextFlags(0x76) // 03 02 01 76
 * ```
 */
export function encodeContextFlags(flags: number): Uint8Array {
  const b = flags & 0xff
  if (b === 0) return Uint8Array.of(0x03, 0x01, 0x00)
  let unused = 0
  while (((b >> unused) & 1) === 0) unused++
  return Uint8Array.of(0x03, 0x02, unused, b)
}

/**
 * Encode the initial SPNEGO token: RFC 2743 framing with the SPNEGO OID around `[0] NegTokenInit`.
 *
 * @example
 * ```ts
 * encodeNegTokenInit({ mechTypes: [MechOID.KRB5], mechToken: krb5Token })
 * ```
 */
export function encodeNegTokenInit(v: Omit<NegTokenInit, 'mechTypesDER'>): Uint8Array {
  const w = new DerWriter(256 + (v.mechToken?.length ?? 0))
  const m = w.size
  octetField(w, 3, v.mechListMIC)
  octetField(w, 2, v.mechToken)
  if (v.reqFlags !== undefined) {
    const mf = w.size
    w.bytes(encodeContextFlags(v.reqFlags))
    w.wrap(0xa1, mf)
  }
  const mt = w.size
  writeMechTypes(w, v.mechTypes)
  w.wrap(0xa0, mt)
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0xa0, m)
  return frameGSSToken(MechOID.SPNEGO, w.finish())
}

/** Decode `[0] NegTokenInit` (the inner token, framing removed). */
export function decodeNegTokenInitInner(inner: Uint8Array): NegTokenInit {
  const r = new DerReader(inner, 0, inner.length, 'NegTokenInit')
  try {
    const c = r.enter(0xa0, 'NegotiationToken')
    r.done()
    const s = c.enter(Tag.SEQUENCE, 'NegTokenInit')
    c.done()
    const mtField = s.enter(0xa0, 'mechTypes')
    const start = mtField.pos
    const mechTypes = mtField.seqOf(readOID)
    const mechTypesDER = inner.slice(start, mtField.pos)
    mtField.done()
    let reqFlags: number | undefined
    if (s.peek() === 0xa1) {
      const f = s.enter(0xa1, 'reqFlags')
      reqFlags = f.flags() >>> 24
      f.done()
    }
    const mechToken = s.opt(2, 'mechToken', (x) => x.octets())
    let mechListMIC: Uint8Array | undefined
    if (s.peek() === 0xa3) {
      // NegTokenInit: [3] mechListMIC. NegTokenInit2 (MS-SPNG): [3] negHints, [4] mechListMIC.
      const f = s.enter(0xa3, 'mechListMIC')
      if (f.peek() === Tag.OCTET_STRING) mechListMIC = f.octets()
      else f.pos = f.end
      f.done()
    }
    if (s.peek() === 0xa4) mechListMIC = s.field(4, 'mechListMIC', (x) => x.octets())
    s.done()
    return {
      mechTypes,
      mechTypesDER,
      ...(reqFlags === undefined ? {} : { reqFlags }),
      ...(mechToken === undefined ? {} : { mechToken }),
      ...(mechListMIC === undefined ? {} : { mechListMIC }),
    }
  } catch (err) {
    throw spnegoError('malformed SPNEGO NegTokenInit', err)
  }
}

/**
 * Decode an initial SPNEGO token (framed with the SPNEGO OID).
 *
 * @example
 * ```ts
 * decodeNegTokenInit(token).mechTypes // ['1.2.840.48018.1.2.2', '1.2.840.113554.1.2.2', ...]
 * ```
 */
export function decodeNegTokenInit(token: Uint8Array): NegTokenInit {
  const { mech, inner } = unframeGSSToken(token)
  if (mech !== MechOID.SPNEGO) throw spnegoError(`token is for mechanism ${mech}, not SPNEGO`)
  return decodeNegTokenInitInner(inner)
}

/**
 * Encode `[1] NegTokenResp` (no RFC 2743 framing: only the first token has it).
 *
 * @example
 * ```ts
 * encodeNegTokenResp({ negState: NegState.ACCEPT_COMPLETED, supportedMech: MechOID.KRB5, responseToken })
 * ```
 */
export function encodeNegTokenResp(v: NegTokenResp): Uint8Array {
  const w = new DerWriter(256 + (v.responseToken?.length ?? 0))
  const m = w.size
  octetField(w, 3, v.mechListMIC)
  octetField(w, 2, v.responseToken)
  if (v.supportedMech !== undefined) {
    const f = w.size
    writeOID(w, v.supportedMech)
    w.wrap(0xa1, f)
  }
  if (v.negState !== undefined) {
    const f = w.size
    w.bytes(Uint8Array.of(0x0a, 0x01, v.negState))
    w.wrap(0xa0, f)
  }
  w.wrap(Tag.SEQUENCE, m)
  w.wrap(0xa1, m)
  return w.finish()
}

/** Decode `[1] NegTokenResp`. */
export function decodeNegTokenResp(bytes: Uint8Array): NegTokenResp {
  const r = new DerReader(bytes, 0, bytes.length, 'NegTokenResp')
  try {
    const c = r.enter(0xa1, 'NegotiationToken')
    r.done()
    const s = c.enter(Tag.SEQUENCE, 'NegTokenResp')
    c.done()
    const negState = s.opt(0, 'negState', (x) => {
      const end = x.next(0x0a)
      if (end - x.valueStart !== 1) x.fail('negState must be one octet')
      const v = x.buf[x.valueStart]!
      if (v > 3) x.fail(`unknown negState ${v}`)
      return v as NegState
    })
    const supportedMech = s.opt(1, 'supportedMech', readOID)
    const responseToken = s.opt(2, 'responseToken', (x) => x.octets())
    const mechListMIC = s.opt(3, 'mechListMIC', (x) => x.octets())
    s.done()
    return {
      ...(negState === undefined ? {} : { negState }),
      ...(supportedMech === undefined ? {} : { supportedMech }),
      ...(responseToken === undefined ? {} : { responseToken }),
      ...(mechListMIC === undefined ? {} : { mechListMIC }),
    }
  } catch (err) {
    throw spnegoError('malformed SPNEGO NegTokenResp', err)
  }
}

/** What kind of token a Negotiate header or a GSS peer sent. */
export type TokenKind = 'spnego-init' | 'spnego-resp' | 'krb5' | 'ntlmssp' | 'unknown'

/** Classify a token by its first octets. */
export function classifyToken(token: Uint8Array): TokenKind {
  if (isNTLMSSP(token)) return 'ntlmssp'
  if (token[0] === 0xa1) return 'spnego-resp'
  if (token[0] !== 0x60) return 'unknown'
  try {
    const { mech } = unframeGSSToken(token)
    return mech === MechOID.SPNEGO ? 'spnego-init' : isKrb5OID(mech) ? 'krb5' : 'unknown'
  } catch {
    return 'unknown'
  }
}

// ---- acceptor ----

/** Options for {@link SpnegoAcceptorContext}. */
export type SpnegoAcceptorContextOptions = AcceptorContextOptions

/**
 * The SPNEGO acceptor: picks krb5 (either OID) from the client's list, answers with the OID the
 * client put first, verifies a mechListMIC when sent and produces one when the chosen mechanism
 * was not the client's first. A raw krb5 token (no SPNEGO) is accepted too, answered in kind.
 *
 * @example
 * ```ts
 * const ctx = new SpnegoAcceptorContext({ acceptor })
 * const reply = ctx.step(tokenFromClient)  // NegTokenResp bytes to send back
 * if (ctx.complete) formatPrincipal(ctx.client!)
 * ```
 */
export class SpnegoAcceptorContext {
  /** The krb5 context underneath. */
  readonly krb5: AcceptorContext
  /** True once the client is authenticated and every required MIC was checked. */
  complete = false
  /** The mechanism OID chosen (as the client spelled it). */
  mech: string | undefined
  /** True when the client spoke raw krb5 (no SPNEGO). */
  raw = false
  #mechTypesDER: Uint8Array | undefined
  #micRequired = false
  #awaitingMIC = false

  constructor(options: SpnegoAcceptorContextOptions) {
    this.krb5 = new AcceptorContext(options)
  }

  /** The authenticated client, once the krb5 context is established. */
  get client(): Principal | undefined {
    return this.krb5.client
  }

  /** The verified AP-REQ, once the krb5 context is established. */
  get result(): AcceptResult | undefined {
    return this.krb5.result
  }

  /** True when the initiator's channel bindings matched ours. */
  get channelBound(): boolean {
    return this.krb5.channelBound
  }

  /** Process one client token; returns the token to send back (undefined when nothing is due). */
  step(token: Uint8Array): Uint8Array | undefined {
    const next = this.#plan(token)
    return 'done' in next ? next.done : this.#afterKrb5(this.krb5.step(next.krb5), next.mic)
  }

  /** {@link SpnegoAcceptorContext.step} for an acceptor with an asynchronous replay cache. */
  async stepAsync(token: Uint8Array): Promise<Uint8Array | undefined> {
    const next = this.#plan(token)
    return 'done' in next
      ? next.done
      : this.#afterKrb5(await this.krb5.stepAsync(next.krb5), next.mic)
  }

  /** Decide what a client token needs: an answer now, or a krb5 step first. */
  #plan(token: Uint8Array): Next {
    if (this.complete) throw spnegoError('the SPNEGO context is already complete')
    const kind = classifyToken(token)
    if (kind === 'ntlmssp') throw ntlmError('in place of SPNEGO')
    if (kind === 'krb5' && this.mech === undefined) {
      this.raw = true
      this.mech = MechOID.KRB5
      return { krb5: token, mic: undefined }
    }
    if (kind === 'spnego-init' && this.mech === undefined)
      return this.#init(decodeNegTokenInit(token))
    if (kind === 'spnego-resp' && this.mech !== undefined)
      return this.#resp(decodeNegTokenResp(token))
    throw spnegoError(`unexpected ${kind} token at this point of the SPNEGO exchange`)
  }

  #init(init: NegTokenInit): Next {
    if (init.mechToken !== undefined && isNTLMSSP(init.mechToken))
      throw ntlmError('as the SPNEGO mechToken')
    const chosen = init.mechTypes.find(isKrb5OID)
    if (chosen === undefined) {
      if (init.mechTypes.includes(MechOID.NTLMSSP)) throw ntlmError('(SPNEGO offers only NTLM)')
      throw spnegoError(
        `SPNEGO offers no Kerberos mechanism (offered ${init.mechTypes.join(', ') || 'nothing'})`,
      )
    }
    this.mech = chosen
    this.#mechTypesDER = init.mechTypesDER
    this.#micRequired = init.mechTypes[0] !== chosen
    if (init.mechTypes[0] !== chosen || init.mechToken === undefined) {
      // The optimistic token (if any) is for another mechanism: ask for a krb5 token.
      return {
        done: encodeNegTokenResp({ negState: NegState.ACCEPT_INCOMPLETE, supportedMech: chosen }),
      }
    }
    return { krb5: init.mechToken, mic: init.mechListMIC }
  }

  #resp(resp: NegTokenResp): Next {
    if (resp.negState === NegState.REJECT) throw spnegoError('the client rejected the negotiation')
    if (!this.krb5.complete) {
      if (resp.responseToken === undefined)
        throw spnegoError('expected a krb5 token in the NegTokenResp')
      if (isNTLMSSP(resp.responseToken)) throw ntlmError('as the SPNEGO responseToken')
      return { krb5: resp.responseToken, mic: resp.mechListMIC }
    }
    if (!this.#awaitingMIC || resp.mechListMIC === undefined)
      throw spnegoError('expected the client mechListMIC')
    this.#verifyMIC(resp.mechListMIC)
    this.complete = true
    this.#awaitingMIC = false
    return { done: encodeNegTokenResp({ negState: NegState.ACCEPT_COMPLETED }) }
  }

  #afterKrb5(
    reply: Uint8Array | undefined,
    clientMIC: Uint8Array | undefined,
  ): Uint8Array | undefined {
    if (this.raw) {
      this.complete = true
      return reply
    }
    const needMIC = this.#micRequired || clientMIC !== undefined
    if (clientMIC !== undefined) this.#verifyMIC(clientMIC)
    const ourMIC = needMIC ? this.krb5.getMIC(this.#mechTypesDER!) : undefined
    const done = !this.#micRequired || clientMIC !== undefined
    this.complete = done
    this.#awaitingMIC = !done
    return encodeNegTokenResp({
      negState: done ? NegState.ACCEPT_COMPLETED : NegState.ACCEPT_INCOMPLETE,
      supportedMech: this.mech!,
      ...(reply === undefined ? {} : { responseToken: reply }),
      ...(ourMIC === undefined ? {} : { mechListMIC: ourMIC }),
    })
  }

  #verifyMIC(mic: Uint8Array): void {
    try {
      this.krb5.verifyMIC(this.#mechTypesDER!, mic)
    } catch (err) {
      throw spnegoError(
        'SPNEGO mechListMIC does not verify: the mechanism list was tampered with',
        err,
      )
    }
  }
}

/** What a client token needs next. */
type Next =
  | { readonly done: Uint8Array | undefined }
  | { readonly krb5: Uint8Array; readonly mic: Uint8Array | undefined }

// ---- initiator ----

/** Options for {@link SpnegoInitiatorContext}. */
export interface SpnegoInitiatorContextOptions extends InitiatorContextOptions {
  /** Mechanisms to offer, krb5 first (default `[MechOID.KRB5]`). */
  readonly mechTypes?: readonly string[]
  /** Always send a mechListMIC (default: only when the acceptor asks). */
  readonly sendMIC?: boolean
}

/**
 * The SPNEGO initiator over our krb5 initiator.
 *
 * @example
 * ```ts
 * const ctx = new SpnegoInitiatorContext({ credentials: await client.getServiceTicket('HTTP@web') })
 * const header = 'Negotiate ' + toBase64(ctx.step()!)
 * ctx.step(fromBase64(serverToken)) // checks mutual authentication
 * ```
 */
export class SpnegoInitiatorContext {
  readonly krb5: InitiatorContext
  complete = false
  readonly #mechTypes: readonly string[]
  readonly #sendMIC: boolean
  #started = false

  constructor(options: SpnegoInitiatorContextOptions) {
    this.krb5 = new InitiatorContext(options)
    this.#mechTypes = options.mechTypes ?? [MechOID.KRB5]
    this.#sendMIC = options.sendMIC === true
  }

  /** First call: the NegTokenInit. Then: each NegTokenResp from the acceptor; returns a reply or undefined. */
  step(token?: Uint8Array): Uint8Array | undefined {
    if (!this.#started) {
      this.#started = true
      const mechToken = this.krb5.step()!
      const mic =
        this.#sendMIC && this.krb5.complete
          ? this.krb5.getMIC(encodeMechTypes(this.#mechTypes))
          : undefined
      return encodeNegTokenInit({
        mechTypes: this.#mechTypes,
        mechToken,
        ...(mic ? { mechListMIC: mic } : {}),
      })
    }
    if (token === undefined) throw spnegoError('expected the acceptor NegTokenResp')
    const resp = decodeNegTokenResp(token)
    if (resp.negState === NegState.REJECT)
      throw spnegoError('the acceptor rejected the negotiation')
    if (resp.supportedMech !== undefined && !isKrb5OID(resp.supportedMech)) {
      throw spnegoError(`the acceptor chose ${resp.supportedMech}, not Kerberos`)
    }
    if (resp.responseToken !== undefined && !this.krb5.complete) this.krb5.step(resp.responseToken)
    if (resp.mechListMIC !== undefined) {
      try {
        this.krb5.verifyMIC(encodeMechTypes(this.#mechTypes), resp.mechListMIC)
      } catch (err) {
        throw spnegoError('SPNEGO mechListMIC from the acceptor does not verify', err)
      }
    }
    if (!this.krb5.complete)
      throw spnegoError('the acceptor finished without completing the krb5 context')
    const wantsMIC =
      resp.negState === NegState.REQUEST_MIC ||
      (resp.negState === NegState.ACCEPT_INCOMPLETE && resp.mechListMIC !== undefined)
    this.complete = true
    if (!wantsMIC) return undefined
    return encodeNegTokenResp({ mechListMIC: this.krb5.getMIC(encodeMechTypes(this.#mechTypes)) })
  }
}
