/**
 * The small DER layer under the Kerberos codec: a strict TLV reader with labelled errors and
 * absolute byte offsets, and a writer that fills one buffer back to front.
 *
 * Strictness (what the reader refuses): indefinite lengths, length fields longer than 4 bytes,
 * lengths that run past the enclosing element, high tag numbers (≥ 31, unused by Kerberos),
 * a wrong tag where the schema expects another, bytes left over inside a structure, nesting
 * deeper than {@link MAX_DEPTH}. What it tolerates (because real KDCs send it, or because
 * BER-minded encoders do): non-minimal length and INTEGER encodings.
 *
 * @module
 */
import { KerberosError, ErrorCodes } from '../errors.js'

/** Deepest nesting the reader follows; the RFC 4120 schema needs about 12. */
export const MAX_DEPTH = 32

/** Identifier octets used by the codec. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  GENERALIZED_TIME: 0x18,
  GENERAL_STRING: 0x1b,
  SEQUENCE: 0x30,
} as const

/** The identifier octet of `[APPLICATION n]` (constructed). */
export function appTag(n: number): number {
  return 0x60 | n
}

/** The identifier octet of `[n]` (context-specific, constructed: Kerberos tags are EXPLICIT). */
export function ctxTag(n: number): number {
  return 0xa0 | n
}

/** A readable name for an identifier octet, for messages. */
export function describeTag(tag: number): string {
  if (tag < 0) return 'end of data'
  const cls = tag >> 6
  const num = tag & 0x1f
  if (cls === 1) return `[APPLICATION ${num}]`
  if (cls === 2) return `[${num}]`
  if (cls === 3) return `[PRIVATE ${num}]`
  const names: Readonly<Record<number, string>> = {
    1: 'BOOLEAN',
    2: 'INTEGER',
    3: 'BIT STRING',
    4: 'OCTET STRING',
    5: 'NULL',
    6: 'OBJECT IDENTIFIER',
    16: 'SEQUENCE',
    17: 'SET',
    24: 'GeneralizedTime',
    27: 'GeneralString',
  }
  return names[num] ?? `universal ${num}`
}

function hexTag(tag: number): string {
  return '0x' + tag.toString(16).padStart(2, '0')
}

/**
 * A cursor over one DER element's contents. Child readers are made with {@link DerReader.enter};
 * each knows its label and parent, so an error names the whole path (`ticket.enc-part.cipher`)
 * and the absolute offset in the input.
 */
export class DerReader {
  readonly buf: Uint8Array
  pos: number
  readonly end: number
  readonly label: string
  readonly parent: DerReader | undefined
  readonly depth: number
  /** Start of the contents of the element most recently read by {@link DerReader.next}. */
  valueStart = 0

  constructor(buf: Uint8Array, pos: number, end: number, label: string, parent?: DerReader) {
    this.buf = buf
    this.pos = pos
    this.end = end
    this.label = label
    this.parent = parent
    this.depth = parent === undefined ? 0 : parent.depth + 1
  }

  /** Throw `ERR_KRB_ASN1_DECODE` naming the structure, the field path and the offset. */
  fail(what: string, offset: number = this.pos): never {
    // Structures enter their APPLICATION and SEQUENCE wrappers under the same label: skip repeats.
    const labels = [this.label]
    for (let r = this.parent; r !== undefined; r = r.parent) {
      if (labels[labels.length - 1] !== r.label) labels.push(r.label)
    }
    labels.reverse()
    const structure = labels[0] ?? ''
    const field = labels.slice(1).join('.')
    const where = field === '' ? '' : `: ${field}`
    throw new KerberosError(
      ErrorCodes.ASN1_DECODE,
      `cannot decode ${structure}${where} at offset ${offset}: ${what}`,
      { context: { structure, field, offset } },
    )
  }

  /** The identifier octet of the next element, or -1 at the end. */
  peek(): number {
    return this.pos < this.end ? this.buf[this.pos]! : -1
  }

  /** True when every byte was read. */
  get atEnd(): boolean {
    return this.pos >= this.end
  }

