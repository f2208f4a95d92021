/**
 * The DER writer: one buffer filled from the end, so each header is written after its contents,
 * when its length is known.
 *
 * @module
 */
import { Tag, encodeFail } from './der-common.js'
import { encodeKerberosStringBytes } from './der-text.js'

/**
 * A DER writer that fills one buffer from the end towards the start: write a structure's fields
 * last to first, then its header, whose length is then known. No intermediate buffers.
 */
export class DerWriter {
  buf: Uint8Array
  pos: number

  constructor(initialSize = 512) {
    this.buf = new Uint8Array(initialSize)
    this.pos = initialSize
  }

  /** Bytes written so far; a mark for {@link DerWriter.wrap}. */
  get size(): number {
    return this.buf.length - this.pos
  }

  private room(n: number): void {
    if (this.pos >= n) return
    const used = this.size
    let cap = this.buf.length * 2
    while (cap - used < n) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.buf.subarray(this.pos), cap - used)
    this.buf = next
    this.pos = cap - used
  }

  /** Prepend raw bytes. */
  bytes(b: Uint8Array): void {
    this.room(b.length)
    this.pos -= b.length
    this.buf.set(b, this.pos)
  }

  /** Prepend an identifier and a minimal length. */
  header(tag: number, len: number): void {
    this.room(6)
    const buf = this.buf
    if (len < 0x80) {
      buf[--this.pos] = len
    } else {
      let n = 0
      while (len > 0) {
        buf[--this.pos] = len & 0xff
        len = Math.floor(len / 256)
        n++
      }
      buf[--this.pos] = 0x80 | n
    }
    buf[--this.pos] = tag
  }

  /** Prepend the header of an element whose contents are everything written since `mark`. */
  wrap(tag: number, mark: number): void {
    this.header(tag, this.size - mark)
  }

  /** INTEGER in [-2^31, 2^32 - 1], minimal two's complement. */
  integer(v: number): void {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
      encodeFail(`expected a 32-bit integer, got ${String(v)}`)
    }
    let n: number
    if (v >= 0) n = v < 0x80 ? 1 : v < 0x8000 ? 2 : v < 0x800000 ? 3 : v < 0x80000000 ? 4 : 5
    else n = v >= -0x80 ? 1 : v >= -0x8000 ? 2 : v >= -0x800000 ? 3 : 4
    this.room(n + 2)
    let x = v
    for (let i = 0; i < n; i++) {
      this.buf[--this.pos] = x & 0xff
      x = Math.floor(x / 256)
    }
    this.buf[--this.pos] = n
    this.buf[--this.pos] = Tag.INTEGER
  }

  /** Int32. */
  int32(v: number): void {
    if (v > 0x7fffffff) encodeFail(`expected an Int32, got ${v}`)
    this.integer(v)
  }

  /** UInt32. */
  uint32(v: number): void {
    if (v < 0) encodeFail(`expected a UInt32, got ${v}`)
    this.integer(v)
  }

  /** OCTET STRING. */
  octets(b: Uint8Array): void {
    if (!(b instanceof Uint8Array)) throw new TypeError('expected a Uint8Array')
    this.bytes(b)
    this.header(Tag.OCTET_STRING, b.length)
  }

  /** KerberosString (GeneralString). ASCII is written in place; anything else goes through UTF-8. */
  kstring(s: string): void {
    if (typeof s !== 'string') throw new TypeError(`expected a string, got ${typeof s}`)
    const n = s.length
    let ascii = true
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false
        break
      }
    }
    if (!ascii) {
      const b = encodeKerberosStringBytes(s)
      this.bytes(b)
      this.header(Tag.GENERAL_STRING, b.length)
      return
    }
    this.room(n)
    for (let i = n - 1; i >= 0; i--) this.buf[--this.pos] = s.charCodeAt(i)
    this.header(Tag.GENERAL_STRING, n)
  }

  /** BOOLEAN (0xFF for TRUE). */
  boolean(v: boolean): void {
    this.room(3)
    this.buf[--this.pos] = v ? 0xff : 0
    this.buf[--this.pos] = 1
    this.buf[--this.pos] = Tag.BOOLEAN
  }

  /** KerberosTime, whole seconds (milliseconds are dropped). */
  time(d: Date): void {
    if (!(d instanceof Date)) throw new TypeError('expected a Date')
    if (!Number.isFinite(d.getTime())) encodeFail('cannot encode an invalid Date as KerberosTime')
    const year = d.getUTCFullYear()
    if (year < 0 || year > 9999) encodeFail(`year ${year} does not fit in KerberosTime`)
    this.room(17)
    const buf = this.buf
    buf[--this.pos] = 0x5a
    const put2 = (v: number): void => {
      buf[--this.pos] = 0x30 + (v % 10)
      buf[--this.pos] = 0x30 + Math.floor(v / 10)
    }
    put2(d.getUTCSeconds())
    put2(d.getUTCMinutes())
    put2(d.getUTCHours())
    put2(d.getUTCDate())
    put2(d.getUTCMonth() + 1)
    put2(year % 100)
    put2(Math.floor(year / 100))
    buf[--this.pos] = 15
    buf[--this.pos] = Tag.GENERALIZED_TIME
  }

  /** KerberosFlags as a 32-bit BIT STRING (RFC 4120 §5.2.8: at least 32 bits). */
  flags(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
      encodeFail(`expected 32-bit flags, got ${String(v)}`)
    this.room(7)
    let x = v
    for (let i = 0; i < 4; i++) {
      this.buf[--this.pos] = x & 0xff
      x = Math.floor(x / 256)
    }
    this.buf[--this.pos] = 0
    this.buf[--this.pos] = 5
    this.buf[--this.pos] = Tag.BIT_STRING
  }

  /** The bytes written, as a new array. */
  finish(): Uint8Array {
    return this.buf.slice(this.pos)
  }
}

