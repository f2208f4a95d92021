/**
 * Every implemented enctype profile, for {@link registerEnctypes} in a lean build
 * (docs/bundling.md). Importing one profile brings in only its own code.
 *
 * @module
 */
import { aes128CtsHmacSha256128, aes256CtsHmacSha384192 } from './aes-sha2.js'
import { camellia128CtsCmac, camellia256CtsCmac } from './camellia-cts.js'
import type { EncryptionProfile } from './profile.js'
import { arcfourHmac, arcfourHmacExp } from './rc4-hmac.js'
import { aes128CtsHmacSha196, aes256CtsHmacSha196 } from './simplified.js'

export {
  aes128CtsHmacSha196,
  aes256CtsHmacSha196,
  aes128CtsHmacSha256128,
  aes256CtsHmacSha384192,
  camellia128CtsCmac,
  camellia256CtsCmac,
  arcfourHmac,
  arcfourHmacExp,
}

/**
 * Every implemented enctype (what is registered by default): aes-sha1, aes-sha2, camellia and
 * the weak rc4-hmac pair (still refused without `allowWeak`).
 */
export const allEnctypes: readonly EncryptionProfile[] = [
  aes128CtsHmacSha196,
  aes256CtsHmacSha196,
  aes128CtsHmacSha256128,
  aes256CtsHmacSha384192,
  arcfourHmac,
  arcfourHmacExp,
  camellia128CtsCmac,
  camellia256CtsCmac,
]
