/**
 * Constrained delegation for a {@link KerberosClient} logged in as a service (MS-SFU): S4U2Self
 * (`impersonate`), S4U2Proxy (`getServiceTicketFor`), with the evidence ticket from S4U2Self or
 * from a client's ticket the service accepted. The pure steps are in `protocol/s4u.ts` and `protocol/s4u-reply.ts`.
 *
 * @module
 */
import { hasFlag } from '../asn1/index.js'
import { ErrorCodes, KDCError, KerberosError } from '../errors.js'
import { KRBErrorCode, TicketFlags } from '../iana.js'
import { formatPrincipal, parsePrincipal, type Principal } from '../principal.js'
import { makeNonce } from '../protocol/as.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import { buildS4U2ProxyReq, buildS4U2SelfReq, type EvidenceTicket } from '../protocol/s4u.js'
import {
  readS4U2ProxyReply,
  readS4U2SelfReply,
  verifyS4U2SelfTicket,
  type S4UReplyOutcome,
} from '../protocol/s4u-reply.js'
import { tgsRealmOf, type TGSRequest } from '../protocol/tgs.js'
import type { Keytab } from '../keytab/index.js'
import type { ClientContext } from './context.js'
import { explainTGSError } from './explain.js'
import { resolveServiceName } from './service-name.js'
import { tgsEtypes } from './service-tickets.js'

/** Options for {@link KerberosClient.impersonate}. */
export interface ImpersonateOptions {
  /** The service's TGT; default the client's. */
  readonly tgt?: Credentials
  /**
   * Read a string user as an NT-ENTERPRISE name (MIT `kvno -U`): `alice@ad.test` is looked up
   * as a UPN by the KDC, which answers with the account's name. Default false.
   */
  readonly enterprise?: boolean
  /**
   * Ask for a forwardable ticket (needed as S4U2Proxy evidence); default: when the TGT is
   * forwardable (as MIT: a KDC refuses FORWARDABLE on a non-forwardable TGT, KDC_ERR_BADOPTION).
   */
  readonly forwardable?: boolean
  /** Etypes for the session key instead of `default_tgs_enctypes`. */
  readonly etypes?: readonly number[]
  /**
   * Open the S4U2Self ticket with these keys of the service (see `verifyS4U2SelfTicket`): it
   * must carry the reply's session key and client. Default: the keytab
   * of the client's last keytab login, if any; `false`: do not.
   */
  readonly keytab?: Keytab | false
  readonly signal?: AbortSignal
}

/** Options for {@link KerberosClient.getServiceTicketFor}. */
export interface DelegationOptions extends ImpersonateOptions {
  /** Send PA-PAC-OPTIONS with the resource-based constrained delegation bit; default true. */
  readonly rbcd?: boolean
  /** Read `service@host` as host-based (as `getServiceTicket`'s option `hostBased`). */
  readonly hostBased?: boolean
}

const BADOPTION = KRBErrorCode.KDC_ERR_BADOPTION

/** The user as a principal in the TGT's realm unless it names one. */
function userPrincipal(
  ctx: ClientContext,
  user: string | Principal,
  tgt: Credentials,
  enterprise: boolean,
): Principal {
  if (typeof user !== 'string') return user
  const realm = tgsRealmOf(tgt)
  return parsePrincipal(user, { defaultRealm: ctx.realm ?? realm, enterprise })
}

/** Send a built S4U request, read the reply with `read`, explain a KRB-ERROR. */
async function exchange<R extends TGSRequest>(
  ctx: ClientContext,
  req: R,
  read: (bytes: Uint8Array) => S4UReplyOutcome,
  what: 'S4U2Self' | 'S4U2Proxy',
  user: Principal,
  signal: AbortSignal | undefined,
): Promise<Credentials> {
  const server = formatPrincipal(req.server)
  ctx.emit(() => ({
    type: 'tgs-req',
    realm: req.realm,
    server,
    client: formatPrincipal(user),
    message: what,
  }))
  const sentMs = ctx.now().getTime()
  const out = read(await ctx.send(req.realm, req.bytes, signal))
  if (out.kind === 'error') {
    ctx.emit(() => ({
      type: 'kdc-error',
      realm: req.realm,
      server,
      errorName: out.kdcError.errorName,
    }))
    throw explainS4UError(out.kdcError, what, req, user, sentMs, ctx)
  }
  ctx.emit(() => ({
    type: 'tgs-rep',
    realm: req.realm,
    server,
    client: formatPrincipal(out.credentials.client),
    etype: out.credentials.sessionKey.enctype,
    message: what,
  }))
  return out.credentials
}

