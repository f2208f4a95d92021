/**
 * The RFC 4120 §5 data types as plain readonly interfaces. Field names are the RFC's, in
 * camelCase. Times are `Date` (whole seconds); microseconds are separate numbers; flags are
 * 32-bit numbers (bit 0 = most significant); keys are {@link KerberosKey}.
 *
 * @module
 */
import type { KerberosKey } from '../key.js'

/** PrincipalName (RFC 4120 §5.2.2). */
export interface PrincipalName {
  readonly nameType: number
  readonly nameString: readonly string[]
}

/** EncryptedData (RFC 4120 §5.2.9). `kvno` is a UInt32. */
export interface EncryptedData {
  readonly etype: number
  readonly kvno?: number
  readonly cipher: Uint8Array
}

/** Checksum (RFC 4120 §5.2.9). */
export interface Checksum {
  readonly cksumtype: number
  readonly checksum: Uint8Array
}

/** HostAddress (RFC 4120 §5.2.5). */
export interface HostAddress {
  readonly addrType: number
  readonly address: Uint8Array
}

/** HostAddresses. */
export type HostAddresses = readonly HostAddress[]

/** One AuthorizationData element; `adData` is the raw inner DER (or opaque bytes). */
export interface AuthorizationDataEntry {
  readonly adType: number
  readonly adData: Uint8Array
}

/** AuthorizationData (RFC 4120 §5.2.6). */
export type AuthorizationData = readonly AuthorizationDataEntry[]

/** PA-DATA (RFC 4120 §5.2.7); `padataValue` is kept as bytes, typed helpers decode known ones. */
export interface PAData {
  readonly padataType: number
  readonly padataValue: Uint8Array
}

/** TransitedEncoding (RFC 4120 §5.3). */
export interface TransitedEncoding {
  readonly trType: number
  readonly contents: Uint8Array
}

/** One LastReq element (RFC 4120 §5.4.2). */
export interface LastReqEntry {
  readonly lrType: number
  readonly lrValue: Date
}

/** LastReq. */
export type LastReq = readonly LastReqEntry[]

/**
 * Ticket (RFC 4120 §5.3). A decoded ticket carries its exact DER as a non-enumerable `raw`
 * property; encoders write `raw` when present, so a ticket received from a KDC is forwarded
 * byte for byte. A copy made with spread syntax drops `raw` and is encoded from its fields.
 */
export interface Ticket {
  readonly tktVno: 5
  readonly realm: string
  readonly sname: PrincipalName
  readonly encPart: EncryptedData
  readonly raw?: Uint8Array
}

/** EncTicketPart (RFC 4120 §5.3). */
export interface EncTicketPart {
  readonly flags: number
  readonly key: KerberosKey
  readonly crealm: string
  readonly cname: PrincipalName
  readonly transited: TransitedEncoding
  readonly authtime: Date
  readonly starttime?: Date
  readonly endtime: Date
  readonly renewTill?: Date
  readonly caddr?: HostAddresses
  readonly authorizationData?: AuthorizationData
}

/**
 * KDC-REQ-BODY (RFC 4120 §5.4.1). A decoded body carries its exact DER as a non-enumerable
 * `raw` property (the TGS authenticator checksum covers those bytes).
 */
export interface KDCReqBody {
  readonly kdcOptions: number
  readonly cname?: PrincipalName
  readonly realm: string
  readonly sname?: PrincipalName
  readonly from?: Date
  readonly till: Date
  readonly rtime?: Date
  readonly nonce: number
  readonly etype: readonly number[]
  readonly addresses?: HostAddresses
  readonly encAuthorizationData?: EncryptedData
  readonly additionalTickets?: readonly Ticket[]
  readonly raw?: Uint8Array
}

/** KDC-REQ: AS-REQ (msg-type 10) or TGS-REQ (12). */
export interface KDCReq {
  readonly pvno: 5
  readonly msgType: 10 | 12
  readonly padata?: readonly PAData[]
  readonly reqBody: KDCReqBody
}

/** KDC-REP: AS-REP (msg-type 11) or TGS-REP (13). */
export interface KDCRep {
  readonly pvno: 5
  readonly msgType: 11 | 13
  readonly padata?: readonly PAData[]
  readonly crealm: string
  readonly cname: PrincipalName
  readonly ticket: Ticket
  readonly encPart: EncryptedData
}

/** EncKDCRepPart (RFC 4120 §5.4.2), with RFC 6806's encrypted-pa-data [12]. */
export interface EncKDCRepPart {
  readonly key: KerberosKey
  readonly lastReq: LastReq
  readonly nonce: number
  readonly keyExpiration?: Date
  readonly flags: number
  readonly authtime: Date
  readonly starttime?: Date
  readonly endtime: Date
  readonly renewTill?: Date
  readonly srealm: string
  readonly sname: PrincipalName
  readonly caddr?: HostAddresses
  readonly encryptedPaData?: readonly PAData[]
}

/** AP-REQ (RFC 4120 §5.5.1). */
export interface APReq {
  readonly pvno: 5
  readonly msgType: 14
  readonly apOptions: number
  readonly ticket: Ticket
  readonly authenticator: EncryptedData
}

