/**
 * Every Kerberos protocol number, as `as const` objects with derived union types.
 * Numbers only: no logic beyond name lookups.
 *
 * @module
 */

/** Encryption types (RFC 3961 §8, RFC 3962, RFC 8009, RFC 4757, RFC 6803). */
export const EncType = {
  DES_CBC_CRC: 1,
  DES_CBC_MD4: 2,
  DES_CBC_MD5: 3,
  DES3_CBC_MD5: 5,
  DES3_CBC_SHA1: 7,
  DES3_CBC_SHA1_KD: 16,
  AES128_CTS_HMAC_SHA1_96: 17,
  AES256_CTS_HMAC_SHA1_96: 18,
  AES128_CTS_HMAC_SHA256_128: 19,
  AES256_CTS_HMAC_SHA384_192: 20,
  RC4_HMAC: 23,
  RC4_HMAC_EXP: 24,
  CAMELLIA128_CTS_CMAC: 25,
  CAMELLIA256_CTS_CMAC: 26,
} as const
export type EncType = (typeof EncType)[keyof typeof EncType]

/** MIT's canonical enctype names (what `klist -e` prints). */
export const EncTypeNames: Readonly<Record<number, string>> = {
  1: 'des-cbc-crc',
  2: 'des-cbc-md4',
  3: 'des-cbc-md5',
  5: 'des3-cbc-md5',
  7: 'des3-cbc-sha1',
  16: 'des3-cbc-sha1',
  17: 'aes128-cts-hmac-sha1-96',
  18: 'aes256-cts-hmac-sha1-96',
  19: 'aes128-cts-hmac-sha256-128',
  20: 'aes256-cts-hmac-sha384-192',
  23: 'arcfour-hmac',
  24: 'arcfour-hmac-exp',
  25: 'camellia128-cts-cmac',
  26: 'camellia256-cts-cmac',
}

/** Names and aliases accepted for enctypes in krb5.conf, CLI flags and APIs (MIT's list). */
export const EncTypeAliases: Readonly<Record<string, number>> = {
  'des-cbc-crc': 1,
  'des-cbc-md4': 2,
  'des-cbc-md5': 3,
  des: 3,
  'des3-cbc-sha1': 16,
  'des3-hmac-sha1': 16,
  'des3-cbc-sha1-kd': 16,
  des3: 16,
  'aes128-cts-hmac-sha1-96': 17,
  'aes128-cts': 17,
  'aes128-sha1': 17,
  'aes256-cts-hmac-sha1-96': 18,
  'aes256-cts': 18,
  'aes256-sha1': 18,
  'aes128-cts-hmac-sha256-128': 19,
  'aes128-sha2': 19,
  'aes256-cts-hmac-sha384-192': 20,
  'aes256-sha2': 20,
  'arcfour-hmac': 23,
  'rc4-hmac': 23,
  'arcfour-hmac-md5': 23,
  'arcfour-hmac-exp': 24,
  'rc4-hmac-exp': 24,
  'arcfour-hmac-md5-exp': 24,
  'camellia128-cts-cmac': 25,
  'camellia128-cts': 25,
  'camellia256-cts-cmac': 26,
  'camellia256-cts': 26,
}

/** The enctype's MIT name, or `enctype-<n>` when unknown. */
export function encTypeName(etype: number): string {
  return EncTypeNames[etype] ?? `enctype-${etype}`
}

/**
 * Key sizes in octets of the enctypes kerberos-ts implements (RFC 3962, 8009, 4757, 6803).
 * Decoders use it to refuse a key that could never work, before anything tries to use it.
 */
export const EncTypeKeyLength: ReadonlyMap<number, number> = new Map([
  [17, 16],
  [18, 32],
  [19, 16],
  [20, 32],
  [23, 16],
  [24, 16],
  [25, 16],
  [26, 32],
])

/** `aes256-cts-hmac-sha1-96 (18)`: name and number, for messages. */
export function describeEncType(etype: number): string {
  return `${encTypeName(etype)} (${etype})`
}

/** Checksum types (RFC 3961 §8, RFC 8009, RFC 4757, RFC 4121 §4.1.1). */
export const ChecksumType = {
  CRC32: 1,
  RSA_MD4: 2,
  RSA_MD4_DES: 3,
  DES_MAC: 4,
  DES_MAC_K: 5,
  RSA_MD4_DES_K: 6,
  RSA_MD5: 7,
  RSA_MD5_DES: 8,
  HMAC_SHA1_DES3_KD: 12,
  SHA1: 14,
  HMAC_SHA1_96_AES128: 15,
  HMAC_SHA1_96_AES256: 16,
  CMAC_CAMELLIA128: 17,
  CMAC_CAMELLIA256: 18,
  HMAC_SHA256_128_AES128: 19,
  HMAC_SHA384_192_AES256: 20,
  HMAC_MD5_ARCFOUR: -138,
  MD5_HMAC_ARCFOUR: -137,
  /** The GSS-API authenticator checksum (RFC 4121 §4.1.1). */
  GSSAPI: 0x8003,
} as const
export type ChecksumType = (typeof ChecksumType)[keyof typeof ChecksumType]

