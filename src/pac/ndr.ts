/**
 * The little NDR (MS-RPCE §2.2.6 type serialization version 1, NDR 2.0 little-endian) that the
 * PAC buffers need: the common and private headers, alignment, unique pointers (a referent id
 * now, the referent deferred), conformant and conformant-varying arrays, `RPC_UNICODE_STRING`
 * and `RPC_SID`.
 *
 * Every count read from the input is checked against the bytes left before anything is built
 * from it, so an allocation is never larger than the input.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import { ByteWriter } from '../internal/bytes.js'
import { readSIDBody, subAuthorityCount, writeSIDBody } from './sid.js'

/** A unicode string's fixed part (MS-DTYP §2.3.10 RPC_UNICODE_STRING): lengths and pointer. */
export interface NdrStringHeader {
  readonly length: number
  readonly maximumLength: number
  readonly present: boolean
}

/**
 * UTF-16LE code units to a string, straight from the bytes (TextDecoder and subarray cost more
 * than the whole NDR walk for the short names of a PAC): `count` code units at `at`, lone
 * surrogates kept.
 *
 * @internal
 */
export function readUTF16LE(bytes: Uint8Array, at: number, count: number): string {
  let s = ''
  for (let i = 0; i < count; i += 1024) {
    const n = Math.min(1024, count - i)
    const units = new Array<number>(n)
    for (let j = 0, o = at + 2 * i; j < n; j++, o += 2) units[j] = bytes[o]! | (bytes[o + 1]! << 8)
    s += String.fromCharCode.apply(null, units)
  }
  return s
}

const FILETIME_NEVER = 0x7fffffffffffffffn
const FILETIME_ALL_ONES = 0xffffffffffffffffn

/**
 * A reader over one NDR-serialized object: little-endian, aligned relative to the object's
 * start, every read bounds-checked, failures as ERR_KRB_PAC_FORMAT (the alignment rule is why it
 * is not the shared ByteReader).
 */
export class NdrReader {
  readonly #bytes: Uint8Array
  readonly #view: DataView
  readonly #what: string
  /** Offset of the object in `bytes` (alignment is relative to it). */
  #start: number
  #end: number
  #pos: number

  private constructor(bytes: Uint8Array, what: string, start: number, end: number) {
    this.#bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.#what = what
    this.#start = start
    this.#end = end
    this.#pos = start
  }

  /** Read the type serialization v1 headers (MS-RPCE §2.2.6.1, §2.2.6.2); narrows to the object. */
  static open(bytes: Uint8Array, what: string): NdrReader {
    const r = new NdrReader(bytes, what, 0, bytes.length)
    const version = r.u8('common header version')
    const endianness = r.u8('common header endianness')
    const headerLength = r.u16('common header length')
    r.u32('common header filler')
    if (version !== 1 || endianness !== 0x10 || headerLength !== 8) {
      r.fail(
        `expected an NDR type serialization v1 little-endian header, got version ${version}, endianness 0x${endianness.toString(16)}, length ${headerLength}`,
      )
    }
    const length = r.u32('private header object buffer length')
    r.u32('private header filler')
    if (length > r.remaining)
      r.fail(`object buffer length ${length} exceeds the ${r.remaining} bytes left`)
    // The object starts 16 bytes in: alignment modulo 8 is the same from either start. Narrowed
    // in place (one reader, one DataView per buffer).
    r.#start = 16
    r.#end = 16 + length
    r.#pos = 16
    return r
  }

  /** Bytes left in the object. */
  get remaining(): number {
    return this.#end - this.#pos
  }

