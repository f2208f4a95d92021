/**
 * The enctype registry and the process-wide backend choice.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import { describeEncType } from '../iana.js'
import { aes128CtsHmacSha256128, aes256CtsHmacSha384192 } from './aes-sha2.js'
import type { CryptoBackend } from './backend.js'
import type { EncryptionProfile } from './profile.js'
import { pureBackend } from './pure-backend.js'
import { arcfourHmac, arcfourHmacExp } from './rc4-hmac.js'
import {
  aes128CtsHmacSha196,
  aes256CtsHmacSha196,
  camellia128CtsCmac,
  camellia256CtsCmac,
} from './simplified.js'

/** Options every crypto call takes. */
export interface CryptoOptions {
  /** Allow the RC4-based enctypes (23, 24) and their checksums. Off by default. */
  readonly allowWeak?: boolean
  /** The backend for this call; default: the one set with {@link setCryptoBackend} (pure). */
  readonly backend?: CryptoBackend
}

const PROFILES: ReadonlyMap<number, EncryptionProfile> = new Map(
  [
    aes128CtsHmacSha196,
    aes256CtsHmacSha196,
    aes128CtsHmacSha256128,
    aes256CtsHmacSha384192,
    arcfourHmac,
    arcfourHmacExp,
    camellia128CtsCmac,
    camellia256CtsCmac,
  ].map((p) => [p.etype, p]),
)

let currentBackend: CryptoBackend = pureBackend

/**
 * Choose the backend used when a call passes no `backend` option (process-wide).
 *
 * @example
 * ```ts
 * import { setCryptoBackend } from 'kerberos-ts/crypto'
 * import { nodeBackend } from 'kerberos-ts/node'
 * setCryptoBackend(nodeBackend)
 * ```
 */
export function setCryptoBackend(backend: CryptoBackend): void {
  if (
    typeof backend?.aes !== 'function' ||
    typeof backend.hmac !== 'function' ||
    typeof backend.pbkdf2 !== 'function'
  ) {
    throw new TypeError('expected a CryptoBackend with aes, camellia, hmac and pbkdf2')
  }
  currentBackend = backend
}

/** The backend a call with `options` uses. */
export function getCryptoBackend(options?: CryptoOptions): CryptoBackend {
  return options?.backend ?? currentBackend
}

/**
 * The profile for `etype`. DES/DES3 and unknown numbers throw ERR_KRB_UNSUPPORTED_ENCTYPE; RC4
 * (23, 24) throws ERR_KRB_WEAK_CRYPTO unless `allowWeak` is set.
 *
 * @example
 * ```ts
 * getProfile(18).overhead // 28
 * getProfile(23, { allowWeak: true }).name // 'arcfour-hmac'
 * ```
 */
export function getProfile(etype: number, options?: CryptoOptions): EncryptionProfile {
  const profile = PROFILES.get(etype)
  if (profile === undefined) {
    throw new KerberosError(
      ErrorCodes.UNSUPPORTED_ENCTYPE,
      `unsupported enctype ${describeEncType(etype)}`,
      {
        context: { enctype: etype },
      },
    )
  }
  if (profile.weak && options?.allowWeak !== true) {
    throw new KerberosError(
      ErrorCodes.WEAK_CRYPTO,
      `weak enctype ${describeEncType(etype)} refused; pass allowWeak: true to use it (allowWeakCrypto: true for an Acceptor, KerberosClient or GSS context)`,
      { context: { enctype: etype } },
    )
  }
  return profile
}

/**
 * True when {@link getProfile} would succeed with these options.
 *
 * @example
 * ```ts
 * isEnctypeSupported(18) // true
 * isEnctypeSupported(23) // false (weak); isEnctypeSupported(23, { allowWeak: true }) // true
 * isEnctypeSupported(16) // false (DES3 is not implemented)
 * ```
 */
export function isEnctypeSupported(etype: number, options?: CryptoOptions): boolean {
  const profile = PROFILES.get(etype)
  return profile !== undefined && (!profile.weak || options?.allowWeak === true)
}

/** Every implemented enctype number, strongest first (weak ones only with `allowWeak`). */
export function supportedEnctypes(options?: CryptoOptions): number[] {
  return [20, 19, 18, 17, 26, 25, 23, 24].filter((e) => isEnctypeSupported(e, options))
}
