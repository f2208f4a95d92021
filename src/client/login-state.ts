/**
 * The mutable state of one login: preauth rounds, skew retry, client referrals, the KDC's salt
 * hints and the key for PA-ENC-TIMESTAMP.
 *
 * @module
 */
import type { PAData } from '../asn1/index.js'
import type { RandomSource } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import { makeEncTimestamp, type SaltInfo } from '../protocol/as.js'

/** Mutable state of one login. */
export class LoginState {
  readonly maxPreauth: number
  readonly maxReferrals: number
  preauthRounds = 0
  referrals = 0
  skewRetried = false
  referred = false
  hints: readonly SaltInfo[] = []
  preauthKey: KerberosKey | undefined
  /** KDC clock minus ours from a KRB_AP_ERR_SKEW: used for the retry, kept only once a reply is authenticated. */
  pendingOffsetMs: number | undefined

  constructor(maxPreauth: number, maxReferrals: number) {
    this.maxPreauth = maxPreauth
    this.maxReferrals = maxReferrals
  }

  padata(now: Date, random: RandomSource, allowWeak: boolean): { padata: PAData[] } | undefined {
    if (this.preauthKey === undefined) return undefined
    return { padata: [makeEncTimestamp(this.preauthKey, now, { random, allowWeak })] }
  }
}
