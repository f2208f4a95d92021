/**
 * Keeping a long-running client's TGT fresh (issue 11 item 8, as gokrb5's auto-renewal): before
 * a service ticket, a TGT near its end time is renewed (renewable, before renew-till) or replaced
 * by a new keytab login; a password client, which keeps no password, is told to log in again.
 *
 * @module
 */
import { hasFlag } from '../asn1/index.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { TicketFlags } from '../iana.js'
import { formatPrincipal } from '../principal.js'
import type { Credentials } from '../protocol/kdc-rep.js'
import type { ClientContext } from './context.js'
import { TroubleshootingAnchors, seeDoc } from './doc-links.js'

/** Default {@link KerberosClientOptions.refreshMarginSeconds}. */
export const DEFAULT_REFRESH_MARGIN_SECONDS = 300

/** How a client can replace its TGT. */
export interface Refresher {
  /** Renew `tgt` (RFC 4120 §3.3.3). */
  renew(tgt: Credentials): Promise<Credentials>
  /** Log in again with the keytab of the last keytab login; undefined without one. */
  readonly relogin: (() => Promise<Credentials>) | undefined
}

/** The margin before `tgt`'s end time at which it is refreshed, in ms. */
export function refreshMarginMs(ctx: ClientContext, tgt: Credentials): number {
  const margin = (ctx.options.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS) * 1000
  const lifetime = tgt.endtime.getTime() - (tgt.starttime ?? tgt.authtime).getTime()
  return Math.max(0, Math.min(margin, lifetime / 6))
}

/** True when `tgt` should be refreshed now. */
export function needsRefresh(ctx: ClientContext, tgt: Credentials): boolean {
  return tgt.endtime.getTime() - ctx.now().getTime() <= refreshMarginMs(ctx, tgt)
}

/**
 * A TGT good for a while: `tgt` itself, renewed, or from a new keytab login. Throws
 * ERR_KRB_TICKET_TIME when `tgt` expired and neither works.
 */
export async function refreshTGT(
  ctx: ClientContext,
  tgt: Credentials,
  how: Refresher,
): Promise<Credentials> {
  const now = ctx.now().getTime()
  const margin = refreshMarginMs(ctx, tgt)
  const expired = tgt.endtime.getTime() <= now
  const renewable =
    !expired &&
    hasFlag(tgt.flags, TicketFlags.RENEWABLE) &&
    tgt.renewTill !== undefined &&
    tgt.renewTill.getTime() - now > margin
  let failure: unknown
  if (renewable) {
    try {
      return await how.renew(tgt)
    } catch (e) {
      failure = e
    }
  }
  if (how.relogin !== undefined) return how.relogin()
  if (!expired) return tgt // not renewable (or the renewal failed): use it while it lasts
  const client = formatPrincipal(tgt.client)
  throw new KerberosError(
    ErrorCodes.TICKET_TIME,
    `the TGT for ${client} expired at ${tgt.endtime.toISOString()} and cannot be renewed: log in again (a password is not kept; a keytab login is refreshed automatically)`,
    {
      ...(failure !== undefined ? { cause: failure } : {}),
      context: { client, endtime: tgt.endtime.toISOString() },
      hint: `call login() again (or load a fresh ccache); ${seeDoc(TroubleshootingAnchors.tgtExpired)}`,
    },
  )
}