  /**
   * Read the header of the next element, which must have identifier `tag`; skip past it and
   * return the end of its contents ({@link DerReader.valueStart} holds the start).
   */
  next(tag: number): number {
    const buf = this.buf
    const at = this.pos
    if (at >= this.end) this.fail(`expected ${describeTag(tag)}, found end of data`)
    const id = buf[at]!
    if (id !== tag) {
      if ((id & 0x1f) === 0x1f) this.fail('high tag numbers are not used in Kerberos messages')
      this.fail(`expected ${describeTag(tag)}, found ${describeTag(id)} (${hexTag(id)})`)
    }
    let p = at + 1
    if (p >= this.end) this.fail('truncated length', p)
    let len = buf[p++]!
    if (len >= 0x80) {
      const n = len & 0x7f
      if (n === 0) this.fail('indefinite length is not DER', p - 1)
      if (n > 4) this.fail(`length field of ${n} bytes is too long`, p - 1)
      if (p + n > this.end) this.fail('truncated length', p)
      len = 0
      for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!
    }
    if (len > this.end - p) {
      this.fail(
        `length ${len} runs past the ${this.end - p} bytes left in the enclosing element`,
        at,
      )
    }
    this.valueStart = p
    this.pos = p + len
    return p + len
  }

  /** Enter the next element (identifier `tag`) and return a reader over its contents. */
  enter(tag: number, label: string): DerReader {
    if (this.depth >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`)
    const end = this.next(tag)
    return new DerReader(this.buf, this.valueStart, end, label, this)
  }

  /** Check that every byte of this element was read. */
  done(): void {
    if (this.pos !== this.end) {
      this.fail(`unexpected ${describeTag(this.buf[this.pos]!)} after the last field`)
    }
  }

  /**
   * Skip what follows the known fields of an extensible SEQUENCE (`...` in the ASN.1): later
   * context-tagged fields numbered above `lastField` are allowed there, in order, each still a
   * well-formed element.
   */
  skipExtensions(lastField: number): void {
    let last = lastField
    while (this.pos < this.end) {
      const id = this.buf[this.pos]!
      if ((id & 0xc0) !== 0x80 || (id & 0x1f) <= last)
        this.fail(`unexpected ${describeTag(id)} after the last field`)
      last = id & 0x1f
      this.next(id)
    }
  }

  /** Read required field `[n]` with `read`, which must consume the whole wrapper. */
  field<T>(n: number, label: string, read: (r: DerReader) => T): T {
    const c = this.enter(0xa0 | n, label)
    const v = read(c)
    c.done()
    return v
  }

  /** Read optional field `[n]` when it is next; `undefined` otherwise. */
  opt<T>(n: number, label: string, read: (r: DerReader) => T): T | undefined {
    return this.pos < this.end && this.buf[this.pos] === (0xa0 | n)
      ? this.field(n, label, read)
      : undefined
  }

  /** `SEQUENCE OF`: enter the SEQUENCE and read elements until its end. */
  seqOf<T>(read: (r: DerReader) => T): T[] {
    const s = this.enter(Tag.SEQUENCE, this.label)
    const out: T[] = []
    while (s.pos < s.end) out.push(read(s))
    return out
  }

  /** An INTEGER as a JS number; tolerates non-minimal encodings; range-checked by callers. */
  integer(): number {
    const end = this.next(Tag.INTEGER)
    const start = this.valueStart
    if (end === start) this.fail('empty INTEGER', start)
    if (end - start > 16) this.fail(`INTEGER of ${end - start} bytes is out of range`, start)
    const buf = this.buf
    let v = (buf[start]! << 24) >> 24
    for (let i = start + 1; i < end; i++) v = v * 256 + buf[i]!
    return v
  }

  /** Int32 (RFC 4120 §5.2.4). */
  int32(): number {
    const at = this.pos
    const v = this.integer()
    if (v < -0x80000000 || v > 0x7fffffff) this.fail(`${v} is not an Int32`, at)
    return v
  }

  /**
   * UInt32 (RFC 4120 §5.2.4). Also accepts a negative Int32, as some implementations encode
   * nonces, sequence numbers and kvnos, and returns it as the unsigned 32-bit value.
   */
  uint32(): number {
    const at = this.pos
    const v = this.integer()
    if (v < -0x80000000 || v > 0xffffffff) this.fail(`${v} is not a UInt32`, at)
    return v >>> 0
  }

  /**
   * OCTET STRING, as a view into the input (no copy: decoded values share the caller's buffer,
   * as {@link ByteReader} reads do).
   */
  octets(): Uint8Array {
    const end = this.next(Tag.OCTET_STRING)
    return this.buf.subarray(this.valueStart, end)
  }

  /** KerberosString (GeneralString); see {@link decodeKerberosStringBytes}. */
  kstring(): string {
    const end = this.next(Tag.GENERAL_STRING)
    return decodeKerberosStringBytes(this.buf, this.valueStart, end)
  }

  /** BOOLEAN; any non-zero octet is TRUE (DER says 0xFF; BER encoders use others). */
  boolean(): boolean {
    const end = this.next(Tag.BOOLEAN)
    if (end - this.valueStart !== 1) this.fail('BOOLEAN must be one byte', this.valueStart)
    return this.buf[this.valueStart] !== 0
  }

  /** KerberosTime: exactly `YYYYMMDDHHMMSSZ` (RFC 4120 §5.2.3). */
  time(): Date {
    const end = this.next(Tag.GENERALIZED_TIME)
    const start = this.valueStart
    const d = parseKerberosTime(this.buf, start, end)
    if (d === undefined) this.fail('KerberosTime must be YYYYMMDDHHMMSSZ', start)
    return d
  }

  /**
   * KerberosFlags (RFC 4120 §5.2.8): a BIT STRING of any length; bit 0 is the most significant
   * bit of the result; bits after 31 are ignored, missing bits are zero.
   */
  flags(): number {
    const end = this.next(Tag.BIT_STRING)
    const start = this.valueStart
    if (end === start) this.fail('empty BIT STRING', start)
    const unused = this.buf[start]!
    if (unused > 7 || (unused !== 0 && end - start === 1))
      this.fail(`bad unused-bit count ${unused}`, start)
    let v = 0
    for (let i = 0; i < 4; i++) {
      const at = start + 1 + i
      v = v * 256 + (at < end ? this.buf[at]! : 0)
    }
    return v
  }

  /** The complete encoding (header and contents) of the next element, as a view; any tag. */
  rawElement(): Uint8Array {
    const start = this.pos
    if (start >= this.end) this.fail('expected an element, found end of data')
    const end = this.next(this.buf[start]!)
    return this.buf.subarray(start, end)
  }
}

/** Two ASCII digits at `i` as a number, or NaN. */
function twoDigits(buf: Uint8Array, i: number): number {
  const a = buf[i]! - 0x30
  const b = buf[i + 1]! - 0x30
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN
}

/** Parse `YYYYMMDDHHMMSSZ` from `buf[start:end]`, or `undefined` when it is not exactly that. */
export function parseKerberosTime(buf: Uint8Array, start: number, end: number): Date | undefined {
  if (end - start !== 15 || buf[start + 14] !== 0x5a) return undefined
  const year = twoDigits(buf, start) * 100 + twoDigits(buf, start + 2)
  const month = twoDigits(buf, start + 4)
  const day = twoDigits(buf, start + 6)
  const hour = twoDigits(buf, start + 8)
  const min = twoDigits(buf, start + 10)
  const sec = twoDigits(buf, start + 12)
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && min <= 59 && sec <= 59))
    return undefined
  let d: Date
  if (year >= 100) {
    d = new Date(Date.UTC(year, month - 1, day, hour, min, sec))
  } else {
    // Date.UTC maps years 0..99 to 1900..1999.
    d = new Date(0)
    d.setUTCFullYear(year, month - 1, day)
    d.setUTCHours(hour, min, sec, 0)
  }
  // Reject days past the end of the month (Date would roll them over).
  if (d.getUTCDate() !== day) return undefined
  return d
}

/** `YYYYMMDDHHMMSSZ` for `d`, milliseconds dropped. */
export function formatKerberosTime(d: Date): string {
  const t = d.getTime()
  if (!Number.isFinite(t)) encodeFail(`cannot encode an invalid Date as KerberosTime`)
  const year = d.getUTCFullYear()
  if (year < 0 || year > 9999) encodeFail(`year ${year} does not fit in KerberosTime`)
  const p2 = (n: number): string => (n < 10 ? '0' : '') + n
  return (
    String(year).padStart(4, '0') +
    p2(d.getUTCMonth() + 1) +
    p2(d.getUTCDate()) +
    p2(d.getUTCHours()) +
    p2(d.getUTCMinutes()) +
    p2(d.getUTCSeconds()) +
    'Z'
  )
}

/**
 * KerberosString bytes to a JS string. Valid UTF-8 decodes as UTF-8. Each byte that is not part
 * of a valid UTF-8 sequence becomes the lone surrogate U+DC80–U+DCFF (the "surrogateescape"
 * scheme), which no valid UTF-8 can produce, and {@link encodeKerberosStringBytes} turns it back
 * into the same byte: round trips are byte-exact for any input.
 */
export function decodeKerberosStringBytes(buf: Uint8Array, start: number, end: number): string {
  let out = ''
  let i = start
  while (i < end) {
    const b = buf[i]!
    if (b < 0x80) {
      // ASCII: the common case for principal names and realms.
      out += String.fromCharCode(b)
      i++
      continue
    }
    const cp = utf8Sequence(buf, i, end)
    if (cp < 0) {
      out += String.fromCharCode(0xdc00 | b)
      i++
    } else {
      out += String.fromCodePoint(cp)
      i += cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
    }
  }
  return out
}

/** The code point of a valid multi-byte UTF-8 sequence at `i`, or -1. */
function utf8Sequence(buf: Uint8Array, i: number, end: number): number {
  const b = buf[i]!
  const cont = (k: number): number => {
    const c = i + k < end ? buf[i + k]! : 0
    return (c & 0xc0) === 0x80 ? c & 0x3f : -1
  }
  if (b >= 0xc2 && b <= 0xdf) {
    const c1 = cont(1)
    return c1 < 0 ? -1 : ((b & 0x1f) << 6) | c1
  }
  if (b >= 0xe0 && b <= 0xef) {
    const c1 = cont(1)
    const c2 = cont(2)
    if (c1 < 0 || c2 < 0) return -1
    const cp = ((b & 0x0f) << 12) | (c1 << 6) | c2
    return cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) ? -1 : cp
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const c1 = cont(1)
    const c2 = cont(2)
    const c3 = cont(3)
    if (c1 < 0 || c2 < 0 || c3 < 0) return -1
    const cp = ((b & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3
    return cp < 0x10000 || cp > 0x10ffff ? -1 : cp
  }
  return -1
}

/**
 * A JS string to KerberosString bytes: UTF-8, except that lone surrogates U+DC80–U+DCFF become
 * the single bytes 0x80–0xFF (see {@link decodeKerberosStringBytes}). Other lone surrogates
 * become U+FFFD, as `TextEncoder` does.
 */
export function encodeKerberosStringBytes(s: string): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x80) {
      out.push(c)
      continue
    }
    if (c >= 0xdc80 && c <= 0xdcff) {
      out.push(c & 0xff)
      continue
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
        i++
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd
    if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f))
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f))
    else
      out.push(
        0xf0 | (c >> 18),
        0x80 | ((c >> 12) & 0x3f),
        0x80 | ((c >> 6) & 0x3f),
        0x80 | (c & 0x3f),
      )
  }
  return Uint8Array.from(out)
}

/** Throw `ERR_KRB_ASN1_ENCODE`. */
export function encodeFail(message: string): never {
  throw new KerberosError(ErrorCodes.ASN1_ENCODE, message)
}

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

/** Decode `bytes` with `read`, requiring that it consumes everything; any failure is ERR_KRB_ASN1_DECODE. */
export function decodeWith<T>(bytes: Uint8Array, structure: string, read: (r: DerReader) => T): T {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('expected a Uint8Array')
  const r = new DerReader(bytes, 0, bytes.length, structure)
  try {
    const v = read(r)
    r.done()
    return v
  } catch (err) {
    if (err instanceof KerberosError) throw err
    throw new KerberosError(ErrorCodes.ASN1_DECODE, `cannot decode ${structure}: ${String(err)}`, {
      cause: err,
      context: { structure, field: '', offset: r.pos },
    })
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

// Element readers and writers, shared so no closures are made per call.
export const rInt32 = (r: DerReader): number => r.int32()
export const rUInt32 = (r: DerReader): number => r.uint32()
export const rOctets = (r: DerReader): Uint8Array => r.octets()
export const rString = (r: DerReader): string => r.kstring()
export const rTime = (r: DerReader): Date => r.time()
export const rFlags = (r: DerReader): number => r.flags()
export const rBoolean = (r: DerReader): boolean => r.boolean()
export const wInt32 = (w: DerWriter, v: number): void => w.int32(v)
export const wUInt32 = (w: DerWriter, v: number): void => w.uint32(v)
export const wOctets = (w: DerWriter, v: Uint8Array): void => w.octets(v)
export const wString = (w: DerWriter, v: string): void => w.kstring(v)
export const wTime = (w: DerWriter, v: Date): void => w.time(v)
export const wFlags = (w: DerWriter, v: number): void => w.flags(v)
export const wBoolean = (w: DerWriter, v: boolean): void => w.boolean(v)

/** A writable view of a readonly interface, for building decoded values field by field. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] }
