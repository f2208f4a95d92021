/**
 * Errors that say what to do (issue 11 item 5): a KDC error or a failed AS-REP rewritten with
 * what the client knows and the KDC does not say — the service asked for, the keytab kvno and
 * enctype used, the KDC's time — one sentence, and a `hint` pointing into
 * `docs/troubleshooting.md`.
 *
 * @module
 */
import { ErrorCodes, KDCError, KerberosError, KeytabLookupError } from '../errors.js'
import { KRBErrorCode, describeEncType } from '../iana.js'
import { formatPrincipal, type Principal } from '../principal.js'
import type { KeySource } from './keys.js'

import { TroubleshootingAnchors, seeDoc } from './doc-links.js'

export { TroubleshootingAnchors, seeDoc }

/** Service names as registered by convention (MIT and Active Directory). */
const WELL_KNOWN_SERVICES: readonly string[] = [
  'HTTP',
  'host',
  'ldap',
  'cifs',
  'nfs',
  'imap',
  'smtp',
  'pop',
  'ftp',
  'postgres',
  'MSSQLSvc',
  'DNS',
  'GC',
  'RestrictedKrbHost',
  'kadmin',
  'krbtgt',
  'HOST',
]

/** A dotted IPv4 address or an IPv6 literal (with or without brackets). */
export function looksLikeIPAddress(host: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return true
  // IPv6: one linear scan (no backtracking regex: the host comes from an SPN or a URL).
  let h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  const zone = h.indexOf('%')
  if (zone !== -1) {
    if (!/^[\w.]+$/.test(h.slice(zone + 1))) return false
    h = h.slice(0, zone)
  }
  return h.includes(':') && /^[0-9a-fA-F:.]+$/.test(h)
}

/** The realm in upper case when it has lower-case letters (realms are case-sensitive). */
export function realmCaseHint(realm: string): string | undefined {
  if (realm === realm.toUpperCase()) return undefined
  return `realm names are case-sensitive and upper case by convention: did you mean ${realm.toUpperCase()}? ${seeDoc(TroubleshootingAnchors.realmCase)}`
}

/** What to do about a service the KDC does not know. */
export function serviceHint(server: Principal): string {
  const [service, host] = server.components
  // A cross-realm TGT for a realm spelt in lower case (`HTTP/web@example.com`).
  const crossRealm = service === 'krbtgt' && host !== undefined ? realmCaseHint(host) : undefined
  if (crossRealm !== undefined) return crossRealm
  const realmHint = realmCaseHint(server.realm)
  if (realmHint !== undefined) return realmHint
  if (host !== undefined && looksLikeIPAddress(host)) {
    return `the SPN is built from the host in the URL and ${host} is an IP address, which is not registered as a service: use the host name (e.g. http://web.example.com/ for HTTP/web.example.com); ${seeDoc(TroubleshootingAnchors.spnIPAddress)}`
  }
  const known =
    service !== undefined &&
    !WELL_KNOWN_SERVICES.includes(service) &&
    WELL_KNOWN_SERVICES.find((w) => w.toLowerCase() === service.toLowerCase())
  if (typeof known === 'string') {
    const suggested = formatPrincipal({
      ...server,
      components: [known, ...server.components.slice(1)],
    })
    return `service names are case-sensitive: did you mean ${suggested}? ${seeDoc(TroubleshootingAnchors.serviceCase)}`
  }
  return `check that ${formatPrincipal(server)} exists (MIT: kadmin getprinc; Active Directory: setspn -Q) and that the host name is the one registered; ${seeDoc(TroubleshootingAnchors.serviceUnknown)}`
}

/** The KRB_AP_ERR_SKEW detail: the KDC's time and how far it is from the time we sent. */
function skewDetail(
  err: KDCError,
  sentMs: number,
  clockskew: number,
): { detail: string; context: Record<string, unknown> } | undefined {
  if (err.serverTime === undefined) return undefined
  const seconds = Math.round((err.serverTime.getTime() - sentMs) / 1000)
  const where = seconds >= 0 ? 'ahead of' : 'behind'
  return {
    detail: `the KDC's clock (${err.serverTime.toISOString()}) is ${Math.abs(seconds)} s ${where} ours, more than the allowed clockskew of ${clockskew} s`,
    context: { kdcTime: err.serverTime.toISOString(), offsetSeconds: seconds, clockskew },
  }
}

