/**
 * The credential half of `doctor`: a keytab's contents against `permitted_enctypes` and against
 * the KDC (salts and etypes it announces, a login, a fresh ticket's kvno), the case-insensitive
 * near matches that explain "principal unknown". Helpers shared with the SPN checks.
 *
 * @module
 */
import { KerberosClient } from '../client/client.js'
import { clientSettings } from '../client/settings.js'
import type { Transport } from '../client/transport.js'
import { defaultSalt } from '../crypto/index.js'
import { ErrorCodes, KDCError, KerberosError, KeytabLookupError } from '../errors.js'
import { KRBErrorCode, encTypeName } from '../iana.js'
import { toHex } from '../internal/bytes.js'
import type { Keytab } from '../keytab/index.js'
import { formatPrincipal, parsePrincipal, type Principal } from '../principal.js'
import { makeAPReq } from '../protocol/ap-req.js'
import { verifyAPReq } from '../protocol/ap-verify.js'
import { parseKDCReply, type Credentials } from '../protocol/kdc-rep.js'
import type { KDCSaltInfo } from '../protocol/salt-probe.js'
import { addCheck, reason, type DoctorContext } from './doctor-context.js'

export const WEAK: ReadonlySet<number> = new Set([1, 2, 3, 16, 23, 24])

function names(etypes: Iterable<number>): string {
  return [...etypes].map((e) => encTypeName(e)).join(', ')
}

function keyOf(p: Principal): string {
  return formatPrincipal(p)
}

/** kvno → enctypes of one principal's keytab entries, highest kvno first. */
export function keysOf(keytab: Keytab, who: string): Map<number, number[]> {
  const out = new Map<number, number[]>()
  for (const e of keytab.entries) {
    if (keyOf(e.principal) !== who) continue
    out.set(e.kvno, [...(out.get(e.kvno) ?? []), e.enctype])
  }
  return new Map([...out].sort((a, b) => b[0] - a[0]))
}

/** Enctypes this client will use: permitted, and rc4-hmac only when allowed. */
function usableEnctypes(ctx: DoctorContext): Set<number> {
  const rc4 = clientSettings(ctx.config, ctx.realm).rc4Allowed
  return new Set(ctx.libdefaults.permittedEnctypes.filter((e) => rc4 || !WEAK.has(e)))
}

function checkContents(ctx: DoctorContext, keytab: Keytab): void {
  const permitted = new Set(ctx.libdefaults.permittedEnctypes)
  const usable = usableEnctypes(ctx)
  const principals = [...new Set(keytab.entries.map((e) => keyOf(e.principal)))]
  const listing = principals.map((p) => {
    const kvnos = [...keysOf(keytab, p)].map(([kvno, etypes]) => ({
      kvno,
      enctypes: etypes.map(encTypeName),
    }))
    return { principal: p, kvnos }
  })
  const notPermitted = [
    ...new Set(keytab.entries.map((e) => e.enctype).filter((e) => !permitted.has(e))),
  ]
  const unusable = principals.filter((p) => {
    const top = [...keysOf(keytab, p).values()][0] ?? []
    return !top.some((e) => usable.has(e))
  })
  const weakOff = [
    ...new Set(
      keytab.entries.map((e) => e.enctype).filter((e) => permitted.has(e) && !usable.has(e)),
    ),
  ]
  const text = listing
    .map(
      (l) =>
        `${l.principal} (kvno ${l.kvnos.map((k) => `${k.kvno}: ${k.enctypes.join(', ')}`).join('; ')})`,
    )
    .join('; ')
  const details = {
    keytab: ctx.keytabName,
    entries: keytab.entries.length,
    principals: listing,
    permittedEnctypes: names(permitted),
  }
  if (keytab.entries.length === 0) {
    addCheck(ctx, {
      id: 'keytab',
      status: 'fail',
      summary: `keytab ${ctx.keytabName} holds no keys`,
      details,
      advice:
        'Export the keys again (MIT: kadmin ktadd; AD: ktpass or samba-tool domain exportkeytab)',
    })
    return
  }
  const problem =
    unusable.length > 0
      ? `no permitted enctype at the highest kvno of ${unusable.join(', ')}`
      : notPermitted.length > 0
        ? `keys of ${names(notPermitted)} are not permitted here and will not be used`
        : undefined
  addCheck(ctx, {
    id: 'keytab',
    status: unusable.length > 0 ? 'fail' : notPermitted.length > 0 ? 'warn' : 'ok',
    summary:
      `keytab ${ctx.keytabName}: ${text}${problem !== undefined ? `; ${problem}` : ''}` +
      (weakOff.length > 0 ? `; ${names(weakOff)} ignored (weak: allow_weak_crypto is off)` : ''),
    details,
    ...(problem !== undefined
      ? {
          advice: notPermitted.some((e) => WEAK.has(e))
            ? 'Export AES keys (AD: msDS-SupportedEncryptionTypes = 24, then reset the password), or allow_weak_crypto = true for rc4-hmac'
            : 'Export keys of a permitted enctype, or widen permitted_enctypes in [libdefaults]',
        }
      : {}),
  })
}

