/**
 * MS-PAC, sans-I/O: decode and encode every PAC buffer (KERB_VALIDATION_INFO and the other NDR
 * buffers over MS-RPCE type serialization v1, client info, UPN/DNS info, device info, claims
 * raw, attributes, requestor, the four signatures), sign a PAC, and verify one with the service
 * key before trusting the identity it carries.
 *
 * @example
 * ```ts
 * import { verifyPAC } from 'kerberos-ts/pac'
 * const { identity } = verifyPAC(ticketAuthorizationData, { serviceKey, clientName, authTime })
 * identity.groupSids // ['S-1-5-21-…-513', …]
 * ```
 *
 * @module
 */
export {
  PACBufferType,
  PACBufferTypeNames,
  UserFlags,
  UPNDNSFlags,
  FILETIME_NEVER,
  FILETIME_UNIX_EPOCH,
  fileTimeToDate,
  dateToFileTime,
} from './types.js'
export type {
  DomainGroupMembership,
  GroupMembership,
  KerbValidationInfo,
  PAC,
  PACAttributesInfo,
  PACBuffer,
  PACClientInfo,
  PACCredentialInfo,
  PACDeviceInfo,
  PACSignature,
  S4UDelegationInfo,
  SIDAndAttributes,
  UPNDNSInfo,
} from './types.js'
export {
  decodePAC,
  encodePAC,
  signPAC,
  layoutPAC,
  readPACLayout,
  pacSigningData,
  describeBufferType,
  PAC_SIGNATURE_KEY_USAGE,
  type PACInput,
  type PACLayout,
  type SignPACOptions,
} from './pac.js'
export {
  decodeKerbValidationInfo,
  encodeKerbValidationInfo,
  decodePACDeviceInfo,
  encodePACDeviceInfo,
  decodeS4UDelegationInfo,
  encodeS4UDelegationInfo,
} from './logon-info.js'
export {
  decodePACClientInfo,
  encodePACClientInfo,
  decodeUPNDNSInfo,
  encodeUPNDNSInfo,
  decodePACCredentialInfo,
  encodePACCredentialInfo,
  decodePACAttributesInfo,
  encodePACAttributesInfo,
  decodePACRequestor,
  encodePACRequestor,
  decodePACSignature,
  encodePACSignature,
} from './buffers.js'
export { formatSID, parseSID, sidWithRid, type SIDParts } from './sid.js'
export {
  findPAC,
  verifyPAC,
  pacIdentity,
  type KDCSignatureCheck,
  type PACIdentity,
  type PACVerifyFailure,
  type VerifiedPAC,
  type VerifyPACOptions,
} from './verify.js'
export { makeTicketSignature, ticketSignatureData, verifyTicketSignature } from './ticket.js'
