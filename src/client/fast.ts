/**
 * FAST (RFC 6113) for a {@link KerberosClient}, loaded on first use (`./fast-lazy.ts`): where the
 * armor TGT comes from (a ccache as MIT `kinit -T`, a TGT, or a host keytab to log in with
 * first), the per-login state (armor, cookie, encrypted challenge, the upgrade when a KDC offers
 * FAST) and the implicit armor of a TGS request. The pure steps are in `protocol/fast.ts`;
 * which realms are known to do FAST, and logins without armor, in `./fast-lazy.ts`.
 *
 * @module
 */
import type { PAData } from '../asn1/index.js'
import type { KerberosKey } from '../key.js'
import { formatPrincipal, isTGSPrincipal, tgsPrincipal } from '../principal.js'
import { makeEncTimestamp, type ASRequest } from '../protocol/as.js'
import { fastCookie, fastRequiredError } from '../protocol/fast.js'
import {
  armorASRequest,
  armorTGSRequest,
  makeASArmor,
  makeEncryptedChallenge,
  type FastArmor,
} from '../protocol/fast-armor.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import type { TGSRequest } from '../protocol/tgs.js'
import type { ClientContext } from './context.js'
import { CredentialStore } from './credential-store.js'
import { explained } from './explain-lazy.js'
import { credentialsFromCCache } from './credentials.js'
import { fastAvailRealms, knowsFast, type LoginFast } from './fast-lazy.js'
import { loginWith } from './login.js'
import type { FastArmorSource, FastMode } from './options.js'

/** An armor TGT for `realm` from `source`, and whether its ccache says the KDC does FAST. */
export async function armorTGT(
  ctx: ClientContext,
  source: FastArmorSource,
  realm: string,
  signal?: AbortSignal,
): Promise<{ readonly tgt: Credentials; readonly fastAvail: boolean }> {
  const shape = source as Partial<Record<'ccache' | 'tgt' | 'keytab' | 'principal', unknown>>
  const given = (k: keyof typeof shape): boolean =>
    typeof shape?.[k] === 'object' && shape[k] !== null
  if (!given('ccache') && !given('tgt') && !(given('keytab') && shape.principal !== undefined))
    throw new TypeError(
      'expected options.armor to be { ccache }, { tgt } or { keytab, principal } (host armor: the principal to log in as from the keytab); see docs/fast.md',
    )
  if ('keytab' in source) {
    // Host armor: log in as the host (no FAST for that login) in a store of its own.
    const sub: ClientContext = Object.create(ctx, { store: { value: new CredentialStore() } })
    const tgt = await loginWith(sub, {
      principal: source.principal,
      keytab: source.keytab,
      fast: 'never',
      ...(signal !== undefined ? { signal } : {}),
    }).catch(async (e: unknown) => {
      throw await explained((m) => m.explainArmorLogin(e, source.principal), e)
    })
    return {
      tgt: checkArmorTGT(ctx, tgt, realm, 'the armor keytab login'),
      fastAvail: knowsFast(sub, realm),
    }
  }
  if ('tgt' in source)
    return { tgt: checkArmorTGT(ctx, source.tgt, realm, 'the armor TGT'), fastAvail: false }
  const { credentials } = credentialsFromCCache(source.ccache)
  const want = tgsPrincipal(realm)
  const now = ctx.now().getTime()
  const tgt = credentials.find(
    (c) =>
      isTGSPrincipal(c.server) &&
      c.server.components[1] === realm &&
      c.server.realm === realm &&
      c.endtime.getTime() > now,
  )
  if (tgt === undefined) {
    throw fastRequiredError(
      `the armor ccache of ${formatPrincipal(source.ccache.defaultPrincipal)} holds no valid TGT for ${formatPrincipal(want)}`,
      { context: { realm } },
    )
  }
  return { tgt, fastAvail: fastAvailRealms(source.ccache).includes(realm) }
}

function checkArmorTGT(
  ctx: ClientContext,
  tgt: Credentials,
  realm: string,
  what: string,
): Credentials {
  const s = tgt.server
  const ok = isTGSPrincipal(s) && s.components[1] === realm && s.realm === realm
  if (!ok || tgt.endtime.getTime() <= ctx.now().getTime()) {
    throw fastRequiredError(
      `${what} gave no valid TGT for ${formatPrincipal(tgsPrincipal(realm))} (got ${formatPrincipal(s)})`,
      { context: { realm } },
    )
  }
  return tgt
}