/** The principal to check, and whether the keytab has it. */
function choosePrincipal(ctx: DoctorContext, keytab: Keytab | undefined): Principal | undefined {
  const asked = ctx.options.principal
  let principal: Principal | undefined
  try {
    principal =
      asked !== undefined
        ? parsePrincipal(asked, ctx.realm !== undefined ? { defaultRealm: ctx.realm } : {})
        : keytab?.entries[0]?.principal
  } catch (err) {
    addCheck(ctx, {
      id: 'principal',
      status: 'fail',
      summary: `cannot read principal ${asked}: ${reason(err)}`,
    })
    return undefined
  }
  if (principal === undefined || keytab === undefined) return principal
  const who = keyOf(principal)
  const kvnos = keysOf(keytab, who)
  if (kvnos.size > 0) {
    const [kvno, etypes] = [...kvnos][0]!
    addCheck(ctx, {
      id: 'keytab-principal',
      status: 'ok',
      summary: `keytab has keys for ${who}${asked === undefined ? " (the keytab's first principal)" : ''} at kvno ${kvno}: ${names(etypes)}`,
      details: { principal: who, kvno, enctypes: etypes.map(encTypeName) },
    })
    return principal
  }
  const inKeytab = [...new Set(keytab.entries.map((e) => keyOf(e.principal)))]
  const near = inKeytab.filter((p) => p.toLowerCase() === who.toLowerCase())
  addCheck(ctx, {
    id: 'keytab-principal',
    status: 'fail',
    summary:
      near.length > 0
        ? `keytab has no keys for ${who}, but has ${near.join(', ')}: principal names are case-sensitive`
        : `keytab has no keys for ${who} (it has ${inKeytab.join(', ') || 'nothing'})`,
    details: { principal: who, nearMatches: near, keytabPrincipals: inKeytab },
    advice:
      near.length > 0
        ? `Use -p ${near[0]} (the name exactly as the KDC and the keytab spell it)`
        : 'Name a principal the keytab holds (kerberos-ts keytab list FILE), or export its keys',
  })
  return principal
}

/** A transport that remembers the last reply (to read a reply's kvno when decryption failed). */
function recording(inner: Transport): { transport: Transport; last: () => Uint8Array | undefined } {
  let last: Uint8Array | undefined
  return {
    transport: {
      async sendToKDC(realm, request, options) {
        last = await inner.sendToKDC(realm, request, options)
        return last
      },
    },
    last: () => last,
  }
}

export function newClient(ctx: DoctorContext, transport: Transport): KerberosClient {
  return new KerberosClient({
    config: ctx.config,
    transport,
    now: ctx.now,
    ...(ctx.realm !== undefined ? { realm: ctx.realm } : {}),
    ...(ctx.options.signal !== undefined ? { signal: ctx.options.signal } : {}),
  })
}

export function isCode(err: unknown, code: number): boolean {
  return err instanceof KDCError && err.errorCode === code
}