/** Authenticator (RFC 4120 §5.5.1). */
export interface Authenticator {
  readonly authenticatorVno: 5
  readonly crealm: string
  readonly cname: PrincipalName
  readonly cksum?: Checksum
  readonly cusec: number
  readonly ctime: Date
  readonly subkey?: KerberosKey
  readonly seqNumber?: number
  readonly authorizationData?: AuthorizationData
}

/** AP-REP (RFC 4120 §5.5.2). */
export interface APRep {
  readonly pvno: 5
  readonly msgType: 15
  readonly encPart: EncryptedData
}

/** EncAPRepPart (RFC 4120 §5.5.2). */
export interface EncAPRepPart {
  readonly ctime: Date
  readonly cusec: number
  readonly subkey?: KerberosKey
  readonly seqNumber?: number
}

/**
 * KRB-SAFE-BODY (RFC 4120 §5.6.1). A decoded body carries its exact DER as a non-enumerable
 * `raw` property (the checksum covers those bytes).
 */
export interface KRBSafeBody {
  readonly userData: Uint8Array
  readonly timestamp?: Date
  readonly usec?: number
  readonly seqNumber?: number
  readonly sAddress: HostAddress
  readonly rAddress?: HostAddress
  readonly raw?: Uint8Array
}

/** KRB-SAFE (RFC 4120 §5.6.1). */
export interface KRBSafe {
  readonly pvno: 5
  readonly msgType: 20
  readonly safeBody: KRBSafeBody
  readonly cksum: Checksum
}

/** KRB-PRIV (RFC 4120 §5.7.1). */
export interface KRBPriv {
  readonly pvno: 5
  readonly msgType: 21
  readonly encPart: EncryptedData
}

/** EncKrbPrivPart (RFC 4120 §5.7.1). `sAddress` is optional as in MIT (RFC: required). */
export interface EncKrbPrivPart {
  readonly userData: Uint8Array
  readonly timestamp?: Date
  readonly usec?: number
  readonly seqNumber?: number
  readonly sAddress?: HostAddress
  readonly rAddress?: HostAddress
}

/** KRB-CRED (RFC 4120 §5.8.1). */
export interface KRBCred {
  readonly pvno: 5
  readonly msgType: 22
  readonly tickets: readonly Ticket[]
  readonly encPart: EncryptedData
}

/** KrbCredInfo (RFC 4120 §5.8.1). */
export interface KrbCredInfo {
  readonly key: KerberosKey
  readonly prealm?: string
  readonly pname?: PrincipalName
  readonly flags?: number
  readonly authtime?: Date
  readonly starttime?: Date
  readonly endtime?: Date
  readonly renewTill?: Date
  readonly srealm?: string
  readonly sname?: PrincipalName
  readonly caddr?: HostAddresses
}

/** EncKrbCredPart (RFC 4120 §5.8.1). */
export interface EncKrbCredPart {
  readonly ticketInfo: readonly KrbCredInfo[]
  readonly nonce?: number
  readonly timestamp?: Date
  readonly usec?: number
  readonly sAddress?: HostAddress
  readonly rAddress?: HostAddress
}

/** KRB-ERROR (RFC 4120 §5.9.1); `eData` is the raw bytes (METHOD-DATA, TYPED-DATA, ...). */
export interface KRBError {
  readonly pvno: 5
  readonly msgType: 30
  readonly ctime?: Date
  readonly cusec?: number
  readonly stime: Date
  readonly susec: number
  readonly errorCode: number
  readonly crealm?: string
  readonly cname?: PrincipalName
  readonly realm: string
  readonly sname: PrincipalName
  readonly eText?: string
  readonly eData?: Uint8Array
}

/** METHOD-DATA (RFC 4120 §5.9.1). */
export type MethodData = readonly PAData[]

/** One TYPED-DATA element (RFC 4120 §5.9.1). */
export interface TypedDataEntry {
  readonly dataType: number
  readonly dataValue?: Uint8Array
}

/** TYPED-DATA. */
export type TypedData = readonly TypedDataEntry[]

/** PA-ENC-TS-ENC (RFC 4120 §5.2.7.2). */
export interface PAEncTSEnc {
  readonly patimestamp: Date
  readonly pausec?: number
}

/** ETYPE-INFO-ENTRY (RFC 4120 §5.2.7.4); salt is an OCTET STRING here. */
export interface ETypeInfoEntry {
  readonly etype: number
  readonly salt?: Uint8Array
}

/** ETYPE-INFO2-ENTRY (RFC 4120 §5.2.7.5). */
export interface ETypeInfo2Entry {
  readonly etype: number
  readonly salt?: string
  readonly s2kparams?: Uint8Array
}

/** KERB-PA-PAC-REQUEST (MS-KILE §2.2.3). */
export interface PAPacRequest {
  readonly includePac: boolean
}

/** AD-KDCIssued (RFC 4120 §5.2.6.2). */
export interface ADKDCIssued {
  readonly adChecksum: Checksum
  readonly iRealm?: string
  readonly iSname?: PrincipalName
  readonly elements: AuthorizationData
}

/** AD-AND-OR (RFC 4120 §5.2.6.3). */
export interface ADAndOr {
  readonly conditionCount: number
  readonly elements: AuthorizationData
}
