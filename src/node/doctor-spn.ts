/**
 * The SPN half of `doctor`: a TGT (the keytab login's, else the ccache's), then one check per
 * SPN: does the KDC know it (case variants tried), which enctypes and kvno its tickets have, and
 * whether the keytab decrypts them.
 *
 * @module
 */
import type { KerberosClient } from '../client/client.js'
import { KRBErrorCode, encTypeName } from '../iana.js'
import { formatPrincipal } from '../principal.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import { readCCache } from './ccache-store.js'
import { addCheck, reason, type DoctorContext } from './doctor-context.js'
import { WEAK, decrypts, isCode, keysOf, newClient, skip, topKvno } from './doctor-keytab.js'

async function ccacheClient(ctx: DoctorContext): Promise<KerberosClient | undefined> {
  if (ctx.options.ccache === false || ctx.transport === undefined) return undefined
  const name = ctx.options.ccache
  try {
    const cc = await readCCache(name, { ...ctx.options, config: ctx.config })
    const client = newClient(ctx, ctx.transport)
    const tgt = client.fromCCache(cc)
    const who = formatPrincipal(cc.defaultPrincipal)
    if (tgt === undefined || tgt.endtime.getTime() <= ctx.now().getTime()) {
      addCheck(ctx, {
        id: 'credentials',
        status: 'fail',
        summary: `the ccache of ${who} holds no valid TGT${tgt !== undefined ? ` (expired ${tgt.endtime.toISOString()})` : ''}`,
        advice: 'Log in again (kerberos-ts kinit or kinit), or pass -k KEYTAB',
      })
      return undefined
    }
    addCheck(ctx, {
      id: 'credentials',
      status: 'ok',
      summary: `TGT of ${who} from the ccache, valid until ${tgt.endtime.toISOString()}`,
      details: { principal: who, endtime: tgt.endtime.toISOString() },
    })
    return client
  } catch (err) {
    addCheck(ctx, {
      id: 'credentials',
      status: 'fail',
      summary: `no TGT for the SPN checks: ${reason(err)}`,
      advice: 'Log in first (kerberos-ts kinit or kinit), or pass -k KEYTAB to log in with it',
    })
    return undefined
  }
}

/** Near matches of an SPN the KDC does not know: the host part in lower case, the service's case. */
async function nearSPN(client: KerberosClient, spn: string): Promise<string | undefined> {
  for (const v of spnVariants(spn)) {
    try {
      return formatPrincipal((await client.getServiceTicket(v)).server)
    } catch {
      // not this one
    }
  }
  return undefined
}

function spnAdvice(ctx: DoctorContext, err: unknown, near: string | undefined): string {
  if (near !== undefined) return `Use ${near}`
  if (isCode(err, KRBErrorCode.KDC_ERR_S_PRINCIPAL_UNKNOWN))
    return 'Register the SPN on the service account (MIT: kadmin addprinc -randkey HTTP/host; AD: setspn -S HTTP/host account), with the host name clients use and no port'
  if (isCode(err, KRBErrorCode.KDC_ERR_ETYPE_NOSUPP))
    return `The service has no key of an enctype this client offers (${ctx.libdefaults.defaultTgsEnctypes.map(encTypeName).join(', ')}; rc4-hmac only with allow_weak_crypto): give it AES keys (AD: msDS-SupportedEncryptionTypes = 24, then reset its password)`
  return 'See the error above'
}

async function spnFailure(
  ctx: DoctorContext,
  client: KerberosClient,
  spn: string,
  err: unknown,
): Promise<void> {
  const unknown = isCode(err, KRBErrorCode.KDC_ERR_S_PRINCIPAL_UNKNOWN)
  const near = unknown ? await nearSPN(client, spn) : undefined
  addCheck(ctx, {
    id: `spn:${spn}`,
    status: 'fail',
    summary: unknown
      ? `the KDC does not know ${spn}${near !== undefined ? `, but knows ${near}: names are case-sensitive` : ''}`
      : isCode(err, KRBErrorCode.KDC_ERR_ETYPE_NOSUPP)
        ? `the KDC has no key for ${spn} in an enctype this client offers (KDC_ERR_ETYPE_NOSUPP)`
        : `no ticket for ${spn}: ${reason(err)}`,
    details: { spn, ...(near !== undefined ? { nearMatch: near } : {}), error: reason(err) },
    advice: spnAdvice(ctx, err, near),
  })
}

async function checkSPN(ctx: DoctorContext, client: KerberosClient, spn: string): Promise<void> {
  const id = `spn:${spn}`
  let st: Credentials
  try {
    st = await client.getServiceTicket(spn)
  } catch (err) {
    await spnFailure(ctx, client, spn, err)
    return
  }
  const etype = st.ticket.encPart.etype
  const server = formatPrincipal(st.server)
  const inKeytab = ctx.keytab !== undefined && keysOf(ctx.keytab, server).size > 0
  const bad = inKeytab ? decrypts(ctx, st, ctx.keytab!) : undefined
  const weak = WEAK.has(etype)
  addCheck(ctx, {
    id,
    status: bad !== undefined ? 'fail' : weak ? 'warn' : 'ok',
    summary:
      `the KDC knows ${server}: tickets in ${encTypeName(etype)}, kvno ${st.ticketKvno ?? '?'}, session key ${encTypeName(st.sessionKey.enctype)}` +
      (inKeytab
        ? bad !== undefined
          ? `; the keytab cannot decrypt it (${bad})`
          : '; the keytab decrypts it'
        : ''),
    details: {
      spn,
      server,
      ticketEnctype: encTypeName(etype),
      ticketKvno: st.ticketKvno,
      sessionEnctype: encTypeName(st.sessionKey.enctype),
      ...(inKeytab
        ? { keytabKvno: topKvno(ctx.keytab!, st.server), keytabDecrypts: bad === undefined }
        : {}),
    },
    ...(bad !== undefined
      ? { advice: 'The service keytab is out of date: export a fresh one for this SPN' }
      : weak
        ? {
            advice:
              'Tickets use rc4-hmac: give the service account AES keys (AD: msDS-SupportedEncryptionTypes = 24, then reset its password)',
          }
        : {}),
  })
}

function spnVariants(spn: string): string[] {
  const out = new Set<string>()
  const at = spn.lastIndexOf('@')
  const [name, realm] = at > 0 && spn.includes('/') ? [spn.slice(0, at), spn.slice(at)] : [spn, '']
  const slash = name.indexOf('/')
  if (slash > 0) {
    const svc = name.slice(0, slash)
    const host = name.slice(slash + 1).toLowerCase()
    out.add(`${svc}/${host}${realm}`)
    out.add(`${svc.toUpperCase()}/${host}${realm}`)
    out.add(`${svc.toLowerCase()}/${host}${realm}`)
  }
  out.delete(spn)
  return [...out].slice(0, 3)
}

/** One check per SPN, with the keytab login's TGT or else the ccache's. */
export async function runSPNChecks(
  ctx: DoctorContext,
  fromKeytab: KerberosClient | undefined,
): Promise<void> {
  const spns = ctx.options.spns ?? []
  if (spns.length === 0) return
  if (!ctx.reachable) {
    skip(
      ctx,
      spns.map((s) => `spn:${s}`),
      'no KDC answered',
    )
    return
  }
  const client = fromKeytab ?? (ctx.keytab === undefined ? await ccacheClient(ctx) : undefined)
  if (client === undefined) {
    skip(
      ctx,
      spns.map((s) => `spn:${s}`),
      'no TGT (the keytab login failed, or no ccache)',
    )
    return
  }
  for (const spn of spns) await checkSPN(ctx, client, spn)
}
