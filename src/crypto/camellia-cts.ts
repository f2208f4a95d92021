/**
 * camellia128/256-cts-cmac (RFC 6803, etypes 25, 26): the simplified profile of ./simplified.ts
 * with Camellia, the CMAC feedback KDF and CMAC for integrity. In its own module so an
 * application that registers only the AES enctypes carries none of it.
 *
 * @module
 */
import { utf8 } from '../internal/bytes.js'
import { CMAC, kdfFeedbackCmac, usageConstant } from './kdf.js'
import { concat, type EncryptionProfile } from './profile.js'
import { camelliaPrimitives } from './pure-extras.js'
import { makeProfile, type Family } from './simplified.js'

const CAMELLIA: Family = {
  macLength: 16,
  defaultIterations: 32768,
  prepare: (backend, key) => backend.camellia(key),
  derive: (base, constant, length) => kdfFeedbackCmac(base, constant, length * 8),
  // The CMAC KDF takes the usage constant as is.
  constant: usageConstant,
  mac: (backend, key) => new CMAC(backend.camellia(key)),
  // RFC 6803 §4: the enctype name and a zero octet before the salt (PBKDF2 stays HMAC-SHA1).
  salt: (name, salt) => concat(utf8(name), new Uint8Array(1), salt),
  // RFC 6803 §5: CMAC(DK(key, "prf"), input).
  prf: (prfKey, input) => new CMAC(prfKey).digest(input),
}

/** camellia128-cts-cmac (25). */
export const camellia128CtsCmac: EncryptionProfile = /* @__PURE__ */ makeProfile(
  CAMELLIA,
  25,
  'camellia128-cts-cmac',
  16,
  17,
  camelliaPrimitives,
)
/** camellia256-cts-cmac (26). */
export const camellia256CtsCmac: EncryptionProfile = /* @__PURE__ */ makeProfile(
  CAMELLIA,
  26,
  'camellia256-cts-cmac',
  32,
  18,
  camelliaPrimitives,
)
