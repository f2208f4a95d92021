/**
 * The TGS side of a {@link KerberosClient} (RFC 4120 §3.3): service tickets with referrals and
 * cross-realm paths, and renewal.
 *
 * @module
 */
import { hasFlag } from '../asn1/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { KDCOptions, TicketFlags } from '../iana.js'
import { formatPrincipal, isTGSPrincipal, tgsPrincipal, type Principal } from '../principal.js'
import { kdcOptionsFor, makeNonce, orderEtypes } from '../protocol/as.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import { buildTGSReq, readTGSReply, tgsRealmOf, type TGSRequest } from '../protocol/tgs.js'
import type { ClientContext } from './context.js'
import { samePrincipal } from './credential-store.js'
import { explained } from './explain-lazy.js'
import { armorTGSIfNeeded, tgsFastMode } from './fast-lazy.js'
import { fastRequiredError } from '../protocol/fast.js'
import type { ServiceTicketOptions } from './options.js'
import { resolveServiceName } from './service-name.js'
import type { ClientSettings } from './settings.js'

const MS = 1000

interface TGSExchangeResult {
  readonly credentials: Credentials
  readonly referralRealm?: string
  readonly retryWithoutCanonicalize?: boolean
}

/** {@link KerberosClient.getServiceTicket} with `tgt` (the caller's or the client's). */
export async function serviceTicketWith(
  ctx: ClientContext,
  tgt: Credentials,
  spn: string | Principal,
  options: ServiceTicketOptions,
): Promise<Credentials> {
  const home = tgsRealmOf(tgt)
  const settings = ctx.settings()
  const realm = ctx.realm
  const server = resolveServiceName(spn, {
    home,
    ...(realm !== undefined ? { defaultRealm: realm } : {}),
    knownRealms: realm !== undefined ? [realm, ...settings.realms] : settings.realms,
    realmForHost: (host) => settings.realmForHost(host),
    ...(options.hostBased !== undefined ? { hostBased: options.hostBased } : {}),
  })
  const cached = findCached(ctx, tgt.client, (c) => samePrincipal(c, server))
  if (cached !== undefined && options.tgt === undefined) return cached
  try {
    return await fetchServiceTicket(ctx, tgt, server, options)
  } catch (e) {
    throw await explained((m) => m.withRealmCaseHint(e, server.realm), e)
  }
}

/** The TGS exchanges for `server`: a cross-realm path to its realm, then referrals. */
async function fetchServiceTicket(
  ctx: ClientContext,
  tgt: Credentials,
  server: Principal,
  options: ServiceTicketOptions,
): Promise<Credentials> {
  const home = tgsRealmOf(tgt)
  let current = server.realm === home ? tgt : await tgtFor(ctx, tgt, server.realm, options)
  const visited = new Set([tgsRealmOf(current)])
  for (let hop = 0; hop <= ctx.maxReferrals; hop++) {
    let out = await tgsExchange(ctx, current, server, options)
    if (out.retryWithoutCanonicalize === true) {
      // Neither the name asked for nor a referral: ask the same KDC again, exactly (MIT).
      ctx.emit(() => ({
        type: 'referral',
        realm: tgsRealmOf(current),
        server: formatPrincipal(server),
        message: 'neither the name asked for nor a referral: asking again without canonicalize',
      }))
      out = await tgsExchange(ctx, current, server, { ...options, canonicalize: false })
    }
    if (out.referralRealm === undefined) {
      ctx.store.keep(out.credentials, false)
      return out.credentials
    }
    if (visited.has(out.referralRealm)) {
      throw new KerberosError(
        ErrorCodes.REFERRAL,
        `referral loop for ${formatPrincipal(server)}: back to ${out.referralRealm}`,
        { context: { realms: [...visited, out.referralRealm] } },
      )
    }
    const referred = out.referralRealm
    visited.add(referred)
    ctx.emit(() => ({ type: 'referral', realm: referred, server: formatPrincipal(server) }))
    // As MIT: only a referral TGT issued by the home realm is kept; one a partner realm
    // issued serves this request only.
    if (tgsRealmOf(current) === home) ctx.store.keep(out.credentials, false)
    current = out.credentials
  }
  throw new KerberosError(
    ErrorCodes.REFERRAL,
    `too many referrals for ${formatPrincipal(server)}`,
    {
      context: { realms: [...visited] },
    },
  )
}

