/**
 * Building PACs and tickets that carry them, for tests, the fuzz harness and the benchmark: an
 * AD-like logon info, a signed PAC for a client, and a self-issued ticket with the PAC inside
 * AD-IF-RELEVANT as a KDC puts it.
 */
import {
  encodeADIfRelevant,
  encodeEncTicketPart,
  setFlags,
  type AuthorizationData,
  type Ticket,
} from '../../src/asn1/index.js'
import { encrypt, randomKey } from '../../src/crypto/index.js'
import { AuthorizationDataType, TicketFlags } from '../../src/iana.js'
import type { KerberosKey } from '../../src/key.js'
import { createKeytab, makeKeytabEntry, type Keytab } from '../../src/keytab/index.js'
import {
  dateToFileTime,
  encodePAC,
  FILETIME_NEVER,
  type KerbValidationInfo,
  type PACInput,
  type SignPACOptions,
} from '../../src/pac/index.js'
import { parsePrincipal, type Principal } from '../../src/principal.js'

export const DOMAIN_SID = 'S-1-5-21-3167651404-3865080224-2280184895'

/** An AD-like KERB_VALIDATION_INFO for `name` (user RID 1105, five groups, two extra SIDs). */
export function logonInfoFor(
  name: string,
  extra: Partial<KerbValidationInfo> = {},
): KerbValidationInfo {
  const t = dateToFileTime(new Date(Date.UTC(2026, 0, 1)))
  return {
    logonTime: t,
    logoffTime: FILETIME_NEVER,
    kickOffTime: FILETIME_NEVER,
    passwordLastSet: t,
    passwordCanChange: t,
    passwordMustChange: FILETIME_NEVER,
    effectiveName: name,
    fullName: `${name} Example`,
    logonScript: '',
    profilePath: '',
    homeDirectory: '',
    homeDirectoryDrive: '',
    logonCount: 12,
    badPasswordCount: 0,
    userId: 1105,
    primaryGroupId: 513,
    groupIds: [513, 1108, 1109, 1115, 1116].map((rid) => ({ rid, attributes: 7 })),
    userFlags: 0x20,
    userSessionKey: new Uint8Array(16),
    logonServer: 'DC1',
    logonDomainName: 'EXAMPLE',
    logonDomainId: DOMAIN_SID,
    userAccountControl: 0x210,
    subAuthStatus: 0,
    lastSuccessfulILogon: 0n,
    lastFailedILogon: 0n,
    failedILogonCount: 0,
    extraSids: [
      { sid: `${DOMAIN_SID}-1114`, attributes: 0x20000007 },
      { sid: 'S-1-18-1', attributes: 7 },
    ],
    resourceGroupIds: [],
    ...extra,
  }
}

/** The usual buffers of an AD PAC for `client` at `authTime`. */
export function pacInputFor(client: Principal, authTime: Date, extra: PACInput = {}): PACInput {
  const name = client.components.join('/')
  return {
    logonInfo: logonInfoFor(name),
    clientInfo: { clientId: dateToFileTime(authTime), name },
    upnDnsInfo: {
      upn: `${name}@${client.realm.toLowerCase()}`,
      dnsDomainName: client.realm,
      flags: 0,
    },
    ...extra,
  }
}

/** A signed PAC for `client`. */
export function signedPACFor(
  client: Principal,
  authTime: Date,
  keys: SignPACOptions,
  extra: PACInput = {},
): Uint8Array {
  return encodePAC(pacInputFor(client, authTime, extra), keys)
}

/** Authorization data as an AD KDC sends it: AD-IF-RELEVANT { AD-WIN2K-PAC }. */
export function pacAuthorizationData(pac: Uint8Array): AuthorizationData {
  return [
    {
      adType: AuthorizationDataType.IF_RELEVANT,
      adData: encodeADIfRelevant([{ adType: AuthorizationDataType.WIN2K_PAC, adData: pac }]),
    },
  ]
}

/** A service with a keytab that issues tickets carrying any authorization data. */
export interface PACService {
  readonly keytab: Keytab
  readonly server: Principal
  readonly serviceKey: KerberosKey
  readonly kdcKey: KerberosKey
  issue(o: {
    readonly client?: string
    readonly authtime?: Date
    readonly authorizationData?: AuthorizationData
    /** Put a PAC signed for this client (default: the ticket's client). */
    readonly pac?: boolean
  }): { client: Principal; ticket: Ticket; sessionKey: KerberosKey; authtime: Date }
}

export function pacService(service = 'HTTP/web.example.com@EXAMPLE.COM'): PACService {
  const server = parsePrincipal(service)
  const serviceKey = randomKey(18)
  const kdcKey = randomKey(18)
  const keytab = createKeytab([
    makeKeytabEntry({ principal: server, kvno: 2, key: serviceKey, timestamp: 1 }),
  ])
  return {
    keytab,
    server,
    serviceKey,
    kdcKey,
    issue(o) {
      const client = parsePrincipal(o.client ?? `alice@${server.realm}`)
      const sessionKey = randomKey(18)
      const authtime = o.authtime ?? new Date(Math.floor(Date.now() / 1000) * 1000)
      const ad =
        o.authorizationData ??
        (o.pac === false
          ? undefined
          : pacAuthorizationData(signedPACFor(client, authtime, { serverKey: serviceKey, kdcKey })))
      const part = encodeEncTicketPart({
        flags: setFlags(TicketFlags.PRE_AUTHENT),
        key: sessionKey,
        crealm: client.realm,
        cname: { nameType: 1, nameString: [...client.components] },
        transited: { trType: 1, contents: new Uint8Array(0) },
        authtime,
        endtime: new Date(authtime.getTime() + 3_600_000),
        ...(ad === undefined ? {} : { authorizationData: ad }),
      })
      const ticket: Ticket = {
        tktVno: 5,
        realm: server.realm,
        sname: { nameType: 3, nameString: [...server.components] },
        encPart: { etype: 18, kvno: 2, cipher: encrypt(serviceKey, 2, part) },
      }
      return { client, ticket, sessionKey, authtime }
    },
  }
}
