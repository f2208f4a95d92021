/**
 * Bytes kept only so a file round-trips: hole contents, unparsed record tails. They may hold old
 * key material (a deleted keytab entry), so no printable form shows them.
 *
 * @module
 */

/**
 * A byte string that prints as its length only (`toString`, `JSON.stringify`, `util.inspect`).
 *
 * @example
 * ```ts
 * String(new OpaqueBytes(new Uint8Array(12))) // 'OpaqueBytes(12 bytes)'
 * ```
 */
export class OpaqueBytes {
  #bytes: Uint8Array

  /** Wraps `bytes` without copying. */
  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('expected a Uint8Array')
    this.#bytes = bytes
  }

  /** The bytes. */
  get bytes(): Uint8Array {
    return this.#bytes
  }

  /** Length in bytes. */
  get length(): number {
    return this.#bytes.length
  }

  toString(): string {
    return `OpaqueBytes(${this.#bytes.length} bytes)`
  }

  toJSON(): { length: number } {
    return { length: this.#bytes.length }
  }

  static {
    Object.defineProperty(this.prototype, Symbol.for('nodejs.util.inspect.custom'), {
      value(this: OpaqueBytes): string {
        return this.toString()
      },
    })
  }
}