/** {@link KerberosClient.renew}: RENEW with the ticket itself as the TGT (RFC 4120 §3.3.3). */
export async function renewWith(
  ctx: ClientContext,
  creds: Credentials,
  options: { readonly signal?: AbortSignal },
): Promise<Credentials> {
  const now = ctx.now()
  if (!hasFlag(creds.flags, TicketFlags.RENEWABLE) || creds.renewTill === undefined) {
    throw new KerberosError(
      ErrorCodes.TICKET_TIME,
      `ticket for ${formatPrincipal(creds.server)} is not renewable`,
    )
  }
  if (creds.renewTill.getTime() <= now.getTime()) {
    throw new KerberosError(
      ErrorCodes.TICKET_TIME,
      `ticket for ${formatPrincipal(creds.server)} is past its renew-till`,
    )
  }
  const s = ctx.settings(creds.client.realm)
  const till = new Date(Math.min(now.getTime() + s.ticketLifetime * MS, creds.renewTill.getTime()))
  const kdcOptions = (commonOptions(creds.flags) | kdcOptionsFor({ renew: true })) >>> 0
  const fast = tgsFastMode(ctx, tgsRealmOf(creds))
  const built = buildTGSReq({
    tgt: creds,
    server: creds.server,
    kdcOptions,
    etypes: tgsEtypes(ctx, s, [creds.sessionKey.enctype]),
    nonce: makeNonce(ctx.nonceRandom),
    now,
    till,
    rtime: creds.renewTill,
    // FAST's implicit armor needs a subkey (a key: never from the pool); else a confounder only.
    ...(fast !== 'off' ? { subkey: true } : {}),
    random: fast !== 'off' ? ctx.random : ctx.nonceRandom,
    allowWeak: ctx.allowWeak(s),
  })
  const req = await armorTGSIfNeeded(ctx, built, fast, ctx.allowWeak(s))
  const out = await sendTGS(ctx, req, false, options.signal)
  ctx.store.keep(out.credentials, isTGSPrincipal(creds.server) && creds === ctx.store.tgt)
  return out.credentials
}

async function tgsExchange(
  ctx: ClientContext,
  tgt: Credentials,
  server: Principal,
  options: ServiceTicketOptions,
): Promise<TGSExchangeResult> {
  const s = ctx.settings(tgt.client.realm)
  const canonicalize = options.canonicalize ?? true
  let kdcOptions = commonOptions(tgt.flags) | kdcOptionsFor({ canonicalize })
  if (options.forwardable === false) kdcOptions &= ~kdcOptionsFor({ forwardable: true })
  if (options.proxiable === false) kdcOptions &= ~kdcOptionsFor({ proxiable: true })
  const renewable = hasFlag(kdcOptions >>> 0, KDCOptions.RENEWABLE) && tgt.renewTill !== undefined
  const fast = tgsFastMode(ctx, tgsRealmOf(tgt))
  const subkey = options.subkey === true || fast !== 'off'
  const built = buildTGSReq({
    tgt,
    server,
    kdcOptions: kdcOptions >>> 0,
    etypes: tgsEtypes(ctx, s, options.etypes),
    nonce: makeNonce(ctx.nonceRandom),
    now: ctx.now(),
    ...(renewable ? { rtime: tgt.renewTill! } : {}),
    ...(subkey ? { subkey: true } : {}),
    // A subkey is a key: it never comes from the pool; without one only a confounder is drawn.
    random: subkey ? ctx.random : ctx.nonceRandom,
    allowWeak: ctx.allowWeak(s),
  })
  // FAST (RFC 6113 §5.4.1.1): implicit armor from the subkey and the TGT session key.
  const req = await armorTGSIfNeeded(ctx, built, fast, ctx.allowWeak(s))
  return sendTGS(ctx, req, canonicalize, options.signal)
}

