/**
 * The shapes `doctor` reports in and the state its checks share.
 *
 * @module
 */
import type { Transport } from '../client/transport.js'
import type { Krb5Config, LibDefaults } from '../config/index.js'
import { KerberosError } from '../errors.js'
import type { Keytab } from '../keytab/index.js'
import type { EnvOptions } from './env.js'
import type { SRVResolver } from './kdc-discovery.js'

/** The outcome of one check. `skip`: not run (an earlier check failed, or nothing to check). */
export type DoctorStatus = 'ok' | 'warn' | 'fail' | 'skip'

/** One line of the checklist. */
export interface DoctorCheck {
  /** Stable identifier: `config`, `realm`, `kdc-discovery`, `kdc:HOST:PORT`, `clock`, `keytab`, ... */
  readonly id: string
  readonly status: DoctorStatus
  /** One sentence: what was found. */
  readonly summary: string
  /** Structured facts (JSON-safe; never keys). */
  readonly details?: Readonly<Record<string, unknown>>
  /** What to do about a `warn` or `fail`. */
  readonly advice?: string
}

/** The result of `runDoctor`. */
export interface DoctorReport {
  /** False when any check failed. */
  readonly ok: boolean
  /** The realm diagnosed, when one was found. */
  readonly realm: string | undefined
  /** When the run started (local clock, ISO 8601). */
  readonly checkedAt: string
  /** The KDC's clock minus ours in milliseconds, when a KDC answered. */
  readonly clockOffsetMs: number | undefined
  readonly checks: readonly DoctorCheck[]
}

/** Options for `runDoctor`; all optional. */
export interface DoctorOptions extends EnvOptions {
  /** A loaded krb5.conf; default `KRB5_CONFIG`, else `/etc/krb5.conf`. */
  readonly config?: Krb5Config
  /** krb5.conf files to read instead of `KRB5_CONFIG` / `/etc/krb5.conf`. */
  readonly configPaths?: readonly string[]
  /** The realm to diagnose; default the principal's, the keytab's, then `default_realm`. */
  readonly realm?: string
  /** A keytab (path or parsed) to check against the KDC (`-k`). */
  readonly keytab?: string | Keytab
  /** The principal to check; default the keytab's first. */
  readonly principal?: string
  /** Service principals to ask tickets for (`HTTP/host@REALM` or `HTTP@host`). */
  readonly spns?: readonly string[]
  /** The ccache whose TGT serves the SPN checks when there is no keytab login; false: none. */
  readonly ccache?: string | false
  /** The local clock; default `new Date()`. Tests use a skewed one. */
  readonly now?: () => Date
  /** SRV resolver for discovery. */
  readonly resolver?: SRVResolver
  /** Wait per KDC attempt in the reachability checks; default 2000 ms. */
  readonly attemptTimeoutMs?: number
  /** The transport for logins and tickets; default a Node transport on the loaded config. */
  readonly transport?: Transport
  readonly signal?: AbortSignal
}

/** What the checks share while the doctor runs. */
export interface DoctorContext {
  readonly options: DoctorOptions
  readonly config: Krb5Config
  readonly libdefaults: LibDefaults
  readonly checks: DoctorCheck[]
  readonly now: () => Date
  realm: string | undefined
  keytab: Keytab | undefined
  keytabName: string | undefined
  reachable: boolean
  /** The KDC did not confirm it serves the realm (krbtgt/REALM unknown as a client). */
  realmUnconfirmed: boolean
  clockOffsetMs: number | undefined
  transport: Transport | undefined
}

/** Add a check to the context's list (details without undefined values). */
export function addCheck(ctx: DoctorContext, check: DoctorCheck): DoctorCheck {
  ctx.checks.push(check)
  return check
}

/** A short reason from any thrown value: a KerberosError's message and code, else its text. */
export function reason(err: unknown): string {
  if (err instanceof KerberosError) return `${err.message} (${err.code})`
  return err instanceof Error ? err.message : String(err)
}
