/**
 * DER codec for every RFC 4120 §5 message, as plain readonly interfaces and `encodeX`/`decodeX`
 * functions, on a small strict DER reader/writer. `dumpASN1` prints any DER as a tree.
 *
 * @example
 * ```ts
 * import { decodeKerberosMessage, decodeMethodData } from 'kerberos-ts/asn1'
 * const msg = decodeKerberosMessage(reply)
 * if (msg.type === 'KRB-ERROR' && msg.value.eData) decodeMethodData(msg.value.eData)
 * ```
 *
 * @module
 */
export type * from './types.js'
export {
  encodePrincipalName,
  decodePrincipalName,
  principalFromName,
  principalToName,
  encodeEncryptedData,
  decodeEncryptedData,
  encodeEncryptionKey,
  decodeEncryptionKey,
  encodeChecksum,
  decodeChecksum,
  encodeHostAddress,
  decodeHostAddress,
  encodeHostAddresses,
  decodeHostAddresses,
  encodeAuthorizationData,
  decodeAuthorizationData,
  encodeADIfRelevant,
  decodeADIfRelevant,
  encodeADMandatoryForKDC,
  decodeADMandatoryForKDC,
  encodePAData,
  decodePAData,
  encodeMethodData,
  decodeMethodData,
  encodeTransitedEncoding,
  decodeTransitedEncoding,
  encodeLastReq,
  decodeLastReq,
} from './basic.js'
export {
  encodeInt32,
  decodeInt32,
  encodeUInt32,
  decodeUInt32,
  encodeMicroseconds,
  decodeMicroseconds,
  encodeKerberosString,
  decodeKerberosString,
  encodeRealm,
  decodeRealm,
  encodeKerberosTime,
  decodeKerberosTime,
} from './primitives.js'
export { hasFlag, setFlags, listFlags, encodeKerberosFlags, decodeKerberosFlags } from './flags.js'
export { encodeTicket, decodeTicket, encodeEncTicketPart, decodeEncTicketPart } from './ticket.js'
export {
  encodeKDCReqBody,
  decodeKDCReqBody,
  encodeKDCReq,
  decodeKDCReq,
  encodeASReq,
  decodeASReq,
  encodeTGSReq,
  decodeTGSReq,
  encodeKDCRep,
  decodeKDCRep,
  encodeASRep,
  decodeASRep,
  encodeTGSRep,
  decodeTGSRep,
  encodeEncASRepPart,
  encodeEncTGSRepPart,
  decodeEncKDCRepPart,
  decodeEncASRepPart,
  decodeEncTGSRepPart,
  type EncKDCRepPartTag,
  type DecodedEncKDCRepPart,
} from './kdc.js'
export {
  encodeAPReq,
  decodeAPReq,
  encodeAuthenticator,
  decodeAuthenticator,
  encodeAPRep,
  decodeAPRep,
  encodeEncAPRepPart,
  decodeEncAPRepPart,
} from './ap.js'
export {
  encodeKRBSafe,
  decodeKRBSafe,
  encodeKRBSafeBody,
  encodeKRBPriv,
  decodeKRBPriv,
  encodeEncKrbPrivPart,
  decodeEncKrbPrivPart,
  encodeKRBCred,
  decodeKRBCred,
  encodeEncKrbCredPart,
  decodeEncKrbCredPart,
  encodeKrbCredInfo,
  decodeKrbCredInfo,
} from './cred.js'
export {
  encodeKRBError,
  decodeKRBError,
  encodeTypedData,
  decodeTypedData,
  krbErrorToKDCError,
} from './error.js'
export {
  encodePAEncTSEnc,
  decodePAEncTSEnc,
  encodeETypeInfo,
  decodeETypeInfo,
  encodeETypeInfo2,
  decodeETypeInfo2,
  encodePAPacRequest,
  decodePAPacRequest,
  encodeADKDCIssued,
  decodeADKDCIssued,
  encodeADAndOr,
  decodeADAndOr,
} from './padata.js'
export {
  decodeKerberosMessage,
  decodeKDCReplyMessage,
  type KDCReplyMessage,
  encodeKerberosMessage,
  ApplicationTagNames,
  type KerberosMessage,
} from './message.js'
export { dumpASN1, type DumpASN1Options } from './dump.js'
export {
  encodePAForUser,
  decodePAForUser,
  encodePAS4UX509User,
  decodePAS4UX509User,
  encodeS4UUserID,
  encodePAPacOptions,
  decodePAPacOptions,
  type PAForUser,
  type PAS4UX509User,
  type S4UUserID,
  type PAPacOptions,
} from './s4u.js'
export {
  encodePAFxFastRequest,
  decodePAFxFastRequest,
  encodeKrbFastReq,
  decodeKrbFastReq,
  encodePAFxFastReply,
  decodePAFxFastReply,
  encodeKrbFastResponse,
  decodeKrbFastResponse,
  type KrbFastArmor,
  type KrbFastArmoredReq,
  type KrbFastReq,
  type KrbFastFinished,
  type KrbFastResponse,
} from './fast.js'
