/**
 * MS-PAC structures as plain readonly values. Times are raw FILETIMEs (`bigint`, 100 ns since
 * 1601-01-01) so that decoding and encoding keep every bit; {@link fileTimeToDate} turns them
 * into Dates. SIDs are text (`S-1-5-21-…`).
 *
 * @module
 */

/** PAC_INFO_BUFFER ulType values (MS-PAC §2.4). */
export const PACBufferType = {
  LOGON_INFO: 1,
  CREDENTIALS_INFO: 2,
  SERVER_CHECKSUM: 6,
  PRIVSVR_CHECKSUM: 7,
  CLIENT_INFO: 10,
  DELEGATION_INFO: 11,
  UPN_DNS_INFO: 12,
  CLIENT_CLAIMS_INFO: 13,
  DEVICE_INFO: 14,
  DEVICE_CLAIMS_INFO: 15,
  TICKET_CHECKSUM: 16,
  ATTRIBUTES_INFO: 17,
  REQUESTOR: 18,
  FULL_CHECKSUM: 19,
} as const
export type PACBufferType = (typeof PACBufferType)[keyof typeof PACBufferType]

/** Names of the buffer types, for dumps and messages. */
export const PACBufferTypeNames: Readonly<Record<number, string>> = {
  1: 'LOGON_INFO',
  2: 'CREDENTIALS_INFO',
  6: 'SERVER_CHECKSUM',
  7: 'PRIVSVR_CHECKSUM',
  10: 'CLIENT_INFO',
  11: 'DELEGATION_INFO',
  12: 'UPN_DNS_INFO',
  13: 'CLIENT_CLAIMS_INFO',
  14: 'DEVICE_INFO',
  15: 'DEVICE_CLAIMS_INFO',
  16: 'TICKET_CHECKSUM',
  17: 'ATTRIBUTES_INFO',
  18: 'REQUESTOR',
  19: 'FULL_CHECKSUM',
}

/** KERB_VALIDATION_INFO UserFlags bits (MS-PAC §2.5). */
export const UserFlags = {
  /** D: ResourceGroupDomainSid and ResourceGroupIds are filled in. */
  RESOURCE_GROUPS: 0x200,
  /** E: ExtraSids is filled in. */
  EXTRA_SIDS: 0x20,
} as const

/** UPN_DNS_INFO Flags bits (MS-PAC §2.10). */
export const UPNDNSFlags = {
  /** U: the account has no UPN; the one given is constructed. */
  NO_UPN: 0x1,
  /** S: the SAM name and SID fields follow. */
  SAM_NAME_AND_SID: 0x2,
} as const

/** GROUP_MEMBERSHIP (MS-PAC §2.2.2). */
export interface GroupMembership {
  readonly rid: number
  readonly attributes: number
}

/** KERB_SID_AND_ATTRIBUTES (MS-PAC §2.2.1). */
export interface SIDAndAttributes {
  readonly sid: string
  readonly attributes: number
}

/** KERB_VALIDATION_INFO (MS-PAC §2.5), the logon information buffer. */
export interface KerbValidationInfo {
  readonly logonTime: bigint
  readonly logoffTime: bigint
  readonly kickOffTime: bigint
  readonly passwordLastSet: bigint
  readonly passwordCanChange: bigint
  readonly passwordMustChange: bigint
  readonly effectiveName: string
  readonly fullName: string
  readonly logonScript: string
  readonly profilePath: string
  readonly homeDirectory: string
  readonly homeDirectoryDrive: string
  readonly logonCount: number
  readonly badPasswordCount: number
  readonly userId: number
  readonly primaryGroupId: number
  readonly groupIds: readonly GroupMembership[]
  readonly userFlags: number
  /** 16 octets; zero in Kerberos PACs. */
  readonly userSessionKey: Uint8Array
  readonly logonServer: string
  readonly logonDomainName: string
  readonly logonDomainId?: string
  readonly userAccountControl: number
  readonly subAuthStatus: number
  readonly lastSuccessfulILogon: bigint
  readonly lastFailedILogon: bigint
  readonly failedILogonCount: number
  readonly extraSids: readonly SIDAndAttributes[]
  readonly resourceGroupDomainSid?: string
  readonly resourceGroupIds: readonly GroupMembership[]
}

/** DOMAIN_GROUP_MEMBERSHIP (MS-PAC §2.2.3). */
export interface DomainGroupMembership {
  readonly domainId: string
  readonly groupIds: readonly GroupMembership[]
}

