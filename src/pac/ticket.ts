/**
 * The PAC ticket signature (MS-PAC §2.8.3, PAC_TICKET_CHECKSUM): a KDC-keyed checksum over the
 * EncTicketPart encoded with the PAC's contents replaced by a single zero octet, binding the PAC
 * to the ticket it travels in (against PAC transplants). MIT 1.20 and Windows 2012+ add it to
 * service tickets (not to tickets for krbtgt or kadmin/changepw).
 *
 * @module
 */
import {
  decodeADIfRelevant,
  encodeADIfRelevant,
  encodeEncTicketPart,
  type AuthorizationData,
  type EncTicketPart,
} from '../asn1/index.js'
import { checksumTypeOf, makeChecksum, type CryptoOptions } from '../crypto/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { AuthorizationDataType as AD } from '../iana.js'
import { constantTimeEqual } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import { decodePAC, PAC_SIGNATURE_KEY_USAGE } from './pac.js'
import type { PACSignature } from './types.js'

const ZERO_PAC = { adType: AD.WIN2K_PAC, adData: new Uint8Array(1) }

/** The AuthorizationData with the PAC inside AD-IF-RELEVANT replaced by one zero octet. */
function withZeroPAC(ad: AuthorizationData): AuthorizationData | undefined {
  for (let i = 0; i < ad.length; i++) {
    if (ad[i]!.adType !== AD.IF_RELEVANT) continue
    const inner = decodeADIfRelevant(ad[i]!.adData)
    const j = inner.findIndex((e) => e.adType === AD.WIN2K_PAC)
    if (j < 0) continue
    const recoded = inner.map((e, k) => (k === j ? ZERO_PAC : e))
    return ad.map((e, k) =>
      k === i ? { adType: AD.IF_RELEVANT, adData: encodeADIfRelevant(recoded) } : e,
    )
  }
  return undefined
}

/**
 * The bytes the ticket signature covers: the EncTicketPart re-encoded with the PAC replaced by
 * a single zero octet (MIT `krb5_kdc_verify_ticket`). Undefined when the ticket has no PAC in
 * AD-IF-RELEVANT.
 *
 * @example
 * ```ts
 * const data = ticketSignatureData(decodeEncTicketPart(plain))
 * ```
 */
export function ticketSignatureData(part: EncTicketPart): Uint8Array | undefined {
  const ad = part.authorizationData === undefined ? undefined : withZeroPAC(part.authorizationData)
  return ad === undefined ? undefined : encodeEncTicketPart({ ...part, authorizationData: ad })
}

/**
 * Make a PAC_TICKET_CHECKSUM for a ticket about to be issued, with the KDC (krbtgt) key: pass
 * the EncTicketPart whose authorization data already holds the PAC (any contents: they are
 * replaced by a zero octet), then give the result to `encodePAC` as `ticketSignature`.
 *
 * @example
 * ```ts
 * const ticketSignature = makeTicketSignature(partWithPlaceholderPAC, krbtgtKey)
 * ```
 */
export function makeTicketSignature(
  part: EncTicketPart,
  kdcKey: KerberosKey,
  options?: CryptoOptions,
): PACSignature {
  const data = ticketSignatureData(part)
  if (data === undefined)
    throw new TypeError('expected an EncTicketPart with a PAC in AD-IF-RELEVANT')
  const type = checksumTypeOf(kdcKey.enctype)
  return { type, signature: makeChecksum(type, kdcKey, PAC_SIGNATURE_KEY_USAGE, data, options) }
}

/**
 * Check the PAC ticket signature of a decrypted ticket with the KDC (krbtgt) key. Returns false
 * when the PAC has no ticket signature; throws ERR_KRB_PAC_VERIFY (reason `ticket-signature`)
 * when it has one that does not verify.
 *
 * @example
 * ```ts
 * verifyTicketSignature(decodeEncTicketPart(plain), krbtgtKey) // true
 * ```
 */
export function verifyTicketSignature(
  part: EncTicketPart,
  kdcKey: KerberosKey,
  options?: CryptoOptions,
): boolean {
  const data = ticketSignatureData(part)
  if (data === undefined) return false
  const pacBytes = findIfRelevantPAC(part.authorizationData!)
  const sig = pacBytes === undefined ? undefined : decodePAC(pacBytes).ticketSignature
  if (sig === undefined) return false
  const want =
    sig.type === checksumTypeOf(kdcKey.enctype)
      ? makeChecksum(sig.type, kdcKey, PAC_SIGNATURE_KEY_USAGE, data, options)
      : undefined
  if (want === undefined || !constantTimeEqual(want, sig.signature)) {
    throw new KerberosError(ErrorCodes.PAC_VERIFY, 'PAC ticket signature does not verify', {
      context: { reason: 'ticket-signature', cksumtype: sig.type },
    })
  }
  return true
}

function findIfRelevantPAC(ad: AuthorizationData): Uint8Array | undefined {
  for (const e of ad) {
    if (e.adType !== AD.IF_RELEVANT) continue
    const pac = decodeADIfRelevant(e.adData).find((x) => x.adType === AD.WIN2K_PAC)
    if (pac !== undefined) return pac.adData
  }
  return undefined
}
