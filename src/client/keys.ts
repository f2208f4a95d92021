/**
 * Where a login's client keys come from: a password (string-to-key with the KDC's salt, at a
 * bounded cost) or a keytab (every kvno of the reply's etype is tried; the kvno is never
 * required to match).
 *
 * @module
 */
import { defaultSalt, stringToKeyAsync, stringToKeyIterations } from '../crypto/index.js'
import { ErrorCodes, KerberosError, KeytabLookupError } from '../errors.js'
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

/** Which keytab key a login used, for error messages (never the key). */
export interface KeytabKeyUse {
  readonly kvno: number
  readonly enctype: number
  /** The kvno the KDC's reply named (its current one), when a reply was read. */
  readonly replyKvno?: number
}

/** Keys for one login. */
export interface KeySource {
  /** Where the keys come from: a password or a keytab. */
  readonly kind: 'password' | 'keytab'
  /** The keytab key last used (for PA-ENC-TIMESTAMP or first tried on the reply). */
  lastUsed?(): KeytabKeyUse | undefined
  /** The etypes this source can offer (a keytab: those at its highest kvno); undefined = any. */
  readonly etypes?: readonly number[]
  /** Candidate keys to decrypt an AS-REP, in the order to try (after {@link prepareReply}). */
  replyKeys(want: ASReplyKeyRequest): readonly KerberosKey[]
  /** The key for PA-ENC-TIMESTAMP (a password's is derived asynchronously). */
  preauthKey(info: SaltInfo): KerberosKey | Promise<KerberosKey>
  /** Get the keys for an AS-REP ready before the synchronous {@link replyKeys}. */
  prepareReply?(want: ASReplyKeyRequest): Promise<void>
}

/** Derives one password key: (etype, salt, s2kparams) → key, possibly off the thread. */
export type PasswordDerivation = (
  etype: number,
  salt: Uint8Array,
  params: Uint8Array | undefined,
) => Promise<KerberosKey>

/**
 * Password string-to-key runs per login. The first is the key for the first PREAUTH_REQUIRED
 * round or, without preauth, for the AS-REP. The one other is for an AS-REP in an etype the
 * login has no key for yet (the KDC took our preauth in one etype and answered in another).
 */
export const MAX_PASSWORD_DERIVATIONS = 2

/**
 * Keys from a password, with a bounded cost: every hint that asks for a derivation comes in an
 * unauthenticated message (PREAUTH_REQUIRED e-data, AS-REP padata), so one login derives at
 * most one key per etype and at most {@link MAX_PASSWORD_DERIVATIONS} in all. Later preauth rounds
 * reuse the key already derived whatever salt or s2kparams they name (a KDC that really disagrees
 * answers PREAUTH_FAILED); an AS-REP in an etype the login has a key for is tried with that key
 * only (a KDC that accepted our timestamp holds that key).
 */
export function passwordKeySource(client: () => Principal, derive: PasswordDerivation): KeySource {
  const derived: { readonly etype: number; readonly id: string; readonly key: KerberosKey }[] = []
  let started = 0
  const idOf = (info: SaltInfo): { salt: Uint8Array; id: string } => {
    const salt = info.salt ?? defaultSalt(client())
    return {
      salt,
      id: `${info.etype}|${toHex(salt)}|${info.s2kparams ? toHex(info.s2kparams) : ''}`,
    }
  }
  const deriveFor = async (info: SaltInfo): Promise<KerberosKey> => {
    const { salt, id } = idOf(info)
    if (++started > MAX_PASSWORD_DERIVATIONS) {
      throw new KerberosError(
        ErrorCodes.KDC_REPLY,
        `refused a string-to-key for ${describeEncType(info.etype)}: this login already derived ${MAX_PASSWORD_DERIVATIONS} password keys`,
        { context: { etype: info.etype } },
      )
    }
    const key = await derive(info.etype, salt, info.s2kparams)
    derived.push({ etype: info.etype, id, key })
    return key
  }
  const exact = (info: SaltInfo): KerberosKey | undefined =>
    derived.find((d) => d.id === idOf(info).id)?.key
  return {
    kind: 'password',
    replyKeys(want) {
      const first = exact(want.saltInfo ?? { etype: want.etype })
      const rest = derived.filter((d) => d.etype === want.etype && d.key !== first)
      return [...(first !== undefined ? [first] : []), ...rest.map((d) => d.key)]
    },
    preauthKey(info) {
      const have = exact(info) ?? derived[0]?.key
      return have ?? deriveFor(info)
    },
    async prepareReply(want) {
      if (derived.some((d) => d.etype === want.etype)) return
      await deriveFor(want.saltInfo ?? { etype: want.etype })
    },
  }
}

/**
 * A {@link PasswordDerivation} for `password` that refuses, before any work, an iteration count
 * above `maxIterations` with ERR_KRB_S2K_PARAMS naming the count and the option, and awaits the
 * backend's `pbkdf2Async` when it has one (the Node backend).
 */
export function passwordDerivation(
  password: string,
  o: { readonly allowWeak: boolean; readonly maxIterations: number },
): PasswordDerivation {
  return async (etype, salt, params) => {
    const options = { ...(params !== undefined ? { params } : {}), allowWeak: o.allowWeak }
    const count = stringToKeyIterations(etype, params, { allowWeak: o.allowWeak })
    if (count !== undefined && count > o.maxIterations) {
      throw new KerberosError(
        ErrorCodes.S2K_PARAMS,
        `the KDC asks for ${count} string-to-key iterations for ${describeEncType(etype)}, more than maxS2KIterations (krb5.conf max_s2k_iterations) ${o.maxIterations}`,
        { context: { etype, iterations: count, maxS2KIterations: o.maxIterations } },
      )
    }
    return stringToKeyAsync(etype, password, salt, { ...options, maxIterations: o.maxIterations })
  }
}

/** Keys from a keytab for `client`. Throws KeytabLookupError when the principal is missing. */
export function keytabKeySource(keytab: Keytab, client: Principal): KeySource {
  const etypes = findKeytabEntries(keytab, { principal: client }).map((e) => e.enctype)
  const name = formatPrincipal(client)
  const mine = keytab.entries.filter((e) => principalEquals(e.principal, client))
  let used: KeytabKeyUse | undefined
  return {
    kind: 'keytab',
    etypes,
    lastUsed: () => used,
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
      const sorted = order(all, want.kvno)
      used = {
        kvno: sorted[0]!.kvno,
        enctype: want.etype,
        ...(want.kvno !== undefined ? { replyKvno: want.kvno } : {}),
      }
      return sorted.map((e) => e.key)
    },
    preauthKey(info) {
      const entry = findKeytabEntry(keytab, { principal: client, enctype: info.etype })
      used = { kvno: entry.kvno, enctype: entry.enctype }
      return entry.key
    },
  }
}

/** The reply's kvno first, then the most recent first: every kvno is tried. */
function order(entries: readonly KeytabEntry[], kvno: number | undefined): KeytabEntry[] {
  const sorted = [...entries].sort((a, b) => (isMoreRecent(a, b) ? -1 : isMoreRecent(b, a) ? 1 : 0))
  if (kvno === undefined) return sorted
  const exact = sorted.filter((e) => e.kvno === kvno || (kvno < 256 && (e.kvno & 0xff) === kvno))
  return [...exact, ...sorted.filter((e) => !exact.includes(e))]
}