function rebuild(
  err: KDCError,
  detail: string,
  context: Record<string, unknown>,
  hint: string,
): KDCError {
  return new KDCError(
    {
      errorCode: err.errorCode,
      ...(err.eText !== undefined ? { eText: err.eText } : {}),
      ...(err.eData !== undefined ? { eData: err.eData } : {}),
      ...(err.serverTime !== undefined ? { serverTime: err.serverTime } : {}),
      ...(typeof err.context.realm === 'string' ? { realm: err.context.realm } : {}),
      ...(typeof err.context.server === 'string' ? { server: err.context.server } : {}),
      ...(typeof err.context.client === 'string' ? { client: err.context.client } : {}),
    },
    { cause: err, detail, context: { ...context, eText: err.eText }, hint },
  )
}

/** A KRB-ERROR answering a TGS request for `server`, explained; other errors as they are. */
export function explainTGSError(
  err: KDCError,
  o: {
    readonly server: Principal
    readonly client: Principal
    readonly realm: string
    readonly sentMs: number
    readonly clockskew: number
  },
): KDCError {
  const spn = formatPrincipal(o.server)
  const client = formatPrincipal(o.client)
  switch (err.errorCode) {
    case KRBErrorCode.KDC_ERR_S_PRINCIPAL_UNKNOWN:
      return rebuild(
        err,
        `realm ${o.realm} has no service ${spn} (asked for by ${client})`,
        { server: spn, client },
        serviceHint(o.server),
      )
    case KRBErrorCode.KRB_AP_ERR_SKEW: {
      const skew = skewDetail(err, o.sentMs, o.clockskew)
      if (skew === undefined) return err
      return rebuild(
        err,
        `${skew.detail} (TGS request for ${spn})`,
        { ...skew.context, server: spn, client },
        `synchronize this host's clock (NTP) with the KDC's; ${seeDoc(TroubleshootingAnchors.clockSkew)}`,
      )
    }
    default:
      return err
  }
}

/** What the login knows when the AS exchange fails. */
export interface LoginFailure {
  readonly client: Principal
  readonly keys: KeySource
  readonly sentMs: number
  readonly clockskew: number
}

/** The keytab key used, as context and as text (`kvno 2, aes256-cts-hmac-sha1-96`). */
function keytabUse(keys: KeySource): { text: string; context: Record<string, unknown> } {
  const used = keys.lastUsed?.()
  if (used === undefined) return { text: 'its keytab key', context: {} }
  const kdc =
    used.replyKvno !== undefined && used.replyKvno !== used.kvno
      ? `; the KDC's reply is for kvno ${used.replyKvno}`
      : ''
  return {
    text: `the keytab key kvno ${used.kvno}, ${describeEncType(used.enctype)}${kdc}`,
    context: {
      kvno: used.kvno,
      enctype: used.enctype,
      ...(used.replyKvno !== undefined ? { replyKvno: used.replyKvno } : {}),
    },
  }
}

const STALE = "the account's password probably changed since this keytab was exported"

/** A KRB-ERROR that ends a login, explained; other errors as they are. */
export function explainASError(err: KDCError, f: LoginFailure): KDCError {
  const principal = formatPrincipal(f.client)
  switch (err.errorCode) {
    case KRBErrorCode.KDC_ERR_PREAUTH_FAILED: {
      if (f.keys.kind === 'password') {
        return rebuild(
          err,
          `password incorrect for ${principal}`,
          { principal },
          `check the password, and the principal's spelling and case; ${seeDoc(TroubleshootingAnchors.passwordIncorrect)}`,
        )
      }
      const use = keytabUse(f.keys)
      return rebuild(
        err,
        `the KDC refused ${use.text} of ${principal}: ${STALE}`,
        { principal, ...use.context },
        `export a new keytab for ${principal} (kadmin ktadd -norandkey, or ktpass/msktutil in Active Directory); ${seeDoc(TroubleshootingAnchors.keytabStale)}`,
      )
    }
    case KRBErrorCode.KDC_ERR_C_PRINCIPAL_UNKNOWN:
      return rebuild(
        err,
        `realm ${f.client.realm} has no principal ${principal}`,
        { principal },
        realmCaseHint(f.client.realm) ??
          `check the spelling and case of ${principal} and the realm (a name without @ takes default_realm); ${seeDoc(TroubleshootingAnchors.clientUnknown)}`,
      )
    case KRBErrorCode.KRB_AP_ERR_SKEW: {
      const skew = skewDetail(err, f.sentMs, f.clockskew)
      if (skew === undefined) return err
      return rebuild(
        err,
        `${skew.detail} (login as ${principal})`,
        { ...skew.context, principal },
        `synchronize this host's clock (NTP) with the KDC's; ${seeDoc(TroubleshootingAnchors.clockSkew)}`,
      )
    }
    default:
      return err
  }
}