/** FAST state of one login (MIT `krb5int_fast_request_state` and the gic loop's share of it). */
export class FastLogin implements LoginFast {
  readonly mode: FastMode
  /** Requests are armored now. */
  active: boolean
  /** The last request carried PA-ENCRYPTED-CHALLENGE (the reply must carry the KDC's). */
  challengeSent = false
  /** Answer PREAUTH_REQUIRED with an encrypted challenge rather than a timestamp. */
  useChallenge = false
  #cookie: PAData | undefined
  #tgt: Credentials | undefined
  #armor: FastArmor | undefined

  private constructor(mode: FastMode, tgt: Credentials | undefined, active: boolean) {
    this.mode = mode
    this.#tgt = tgt
    this.active = active
  }

  /** A login to `realm` with `armor` (mode not `'never'`): gets its armor TGT. */
  static async start(
    ctx: ClientContext,
    mode: FastMode,
    armor: FastArmorSource,
    realm: string,
    signal?: AbortSignal,
  ): Promise<FastLogin> {
    const { tgt, fastAvail } = await armorTGT(ctx, armor, realm, signal)
    ctx.emit(() => ({ type: 'fast-armor', realm, client: formatPrincipal(tgt.client) }))
    return new FastLogin(mode, tgt, mode === 'required' || fastAvail || knowsFast(ctx, realm))
  }

  /** Armor is at hand: a KDC's PA-FX-FAST offer can be taken up. */
  get canArmor(): boolean {
    return this.#tgt !== undefined
  }

  /** Start armoring (the KDC offered FAST); false when there is no armor. */
  upgrade(): boolean {
    if (this.active || this.#tgt === undefined) return false
    this.active = true
    return true
  }

  /**
   * A client referral to `realm`: the armor TGT serves its own realm only. Without armor for
   * `realm`, FAST stops (`'required'`: ERR_KRB_FAST_REQUIRED); the referral itself came inside
   * the armor when FAST was on.
   */
  retarget(realm: string): void {
    const s = this.#tgt?.server
    if (s === undefined || s.components[1] === realm) return
    this.#tgt = undefined
    this.#armor = undefined
    this.#cookie = undefined
    this.active = false
    if (this.mode === 'required') {
      throw fastRequiredError(
        `the KDC referred the client to ${realm}, but the FAST armor is a TGT of ${s.realm}: give armor for ${realm}`,
        { context: { realm } },
      )
    }
  }

  /** Take the cookie and the preauth choice from an (armored) PREAUTH_REQUIRED or other error. */
  noteErrorPadata(padata: readonly PAData[]): void {
    this.#cookie = fastCookie(padata)
  }

  /** The preauth PA-DATA (and cookie) of the next request, for `key`. */
  padata(
    ctx: ClientContext,
    key: KerberosKey | undefined,
    now: Date,
    allowWeak: boolean,
  ): { padata: PAData[] } | undefined {
    const list: PAData[] = []
    this.challengeSent = false
    if (key !== undefined) {
      if (this.active && this.useChallenge) {
        list.push(
          makeEncryptedChallenge(this.armorFor(ctx, now, allowWeak).armorKey, key, now, {
            random: ctx.nonceRandom,
            allowWeak,
          }),
        )
        this.challengeSent = true
      } else {
        list.push(makeEncTimestamp(key, now, { random: ctx.nonceRandom, allowWeak }))
      }
    }
    if (this.active && this.#cookie !== undefined) list.push(this.#cookie)
    return list.length > 0 ? { padata: list } : undefined
  }

  /** The request as sent: armored when FAST is active. */
  wrap(ctx: ClientContext, req: ASRequest, now: Date, allowWeak: boolean): ASRequest {
    if (!this.active) return req
    return armorASRequest(req, this.armorFor(ctx, now, allowWeak), {
      random: ctx.nonceRandom,
      allowWeak,
    })
  }

  /** One armor (AP-REQ with a fresh subkey) per login, as MIT. */
  armorFor(ctx: ClientContext, now: Date, allowWeak: boolean): FastArmor {
    if (this.#armor !== undefined) return this.#armor
    if (this.#tgt === undefined) throw new Error('FastLogin.armorFor without an armor TGT')
    this.#armor = makeASArmor({ tgt: this.#tgt, now, random: ctx.random, allowWeak })
    return this.#armor
  }
}

/** Armor a TGS request (it must carry a subkey) for `mode` (see `tgsFastMode`). */
export function armorTGS(
  ctx: ClientContext,
  req: TGSRequest,
  mode: 'optional' | 'required',
  allowWeak: boolean,
): TGSRequest {
  return armorTGSRequest(req, { random: ctx.nonceRandom, allowWeak, required: mode === 'required' })
}
