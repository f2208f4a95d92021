/**
 * What the login and TGS steps of a {@link KerberosClient} share: its options, settings, clock
 * (with the KDC offset), transport, trace and credential store. Internal to `src/client`.
 *
 * @module
 */
import type { RandomSource } from '../internal/bytes.js'
import type { Principal } from '../principal.js'
import type { CredentialStore } from './credential-store.js'
import type { ClientTraceEvent, KerberosClientOptions } from './options.js'
import type { ClientSettings } from './settings.js'

/** The client state and services the exchange steps use. */
export interface ClientContext {
  readonly options: KerberosClientOptions
  /** Randomness for keys (subkeys). */
  readonly random: RandomSource
  /**
   * Randomness for nonces and confounders: the injected `random`, else the crypto module's pool
   * (one platform RNG call per 4 KiB; issue 11 speed). Never used for keys.
   */
  readonly nonceRandom: RandomSource
  readonly store: CredentialStore
  /** Referral hops (client and server referrals, cross-realm paths). */
  readonly maxReferrals: number
  /** The KDC's clock minus ours, in milliseconds. */
  offsetMs: number
  /** The default realm (option, then `default_realm`). */
  readonly realm: string | undefined
  settings(realm?: string): ClientSettings
  allowWeak(s: ClientSettings): boolean
  /** The local clock (injected `now`), without the KDC offset, in ms. */
  localNow(): number
  /** The local clock corrected by the KDC offset. */
  now(): Date
  /** `p` parsed with `realm` (else the default realm) as the default; throws without a realm. */
  parseName(p: string | Principal, realm?: string): Principal
  send(realm: string, bytes: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>
  /** Trace an event; the thunk runs only when there is a `trace` callback. */
  emit(e: () => ClientTraceEvent): void
}