/** Case variants of a principal worth asking the KDC about. */
function variants(p: Principal, keytab: Keytab | undefined): Principal[] {
  const seen = new Set([keyOf(p)])
  const out: Principal[] = []
  const add = (v: Principal): void => {
    if (!seen.has(keyOf(v))) {
      seen.add(keyOf(v))
      out.push(v)
    }
  }
  for (const e of keytab?.entries ?? [])
    if (keyOf(e.principal).toLowerCase() === keyOf(p).toLowerCase()) add(e.principal)
  add({ ...p, components: p.components.map((c) => c.toLowerCase()) })
  const [svc, ...rest] = p.components
  if (svc !== undefined && rest.length > 0) {
    add({ ...p, components: [svc, ...rest.map((c) => c.toLowerCase())] })
    add({ ...p, components: [svc.toUpperCase(), ...rest.map((c) => c.toLowerCase())] })
  }
  return out.slice(0, 6)
}

function saltText(salt: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(salt)
  return /^[\x20-\x7e]*$/.test(text) ? text : `0x${toHex(salt)}`
}

async function nearMatch(
  client: KerberosClient,
  p: Principal,
  keytab: Keytab | undefined,
): Promise<string | undefined> {
  for (const v of variants(p, keytab)) {
    try {
      await client.fetchSaltInfo(v)
      return keyOf(v)
    } catch {
      // not this one
    }
  }
  return undefined
}

async function checkKDCPrincipal(
  ctx: DoctorContext,
  client: KerberosClient,
  p: Principal,
  keytab: Keytab | undefined,
): Promise<boolean> {
  const who = keyOf(p)
  const usable = usableEnctypes(ctx)
  const ktEtypes = (
    keytab === undefined ? [] : ([...keysOf(keytab, who).values()][0] ?? [])
  ).filter((e) => usable.has(e))
  const ask = [...new Set([...ktEtypes, ...ctx.libdefaults.defaultTktEnctypes])]
  let info: KDCSaltInfo[]
  try {
    info = await client.fetchSaltInfo(p, { etypes: ask })
  } catch (err) {
    const unknown = isCode(err, KRBErrorCode.KDC_ERR_C_PRINCIPAL_UNKNOWN)
    const near = unknown ? await nearMatch(client, p, keytab) : undefined
    addCheck(ctx, {
      id: 'kdc-principal',
      status: 'fail',
      summary: unknown
        ? `the KDC does not know ${who}${near !== undefined ? `, but knows ${near}: names are case-sensitive` : ''}`
        : isCode(err, KRBErrorCode.KDC_ERR_CLIENT_REVOKED)
          ? `the KDC refuses ${who}: the account is disabled, locked or expired`
          : `the KDC did not give salt information for ${who}: ${reason(err)}`,
      details: { principal: who, ...(near !== undefined ? { nearMatch: near } : {}) },
      advice:
        near !== undefined
          ? `Use ${near}`
          : unknown
            ? `Check the spelling and realm; create the principal (MIT: kadmin addprinc; AD: the account's userPrincipalName or sAMAccountName)${ctx.realmUnconfirmed ? `. The KDC does not know krbtgt/${p.realm} either: it may not serve realm ${p.realm}` : ''}`
            : isCode(err, KRBErrorCode.KRB_AP_ERR_SKEW)
              ? 'The KDC refused our clock: see the clock check'
              : 'See the KDC error above; the KDC log says more',
    })
    return false
  }
  const kdcEtypes = info.map((i) => i.etype)
  const salts = info.map((i) => ({
    enctype: encTypeName(i.etype),
    salt: saltText(i.salt),
    defaultSalt: toHex(i.salt) === toHex(defaultSalt(p)),
    ...(i.s2kparams !== undefined ? { s2kparams: toHex(i.s2kparams) } : {}),
  }))
  const missing = ktEtypes.filter((e) => !kdcEtypes.includes(e))
  const common = ktEtypes.filter((e) => kdcEtypes.includes(e))
  const odd = salts.filter((s) => !s.defaultSalt)
  const status =
    keytab === undefined || missing.length === 0 ? 'ok' : common.length > 0 ? 'warn' : 'fail'
  addCheck(ctx, {
    id: 'kdc-principal',
    status,
    summary:
      `the KDC knows ${who}: keys ${salts.map((s) => `${s.enctype} (salt "${s.salt}")`).join(', ') || 'of none of the enctypes asked'}` +
      (missing.length > 0 ? `; it has no ${names(missing)} key the keytab has` : ''),
    details: { principal: who, keys: salts, keytabEnctypes: ktEtypes.map(encTypeName) },
    ...(status !== 'ok'
      ? {
          advice:
            'The keytab holds keys of enctypes the account does not have: export a fresh keytab',
        }
      : odd.length > 0
        ? {
            advice: `Not the default salt: keys made from a password must use the KDC's salt (kerberos-ts keytab add -f, ktutil addent -f)`,
          }
        : {}),
  })
  return true
}

