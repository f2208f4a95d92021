/**
 * What a {@link KerberosClient} needs of FAST (RFC 6113) up front: which realms are known to do
 * FAST (and their ccache `fast_avail` entries), the FAST mode, a login without armor, and when a
 * TGS request is armored. The armoring itself (`./fast.ts`, `protocol/fast-armor.ts`) is loaded
 * on first use, when a login has armor or a TGS request is to be armored, so a client that never
 * armors carries none of it up front (docs/bundling.md). A chunk that cannot be loaded fails the
 * operation (`ERR_KRB_FAST_REQUIRED`): armoring is never skipped.
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
import type { KDCError } from '../errors.js'
import { PADataType } from '../iana.js'
import { utf8 } from '../internal/bytes.js'
import type { KerberosKey } from '../key.js'
import { formatPrincipal, isTGSPrincipal, type Principal } from '../principal.js'
import { makeEncTimestamp, type ASRequest } from '../protocol/as.js'
import { fastRequiredError } from '../protocol/fast.js'
import type { TGSRequest } from '../protocol/tgs.js'
import type { ClientContext } from './context.js'
import type * as OnDemand from './on-demand.js'
import type { FastMode, LoginCommonOptions } from './options.js'

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

/**
 * `./fast.ts` (in `./on-demand.ts`), loaded on first use. A chunk that cannot be loaded fails the
 * operation that needs it with `ERR_KRB_FAST_REQUIRED` (the request must be armored but cannot
 * be); never skipped.
 */
export async function loadFast(realm: string): Promise<typeof OnDemand> {
  try {
    return await import('./on-demand.js')
  } catch (e) {
    throw fastRequiredError(
      `a request to ${realm} must be armored with FAST, but the FAST code (a lazily loaded chunk) could not be loaded`,
      {
        cause: e,
        context: { realm, reason: 'fast-not-loaded' },
        hint: 'the bundle lost a chunk: check that the chunks emitted beside the application bundle are deployed (docs/bundling.md)',
      },
    )
  }
}

/** The FAST state a login uses: {@link UnarmoredLogin} without armor, else `FastLogin` (./fast.ts). */
export interface LoginFast {
  readonly mode: FastMode
  /** Requests are armored now. */
  readonly active: boolean
  /** The last request carried PA-ENCRYPTED-CHALLENGE (the reply must carry the KDC's). */
  readonly challengeSent: boolean
  /** Answer PREAUTH_REQUIRED with an encrypted challenge rather than a timestamp. */
  useChallenge: boolean
  /** Start armoring (the KDC offered FAST); false when there is no armor. */
  upgrade(): boolean
  /** A client referral to `realm` (see `FastLogin.retarget`). */
  retarget(realm: string): void
  /** Take the cookie and the preauth choice from an (armored) PREAUTH_REQUIRED or other error. */
  noteErrorPadata(padata: readonly PAData[]): void
  /** The preauth PA-DATA (and cookie) of the next request, for `key`. */
  padata(
    ctx: ClientContext,
    key: KerberosKey | undefined,
    now: Date,
    allowWeak: boolean,
  ): { padata: PAData[] } | undefined
  /** The request as sent: armored when FAST is active. */
  wrap(ctx: ClientContext, req: ASRequest, now: Date, allowWeak: boolean): ASRequest
}

/** A login without FAST armor (`fast: 'never'`, or no `armor` given): never armors. */
export class UnarmoredLogin implements LoginFast {
  readonly mode: FastMode
  readonly active = false
  readonly challengeSent = false
  useChallenge = false

  constructor(mode: FastMode) {
    this.mode = mode
  }

  upgrade(): boolean {
    return false
  }

  retarget(): void {}

  noteErrorPadata(): void {}

  padata(
    ctx: ClientContext,
    key: KerberosKey | undefined,
    now: Date,
    allowWeak: boolean,
  ): { padata: PAData[] } | undefined {
    if (key === undefined) return undefined
    return { padata: [makeEncTimestamp(key, now, { random: ctx.nonceRandom, allowWeak })] }
  }

  wrap(_ctx: ClientContext, req: ASRequest): ASRequest {
    return req
  }
}

/**
 * Decide the FAST mode of a login to `realm`: without armor (or with `fast: 'never'`) a login
 * that cannot armor, else (./fast.ts loaded) one that gets its armor TGT and armors when the KDC
 * offers FAST, or always with `fast: 'required'`.
 */
export async function startLoginFast(
  ctx: ClientContext,
  o: LoginCommonOptions,
  realm: string,
): Promise<LoginFast> {
  const mode = fastModeOf(ctx, o)
  if (mode === 'never') return new UnarmoredLogin(mode)
  if (o.armor === undefined) {
    if (mode === 'required') {
      throw fastRequiredError(
        `fast: 'required' needs armor to log in to ${realm}: give options.armor (a TGT ccache, as kinit -T, or a host keytab)`,
        { context: { realm } },
      )
    }
    return new UnarmoredLogin(mode)
  }
  const m = await loadFast(realm)
  return m.FastLogin.start(ctx, mode, o.armor, realm, o.signal)
}

/**
 * What PREAUTH_REQUIRED means for FAST: `'upgrade'` (the KDC offers PA-FX-FAST, armor is at
 * hand: ask again armored), `'ok'` (go on with the preauth the KDC offers), or a thrown
 * `ERR_KRB_FAST_REQUIRED` when only FAST preauth is offered for a key we have, and there is no
 * armor.
 */
export function fastPreauthStep(
  fast: LoginFast,
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

/**
 * Armor a TGS request per {@link tgsFastMode} (it must carry a subkey when armored); ./fast.ts
 * is loaded for it, and a failed load fails the request.
 */
export async function armorTGSIfNeeded(
  ctx: ClientContext,
  req: TGSRequest,
  mode: 'off' | 'optional' | 'required',
  allowWeak: boolean,
): Promise<TGSRequest> {
  if (mode === 'off') return req
  const m = await loadFast(req.realm)
  return m.armorTGS(ctx, req, mode, allowWeak)
}