/**
 * An AS-REP that does not decrypt with the client's key (ERR_KRB_INTEGRITY, the code is kept):
 * a wrong password, or a keytab older than the account's keys.
 */
export function explainReplyIntegrity(err: KerberosError, f: LoginFailure): KerberosError {
  const principal = formatPrincipal(f.client)
  if (f.keys.kind === 'password') {
    return new KerberosError(
      ErrorCodes.INTEGRITY,
      `password incorrect for ${principal}: the KDC's reply does not decrypt with the key derived from it`,
      {
        cause: err,
        context: { principal },
        hint: `check the password, and the principal's spelling and case; ${seeDoc(TroubleshootingAnchors.passwordIncorrect)}`,
      },
    )
  }
  const use = keytabUse(f.keys)
  return new KerberosError(
    ErrorCodes.INTEGRITY,
    `the KDC's reply for ${principal} does not decrypt with ${use.text}: ${STALE}`,
    {
      cause: err,
      context: { principal, ...use.context },
      hint: `export a new keytab for ${principal} (kadmin ktadd -norandkey, or ktpass/msktutil in Active Directory); ${seeDoc(TroubleshootingAnchors.keytabStale)}`,
    },
  )
}

/**
 * A login or TGS failure for a realm with lower-case letters (`alice@test.local`): the error
 * with a hint that realms are case-sensitive. KDC errors keep their class; a keytab lookup
 * error (it names the principal already) is left as it is.
 */
export function withRealmCaseHint(err: unknown, realm: string): unknown {
  const hint = realmCaseHint(realm)
  if (hint === undefined || !(err instanceof KerberosError) || err.hint !== undefined) return err
  if (err instanceof KeytabLookupError) return err
  if (err instanceof KDCError) {
    return rebuild(err, `${err.message.replace(/^KDC error \d+ \S+:? ?/, '')}`, { realm }, hint)
  }
  return new KerberosError(err.code, err.message, {
    cause: err,
    context: { ...err.context, realm },
    hint,
  })
}

/**
 * A failed host-armor login, said to be one: the user asked to log in as someone else, and an
 * error naming only the host would send them to the wrong account. On Active Directory an SPN
 * (`host/FQDN`) is no client name: the machine account (`WEB01$`) is.
 */
export function explainArmorLogin(e: unknown, principal: string | Principal): unknown {
  if (!(e instanceof KDCError)) return e
  const who = typeof principal === 'string' ? principal : formatPrincipal(principal)
  const ad =
    e.errorCode === 6 && who.includes('/')
      ? '; on Active Directory an SPN is not a client name: armor with the machine account (WEB01$)'
      : ''
  const detail = e.message.replace(/^KDC error \d+ \S+(: )?/, '')
  return new KDCError(
    {
      errorCode: e.errorCode,
      ...(e.eText !== undefined ? { eText: e.eText } : {}),
      ...(e.eData !== undefined ? { eData: e.eData } : {}),
      ...(e.serverTime !== undefined ? { serverTime: e.serverTime } : {}),
    },
    {
      cause: e,
      detail: `the FAST armor login (armor: { keytab, principal: ${JSON.stringify(who)} }) failed: ${detail}`,
      context: { ...e.context, step: 'fast-armor' },
      hint: `${e.hint ?? 'check the armor keytab and principal'}${ad}; see docs/fast.md#getting-armor`,
    },
  )
}
