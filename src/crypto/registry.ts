/**
 * The enctype registry and the process-wide backend choice.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import { describeEncType } from '../iana.js'
import type { CryptoBackend } from './backend.js'
import { allEnctypes } from './enctypes.js'
import type { EncryptionProfile } from './profile.js'
import { installPurePrimitives, pureBackend } from './pure-backend.js'

/** Set to `true` by a bundler's `define` for a lean build (docs/bundling.md); absent otherwise. */
declare const __KERBEROS_TS_LEAN__: boolean | undefined

/** Options every crypto call takes. */
export interface CryptoOptions {
  /** Allow the RC4-based enctypes (23, 24) and their checksums. Off by default. */
  readonly allowWeak?: boolean
  /** The backend for this call; default: the one set with {@link setCryptoBackend} (pure). */
  readonly backend?: CryptoBackend
}

const PROFILES = new Map<number, EncryptionProfile>()

const PROFILE_FUNCTIONS = [
  'stringToKey',
  'randomToKey',
  'encrypt',
  'decrypt',
  'checksum',
  'prf',
] as const

/**
 * Make enctypes available process-wide (to the crypto functions and everything built on them:
 * Acceptor, KerberosClient, GSS contexts, keytabs). Every implemented enctype is registered by
 * default; a lean build (docs/bundling.md) starts with none, and the application registers the
 * ones it uses, so the others are left out of its bundle. Registering brings in the enctype's
 * pure-backend primitives. The weak RC4 enctypes stay refused without `allowWeak`.
 *
 * An enctype number can be registered once: registering a different profile for it throws
 * (a TypeError), the same profile again does nothing.
 *
 * @example
 * ```ts
 * import { registerEnctypes, aes256CtsHmacSha196, aes128CtsHmacSha196 } from 'kerberos-ts/crypto'
 * registerEnctypes(aes256CtsHmacSha196, aes128CtsHmacSha196)
 * ```
 */
export function registerEnctypes(...profiles: readonly EncryptionProfile[]): void {
  for (const p of profiles) {
    if (
      typeof p !== 'object' ||
      p === null ||
      !Number.isSafeInteger(p.etype) ||
      typeof p.name !== 'string' ||
      PROFILE_FUNCTIONS.some((f) => typeof p[f] !== 'function')
    ) {
      throw new TypeError('expected EncryptionProfile objects (e.g. aes256CtsHmacSha196)')
    }
    const had = PROFILES.get(p.etype)
    if (had === p) continue
    if (had !== undefined) {
      throw new TypeError(`enctype ${describeEncType(p.etype)} is already registered`)
    }
  }
  for (const p of profiles) {
    if (p.purePrimitives !== undefined) installPurePrimitives(p.purePrimitives)
    PROFILES.set(p.etype, p)
  }
}

/** The profiles registered now (every implemented one by default), in registration order. */
export function registeredEnctypes(): EncryptionProfile[] {
  return [...PROFILES.values()]
}

// The default: every enctype. A lean build (the bundler defines __KERBEROS_TS_LEAN__ as true)
// drops this list, and the profiles it names unless the application registers them.
registerEnctypes(
  ...(typeof __KERBEROS_TS_LEAN__ !== 'undefined' && __KERBEROS_TS_LEAN__ ? [] : allEnctypes),
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