/** MIT's checksum type names. */
export const ChecksumTypeNames: Readonly<Record<number, string>> = {
  1: 'crc32',
  2: 'md4',
  3: 'md4-des',
  4: 'des-cbc',
  7: 'md5',
  8: 'md5-des',
  12: 'hmac-sha1-des3-kd',
  14: 'sha1',
  15: 'hmac-sha1-96-aes128',
  16: 'hmac-sha1-96-aes256',
  17: 'cmac-camellia128',
  18: 'cmac-camellia256',
  19: 'hmac-sha256-128-aes128',
  20: 'hmac-sha384-192-aes256',
  [-138]: 'hmac-md5-arcfour',
  [-137]: 'md5-hmac-arcfour',
  0x8003: 'gssapi',
}

/** The checksum type's name, or `cksumtype-<n>`. */
export function checksumTypeName(ctype: number): string {
  return ChecksumTypeNames[ctype] ?? `cksumtype-${ctype}`
}

/** Key usage numbers (RFC 4120 §7.5.1, RFC 4121 §2, RFC 6113 §5.4). */
export const KeyUsage = {
  AS_REQ_PA_ENC_TIMESTAMP: 1,
  KDC_REP_TICKET: 2,
  AS_REP_ENCPART: 3,
  TGS_REQ_AD_SESSKEY: 4,
  TGS_REQ_AD_SUBKEY: 5,
  TGS_REQ_AUTH_CKSUM: 6,
  TGS_REQ_AUTH: 7,
  TGS_REP_ENCPART_SESSKEY: 8,
  TGS_REP_ENCPART_SUBKEY: 9,
  AP_REQ_AUTH_CKSUM: 10,
  AP_REQ_AUTH: 11,
  AP_REP_ENCPART: 12,
  KRB_PRIV_ENCPART: 13,
  KRB_CRED_ENCPART: 14,
  KRB_SAFE_CKSUM: 15,
  AD_KDCISSUED_CKSUM: 19,
  GSS_ACCEPTOR_SEAL: 22,
  GSS_ACCEPTOR_SIGN: 23,
  GSS_INITIATOR_SEAL: 24,
  GSS_INITIATOR_SIGN: 25,
  FAST_REQ_CHKSUM: 50,
  FAST_ENC: 51,
  FAST_REP: 52,
  FAST_FINISHED: 53,
  ENC_CHALLENGE_CLIENT: 54,
  ENC_CHALLENGE_KDC: 55,
  /** RFC 6806 §11: the KDC's checksum over the AS-REQ in PA-REQ-ENC-PA-REP (KEY_USAGE_AS_REQ). */
  AS_REQ: 56,
} as const
export type KeyUsage = (typeof KeyUsage)[keyof typeof KeyUsage]

/** Principal name types (RFC 4120 §6.2, MS-KILE). */
export const NameType = {
  UNKNOWN: 0,
  PRINCIPAL: 1,
  SRV_INST: 2,
  SRV_HST: 3,
  SRV_XHST: 4,
  UID: 5,
  X500_PRINCIPAL: 6,
  SMTP_NAME: 7,
  ENTERPRISE: 10,
  WELLKNOWN: 11,
  MS_PRINCIPAL: -128,
  MS_PRINCIPAL_AND_ID: -129,
  ENT_PRINCIPAL_AND_ID: -130,
} as const
export type NameType = (typeof NameType)[keyof typeof NameType]

/** Message types, which are also the APPLICATION tags of the messages (RFC 4120 §5.10). */
export const MessageType = {
  AS_REQ: 10,
  AS_REP: 11,
  TGS_REQ: 12,
  TGS_REP: 13,
  AP_REQ: 14,
  AP_REP: 15,
  KRB_SAFE: 20,
  KRB_PRIV: 21,
  KRB_CRED: 22,
  KRB_ERROR: 30,
} as const
export type MessageType = (typeof MessageType)[keyof typeof MessageType]

