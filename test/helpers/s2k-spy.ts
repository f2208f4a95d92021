/**
 * A crypto backend that counts the PBKDF2 runs (sync and async) made for one password: how many
 * password keys a login derived. Derivations for other passwords (a hostile KDC's own keys in the
 * same process) are not counted.
 */
import type { CryptoBackend } from '../../src/crypto/index.js'
import { toHex, utf8 } from '../../src/internal/bytes.js'

/** A counting backend over `base`. */
export interface S2KSpy {
  readonly backend: CryptoBackend
  /** PBKDF2 runs for the password (each one string-to-key). */
  readonly count: number
  /** Their iteration counts, in order. */
  readonly iterations: readonly number[]
  reset(): void
}

/** Count `base`'s PBKDF2 runs for `password`; keeps `pbkdf2Async` only when `base` has it. */
export function s2kSpy(base: CryptoBackend, password: string): S2KSpy {
  const pw = toHex(utf8(password))
  const seen: number[] = []
  const note = (p: Uint8Array, iterations: number): void => {
    if (toHex(p) === pw) seen.push(iterations)
  }
  const backend: CryptoBackend = {
    name: `${base.name}+spy`,
    aes: (k) => base.aes(k),
    camellia: (k) => base.camellia(k),
    hmac: (h, k) => base.hmac(h, k),
    pbkdf2: (hash, p, salt, iterations, length) => {
      note(p, iterations)
      return base.pbkdf2(hash, p, salt, iterations, length)
    },
    ...(base.pbkdf2Async !== undefined
      ? {
          pbkdf2Async: (hash, p, salt, iterations, length) => {
            note(p, iterations)
            return base.pbkdf2Async!(hash, p, salt, iterations, length)
          },
        }
      : {}),
  }
  return {
    backend,
    get count() {
      return seen.length
    },
    get iterations() {
      return [...seen]
    },
    reset() {
      seen.length = 0
    },
  }
}