/** The kvno of the reply the KDC sent, when it was an AS-REP (readable without the key). */
function replyKvno(bytes: Uint8Array | undefined): number | undefined {
  if (bytes === undefined) return undefined
  try {
    const r = parseKDCReply(bytes, 11)
    return r.kind === 'rep' ? r.rep.encPart.kvno : undefined
  } catch {
    return undefined
  }
}

export function topKvno(keytab: Keytab, p: Principal): number | undefined {
  return [...keysOf(keytab, keyOf(p)).keys()][0]
}

async function checkLogin(
  ctx: DoctorContext,
  client: KerberosClient,
  last: () => Uint8Array | undefined,
  p: Principal,
  keytab: Keytab,
): Promise<Credentials | undefined> {
  const who = keyOf(p)
  const kvno = topKvno(keytab, p)
  try {
    const tgt = await client.login({ principal: p, keytab })
    const mismatch = tgt.replyKvno !== undefined && tgt.replyKvno !== kvno
    addCheck(ctx, {
      id: 'keytab-login',
      status: mismatch ? 'warn' : 'ok',
      summary: `logged in as ${keyOf(tgt.client)} with the keytab (reply in ${encTypeName(tgt.replyEtype ?? 0)}, ${tgt.replyKvno !== undefined ? `KDC key kvno ${tgt.replyKvno}, ` : ''}keytab kvno ${kvno})`,
      details: {
        principal: who,
        keytabKvno: kvno,
        kdcKvno: tgt.replyKvno,
        replyEnctype: encTypeName(tgt.replyEtype ?? 0),
        clockOffsetMs: client.timeOffsetMs,
      },
      ...(mismatch
        ? {
            advice:
              "The key works but its kvno differs from the KDC's: acceptors that look up by kvno may miss it; export a fresh keytab",
          }
        : {}),
    })
    return tgt
  } catch (err) {
    const stale =
      isCode(err, KRBErrorCode.KDC_ERR_PREAUTH_FAILED) ||
      isCode(err, KRBErrorCode.KRB_AP_ERR_BAD_INTEGRITY) ||
      (err instanceof KerberosError &&
        (err.code === ErrorCodes.INTEGRITY ||
          (err.cause as { code?: string } | undefined)?.code === ErrorCodes.INTEGRITY))
    const kdcKvno = replyKvno(last())
    addCheck(ctx, {
      id: 'keytab-login',
      status: 'fail',
      summary: stale
        ? `the KDC refused the keytab's key for ${who}: the account's password probably changed since this keytab was exported (keytab kvno ${kvno}${kdcKvno !== undefined ? `, KDC kvno ${kdcKvno}` : ''})`
        : err instanceof KeytabLookupError
          ? `no login: ${err.message}`
          : `login with the keytab as ${who} failed: ${reason(err)}`,
      details: {
        principal: who,
        keytabKvno: kvno,
        ...(kdcKvno !== undefined ? { kdcKvno } : {}),
        error: reason(err),
      },
      advice: stale
        ? "Export a fresh keytab (MIT: kadmin ktadd, which also bumps the kvno; AD: ktpass or samba-tool domain exportkeytab) and replace the old one everywhere it is deployed; a keytab made from a password needs the KDC's salt (see kdc-principal)"
        : 'See the error above',
    })
    return undefined
  }
}

