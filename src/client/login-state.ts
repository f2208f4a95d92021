/**
 * The mutable state of one login: preauth rounds, skew retry, client referrals, the KDC's salt
 * hints and the key for PA-ENC-TIMESTAMP (made by `LoginFast.padata`, inside FAST or not).
 *
 * @module
 */
import type { KerberosKey } from '../key.js'
import type { SaltInfo } from '../protocol/as.js'

/** Mutable state of one login. */
export class LoginState {
  readonly maxPreauth: number
  readonly maxReferrals: number
  preauthRounds = 0
  referrals = 0
  skewRetried = false
  referred = false
  hints: readonly SaltInfo[] = []
  /** The key for PA-ENC-TIMESTAMP, or its derivation while it runs (see {@link settle}). */
  preauthKey: KerberosKey | Promise<KerberosKey> | undefined
  /** KDC clock minus ours from a KRB_AP_ERR_SKEW: used for the retry, kept only once a reply is authenticated. */
  pendingOffsetMs: number | undefined

  constructor(maxPreauth: number, maxReferrals: number) {
    this.maxPreauth = maxPreauth
    this.maxReferrals = maxReferrals
  }

  /** Wait for a running password derivation (before the next request's clock is read). */
  async settle(): Promise<void> {
    if (this.preauthKey instanceof Promise) this.preauthKey = await this.preauthKey
  }

  /** The settled preauth key, if any (call after {@link settle}). */
  key(): KerberosKey | undefined {
    const key = this.preauthKey
    if (key instanceof Promise) throw new Error('LoginState.key before settle()')
    return key
  }
}
