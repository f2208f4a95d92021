/**
 * Where a login's client keys come from: a password (string-to-key with the KDC's salt) or a
 * keytab (every kvno of the reply's etype is tried; the kvno is never required to match).
 *
 * @module
 */
import { defaultSalt } from '../crypto/index.js'
import { KeytabLookupError } from '../errors.js'
import { describeEncType } from '../iana.js'
import { toHex } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import {
  findKeytabEntries,
  findKeytabEntry,
  isMoreRecent,
  type Keytab,
  type KeytabEntry,
} from '../keytab/index.js'
import { formatPrincipal, principalEquals, type Principal } from '../principal.js'
import type { ASReplyKeyRequest, SaltInfo } from '../protocol/as.js'

/** Keys for one login. */
export interface KeySource {
  /** The etypes this source can offer (a keytab: those at its highest kvno); undefined = any. */
  readonly etypes?: readonly number[]
  /** Candidate keys to decrypt an AS-REP, in the order to try. */
  replyKeys(want: ASReplyKeyRequest): readonly KerberosKey[]
  /** The key for PA-ENC-TIMESTAMP. */
  preauthKey(info: SaltInfo): KerberosKey
}

/** Derives keys from a password, once per (etype, salt, s2kparams). */
export function passwordKeySource(
  client: () => Principal,
  derive: (etype: number, salt: Uint8Array, params: Uint8Array | undefined) => KerberosKey,
): KeySource {
  const cache = new Map<string, KerberosKey>()
  const keyFor = (info: SaltInfo): KerberosKey => {
    const salt = info.salt ?? defaultSalt(client())
    const id = `${info.etype}|${toHex(salt)}|${info.s2kparams ? toHex(info.s2kparams) : ''}`
    let key = cache.get(id)
    if (key === undefined) {
      key = derive(info.etype, salt, info.s2kparams)
      cache.set(id, key)
    }
    return key
  }
  return {
    replyKeys: (want) => [keyFor(want.saltInfo ?? { etype: want.etype })],
    preauthKey: keyFor,
  }
}

/** Keys from a keytab for `client`. Throws KeytabLookupError when the principal is missing. */
export function keytabKeySource(keytab: Keytab, client: Principal): KeySource {
  const etypes = findKeytabEntries(keytab, { principal: client }).map((e) => e.enctype)
  const name = formatPrincipal(client)
  const mine = keytab.entries.filter((e) => principalEquals(e.principal, client))
  return {
    etypes,
    replyKeys(want) {
      const all = mine.filter((e) => e.enctype === want.etype)
      if (all.length === 0) {
        throw new KeytabLookupError(
          {
            reason: 'enctype-not-found',
            principal: name,
            enctype: want.etype,
            available: mine.map((e) => ({ kvno: e.kvno, enctype: e.enctype })),
          },
          `keytab has no ${describeEncType(want.etype)} key for ${name}, which the KDC used for its reply`,
        )
      }
      return order(all, want.kvno).map((e) => e.key)
    },
    preauthKey: (info) => findKeytabEntry(keytab, { principal: client, enctype: info.etype }).key,
  }
}

/** The reply's kvno first, then the most recent first: every kvno is tried. */
function order(entries: readonly KeytabEntry[], kvno: number | undefined): KeytabEntry[] {
  const sorted = [...entries].sort((a, b) => (isMoreRecent(a, b) ? -1 : isMoreRecent(b, a) ? 1 : 0))
  if (kvno === undefined) return sorted
  const exact = sorted.filter((e) => e.kvno === kvno || (kvno < 256 && (e.kvno & 0xff) === kvno))
  return [...exact, ...sorted.filter((e) => !exact.includes(e))]
}