/** PAC_DEVICE_INFO (MS-PAC §2.12). */
export interface PACDeviceInfo {
  readonly userId: number
  readonly primaryGroupId: number
  readonly accountDomainId: string
  readonly accountGroupIds: readonly GroupMembership[]
  readonly extraSids: readonly SIDAndAttributes[]
  readonly domainGroups: readonly DomainGroupMembership[]
}

/** S4U_DELEGATION_INFO (MS-PAC §2.9). */
export interface S4UDelegationInfo {
  readonly proxyTarget: string
  readonly transitedServices: readonly string[]
}

/** PAC_CLIENT_INFO (MS-PAC §2.7). */
export interface PACClientInfo {
  /** The ticket's authtime as a FILETIME. */
  readonly clientId: bigint
  readonly name: string
}

/** UPN_DNS_INFO (MS-PAC §2.10), with the SAM name and SID extension when flag S is set. */
export interface UPNDNSInfo {
  readonly upn: string
  readonly dnsDomainName: string
  readonly flags: number
  readonly samName?: string
  readonly sid?: string
}

/** PAC_CREDENTIAL_INFO (MS-PAC §2.6.1): encrypted, kept as it is. */
export interface PACCredentialInfo {
  readonly version: number
  readonly encryptionType: number
  readonly serializedData: Uint8Array
}

/** PAC_ATTRIBUTES_INFO (MS-PAC §2.14). */
export interface PACAttributesInfo {
  /** Number of valid bits in `flags`. */
  readonly flagsLength: number
  /** The flag words; bit 0 PAC_WAS_REQUESTED, bit 1 PAC_WAS_GIVEN_IMPLICITLY. */
  readonly flags: readonly number[]
}

/** PAC_SIGNATURE_DATA (MS-PAC §2.8). */
export interface PACSignature {
  /** The checksum type (signed: -138 is HMAC-MD5). */
  readonly type: number
  readonly signature: Uint8Array
  /** Present on PACs signed by a read-only DC. */
  readonly rodcIdentifier?: number
}

/** One PAC_INFO_BUFFER with its bytes (a view into the decoded input). */
export interface PACBuffer {
  readonly type: number
  readonly data: Uint8Array
}

/** A decoded PAC: every buffer raw, and the known ones decoded. */
export interface PAC {
  readonly version: number
  readonly buffers: readonly PACBuffer[]
  readonly logonInfo?: KerbValidationInfo
  readonly credentialInfo?: PACCredentialInfo
  readonly clientInfo?: PACClientInfo
  readonly delegationInfo?: S4UDelegationInfo
  readonly upnDnsInfo?: UPNDNSInfo
  /** PAC_CLIENT_CLAIMS_INFO, raw (CLAIMS_SET_METADATA, possibly compressed). */
  readonly clientClaims?: Uint8Array
  readonly deviceInfo?: PACDeviceInfo
  /** PAC_DEVICE_CLAIMS_INFO, raw. */
  readonly deviceClaims?: Uint8Array
  readonly attributes?: PACAttributesInfo
  readonly requestorSid?: string
  readonly serverSignature?: PACSignature
  readonly kdcSignature?: PACSignature
  readonly ticketSignature?: PACSignature
  readonly fullSignature?: PACSignature
}

/** FILETIME of 1970-01-01 (11644473600 s after 1601-01-01, in 100 ns units). */
export const FILETIME_UNIX_EPOCH = 116444736000000000n
/** The FILETIME meaning "never" (0x7FFFFFFFFFFFFFFF). */
export const FILETIME_NEVER = 0x7fffffffffffffffn

/**
 * A FILETIME as a Date (millisecond precision), or undefined for 0 and "never".
 *
 * @example
 * ```ts
 * fileTimeToDate(dateToFileTime(new Date(0))) // 1970-01-01T00:00:00.000Z
 * ```
 */
export function fileTimeToDate(ft: bigint): Date | undefined {
  if (ft === 0n || ft >= FILETIME_NEVER) return undefined
  return new Date(Number((ft - FILETIME_UNIX_EPOCH) / 10000n))
}

/**
 * A Date as a FILETIME.
 *
 * @example
 * ```ts
 * dateToFileTime(new Date(0)) // 116444736000000000n
 * ```
 */
export function dateToFileTime(d: Date): bigint {
  return BigInt(d.getTime()) * 10000n + FILETIME_UNIX_EPOCH
}