  /** Throw ERR_KRB_PAC_FORMAT at the current offset. */
  fail(message: string, context: Record<string, unknown> = {}): never {
    throw new KerberosError(
      ErrorCodes.PAC_FORMAT,
      `${this.#what}: ${message} at offset ${this.#pos}`,
      {
        context: { offset: this.#pos, ...context },
      },
    )
  }

  #need(n: number, label: string): number {
    const at = this.#pos
    if (n > this.#end - at)
      this.fail(`${label} needs ${n} bytes but ${this.#end - at} remain`, { label })
    this.#pos = at + n
    return at
  }

  align(n: number): void {
    const pad = (n - ((this.#pos - this.#start) % n)) % n
    if (pad > 0) this.#need(pad, 'NDR alignment')
  }

  /** One octet (no alignment). */
  u8(label: string): number {
    return this.#bytes[this.#need(1, label)]!
  }

  u16(label: string): number {
    this.align(2)
    return this.#view.getUint16(this.#need(2, label), true)
  }

  u32(label: string): number {
    this.align(4)
    return this.#view.getUint32(this.#need(4, label), true)
  }

  /** A copy of the next `n` octets. */
  bytesCopy(n: number, label: string): Uint8Array {
    const at = this.#need(n, label)
    return this.#bytes.slice(at, at + n)
  }

  /** FILETIME (two 32-bit halves, low first) as the raw 64-bit count of 100 ns since 1601. */
  filetime(label: string): bigint {
    const lo = this.u32(label)
    const hi = this.u32(label)
    // The usual values (0, "never" 0x7fffffffffffffff) without BigInt arithmetic; any other
    // value fits in 2^53 while hi < 2^21 (every date before year 30,000).
    if (hi === 0 && lo === 0) return 0n
    if (hi === 0x7fffffff && lo === 0xffffffff) return FILETIME_NEVER
    if (hi === 0xffffffff && lo === 0xffffffff) return FILETIME_ALL_ONES
    if (hi < 0x200000) return BigInt(hi * 0x100000000 + lo)
    return (BigInt(hi) << 32n) | BigInt(lo)
  }

  /** A unique pointer's referent id: true when non-null (the referent comes later). */
  pointer(label: string): boolean {
    return this.u32(label) !== 0
  }

  /** The fixed part of an RPC_UNICODE_STRING. */
  stringHeader(label: string): NdrStringHeader {
    const length = this.u16(label)
    const maximumLength = this.u16(label)
    const present = this.pointer(label)
    if (length % 2 !== 0 || length > maximumLength || (!present && maximumLength !== 0)) {
      this.fail(
        `${label} has length ${length}, maximum ${maximumLength}, pointer ${present ? 'set' : 'null'}`,
      )
    }
    return { length, maximumLength, present }
  }

  /** The deferred body of an RPC_UNICODE_STRING; its counts must agree with the header. */
  stringBody(h: NdrStringHeader, label: string): string {
    if (!h.present) return ''
    const max = this.u32(label)
    const offset = this.u32(label)
    const actual = this.u32(label)
    if (offset !== 0 || actual * 2 !== h.length || max * 2 !== h.maximumLength) {
      this.fail(
        `${label} counts (maximum ${max}, offset ${offset}, actual ${actual}) disagree with its lengths (${h.length}, ${h.maximumLength})`,
      )
    }
    const at = this.#need(actual * 2, label)
    return readUTF16LE(this.#bytes, at, actual)
  }

  /** A conformant array's count; checks `count × size` fits in what is left. */
  arrayCount(expected: number, size: number, label: string): number {
    const count = this.u32(label)
    if (count !== expected)
      this.fail(`${label} count ${count} differs from the ${expected} announced`)
    if (count * size > this.remaining) {
      this.fail(
        `${label} of ${count} elements needs ${count * size} bytes but ${this.remaining} remain`,
      )
    }
    return count
  }

  /** A deferred RPC_SID (conformant: the sub-authority count comes first). */
  sid(label: string): string {
    const count = this.u32(label)
    return readSIDBody(this, label, count)
  }

  /** GROUP_MEMBERSHIP[count] (MS-PAC §2.2.2). */
  groups(expected: number, label: string): { rid: number; attributes: number }[] {
    const n = this.arrayCount(expected, 8, label)
    const out: { rid: number; attributes: number }[] = []
    for (let i = 0; i < n; i++) {
      out.push({ rid: this.u32(label), attributes: this.u32(label) })
    }
    return out
  }

  /** KERB_SID_AND_ATTRIBUTES[count] (MS-PAC §2.2.1): the array, then each deferred SID. */
  sidsAndAttributes(expected: number, label: string): { sid: string; attributes: number }[] {
    const n = this.arrayCount(expected, 8, label)
    const heads: { present: boolean; attributes: number }[] = []
    for (let i = 0; i < n; i++) {
      heads.push({ present: this.pointer(label), attributes: this.u32(label) })
    }
    const out: { sid: string; attributes: number }[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const h = heads[i]!
      if (!h.present) this.fail(`${label} holds a null SID pointer`)
      out[i] = { sid: this.sid(label), attributes: h.attributes }
    }
    return out
  }

  /** Everything after the object must be padding; the object itself must be consumed. */
  end(label: string): void {
    this.align(8)
    if (this.remaining !== 0) this.fail(`${label} has ${this.remaining} unexpected trailing bytes`)
  }

  /** Null-pointer consistency: a null array pointer must come with a zero count. */
  checkNull(present: boolean, count: number, label: string): void {
    if (!present && count !== 0)
      this.fail(`${label} announces ${count} elements behind a null pointer`)
  }
}

/** A writer producing what {@link NdrReader} reads, with Windows-style referent ids. */
export class NdrWriter {
  readonly w: ByteWriter = new ByteWriter(512, { littleEndian: true })
  #nextRef = 0x00020000

  align(n: number): void {
    while (this.w.length % n !== 0) this.w.u8(0)
  }

  u16(v: number): void {
    this.align(2)
    this.w.u16(v)
  }

  u32(v: number): void {
    this.align(4)
    this.w.u32(v)
  }

  filetime(v: bigint): void {
    this.u32(Number(v & 0xffffffffn))
    this.w.u32(Number((v >> 32n) & 0xffffffffn))
  }

  pointer(present: boolean): void {
    if (!present) return this.u32(0)
    this.u32(this.#nextRef)
    this.#nextRef += 4
  }

  stringHeader(s: string): void {
    if (s.length > 0x7fff) {
      throw new RangeError(`expected a string under 32768 characters, got ${s.length}`)
    }
    this.u16(s.length * 2)
    this.w.u16(s.length * 2)
    this.pointer(true)
  }

  stringBody(s: string): void {
    this.u32(s.length)
    this.w.u32(0)
    this.w.u32(s.length)
    for (let i = 0; i < s.length; i++) this.w.u16(s.charCodeAt(i))
  }

  sid(sid: string): void {
    this.u32(subAuthorityCount(sid))
    writeSIDBody(this.w, sid)
  }

  groups(list: readonly { rid: number; attributes: number }[]): void {
    this.u32(list.length)
    for (const g of list) this.w.u32(g.rid).u32(g.attributes)
  }

  sidsAndAttributes(list: readonly { sid: string; attributes: number }[]): void {
    this.u32(list.length)
    for (const e of list) {
      this.pointer(true)
      this.w.u32(e.attributes)
    }
    for (const e of list) this.sid(e.sid)
  }

  /** Wrap the object in the type serialization v1 headers, padded to 8. */
  finish(): Uint8Array {
    this.align(8)
    const body = this.w.finish()
    const out = new ByteWriter(body.length + 16, { littleEndian: true })
    out.u8(1).u8(0x10).u16(8).u32(0xcccccccc).u32(body.length).u32(0).bytes(body)
    return out.finish()
  }
}
