/**
 * The credentials a {@link KerberosClient} holds: one principal's TGT, service tickets and
 * cross-realm TGTs, keyed on (client, server).
 *
 * @module
 */
import { isTGSPrincipal, type Principal } from '../principal.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import { isLocalTGT } from './credentials.js'

/** Same components and realm (name types are not compared). */
export function samePrincipal(a: Principal, b: Principal): boolean {
  // What comparing formatPrincipal(a) and formatPrincipal(b) means, without building strings.
  if (a.realm !== b.realm || a.components.length !== b.components.length) return false
  return a.components.every((c, i) => c === b.components[i])
}

/**
 * One principal's credentials (issue 10 review #3): a lookup matches client and server, a login
 * as another principal starts over (as `kinit` re-initializes the ccache), and credentials of
 * another client are never held.
 *
 * @example
 * ```ts
 * const store = new CredentialStore()
 * store.startSession(tgt.client)
 * store.keep(tgt, true)
 * store.find(tgt.client, (s) => s.components[0] === 'HTTP', Date.now())
 * ```
 */
export class CredentialStore {
  #principal: Principal | undefined
  #tgt: Credentials | undefined
  #creds: Credentials[] = []

  /** Whose credentials these are (the login's client or the ccache's default principal). */
  get principal(): Principal | undefined {
    return this.#principal
  }

  /** The TGT, if any. */
  get tgt(): Credentials | undefined {
    return this.#tgt
  }

  /** Every held credential (TGT first). */
  get all(): readonly Credentials[] {
    return this.#creds
  }

  /**
   * A successful login as `client`: a login as another principal than the one whose credentials
   * are held drops every one of them (TGT, service tickets, cross-realm TGTs).
   */
  startSession(client: Principal): void {
    if (this.#principal !== undefined && samePrincipal(this.#principal, client)) return
    this.#principal = client
    this.#tgt = undefined
    this.#creds = []
  }

  /** Replace everything with a ccache's contents. Returns the TGT found, if any. */
  load(principal: Principal, credentials: readonly Credentials[]): Credentials | undefined {
    this.#principal = principal
    this.#creds = [...credentials]
    this.#tgt = credentials.find(isLocalTGT) ?? credentials.find((c) => isTGSPrincipal(c.server))
    return this.#tgt
  }

  /** An unexpired held credential of `client` whose server passes `match`. */
  find(
    client: Principal,
    match: (server: Principal) => boolean,
    nowMs: number,
  ): Credentials | undefined {
    return this.#creds.find(
      (c) => samePrincipal(c.client, client) && match(c.server) && c.endtime.getTime() > nowMs,
    )
  }

  /**
   * Hold `creds` (as the TGT when `asTGT`), replacing the credential of the same client and
   * server. Credentials of another client than the held principal's (a caller's own `tgt`) are
   * not held, so neither a later lookup nor a ccache written from the store mixes principals.
   */
  keep(creds: Credentials, asTGT: boolean): void {
    if (this.#principal !== undefined && !samePrincipal(creds.client, this.#principal)) return
    const same = (c: Credentials): boolean =>
      samePrincipal(c.client, creds.client) && samePrincipal(c.server, creds.server)
    if (asTGT) {
      this.#tgt = creds
      this.#creds = [creds, ...this.#creds.filter((c) => !same(c) && !isLocalTGT(c))]
      return
    }
    this.#creds = [...this.#creds.filter((c) => !same(c)), creds]
  }
}