/** APPLICATION tags of the non-message types (RFC 4120 §5.10). */
export const ApplicationTag = {
  TICKET: 1,
  AUTHENTICATOR: 2,
  ENC_TICKET_PART: 3,
  ENC_AS_REP_PART: 25,
  ENC_TGS_REP_PART: 26,
  ENC_AP_REP_PART: 27,
  ENC_KRB_PRIV_PART: 28,
  ENC_KRB_CRED_PART: 29,
} as const
export type ApplicationTag = (typeof ApplicationTag)[keyof typeof ApplicationTag]

/** PA-DATA types (RFC 4120 §7.5.2, RFC 6113, RFC 6806, MS-KILE, MS-SFU). */
export const PADataType = {
  TGS_REQ: 1,
  ENC_TIMESTAMP: 2,
  PW_SALT: 3,
  ENC_UNIX_TIME: 5,
  SANDIA_SECUREID: 6,
  SESAME: 7,
  OSF_DCE: 8,
  CYBERSAFE_SECUREID: 9,
  AFS3_SALT: 10,
  ETYPE_INFO: 11,
  SAM_CHALLENGE: 12,
  SAM_RESPONSE: 13,
  PK_AS_REQ_OLD: 14,
  PK_AS_REP_OLD: 15,
  PK_AS_REQ: 16,
  PK_AS_REP: 17,
  ETYPE_INFO2: 19,
  SVR_REFERRAL_INFO: 20,
  USE_SPECIFIED_KVNO: 20,
  SAM_REDIRECT: 21,
  GET_FROM_TYPED_DATA: 22,
  PAC_REQUEST: 128,
  FOR_USER: 129,
  FOR_X509_USER: 130,
  FX_COOKIE: 133,
  AUTHENTICATION_SET: 134,
  AUTH_SET_SELECTED: 135,
  FX_FAST: 136,
  FX_ERROR: 137,
  ENCRYPTED_CHALLENGE: 138,
  OTP_CHALLENGE: 141,
  OTP_REQUEST: 142,
  OTP_PIN_CHANGE: 144,
  EPAK_AS_REQ: 145,
  EPAK_AS_REP: 146,
  PKINIT_KX: 147,
  PKU2U_NAME: 148,
  REQ_ENC_PA_REP: 149,
  AS_FRESHNESS: 150,
  SPAKE: 151,
  SUPPORTED_ENCTYPES: 165,
  EXTENDED_ERROR: 166,
  PAC_OPTIONS: 167,
} as const
export type PADataType = (typeof PADataType)[keyof typeof PADataType]

/** Authorization data types (RFC 4120 §7.5.4, MS-PAC). */
export const AuthorizationDataType = {
  IF_RELEVANT: 1,
  INTENDED_FOR_SERVER: 2,
  INTENDED_FOR_APPLICATION_CLASS: 3,
  KDC_ISSUED: 4,
  AND_OR: 5,
  MANDATORY_TICKET_EXTENSIONS: 6,
  IN_TICKET_EXTENSIONS: 7,
  MANDATORY_FOR_KDC: 8,
  INITIAL_VERIFIED_CAS: 9,
  OSF_DCE: 64,
  SESAME: 65,
  OSF_DCE_PKI_CERTID: 66,
  AUTHENTICATION_STRENGTH: 70,
  FX_FAST_ARMOR: 71,
  FX_FAST_USED: 72,
  WIN2K_PAC: 128,
  ETYPE_NEGOTIATION: 129,
  TOKEN_RESTRICTIONS: 141,
  LOCAL: 142,
  AP_OPTIONS: 143,
  TARGET_PRINCIPAL: 144,
  SIGNTICKET: 512,
} as const
export type AuthorizationDataType =
  (typeof AuthorizationDataType)[keyof typeof AuthorizationDataType]

/** Host address types (RFC 4120 §7.5.3). */
export const AddressType = {
  IPV4: 2,
  DIRECTIONAL: 3,
  CHAOSNET: 5,
  XNS: 6,
  ISO: 7,
  DECNET_PHASE_IV: 12,
  APPLETALK_DDP: 16,
  NETBIOS: 20,
  IPV6: 24,
} as const
export type AddressType = (typeof AddressType)[keyof typeof AddressType]

/** KDC option bit numbers (RFC 4120 §5.4.1; bit 0 is the most significant). */
export const KDCOptions = {
  FORWARDABLE: 1,
  FORWARDED: 2,
  PROXIABLE: 3,
  PROXY: 4,
  ALLOW_POSTDATE: 5,
  POSTDATED: 6,
  RENEWABLE: 8,
  OPT_HARDWARE_AUTH: 11,
  CONSTRAINED_DELEGATION: 14,
  CANONICALIZE: 15,
  REQUEST_ANONYMOUS: 16,
  DISABLE_TRANSITED_CHECK: 26,
  RENEWABLE_OK: 27,
  ENC_TKT_IN_SKEY: 28,
  RENEW: 30,
  VALIDATE: 31,
} as const
export type KDCOptions = (typeof KDCOptions)[keyof typeof KDCOptions]

