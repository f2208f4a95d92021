/**
 * The PAC the embedded KDC puts in tickets (MS-PAC): LOGON_INFO with the principal's groups and
 * CLIENT_INFO, signed with the server's key and the KDC's (krbtgt) key, in AD-IF-RELEVANT.
 *
 * @module
 */
import { decodeADIfRelevant, encodeADIfRelevant } from '../asn1/basic.js'
import type { AuthorizationData, PrincipalName } from '../asn1/types.js'
import { AuthorizationDataType } from '../iana.js'
import { encodePAC } from '../pac/pac.js'
import type { KerbValidationInfo } from '../pac/types.js'
import { tgsPrincipal } from '../principal.js'
import { ticketKey, type KDCContext } from './common.js'
import type { KDCKey, KDCPrincipal } from './database.js'

const FILETIME_UNIX_EPOCH = 116444736000000000n
const NEVER = 0x7fffffffffffffffn
const SE_GROUP = 7 // mandatory, enabled by default, enabled
const DEFAULT_DOMAIN_SID = 'S-1-5-21-0-0-0'

const filetime = (d: Date): bigint => BigInt(d.getTime()) * 10_000n + FILETIME_UNIX_EPOCH

function logonInfo(ctx: KDCContext, client: KDCPrincipal, authtime: Date): KerbValidationInfo {
  const info = client.pac ?? {}
  const name = client.principal.components.join('/')
  const primary = info.primaryGroupId ?? 513
  const groups = [primary, ...(info.groupIds ?? []).filter((g) => g !== primary)]
  return {
    logonTime: filetime(authtime),
    logoffTime: NEVER,
    kickOffTime: NEVER,
    passwordLastSet: filetime(authtime),
    passwordCanChange: 0n,
    passwordMustChange: NEVER,
    effectiveName: name,
    fullName: '',
    logonScript: '',
    profilePath: '',
    homeDirectory: '',
    homeDirectoryDrive: '',
    logonCount: 0,
    badPasswordCount: 0,
    userId: info.userId ?? 1000,
    primaryGroupId: primary,
    groupIds: groups.map((rid) => ({ rid, attributes: SE_GROUP })),
    userFlags: 0x20,
    userSessionKey: new Uint8Array(16),
    logonServer: 'KDC',
    logonDomainName: ctx.realm.split('.')[0] ?? ctx.realm,
    logonDomainId: info.domainSid ?? DEFAULT_DOMAIN_SID,
    userAccountControl: 0x10,
    subAuthStatus: 0,
    lastSuccessfulILogon: 0n,
    lastFailedILogon: 0n,
    failedILogonCount: 0,
    extraSids: [],
    resourceGroupIds: [],
  }
}

/**
 * AuthorizationData with a signed PAC for `client`, for a ticket encrypted with `serverKey`.
 * Undefined when the KDC has no krbtgt key to sign with.
 */
export function ticketAuthData(
  ctx: KDCContext,
  client: KDCPrincipal,
  serverKey: KDCKey,
  authtime: Date,
  cname: PrincipalName,
): AuthorizationData | undefined {
  const tgs = ctx.db.get(tgsPrincipal(ctx.realm))
  const kdcKey = tgs === undefined ? undefined : ticketKey(ctx, tgs)
  if (kdcKey === undefined) return undefined
  const pac = encodePAC(
    {
      logonInfo: logonInfo(ctx, client, authtime),
      clientInfo: { clientId: filetime(authtime), name: cname.nameString.join('/') },
    },
    { serverKey: serverKey.key, kdcKey: kdcKey.key, allowWeak: ctx.allowWeak },
  )
  return [
    {
      adType: AuthorizationDataType.IF_RELEVANT,
      adData: encodeADIfRelevant([{ adType: AuthorizationDataType.WIN2K_PAC, adData: pac }]),
    },
  ]
}

/** True when authorization data carries a PAC (AD-IF-RELEVANT containing ad-type 128). */
export function hasPac(ad: AuthorizationData | undefined): boolean {
  for (const e of ad ?? []) {
    if (e.adType !== AuthorizationDataType.IF_RELEVANT) continue
    try {
      if (decodeADIfRelevant(e.adData).some((x) => x.adType === AuthorizationDataType.WIN2K_PAC))
        return true
    } catch {
      // not AD-IF-RELEVANT after all: no PAC
    }
  }
  return false
}