let shared: DerWriter | undefined
let sharedBusy = false

/**
 * Encode with `write`. One module-level writer is reused so that an encode allocates only its
 * result; the bytes it held (key material included) are zeroed after each use. A nested call
 * (not made by the codec itself) gets a fresh writer.
 */
export function encodeWith<T>(value: T, write: (w: DerWriter, v: T) => void): Uint8Array {
  if (sharedBusy) {
    const w = new DerWriter()
    write(w, value)
    return w.finish()
  }
  sharedBusy = true
  const w = (shared ??= new DerWriter(4096))
  w.pos = w.buf.length
  try {
    write(w, value)
    return w.finish()
  } finally {
    w.buf.fill(0, w.pos)
    if (w.buf.length > 65536) shared = undefined
    sharedBusy = false
  }
}

/** Write `[n]` around what `write` writes. */
export function writeField<T>(
  w: DerWriter,
  n: number,
  v: T,
  write: (w: DerWriter, v: T) => void,
): void {
  const m = w.size
  write(w, v)
  w.wrap(0xa0 | n, m)
}

/** Write `[n]` when `v` is defined. */
export function writeOpt<T>(
  w: DerWriter,
  n: number,
  v: T | undefined,
  write: (w: DerWriter, v: T) => void,
): void {
  if (v !== undefined) writeField(w, n, v, write)
}

/** Write `SEQUENCE OF`: elements last to first. */
export function writeSeqOf<T>(
  w: DerWriter,
  items: readonly T[],
  write: (w: DerWriter, v: T) => void,
): void {
  const m = w.size
  for (let i = items.length - 1; i >= 0; i--) write(w, items[i]!)
  w.wrap(Tag.SEQUENCE, m)
}

// Element writers, shared so no closures are made per call.
export const wInt32 = (w: DerWriter, v: number): void => w.int32(v)
export const wUInt32 = (w: DerWriter, v: number): void => w.uint32(v)
export const wOctets = (w: DerWriter, v: Uint8Array): void => w.octets(v)
export const wString = (w: DerWriter, v: string): void => w.kstring(v)
export const wTime = (w: DerWriter, v: Date): void => w.time(v)
export const wFlags = (w: DerWriter, v: number): void => w.flags(v)
export const wBoolean = (w: DerWriter, v: boolean): void => w.boolean(v)
