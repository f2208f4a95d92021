/**
 * The small DER layer under the Kerberos codec: a strict TLV reader with labelled errors and
 * absolute byte offsets (here), the writer that fills one buffer back to front (der-writer.ts),
 * and the text conversions (der-text.ts); this module re-exports all of it.
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
import { Tag, describeTag } from './der-common.js'
import { decodeKerberosStringBytes, parseKerberosTime } from './der-text.js'

export * from './der-common.js'
export * from './der-text.js'
export * from './der-writer.js'

/** Deepest nesting the reader follows; the RFC 4120 schema needs about 12. */
export const MAX_DEPTH = 32

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

// Element readers and writers, shared so no closures are made per call.
export const rInt32 = (r: DerReader): number => r.int32()
export const rUInt32 = (r: DerReader): number => r.uint32()
export const rOctets = (r: DerReader): Uint8Array => r.octets()
export const rString = (r: DerReader): string => r.kstring()
export const rTime = (r: DerReader): Date => r.time()
export const rFlags = (r: DerReader): number => r.flags()
export const rBoolean = (r: DerReader): boolean => r.boolean()
