/**
 * FAST (RFC 6113) for a {@link KerberosClient}: where the armor TGT comes from (a ccache as MIT
 * `kinit -T`, a TGT, or a host keytab to log in with first), the per-login state (armor, cookie,
 * encrypted challenge, the upgrade when a KDC offers FAST), which realms are known to do FAST, and
 * when a TGS request is armored. The pure steps are in `protocol/fast.ts`.
 *
 * @module
 */
import type { PAData } from '../asn1/index.js'
import {
  isConfigEntry,
  makeConfigEntry,
  readConfigEntry,
  storeCredential,
  type CCache,
} from '../ccache/index.js'
import { type KDCError } from '../errors.js'
import { PADataType } from '../iana.js'
import { utf8 } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import { formatPrincipal, isTGSPrincipal, tgsPrincipal, type Principal } from '../principal.js'
import { makeEncTimestamp, type ASRequest } from '../protocol/as.js'
import {
  armorASRequest,
  armorTGSRequest,
  fastCookie,
  fastRequiredError,
  makeASArmor,
  makeEncryptedChallenge,
  type FastArmor,
} from '../protocol/fast.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import type { TGSRequest } from '../protocol/tgs.js'
import type { ClientContext } from './context.js'
import { CredentialStore } from './credential-store.js'
import { explained } from './explain-lazy.js'
import { credentialsFromCCache } from './credentials.js'
import type {
  FastArmorSource,
  FastMode,
  KeytabLoginOptions,
  LoginCommonOptions,
} from './options.js'

/** Realms whose KDC has shown FAST support, per client. */
const fastRealms = new WeakMap<ClientContext, Set<string>>()

/** Remember that `realm`'s KDC does FAST (an armored reply, or PA-FX-FAST in a verified AS-REP). */
export function noteFastRealm(ctx: ClientContext, realm: string): void {
  let set = fastRealms.get(ctx)
  if (set === undefined) fastRealms.set(ctx, (set = new Set()))
  set.add(realm)
}

/** True when `realm`'s KDC is known to do FAST. */
export function knowsFast(ctx: ClientContext, realm: string): boolean {
  return fastRealms.get(ctx)?.has(realm) === true
}

/** Realms named by `fast_avail` configuration entries (`krbtgt/R@R` = `yes`) of a ccache. */
export function fastAvailRealms(cc: CCache): string[] {
  const out: string[] = []
  for (const cred of cc.credentials) {
    const e = readConfigEntry(cred)
    if (e?.key !== 'fast_avail' || e.principal === undefined) continue
    if (new TextDecoder().decode(e.value) !== 'yes') continue
    const m = /^krbtgt\/([^@]+)@(.+)$/.exec(e.principal)
    if (m !== null && m[1] === m[2]) out.push(m[1]!)
  }
  return out
}

/** Learn FAST support from a loaded ccache (`fast_avail` entries, as MIT writes them). */
export function noteFastFromCCache(ctx: ClientContext, cc: CCache): void {
  for (const realm of fastAvailRealms(cc)) noteFastRealm(ctx, realm)
}

/** Add MIT's `fast_avail` configuration entry for every known FAST realm of the ccache's TGTs. */
export function withFastConfig(ctx: ClientContext, cc: CCache): CCache {
  let out = cc
  const have = new Set(fastAvailRealms(cc))
  for (const cred of cc.credentials) {
    if (isConfigEntry(cred) || !isTGSPrincipal(cred.server)) continue
    const realm = cred.server.components[1]!
    if (realm !== cred.server.realm || have.has(realm) || !knowsFast(ctx, realm)) continue
    have.add(realm)
    // The associated principal is the component `krbtgt/R@R`, as MIT's krb5_cc_set_config.
    const entry = makeConfigEntry(
      cc.defaultPrincipal,
      'fast_avail',
      utf8('yes'),
      `krbtgt/${realm}@${realm}`,
    )
    out = storeCredential(out, entry)
  }
  return out
}