/** Ticket flag bit numbers (RFC 4120 §5.3, RFC 6806 §11, RFC 6112). */
export const TicketFlags = {
  FORWARDABLE: 1,
  FORWARDED: 2,
  PROXIABLE: 3,
  PROXY: 4,
  MAY_POSTDATE: 5,
  POSTDATED: 6,
  INVALID: 7,
  RENEWABLE: 8,
  INITIAL: 9,
  PRE_AUTHENT: 10,
  HW_AUTHENT: 11,
  TRANSITED_POLICY_CHECKED: 12,
  OK_AS_DELEGATE: 13,
  ENC_PA_REP: 15,
  ANONYMOUS: 16,
} as const
export type TicketFlags = (typeof TicketFlags)[keyof typeof TicketFlags]

/** `klist -f` letters for ticket flag bits (MIT's order of display). */
export const TicketFlagLetters: readonly (readonly [number, string])[] = [
  [TicketFlags.FORWARDABLE, 'F'],
  [TicketFlags.FORWARDED, 'f'],
  [TicketFlags.PROXIABLE, 'P'],
  [TicketFlags.PROXY, 'p'],
  [TicketFlags.MAY_POSTDATE, 'D'],
  [TicketFlags.POSTDATED, 'd'],
  [TicketFlags.INVALID, 'i'],
  [TicketFlags.RENEWABLE, 'R'],
  [TicketFlags.INITIAL, 'I'],
  [TicketFlags.HW_AUTHENT, 'H'],
  [TicketFlags.PRE_AUTHENT, 'A'],
  [TicketFlags.TRANSITED_POLICY_CHECKED, 'T'],
  [TicketFlags.OK_AS_DELEGATE, 'O'],
  [TicketFlags.ANONYMOUS, 'a'],
]

/** AP option bit numbers (RFC 4120 §5.5.1). */
export const APOptions = {
  USE_SESSION_KEY: 1,
  MUTUAL_REQUIRED: 2,
} as const
export type APOptions = (typeof APOptions)[keyof typeof APOptions]

