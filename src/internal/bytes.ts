/**
 * Byte handling shared by every binary format: one bounds-checked reader with labelled reads,
 * one growable writer, constant-time comparison and hex/UTF-8 helpers.
 *
 * @module
 */
import { KerberosError, type ErrorCode } from '../errors.js'

/** Options for {@link ByteReader}. */
export interface ByteReaderOptions {
  /** The error code thrown when a read runs past the end (e.g. `ERR_KRB_KEYTAB_FORMAT`). */
  readonly code: ErrorCode
  /** What is being read, for messages: `keytab`, `ccache`, ... */
  readonly what: string
  /** Read multi-byte integers little-endian (keytab 0x0501 on little-endian hosts). */
  readonly littleEndian?: boolean
  /** Offset of `bytes[0]` in the whole input, so errors report absolute offsets. */
  readonly baseOffset?: number
}

/**
 * A bounds-checked reader. Every read names what it reads; running past the end throws a
 * {@link KerberosError} with the configured code, the label and the absolute offset. Reads of
 * byte strings return views (`subarray`), so a length field never causes an allocation.
 */
export class ByteReader {
  readonly bytes: Uint8Array
  readonly options: ByteReaderOptions
  #pos = 0
  #view: DataView

  constructor(bytes: Uint8Array, options: ByteReaderOptions) {
    this.bytes = bytes
    this.options = options
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  /** Position relative to the start of this reader. */
  get position(): number {
    return this.#pos
  }

  /** Absolute offset in the whole input (for error messages). */
  get offset(): number {
    return (this.options.baseOffset ?? 0) + this.#pos
  }

  /** Bytes left. */
  get remaining(): number {
    return this.bytes.length - this.#pos
  }

  /** True when everything was read. */
  get atEnd(): boolean {
    return this.#pos >= this.bytes.length
  }

  /** Throw a format error at the current offset. */
  fail(message: string, context: Record<string, unknown> = {}): never {
    throw new KerberosError(
      this.options.code,
      `${this.options.what}: ${message} at offset ${this.offset}`,
      { context: { offset: this.offset, ...context } },
    )
  }

  #need(n: number, label: string): void {
    if (n < 0 || n > this.remaining) {
      this.fail(`${label} needs ${n} bytes but ${this.remaining} remain`, { label })
    }
  }