/** The FAST mode of a login (or of the client, for TGS requests). */
export function fastModeOf(ctx: ClientContext, o?: { readonly fast?: FastMode }): FastMode {
  const mode = o?.fast ?? ctx.options.fast ?? 'if-offered'
  if (mode !== 'never' && mode !== 'if-offered' && mode !== 'required') {
    throw new TypeError(
      `expected fast to be 'never', 'if-offered' or 'required', got ${String(mode)}`,
    )
  }
  return mode
}

type LoginFn = (ctx: ClientContext, o: KeytabLoginOptions) => Promise<Credentials>

/** An armor TGT for `realm` from `source`, and whether its ccache says the KDC does FAST. */
export async function armorTGT(
  ctx: ClientContext,
  source: FastArmorSource,
  realm: string,
  login: LoginFn,
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
    const tgt = await login(sub, {
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
export class FastLogin {
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

  /** Decide the FAST mode of a login to `realm` and get its armor TGT. */
  static async start(
    ctx: ClientContext,
    o: LoginCommonOptions,
    realm: string,
    login: LoginFn,
  ): Promise<FastLogin> {
    const mode = fastModeOf(ctx, o)
    if (mode === 'never') return new FastLogin(mode, undefined, false)
    if (o.armor === undefined) {
      if (mode === 'required') {
        throw fastRequiredError(
          `fast: 'required' needs armor to log in to ${realm}: give options.armor (a TGT ccache, as kinit -T, or a host keytab)`,
          { context: { realm } },
        )
      }
      return new FastLogin(mode, undefined, false)
    }
    const { tgt, fastAvail } = await armorTGT(ctx, o.armor, realm, login, o.signal)
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

/**
 * What PREAUTH_REQUIRED means for FAST: `'upgrade'` (the KDC offers PA-FX-FAST, armor is at
 * hand: ask again armored), `'ok'` (go on with the preauth the KDC offers), or a thrown
 * `ERR_KRB_FAST_REQUIRED` when only FAST preauth is offered for a key we have, and there is no
 * armor.
 */
export function fastPreauthStep(
  fast: FastLogin,
  err: KDCError,
  methods: readonly number[],
  client: Principal,
  haveKey: boolean,
): 'upgrade' | 'ok' {
  const offersFast = methods.includes(PADataType.FX_FAST)
  if (!fast.active) {
    if (offersFast && fast.mode !== 'never' && fast.upgrade()) return 'upgrade'
    // MIT lists no PA-ENC-TIMESTAMP either when the client has no key of an etype we asked for:
    // that is an etype problem, not FAST (haveKey: its ETYPE-INFO2 names one of our etypes).
    if (haveKey && offersFast && !methods.includes(PADataType.ENC_TIMESTAMP)) {
      throw fastRequiredError(
        `the KDC for ${client.realm} requires FAST armor to log in as ${formatPrincipal(client)} (it offers only FAST preauthentication, such as encrypted challenge)${fast.mode === 'never' ? ", and fast is 'never'" : ''}: give armor (options.armor, or kinit -T ARMOR_CCACHE)`,
        { cause: err, context: { principal: formatPrincipal(client), realm: client.realm } },
      )
    }
    return 'ok'
  }
  fast.useChallenge = methods.includes(PADataType.ENCRYPTED_CHALLENGE)
  return 'ok'
}

/**
 * How a TGS request to `realm` is armored: `'off'`, `'optional'` (implicit armor; a reply
 * without FAST is accepted, as MIT) or `'required'`.
 */
export function tgsFastMode(ctx: ClientContext, realm: string): 'off' | 'optional' | 'required' {
  const mode = fastModeOf(ctx)
  if (mode === 'never') return 'off'
  if (mode === 'required') return 'required'
  return knowsFast(ctx, realm) ? 'optional' : 'off'
}

/** Armor a TGS request per {@link tgsFastMode} (it must carry a subkey when armored). */
export function armorTGSIfNeeded(
  ctx: ClientContext,
  req: TGSRequest,
  mode: 'off' | 'optional' | 'required',
  allowWeak: boolean,
): TGSRequest {
  if (mode === 'off') return req
  return armorTGSRequest(req, { random: ctx.nonceRandom, allowWeak, required: mode === 'required' })
}