function explainS4UError(
  err: KDCError,
  what: 'S4U2Self' | 'S4U2Proxy',
  req: TGSRequest,
  user: Principal,
  sentMs: number,
  ctx: ClientContext,
): KDCError {
  if (err.errorCode === KRBErrorCode.KDC_ERR_C_PRINCIPAL_UNKNOWN && what === 'S4U2Self') {
    return new KDCError(
      {
        errorCode: err.errorCode,
        ...(err.eText !== undefined ? { eText: err.eText } : {}),
        realm: req.realm,
        client: formatPrincipal(user),
      },
      {
        cause: err,
        detail: `realm ${req.realm} has no user ${formatPrincipal(user)} to impersonate (S4U2Self)`,
        context: { eText: err.eText, step: what },
        hint: 'check the name; a UPN (user@dns.domain) needs { enterprise: true } (kvno -U)',
      },
    )
  }
  if (err.errorCode !== BADOPTION) {
    return explainTGSError(err, {
      server: req.server,
      client: req.tgt.client,
      realm: req.realm,
      sentMs,
      clockskew: ctx.settings(req.realm).clockskew,
    })
  }
  const svc = formatPrincipal(req.tgt.client)
  const detail =
    what === 'S4U2Self'
      ? `the KDC refused ${svc} a ticket for ${formatPrincipal(user)} (S4U2Self)`
      : `the KDC refused ${svc} delegation to ${formatPrincipal(req.server)} for ${formatPrincipal(user)} (S4U2Proxy)`
  const hint =
    what === 'S4U2Self'
      ? hasFlag(req.tgt.flags, TicketFlags.FORWARDABLE)
        ? 'the service account needs a TGT that may ask for S4U2Self; see docs/delegation.md'
        : `the TGT of ${svc} is not forwardable, and a forwardable S4U2Self ticket (S4U2Proxy evidence) needs one: log in with forwardable: true (kinit -f); see docs/delegation.md`
      : `allow it in the directory: ${formatPrincipal(req.server)} in msDS-AllowedToDelegateTo of ${svc} (and TRUSTED_TO_AUTH_FOR_DELEGATION for protocol transition), or ${svc} in msDS-AllowedToActOnBehalfOfOtherIdentity of the back-end (RBCD); the evidence ticket must be forwardable and the user not "sensitive and cannot be delegated"; see docs/delegation.md`
  return new KDCError(
    {
      errorCode: err.errorCode,
      ...(err.eText !== undefined ? { eText: err.eText } : {}),
      ...(err.eData !== undefined ? { eData: err.eData } : {}),
      realm: req.realm,
      server: formatPrincipal(req.server),
      client: formatPrincipal(user),
    },
    { cause: err, detail, context: { eText: err.eText, step: what }, hint },
  )
}

/** {@link KerberosClient.impersonate} with `tgt`. */
export async function impersonateWith(
  ctx: ClientContext,
  tgt: Credentials,
  user: string | Principal,
  o: ImpersonateOptions,
): Promise<Credentials> {
  const realm = tgsRealmOf(tgt)
  const who = userPrincipal(ctx, user, tgt, o.enterprise === true)
  const s = ctx.settings(realm)
  const req = buildS4U2SelfReq({
    tgt,
    user: who,
    etypes: tgsEtypes(ctx, ctx.settings(realm), o.etypes),
    nonce: makeNonce(ctx.nonceRandom),
    now: ctx.now(),
    forwardable: o.forwardable ?? hasFlag(tgt.flags, TicketFlags.FORWARDABLE),
    kdcOptions: commonOptions(tgt.flags),
    random: ctx.random,
    allowWeak: ctx.allowWeak(s),
  })
  const read = (b: Uint8Array): S4UReplyOutcome =>
    readS4U2SelfReply(b, { request: req, clockskew: s.clockskew, allowWeak: ctx.allowWeak(s) })
  const creds = await exchange(ctx, req, read, 'S4U2Self', who, o.signal)
  if (o.keytab !== undefined && o.keytab !== false) {
    verifyS4U2SelfTicket(creds, { keytab: o.keytab, allowWeak: ctx.allowWeak(s) })
  }
  // Not held by the client: a ticket of another client (the user) than the client's own.
  return creds
}

