/**
 * Logging in (RFC 4120 §3.1): the AS loop of a {@link KerberosClient} — preauth rounds, one
 * clock-skew retry, client referrals — and the check of the reply's time.
 *
 * @module
 */
import { ErrorCodes, KDCError, KerberosError } from '../errors.js'
import { KRBErrorCode, NameType, describeEncType } from '../iana.js'
import { toHex } from '../internal/bytes.js'
import {
  formatPrincipal,
  isTGSPrincipal,
  parsePrincipal,
  tgsPrincipal,
  type Principal,
} from '../principal.js'
import {
  asReplyKeyRequest,
  buildASReq,
  chooseSaltInfo,
  kdcOptionsFor,
  makeNonce,
  orderEtypes,
  readASReply,
  readPreauthHints,
  type ReadASReplyOptions,
} from '../protocol/as.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import type { ClientContext } from './context.js'
import type { LoginFailure } from './explain.js'
import { explained } from './explain-lazy.js'
import { decodeMethodData } from '../asn1/index.js'
import { fastPreauthStep, noteFastRealm, startLoginFast, type LoginFast } from './fast-lazy.js'
import { fastRequiredError } from '../protocol/fast.js'
import { keytabKeySource, passwordDerivation, passwordKeySource, type KeySource } from './keys.js'
import { LoginState } from './login-state.js'
import type { KeytabLoginOptions, PasswordLoginOptions } from './options.js'
import type { ClientSettings } from './settings.js'

const MS = 1000

/** The AS exchange of {@link KerberosClient.login}: returns the credentials it keeps. */
export async function loginWith(
  ctx: ClientContext,
  options: PasswordLoginOptions | KeytabLoginOptions,
): Promise<Credentials> {
  const name = (options as { principal?: unknown } | null)?.principal
  if (typeof name !== 'string' && (typeof name !== 'object' || name === null))
    throw new TypeError(
      `expected options.principal to log in as (a name such as alice or WEB01$, or a Principal), got ${typeof name}`,
    )
  const client = ctx.parseName(
    options.enterprise === true && typeof options.principal === 'string'
      ? parsePrincipal(options.principal, { enterprise: true, defaultRealm: ctx.realm ?? '' })
      : options.principal,
  )
  try {
    return await loginAs(ctx, options, client)
  } catch (e) {
    throw await explained((m) => m.withRealmCaseHint(e, client.realm), e)
  }
}

