/**
 * Ask a KDC which salt and string-to-key parameters it uses for a principal's keys, per etype:
 * the I/O half of `kerberos-ts/protocol`'s salt probe. What `ktutil addent -f` does, and the one
 * salt rule that is always right (Active Directory's depend on account attributes a client cannot
 * see: the UPN, whether an SPN sits on a user or a computer account).
 *
 * @module
 */
import { KDCError } from '../errors.js'
import { KRBErrorCode } from '../iana.js'
import { randomBytes, type RandomSource } from '../internal/bytes.js'
import type { Principal } from '../principal.js'
import { makeNonce } from '../protocol/as.js'
import { buildSaltProbe, readSaltProbeReply, type KDCSaltInfo } from '../protocol/salt-probe.js'
import type { Transport } from './transport.js'

/** Options for {@link fetchSaltInfo}. */
export interface FetchSaltInfoOptions {
  readonly transport: Transport
  readonly principal: Principal
  /** Etypes wanted, in preference order. */
  readonly etypes: readonly number[]
  /** Client clock; default now. */
  readonly now?: Date
  readonly random?: RandomSource
  readonly signal?: AbortSignal
}

/**
 * The KDC's salt (and s2kparams) for each of `etypes` the principal has a key of, in the order
 * asked. One AS-REQ without preauth for all etypes; an etype the answer leaves out (a KDC may
 * name only its preferred one) is asked about alone. Etypes the KDC still does not name are
 * missing from the result. KDC errors other than PREAUTH_REQUIRED throw `KDCError`.
 *
 * @example
 * ```ts
 * const info = await fetchSaltInfo({ transport, principal, etypes: [18, 17] })
 * const keys = info.map((i) => stringToKey(i.etype, password, i.salt, { params: i.s2kparams }))
 * ```
 */
export async function fetchSaltInfo(o: FetchSaltInfoOptions): Promise<KDCSaltInfo[]> {
  if (o.etypes.length === 0) throw new RangeError('expected at least one etype to ask about')
  const found = new Map<number, KDCSaltInfo>()
  const ask = async (etypes: readonly number[]): Promise<void> => {
    const req = buildSaltProbe({
      client: o.principal,
      etypes,
      now: o.now ?? new Date(),
      nonce: makeNonce(o.random ?? randomBytes),
    })
    const reply = await o.transport.sendToKDC(
      o.principal.realm,
      req.bytes,
      o.signal !== undefined ? { signal: o.signal } : {},
    )
    for (const e of readSaltProbeReply(reply, req).entries) {
      if (!found.has(e.etype)) found.set(e.etype, e)
    }
  }
  await ask(o.etypes)
  for (const etype of o.etypes) {
    if (found.has(etype)) continue
    try {
      await ask([etype])
    } catch (e) {
      // Asked alone, an etype the principal has no key of is KDC_ERR_ETYPE_NOSUPP: leave it out.
      if (!(e instanceof KDCError) || e.errorCode !== KRBErrorCode.KDC_ERR_ETYPE_NOSUPP) throw e
    }
  }
  return o.etypes.flatMap((e) => {
    const info = found.get(e)
    return info === undefined ? [] : [info]
  })
}