export function decrypts(ctx: DoctorContext, st: Credentials, keytab: Keytab): string | undefined {
  try {
    const now = ctx.now()
    const req = makeAPReq({ ticket: st.ticket, sessionKey: st.sessionKey, client: st.client, now })
    verifyAPReq(req.bytes, {
      keytab,
      now: () => now,
      allowWeakCrypto: ctx.libdefaults.allowWeakCrypto,
    })
    return undefined
  } catch (err) {
    return reason(err)
  }
}

async function checkFreshTicket(
  ctx: DoctorContext,
  client: KerberosClient,
  p: Principal,
  keytab: Keytab,
): Promise<void> {
  const who = keyOf(p)
  const kvno = topKvno(keytab, p)
  let st: Credentials
  try {
    st = await client.getServiceTicket(p)
  } catch (err) {
    const unknown = isCode(err, KRBErrorCode.KDC_ERR_S_PRINCIPAL_UNKNOWN)
    addCheck(ctx, {
      id: 'keytab-kvno',
      status: unknown ? 'skip' : 'warn',
      summary: unknown
        ? `the KDC gives no service tickets for ${who} (a user without an SPN): kvno not compared`
        : `no service ticket for ${who}: ${reason(err)}`,
    })
    return
  }
  const bad = decrypts(ctx, st, keytab)
  const same = st.ticketKvno === kvno
  addCheck(ctx, {
    id: 'keytab-kvno',
    status: bad !== undefined ? 'fail' : same ? 'ok' : 'warn',
    summary:
      bad !== undefined
        ? `a fresh ticket for ${who} (kvno ${st.ticketKvno}, ${encTypeName(st.ticket.encPart.etype)}) does not decrypt with the keytab (kvno ${kvno}): the keytab is out of date`
        : `a fresh ticket for ${who} has kvno ${st.ticketKvno} (${encTypeName(st.ticket.encPart.etype)}), keytab kvno ${kvno}${same ? '' : ': numbers differ'}; it decrypts with the keytab`,
    details: {
      principal: who,
      ticketKvno: st.ticketKvno,
      keytabKvno: kvno,
      ticketEnctype: encTypeName(st.ticket.encPart.etype),
      ...(bad ? { error: bad } : {}),
    },
    ...(bad !== undefined ? { advice: 'Export a fresh keytab for this principal' } : {}),
  })
}

export function skip(ctx: DoctorContext, ids: readonly string[], why: string): void {
  for (const id of ids) addCheck(ctx, { id, status: 'skip', summary: `not checked: ${why}` })
}

/**
 * The keytab checks (contents, principal, KDC, login, fresh ticket). Returns a client holding a
 * TGT when the keytab login worked, for the SPN checks.
 */
export async function runKeytabChecks(ctx: DoctorContext): Promise<KerberosClient | undefined> {
  const keytab = ctx.keytab
  if (keytab !== undefined) checkContents(ctx, keytab)
  if (keytab === undefined && ctx.options.principal === undefined) return undefined
  const p = choosePrincipal(ctx, keytab)
  const network = [
    'kdc-principal',
    ...(keytab !== undefined ? ['keytab-login', 'keytab-kvno'] : []),
  ]
  if (p === undefined || ctx.transport === undefined) {
    skip(ctx, network, 'no principal or no realm')
    return undefined
  }
  if (!ctx.reachable) {
    skip(ctx, network, 'no KDC answered')
    return undefined
  }
  const rec = recording(ctx.transport)
  const client = newClient(ctx, rec.transport)
  const known = await checkKDCPrincipal(ctx, client, p, keytab)
  if (keytab === undefined) return undefined
  if (!known || keysOf(keytab, keyOf(p)).size === 0) {
    skip(
      ctx,
      ['keytab-login', 'keytab-kvno'],
      'the principal is missing from the keytab, or the kdc-principal check failed',
    )
    return undefined
  }
  const tgt = await checkLogin(ctx, client, rec.last, p, keytab)
  if (tgt === undefined) {
    skip(ctx, ['keytab-kvno'], 'no login')
    return undefined
  }
  await checkFreshTicket(ctx, client, p, keytab)
  return client
}
