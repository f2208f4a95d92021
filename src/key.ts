/**
 * Key material that does not leak: {@link KerberosKey} keeps its bytes out of `toString`,
 * `JSON.stringify` and `util.inspect`, and can be wiped.
 *
 * @module
 */
import { describeEncType } from './iana.js'
import { constantTimeEqual } from './internal/bytes.js'

/**
 * An encryption key (RFC 4120 EncryptionKey: keytype + keyvalue). The bytes are reachable only
 * through {@link KerberosKey.bytes}; every printable form shows the enctype and length only.
 *
 * @example
 * ```ts
 * const key = new KerberosKey(18, keyBytes)
 * String(key) // 'KerberosKey(aes256-cts-hmac-sha1-96 (18), 32 bytes)'
 * key.wipe()
 * ```
 */
export class KerberosKey {
  /** The enctype (keytype) number. */
  readonly enctype: number
  #bytes: Uint8Array
  #wiped = false

  /** Wraps `bytes` without copying; pass a copy if the caller keeps using the buffer. */
  constructor(enctype: number, bytes: Uint8Array) {
    if (!Number.isInteger(enctype))
      throw new TypeError(`expected an integer enctype, got ${enctype}`)
    if (!(bytes instanceof Uint8Array)) throw new TypeError('expected key bytes as a Uint8Array')
    this.enctype = enctype
    this.#bytes = bytes
  }

  /** The raw key bytes. Handle with care: never log them. */
  get bytes(): Uint8Array {
    return this.#bytes
  }

  /** Key length in bytes. */
  get length(): number {
    return this.#bytes.length
  }

  /** True after {@link KerberosKey.wipe}. */
  get wiped(): boolean {
    return this.#wiped
  }

  /** Overwrite the key bytes with zeros. Derived keys cached for it are dropped by the crypto layer. */
  wipe(): void {
    this.#bytes.fill(0)
    this.#wiped = true
  }

  /** Same enctype and same bytes, compared in constant time. */
  equals(other: KerberosKey): boolean {
    return this.enctype === other.enctype && constantTimeEqual(this.#bytes, other.#bytes)
  }

  toString(): string {
    return `KerberosKey(${describeEncType(this.enctype)}, ${this.#bytes.length} bytes)`
  }

  toJSON(): { enctype: number; length: number; bytes: '[redacted]' } {
    return { enctype: this.enctype, length: this.#bytes.length, bytes: '[redacted]' }
  }

  static {
    // util.inspect's hook, installed without importing node:util (the core stays runtime-neutral).
    Object.defineProperty(this.prototype, Symbol.for('nodejs.util.inspect.custom'), {
      value(this: KerberosKey): string {
        return this.toString()
      },
    })
  }
}

/**
 * Bytes that may hold key material in clear (a KRB-CRED sent with etype 0 carries the delegated
 * TGT's session key in plain DER): a `Uint8Array` in every way, but `toString`, `JSON.stringify`
 * and `util.inspect` show only the length. Views made from it (`subarray`, `slice`) are
 * `RedactedBytes` too; copy into a plain `Uint8Array` only on purpose.
 *
 * @example
 * ```ts
 * const raw = RedactedBytes.copyOf(krbCredBytes)
 * JSON.stringify({ raw }) // '{"raw":"[redacted 812 bytes]"}'
 * ```
 */
export class RedactedBytes extends Uint8Array {
  /** A redacted copy of `bytes`. */
  static copyOf(bytes: Uint8Array): RedactedBytes {
    const out = new RedactedBytes(bytes.length)
    out.set(bytes)
    return out
  }

  override toString(): string {
    return `RedactedBytes(${this.length} bytes)`
  }

  toJSON(): string {
    return `[redacted ${this.length} bytes]`
  }

  static {
    Object.defineProperty(this.prototype, Symbol.for('nodejs.util.inspect.custom'), {
      value(this: RedactedBytes): string {
        return this.toString()
      },
    })
  }
}