/** Error codes with their RFC names (RFC 4120 §7.5.9, RFC 6113 §5.4.3, RFC 4556). */
export const ErrorCodeNames: Readonly<Record<number, string>> = {
  0: 'KDC_ERR_NONE',
  1: 'KDC_ERR_NAME_EXP',
  2: 'KDC_ERR_SERVICE_EXP',
  3: 'KDC_ERR_BAD_PVNO',
  4: 'KDC_ERR_C_OLD_MAST_KVNO',
  5: 'KDC_ERR_S_OLD_MAST_KVNO',
  6: 'KDC_ERR_C_PRINCIPAL_UNKNOWN',
  7: 'KDC_ERR_S_PRINCIPAL_UNKNOWN',
  8: 'KDC_ERR_PRINCIPAL_NOT_UNIQUE',
  9: 'KDC_ERR_NULL_KEY',
  10: 'KDC_ERR_CANNOT_POSTDATE',
  11: 'KDC_ERR_NEVER_VALID',
  12: 'KDC_ERR_POLICY',
  13: 'KDC_ERR_BADOPTION',
  14: 'KDC_ERR_ETYPE_NOSUPP',
  15: 'KDC_ERR_SUMTYPE_NOSUPP',
  16: 'KDC_ERR_PADATA_TYPE_NOSUPP',
  17: 'KDC_ERR_TRTYPE_NOSUPP',
  18: 'KDC_ERR_CLIENT_REVOKED',
  19: 'KDC_ERR_SERVICE_REVOKED',
  20: 'KDC_ERR_TGT_REVOKED',
  21: 'KDC_ERR_CLIENT_NOTYET',
  22: 'KDC_ERR_SERVICE_NOTYET',
  23: 'KDC_ERR_KEY_EXPIRED',
  24: 'KDC_ERR_PREAUTH_FAILED',
  25: 'KDC_ERR_PREAUTH_REQUIRED',
  26: 'KDC_ERR_SERVER_NOMATCH',
  27: 'KDC_ERR_MUST_USE_USER2USER',
  28: 'KDC_ERR_PATH_NOT_ACCEPTED',
  29: 'KDC_ERR_SVC_UNAVAILABLE',
  31: 'KRB_AP_ERR_BAD_INTEGRITY',
  32: 'KRB_AP_ERR_TKT_EXPIRED',
  33: 'KRB_AP_ERR_TKT_NYV',
  34: 'KRB_AP_ERR_REPEAT',
  35: 'KRB_AP_ERR_NOT_US',
  36: 'KRB_AP_ERR_BADMATCH',
  37: 'KRB_AP_ERR_SKEW',
  38: 'KRB_AP_ERR_BADADDR',
  39: 'KRB_AP_ERR_BADVERSION',
  40: 'KRB_AP_ERR_MSG_TYPE',
  41: 'KRB_AP_ERR_MODIFIED',
  42: 'KRB_AP_ERR_BADORDER',
  44: 'KRB_AP_ERR_BADKEYVER',
  45: 'KRB_AP_ERR_NOKEY',
  46: 'KRB_AP_ERR_MUT_FAIL',
  47: 'KRB_AP_ERR_BADDIRECTION',
  48: 'KRB_AP_ERR_METHOD',
  49: 'KRB_AP_ERR_BADSEQ',
  50: 'KRB_AP_ERR_INAPP_CKSUM',
  51: 'KRB_AP_PATH_NOT_ACCEPTED',
  52: 'KRB_ERR_RESPONSE_TOO_BIG',
  60: 'KRB_ERR_GENERIC',
  61: 'KRB_ERR_FIELD_TOOLONG',
  62: 'KDC_ERROR_CLIENT_NOT_TRUSTED',
  63: 'KDC_ERROR_KDC_NOT_TRUSTED',
  64: 'KDC_ERROR_INVALID_SIG',
  65: 'KDC_ERR_KEY_TOO_WEAK',
  66: 'KDC_ERR_CERTIFICATE_MISMATCH',
  67: 'KRB_AP_ERR_NO_TGT',
  68: 'KDC_ERR_WRONG_REALM',
  69: 'KRB_AP_ERR_USER_TO_USER_REQUIRED',
  70: 'KDC_ERR_CANT_VERIFY_CERTIFICATE',
  71: 'KDC_ERR_INVALID_CERTIFICATE',
  72: 'KDC_ERR_REVOKED_CERTIFICATE',
  73: 'KDC_ERR_REVOCATION_STATUS_UNKNOWN',
  74: 'KDC_ERR_REVOCATION_STATUS_UNAVAILABLE',
  75: 'KDC_ERR_CLIENT_NAME_MISMATCH',
  76: 'KDC_ERR_KDC_NAME_MISMATCH',
  90: 'KDC_ERR_PREAUTH_EXPIRED',
  91: 'KDC_ERR_MORE_PREAUTH_DATA_REQUIRED',
  92: 'KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET',
  93: 'KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS',
}

/** Error numbers by name, for code that branches on them. */
export const KRBErrorCode = {
  KDC_ERR_C_PRINCIPAL_UNKNOWN: 6,
  KDC_ERR_S_PRINCIPAL_UNKNOWN: 7,
  KDC_ERR_BADOPTION: 13,
  KDC_ERR_ETYPE_NOSUPP: 14,
  KDC_ERR_PADATA_TYPE_NOSUPP: 16,
  KDC_ERR_CLIENT_REVOKED: 18,
  KDC_ERR_KEY_EXPIRED: 23,
  KDC_ERR_PREAUTH_FAILED: 24,
  KDC_ERR_PREAUTH_REQUIRED: 25,
  KRB_AP_ERR_BAD_INTEGRITY: 31,
  KRB_AP_ERR_TKT_EXPIRED: 32,
  KRB_AP_ERR_TKT_NYV: 33,
  KRB_AP_ERR_REPEAT: 34,
  KRB_AP_ERR_NOT_US: 35,
  KRB_AP_ERR_BADMATCH: 36,
  KRB_AP_ERR_SKEW: 37,
  KRB_AP_ERR_BADVERSION: 39,
  KRB_AP_ERR_MSG_TYPE: 40,
  KRB_AP_ERR_MODIFIED: 41,
  KRB_AP_ERR_BADKEYVER: 44,
  KRB_AP_ERR_NOKEY: 45,
  KRB_AP_ERR_MUT_FAIL: 46,
  KRB_ERR_RESPONSE_TOO_BIG: 52,
  KRB_ERR_GENERIC: 60,
  KDC_ERR_WRONG_REALM: 68,
  KDC_ERR_MORE_PREAUTH_DATA_REQUIRED: 91,
} as const
export type KRBErrorCode = (typeof KRBErrorCode)[keyof typeof KRBErrorCode]

/** The RFC name of an error number, or `UNKNOWN_<n>`. */
export function errorCodeName(code: number): string {
  return ErrorCodeNames[code] ?? `UNKNOWN_${code}`
}