async function loginAs(
  ctx: ClientContext,
  options: PasswordLoginOptions | KeytabLoginOptions,
  principal: Principal,
): Promise<Credentials> {
  let client = principal
  const keys = keySource(ctx, options, client, () => client)
  const s = ctx.settings(client.realm)
  const allowWeak = ctx.allowWeak(s)
  const etypes = orderEtypes(options.etypes ?? s.defaultTktEnctypes, {
    permitted: s.permittedEnctypes,
    ...(keys.etypes !== undefined ? { available: keys.etypes } : {}),
    allowWeak,
  })
  if (etypes.length === 0) {
    throw new KerberosError(
      ErrorCodes.NO_CREDENTIALS,
      `no usable enctype to log in as ${formatPrincipal(client)} (offered ${keys.etypes?.map(describeEncType).join(', ') ?? 'none'})`,
      { context: { principal: formatPrincipal(client) } },
    )
  }
  const canonicalize = options.canonicalize ?? s.canonicalize
  const kdcOptions = kdcOptionsFor({
    forwardable: options.forwardable ?? s.forwardable,
    proxiable: options.proxiable ?? s.proxiable,
    canonicalize,
  })
  const state = new LoginState(ctx.options.maxPreauthRounds ?? 3, ctx.maxReferrals)
  const fast = await startLoginFast(ctx, options, client.realm)
  for (;;) {
    await state.settle()
    // A KRB_AP_ERR_SKEW offset is only used for the retry until a reply authenticates it.
    const now = new Date(ctx.localNow() + (state.pendingOffsetMs ?? ctx.offsetMs))
    const server =
      options.server === undefined
        ? tgsPrincipal(client.realm)
        : ctx.parseName(options.server, client.realm)
    const inner = buildASReq({
      client,
      server,
      etypes,
      kdcOptions,
      now,
      lifetime: options.lifetime ?? s.ticketLifetime,
      renewLifetime: options.renewLifetime ?? s.renewLifetime,
      nonce: makeNonce(ctx.nonceRandom),
      ...(fast.padata(ctx, state.key(), now, allowWeak) ?? {}),
      ...(options.pacRequest !== undefined ? { pacRequest: options.pacRequest } : {}),
    })
    // FAST (RFC 6113): the request goes inside the armor when FAST is on.
    const req = fast.wrap(ctx, inner, now, allowWeak)
    ctx.emit(() => ({
      type: 'as-req',
      realm: client.realm,
      client: formatPrincipal(client),
      etypes,
    }))
    const bytes = await ctx.send(client.realm, req.bytes, options.signal)
    if (keys.prepareReply !== undefined) {
      // A password key is derived (asynchronously, within the login's budget) before the read.
      const want = asReplyKeyRequest(bytes, { request: req, hints: state.hints, allowWeak })
      if (want !== undefined) await keys.prepareReply(want)
    }
    const failure = { client, keys, sentMs: now.getTime(), clockskew: s.clockskew }
    const out = await readReply(bytes, failure, {
      request: req,
      keys: (want) => keys.replyKeys(want),
      hints: state.hints,
      canonicalize: canonicalize || state.referred,
      clockskew: s.clockskew,
      allowWeak,
      ...(fast.challengeSent
        ? {
            kdcChallenge: {
              now: new Date(ctx.localNow() + (state.pendingOffsetMs ?? ctx.offsetMs)),
            },
          }
        : {}),
    })
    if (out.kind === 'ok') {
      const creds = out.credentials
      checkReplyTime(ctx, creds, s, state.pendingOffsetMs)
      if (out.fast || out.fastAvailable) noteFastRealm(ctx, client.realm)
      ctx.emit(() => ({
        type: 'as-rep',
        realm: client.realm,
        client: formatPrincipal(creds.client),
        server: formatPrincipal(creds.server),
        etype: out.rep.encPart.etype,
        ...(out.rep.encPart.kvno !== undefined ? { kvno: out.rep.encPart.kvno } : {}),
        encPARepVerified: out.encPARepVerified,
        fast: out.fast,
      }))
      ctx.store.startSession(creds.client)
      ctx.store.keep(creds, isTGSPrincipal(creds.server))
      return creds
    }
    try {
      checkFastError(out, fast, client)
      client = handleASError(ctx, out.kdcError, out.error.crealm, client, state, keys, {
        etypes,
        canonicalize,
        fast,
      })
    } catch (e) {
      throw e instanceof KDCError ? await explained((m) => m.explainASError(e, failure), e) : e
    }
  }
}

/**
 * An error for an armored request that did not come inside the armor is not acted on: with
 * `fast: 'required'`, a PREAUTH_REQUIRED that way means the KDC ignored the armor.
 */
function checkFastError(
  out: Extract<ReturnType<typeof readASReply>, { kind: 'error' }>,
  fast: LoginFast,
  client: Principal,
): void {
  if (out.fast !== 'unprotected') return
  if (out.kdcError.errorCode === KRBErrorCode.KDC_ERR_PREAUTH_REQUIRED) {
    throw fastRequiredError(
      `the KDC for ${client.realm} answered an armored (FAST) request for ${formatPrincipal(client)} without FAST: it does not support FAST${fast.mode === 'required' ? " and fast is 'required'" : ''}`,
      { cause: out.kdcError, context: { realm: client.realm } },
    )
  }
  throw out.kdcError
}

/** {@link readASReply}, with an AS-REP that does not decrypt explained (wrong password, stale keytab). */
async function readReply(
  bytes: Uint8Array,
  failure: LoginFailure,
  o: ReadASReplyOptions,
): Promise<ReturnType<typeof readASReply>> {
  try {
    return readASReply(bytes, o)
  } catch (e) {
    if (e instanceof KerberosError && e.code === ErrorCodes.INTEGRITY) {
      throw await explained((m) => m.explainReplyIntegrity(e, failure), e)
    }
    throw e
  }
}