  u8(label: string): number {
    this.#need(1, label)
    return this.bytes[this.#pos++]!
  }

  u16(label: string): number {
    this.#need(2, label)
    const v = this.#view.getUint16(this.#pos, this.options.littleEndian)
    this.#pos += 2
    return v
  }

  /** A 16-bit value always big-endian, whatever the reader's byte order. */
  u16be(label: string): number {
    this.#need(2, label)
    const v = this.#view.getUint16(this.#pos, false)
    this.#pos += 2
    return v
  }

  i16(label: string): number {
    this.#need(2, label)
    const v = this.#view.getInt16(this.#pos, this.options.littleEndian)
    this.#pos += 2
    return v
  }

  u32(label: string): number {
    this.#need(4, label)
    const v = this.#view.getUint32(this.#pos, this.options.littleEndian)
    this.#pos += 4
    return v
  }

  i32(label: string): number {
    this.#need(4, label)
    const v = this.#view.getInt32(this.#pos, this.options.littleEndian)
    this.#pos += 4
    return v
  }

  /** A view of the next `n` bytes (no copy). */
  bytesView(n: number, label: string): Uint8Array {
    this.#need(n, label)
    const out = this.bytes.subarray(this.#pos, this.#pos + n)
    this.#pos += n
    return out
  }

  /** A copy of the next `n` bytes (for values that outlive the input buffer). */
  bytesCopy(n: number, label: string): Uint8Array {
    return this.bytesView(n, label).slice()
  }

  /** Skip `n` bytes. */
  skip(n: number, label: string): void {
    this.#need(n, label)
    this.#pos += n
  }

  /** A reader over the next `n` bytes; this reader moves past them. */
  sub(n: number, label: string): ByteReader {
    const base = this.offset
    const view = this.bytesView(n, label)
    return new ByteReader(view, { ...this.options, baseOffset: base })
  }

  /** Check that a length-prefixed section was consumed exactly. */
  end(label: string): void {
    if (this.remaining !== 0) this.fail(`${label} has ${this.remaining} unexpected trailing bytes`)
  }
}

/** A growable writer. Multi-byte integers are big-endian unless `littleEndian` is set. */
export class ByteWriter {
  #buf: Uint8Array
  #view: DataView
  #len = 0
  readonly littleEndian: boolean

  constructor(initialSize = 256, options: { readonly littleEndian?: boolean } = {}) {
    this.#buf = new Uint8Array(Math.max(16, initialSize))
    this.#view = new DataView(this.#buf.buffer)
    this.littleEndian = options.littleEndian ?? false
  }

  get length(): number {
    return this.#len
  }

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return
    let size = this.#buf.length * 2
    while (size < this.#len + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.#buf.subarray(0, this.#len))
    this.#buf = next
    this.#view = new DataView(next.buffer)
  }

  u8(v: number): this {
    this.#ensure(1)
    this.#buf[this.#len++] = v & 0xff
    return this
  }

  u16(v: number): this {
    this.#ensure(2)
    this.#view.setUint16(this.#len, v, this.littleEndian)
    this.#len += 2
    return this
  }

  i16(v: number): this {
    this.#ensure(2)
    this.#view.setInt16(this.#len, v, this.littleEndian)
    this.#len += 2
    return this
  }

  u32(v: number): this {
    this.#ensure(4)
    this.#view.setUint32(this.#len, v >>> 0, this.littleEndian)
    this.#len += 4
    return this
  }

  i32(v: number): this {
    this.#ensure(4)
    this.#view.setInt32(this.#len, v | 0, this.littleEndian)
    this.#len += 4
    return this
  }

  bytes(b: Uint8Array): this {
    this.#ensure(b.length)
    this.#buf.set(b, this.#len)
    this.#len += b.length
    return this
  }

  /** Overwrite a 32-bit value at an earlier position (for length fields written afterwards). */
  patchI32(at: number, v: number): this {
    this.#view.setInt32(at, v | 0, this.littleEndian)
    return this
  }

  /** The bytes written so far (a copy trimmed to length). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len)
  }
}

/**
 * Compare two byte strings in time that depends only on their lengths. The one helper every
 * MAC and checksum comparison uses.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]
  return s
}

/** Parse hex (whitespace ignored). Throws `TypeError` on odd length or a bad digit. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '')
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new TypeError(`expected an even-length hex string, got ${clean.length} characters`)
  }
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16)
  return out
}

const encoder = new TextEncoder()
const strictDecoder = new TextDecoder('utf-8', { fatal: true })
const looseDecoder = new TextDecoder('utf-8')

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s)
}

/** Decode UTF-8; invalid sequences become U+FFFD unless `fatal` is set (then `null`). */
export function fromUtf8(bytes: Uint8Array): string
export function fromUtf8(bytes: Uint8Array, options: { readonly fatal: true }): string | null
export function fromUtf8(bytes: Uint8Array, options: { readonly fatal?: boolean }): string | null
export function fromUtf8(
  bytes: Uint8Array,
  options: { readonly fatal?: boolean } = {},
): string | null {
  if (!options.fatal) return looseDecoder.decode(bytes)
  try {
    return strictDecoder.decode(bytes)
  } catch {
    return null
  }
}

/** Concatenate byte strings. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Byte-wise equality (not constant-time; for non-secret data). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Standard base64 (with padding) of bytes, without `Buffer`. */
export function toBase64(bytes: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(bin)
}

/** Decode standard base64; returns `null` on malformed input. */
export function fromBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) return null
  try {
    const bin = atob(text)
    const out = new Uint8Array(bin.length)
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
    return out
  } catch {
    return null
  }
}

/** Random bytes from `globalThis.crypto` (the default `random` source everywhere). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let at = 0; at < n; at += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)))
  }
  return out
}

/** A source of random bytes; injectable so tests can freeze it. */
export type RandomSource = (n: number) => Uint8Array