/**
 * {@link KerberosClient.getServiceTicketFor} with `tgt`: S4U2Self for a user (unless given an
 * evidence ticket), then S4U2Proxy to `spn`.
 */
export async function delegateWith(
  ctx: ClientContext,
  tgt: Credentials,
  user: string | Principal | EvidenceTicket,
  spn: string | Principal,
  o: DelegationOptions,
): Promise<Credentials> {
  const realm = tgsRealmOf(tgt)
  const evidence = isEvidence(user)
    ? checkEvidence(user, tgt, o)
    : await impersonateWith(ctx, tgt, user, { ...o, forwardable: true })
  const s = ctx.settings(realm)
  const server = resolveServiceName(spn, {
    home: realm,
    ...(ctx.realm !== undefined ? { defaultRealm: ctx.realm } : {}),
    knownRealms: ctx.realm !== undefined ? [ctx.realm, ...s.realms] : s.realms,
    realmForHost: (host) => s.realmForHost(host),
    ...(o.hostBased !== undefined ? { hostBased: o.hostBased } : {}),
  })
  const req = buildS4U2ProxyReq({
    tgt,
    evidence: { ticket: evidence.ticket, client: evidence.client, flags: evidence.flags },
    server,
    etypes: tgsEtypes(ctx, ctx.settings(realm), o.etypes),
    nonce: makeNonce(ctx.nonceRandom),
    now: ctx.now(),
    forwardable: o.forwardable !== false,
    kdcOptions: commonOptions(tgt.flags),
    ...(o.rbcd !== undefined ? { rbcd: o.rbcd } : {}),
    random: ctx.random,
    allowWeak: ctx.allowWeak(s),
  })
  const read = (b: Uint8Array): S4UReplyOutcome =>
    readS4U2ProxyReply(b, { request: req, clockskew: s.clockskew, allowWeak: ctx.allowWeak(s) })
  // Not stored in the client's cache: it is a ticket of another client (the user).
  return exchange(ctx, req, read, 'S4U2Proxy', evidence.client, o.signal)
}

function isEvidence(u: string | Principal | EvidenceTicket): u is EvidenceTicket {
  return typeof u === 'object' && 'ticket' in u
}

/** An evidence ticket must be for this service; without FORWARDABLE only RBCD can use it. */
function checkEvidence(e: EvidenceTicket, tgt: Credentials, o: DelegationOptions): EvidenceTicket {
  if (!hasFlag(e.flags, TicketFlags.FORWARDABLE) && o.rbcd === false) {
    throw new KerberosError(
      ErrorCodes.DELEGATION,
      `the evidence ticket of ${formatPrincipal(e.client)} is not forwardable and RBCD is off`,
      { context: { client: formatPrincipal(e.client), reason: 'not-forwardable' } },
    )
  }
  const sname = { nameType: 0, components: e.ticket.sname.nameString, realm: e.ticket.realm }
  const me = tgt.client
  // The KDC checks that the ticket is for this account (any of its SPNs); we check the realm.
  if (sname.realm !== tgsRealmOf(tgt)) {
    throw new KerberosError(
      ErrorCodes.DELEGATION,
      `the evidence ticket is for ${formatPrincipal(sname)}, from another realm than ${formatPrincipal(me)}'s`,
      { context: { server: formatPrincipal(sname), reason: 'evidence-realm' } },
    )
  }
  return e
}

/** FORWARDABLE, PROXIABLE, ALLOW-POSTDATE and RENEWABLE carried over from the TGT (as MIT). */
function commonOptions(ticketFlags: number): number {
  return (ticketFlags & 0x54800000) >>> 0
}