/** Decide what a KRB-ERROR in the AS exchange means: retry (returns the client) or throw. */
function handleASError(
  ctx: ClientContext,
  err: KDCError,
  crealm: string | undefined,
  client: Principal,
  state: LoginState,
  keys: KeySource,
  asked: {
    readonly etypes: readonly number[]
    readonly canonicalize: boolean
    readonly fast: LoginFast
  },
): Principal {
  const { etypes } = asked
  const realm = client.realm
  ctx.emit(() => ({ type: 'kdc-error', realm, errorName: err.errorName, message: err.eText ?? '' }))
  switch (err.errorCode) {
    case KRBErrorCode.KDC_ERR_PREAUTH_REQUIRED: {
      if (++state.preauthRounds > state.maxPreauth) throw err
      const hints = readPreauthHints(err.eData)
      if (asked.fast.active)
        asked.fast.noteErrorPadata(decodeMethodData(err.eData ?? new Uint8Array([0x30, 0])))
      const haveKey = chooseSaltInfo(hints.saltInfo, etypes) !== undefined
      if (fastPreauthStep(asked.fast, err, hints.methods, client, haveKey) === 'upgrade') {
        // The KDC offers FAST and armor is at hand: ask again, armored, without preauth.
        state.hints = hints.saltInfo
        state.preauthKey = undefined
        ctx.emit(() => ({ type: 'fast-armor', realm, message: 'the KDC offers FAST: armoring' }))
        return client
      }
      const usable = asked.fast.active && asked.fast.useChallenge
      if (!usable && hints.methods.length > 0 && !hints.methods.includes(2)) throw err
      // The KDC's salt and s2kparams win over the default salt (RFC 4120 §5.2.7.5).
      const info = chooseSaltInfo(hints.saltInfo, etypes) ?? { etype: etypes[0]! }
      state.hints = hints.saltInfo
      state.preauthKey = keys.preauthKey(info)
      ctx.emit(() => ({
        type: 'preauth-required',
        realm,
        etype: info.etype,
        ...(asked.fast.active
          ? {
              fast: true,
              message: asked.fast.useChallenge ? 'encrypted challenge' : 'encrypted timestamp',
            }
          : {}),
        ...(info.salt !== undefined ? { salt: toHex(info.salt) } : {}),
      }))
      return client
    }
    case KRBErrorCode.KRB_AP_ERR_SKEW: {
      if (state.skewRetried || err.serverTime === undefined) throw err
      state.skewRetried = true
      // The KRB-ERROR is not integrity protected: the offset serves the retry only, and is
      // kept once an AS-REP decrypted with our key confirms it (checkReplyTime).
      state.pendingOffsetMs = err.serverTime.getTime() - ctx.localNow()
      ctx.emit(() => ({ type: 'clock-skew', realm, offsetMs: state.pendingOffsetMs }))
      return client
    }
    case KRBErrorCode.KDC_ERR_WRONG_REALM: {
      // RFC 6806 §7: a client referral answers a canonicalized (or enterprise) request only.
      const canon = asked.canonicalize || client.nameType === NameType.ENTERPRISE
      if (!canon || crealm === undefined || crealm === realm) throw err
      if (++state.referrals > state.maxReferrals) {
        throw new KerberosError(
          ErrorCodes.REFERRAL,
          `too many client referrals (last to ${crealm})`,
          {
            context: { realm: crealm },
          },
        )
      }
      state.referred = true
      state.hints = []
      state.preauthKey = undefined
      ctx.emit(() => ({ type: 'client-referral', realm: crealm, client: formatPrincipal(client) }))
      asked.fast.retarget(crealm)
      return { ...client, realm: crealm }
    }
    default:
      throw err
  }
}

function keySource(
  ctx: ClientContext,
  o: PasswordLoginOptions | KeytabLoginOptions,
  client: Principal,
  current: () => Principal,
): KeySource {
  const s = ctx.settings(client.realm)
  if ('keytab' in o && o.keytab !== undefined) return keytabKeySource(o.keytab, client)
  if ('password' in o && typeof o.password === 'string') {
    const maxIterations = ctx.options.maxS2KIterations ?? s.maxS2KIterations
    return passwordKeySource(
      current,
      passwordDerivation(o.password, { allowWeak: ctx.allowWeak(s), maxIterations }),
    )
  }
  throw new TypeError('expected login options with a password or a keytab')
}

/**
 * MIT's kdc_timesync: a reply far from our clock sets the offset (from the KDC's authtime).
 * `pendingMs` is an offset a KRB_AP_ERR_SKEW suggested: this authenticated reply commits it
 * (as its own authtime offset) when it agrees, and it is never kept otherwise.
 */
function checkReplyTime(
  ctx: ClientContext,
  creds: Credentials,
  s: ClientSettings,
  pendingMs?: number,
): void {
  const local = ctx.localNow()
  const kdc = (creds.starttime ?? creds.authtime).getTime()
  if (Math.abs(kdc - (local + (pendingMs ?? ctx.offsetMs))) <= s.clockskew * MS) {
    if (pendingMs !== undefined) ctx.offsetMs = creds.authtime.getTime() - local
    return
  }
  if (!s.kdcTimesync) {
    throw new KerberosError(
      ErrorCodes.CLOCK_SKEW,
      `KDC clock differs from ours by ${Math.round((kdc - local) / MS)} s (clockskew ${s.clockskew} s)`,
    )
  }
  ctx.offsetMs = creds.authtime.getTime() - local
  ctx.emit(() => ({ type: 'clock-skew', realm: creds.client.realm, offsetMs: ctx.offsetMs }))
}
