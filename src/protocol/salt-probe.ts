/**
 * Asking a KDC for a principal's salts and string-to-key parameters, as MIT's `ktutil addent -f`
 * (`krb5_get_etype_info`) does: an AS-REQ without pre-authentication; the KDC answers
 * KDC_ERR_PREAUTH_REQUIRED with ETYPE-INFO2 in its METHOD-DATA, or (no preauth required) an
 * AS-REP whose padata may carry ETYPE-INFO2 (RFC 4120 §5.2.7.5, §3.1.3).
 *
 * Nothing in either reply is integrity-protected: an attacker on the path can name another salt
 * or etype. The worst it achieves is a key that does not work (a denial of service the caller
 * notices at first use), so the reply is treated as hostile input: only etypes that were asked
 * for are kept, each once, and s2kparams are bounded where they are used (string-to-key refuses
 * iteration counts of 2^24 and more).
 *
 * @module
 */
import { defaultSalt } from '../crypto/index.js'
import { KRBErrorCode } from '../iana.js'
import type { Principal } from '../principal.js'
import { buildASReq, readPreauthHints, saltInfoFromPAData, type ASRequest } from './as.js'
import { parseKDCReply } from './kdc-rep.js'

/** Options for {@link buildSaltProbe}. */
export interface SaltProbeOptions {
  /** The principal whose salts are wanted (its realm is the realm asked). */
  readonly client: Principal
  /** Etypes to ask about, in preference order. */
  readonly etypes: readonly number[]
  readonly now: Date
  readonly nonce: number
}

/** The salt and s2kparams a KDC gave for one etype. */
export interface KDCSaltInfo {
  readonly etype: number
  /** The salt to use: the KDC's, or the client's default salt when the KDC named none. */
  readonly salt: Uint8Array
  /** True when the KDC named the salt; false when it is the default salt by omission. */
  readonly saltFromKDC: boolean
  readonly s2kparams?: Uint8Array
}

/** What {@link readSaltProbeReply} found. */
export interface SaltProbeResult {
  /** `preauth-required`: from the error's METHOD-DATA; `as-rep`: the KDC did not ask for preauth. */
  readonly source: 'preauth-required' | 'as-rep'
  /** One entry per etype the KDC named (only etypes that were asked for), in its order. */
  readonly entries: readonly KDCSaltInfo[]
}

/**
 * An AS-REQ for `krbtgt/REALM` with no pre-authentication data: a request the KDC answers with
 * its salt information.
 *
 * @example
 * ```ts
 * const req = buildSaltProbe({ client, etypes: [18, 17], now: new Date(), nonce: makeNonce() })
 * const result = readSaltProbeReply(await transport.sendToKDC(client.realm, req.bytes), req)
 * ```
 */
export function buildSaltProbe(o: SaltProbeOptions): ASRequest {
  // No PA-REQ-ENC-PA-REP: the probe reads salts only and never uses a reply as credentials.
  return buildASReq({
    client: o.client,
    etypes: o.etypes,
    now: o.now,
    nonce: o.nonce,
    requestEncPARep: false,
  })
}

/**
 * Read the KDC's answer to {@link buildSaltProbe}. KDC_ERR_PREAUTH_REQUIRED gives the ETYPE-INFO2
 * (else ETYPE-INFO, else PW-SALT) of its METHOD-DATA; an AS-REP gives its own padata's, or, when
 * it has none, the default salt for the etype it is encrypted in (RFC 4120 §3.1.3). Any other
 * KRB-ERROR (unknown principal, ...) throws it as a `KDCError`.
 *
 * @example
 * ```ts
 * const { entries } = readSaltProbeReply(replyBytes, req)
 * for (const e of entries) stringToKey(e.etype, password, e.salt, { params: e.s2kparams })
 * ```
 */
export function readSaltProbeReply(bytes: Uint8Array, request: ASRequest): SaltProbeResult {
  const reply = parseKDCReply(bytes, 11)
  const asked = request.req.reqBody.etype
  if (reply.kind === 'error') {
    if (reply.kdcError.errorCode !== KRBErrorCode.KDC_ERR_PREAUTH_REQUIRED) throw reply.kdcError
    const hints = readPreauthHints(reply.kdcError.eData).saltInfo
    return { source: 'preauth-required', entries: entriesFrom(hints, asked, request.client) }
  }
  const rep = reply.rep
  const hints = saltInfoFromPAData(rep.padata)
  const found =
    hints.length > 0 ? hints : [{ etype: rep.encPart.etype }] /* RFC 4120 §3.1.3: default salt */
  return { source: 'as-rep', entries: entriesFrom(found, asked, request.client) }
}

function entriesFrom(
  hints: readonly { etype: number; salt?: Uint8Array; s2kparams?: Uint8Array }[],
  asked: readonly number[],
  client: Principal,
): KDCSaltInfo[] {
  const out: KDCSaltInfo[] = []
  for (const h of hints) {
    // PW-SALT names no etype: it holds for every etype asked.
    const etypes = h.etype === 0 ? asked : [h.etype]
    for (const etype of etypes) {
      if (!asked.includes(etype) || out.some((e) => e.etype === etype)) continue
      out.push({
        etype,
        salt: h.salt ?? defaultSalt(client),
        saltFromKDC: h.salt !== undefined,
        ...(h.s2kparams !== undefined ? { s2kparams: h.s2kparams } : {}),
      })
    }
  }
  return out
}