async function sendTGS(
  ctx: ClientContext,
  req: TGSRequest,
  canonicalize: boolean,
  signal: AbortSignal | undefined,
): Promise<TGSExchangeResult> {
  const server = formatPrincipal(req.server)
  ctx.emit(() => ({ type: 'tgs-req', realm: req.realm, server }))
  const sentMs = ctx.now().getTime()
  const bytes = await ctx.send(req.realm, req.bytes, signal)
  const s = ctx.settings(req.realm)
  const out = readTGSReply(bytes, {
    request: req,
    canonicalize,
    clockskew: s.clockskew,
    allowWeak: ctx.allowWeak(s),
  })
  if (out.kind === 'error') {
    if (out.fast === 'unprotected' && req.fast?.required === true) {
      throw fastRequiredError(
        `the KDC for ${req.realm} answered an armored (FAST) TGS request without FAST (${out.kdcError.errorName}) and fast is 'required'`,
        { cause: out.kdcError, context: { realm: req.realm } },
      )
    }
    ctx.emit(() => ({
      type: 'kdc-error',
      realm: req.realm,
      server,
      errorName: out.kdcError.errorName,
    }))
    throw await explained(
      (m) =>
        m.explainTGSError(out.kdcError, {
          server: req.server,
          client: req.tgt.client,
          realm: req.realm,
          sentMs,
          clockskew: s.clockskew,
        }),
      out.kdcError,
    )
  }
  ctx.emit(() => ({
    type: 'tgs-rep',
    realm: req.realm,
    server: formatPrincipal(out.credentials.server),
    etype: out.credentials.sessionKey.enctype,
    ...(out.credentials.ticketKvno !== undefined ? { kvno: out.credentials.ticketKvno } : {}),
    ...(out.fast === true ? { fast: true } : {}),
  }))
  return {
    credentials: out.credentials,
    ...(out.referralRealm !== undefined ? { referralRealm: out.referralRealm } : {}),
    ...(out.retryWithoutCanonicalize === true ? { retryWithoutCanonicalize: true } : {}),
  }
}

/** A TGT for `target`'s TGS: cached, or by walking `[capaths]` (or directly). */
async function tgtFor(
  ctx: ClientContext,
  tgt: Credentials,
  target: string,
  options: ServiceTicketOptions,
): Promise<Credentials> {
  const have = findCached(
    ctx,
    tgt.client,
    (server) => isTGSPrincipal(server) && server.components[1] === target,
  )
  if (have !== undefined) return have
  const path = (ctx.settings().capath(tgt.client.realm, target) ?? []).filter((r) => r !== '.')
  const hops = [...path, target]
  let current = tgt
  const visited = new Set([tgsRealmOf(tgt)])
  for (let i = 0; i <= ctx.maxReferrals && tgsRealmOf(current) !== target; i++) {
    const here = tgsRealmOf(current)
    const next = hops[hops.indexOf(here) + 1] ?? target
    const out = await tgsExchange(ctx, current, tgsPrincipal(next, here), {
      ...options,
      canonicalize: false,
    })
    const got = tgsRealmOf(out.credentials)
    if (!isTGSPrincipal(out.credentials.server) || visited.has(got)) {
      throw new KerberosError(
        ErrorCodes.REFERRAL,
        `cross-realm path to ${target} loops or stalls at ${got}`,
        { context: { realms: [...visited, got] } },
      )
    }
    visited.add(got)
    ctx.store.keep(out.credentials, false)
    current = out.credentials
  }
  if (tgsRealmOf(current) !== target) {
    throw new KerberosError(ErrorCodes.REFERRAL, `no cross-realm path to ${target}`, {
      context: { realms: [...visited] },
    })
  }
  return current
}

/** The enctypes a TGS request in this realm offers (`override` or default_tgs_enctypes, permitted and strength-filtered). */
export function tgsEtypes(
  ctx: ClientContext,
  s: ClientSettings,
  override?: readonly number[],
): number[] {
  const list = orderEtypes(override ?? s.defaultTgsEnctypes, {
    permitted: s.permittedEnctypes,
    allowWeak: ctx.allowWeak(s),
  })
  if (list.length === 0) {
    throw new KerberosError(ErrorCodes.UNSUPPORTED_ENCTYPE, 'no usable enctype for a TGS request')
  }
  return list
}

function findCached(
  ctx: ClientContext,
  client: Principal,
  match: (server: Principal) => boolean,
): Credentials | undefined {
  return ctx.store.find(client, match, ctx.now().getTime())
}

/** FORWARDABLE, PROXIABLE, ALLOW-POSTDATE and RENEWABLE carried over from the TGT (as MIT). */
function commonOptions(ticketFlags: number): number {
  return (ticketFlags & 0x54800000) >>> 0
}
