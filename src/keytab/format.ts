/**
 * MIT keytab files (MIT doc/formats/keytab_file_format.rst), parsed and serialized losslessly:
 * `serializeKeytab(parseKeytab(bytes))` gives back `bytes` for every input that parses.
 *
 * ```
 * keytab  ::= 0x05 version(1 byte) record*
 * record  ::= length(int32) entry-or-hole        negative length = hole of -length bytes
 * entry   ::= num_components(16) realm(data16) component(data16)* name_type(32, v2 only)
 *             timestamp(32) vno8(8) keyblock [vno32(32)] [flags(32)] [tail]
 * keyblock::= enctype(16) keyvalue(data16)
 * ```
 *
 * Version 0x0501 uses the host's byte order (read here as little-endian, what x86 and ARM
 * write) and counts the realm among the components; 0x0502 is big-endian.
 *
 * @module
 */
import { ErrorCodes } from '../errors.js'
import { ByteReader, ByteWriter } from '../internal/bytes.js'
import { KerberosKey } from '../key.js'
import { NameType } from '../iana.js'
import type { Principal } from '../principal.js'
import { NameDecoder, principalFromParts, principalParts, type RawName } from './names.js'
import { OpaqueBytes } from './opaque.js'

/** Keytab file format versions: 0x0501 (native byte order, DCE-compatible) and 0x0502. */
export const KeytabVersion = { V1: 0x0501, V2: 0x0502 } as const
/** A keytab file format version. */
export type KeytabVersion = (typeof KeytabVersion)[keyof typeof KeytabVersion]

/**
 * How an entry was laid out on disk. Only needed to write the file back byte for byte; entries
 * you create leave it out and are written as MIT writes them (8-bit kvno = kvno & 0xff, then the
 * 32-bit kvno).
 */
export interface KeytabEntryWire {
  /** The 8-bit kvno field as stored. */
  readonly kvno8: number
  /** The trailing 32-bit kvno, when the record has one (it may be 0: then `kvno8` counts). */
  readonly kvno32?: number
  /** Heimdal's 32-bit flags after the 32-bit kvno, when present. */
  readonly flags?: number
  /** Bytes of the record after everything understood (records may be longer than entries). */
  readonly tail?: OpaqueBytes
  /** Holes (deleted entries: negative record lengths) that precede this entry, with contents. */
  readonly holesBefore?: readonly OpaqueBytes[]
  /** `[realm, ...components]` as stored, kept only when some part is not valid UTF-8. */
  readonly rawName?: RawName
}

/**
 * One key in a keytab.
 *
 * `timestamp` is seconds since the Unix epoch as stored (unsigned 32-bit); use
 * {@link keytabEntryDate} for a `Date`. `kvno` is the effective key version: the 32-bit field
 * when present and non-zero, else the 8-bit field.
 */
export interface KeytabEntry {
  /** The principal; name type is NT-PRINCIPAL (1) for 0x0501 files, which do not store it. */
  readonly principal: Principal
  /** Seconds since the epoch (unsigned 32-bit), when the key was written. */
  readonly timestamp: number
  /** Effective key version number. */
  readonly kvno: number
  /** Enctype of the key (same as `key.enctype`). */
  readonly enctype: number
  /** The key; its bytes never print. */
  readonly key: KerberosKey
  /** On-disk layout, present for parsed entries (see {@link KeytabEntryWire}). */
  readonly wire?: KeytabEntryWire
}

/** What follows the last entry: trailing holes and whatever is after the end marker. */
export interface KeytabTrailer {
  /** Holes after the last entry. */
  readonly holes: readonly OpaqueBytes[]
  /** Bytes from the end marker on: a zero record length and anything after it, or < 4 stray bytes. */
  readonly end?: OpaqueBytes
}

/** A keytab: its format version and entries in file order. Plain data; edit with the functions. */
export interface Keytab {
  readonly version: KeytabVersion
  readonly entries: readonly KeytabEntry[]
  /** Present for parsed files that have holes or bytes after the last entry. */
  readonly trailer?: KeytabTrailer
}

/** The entry's timestamp as a `Date`. */
export function keytabEntryDate(entry: KeytabEntry): Date {
  return new Date(entry.timestamp * 1000)
}

function readerFor(bytes: Uint8Array, version: KeytabVersion, base: number): ByteReader {
  return new ByteReader(bytes, {
    code: ErrorCodes.KEYTAB_FORMAT,
    what: 'keytab',
    littleEndian: version === KeytabVersion.V1,
    baseOffset: base,
  })
}

function readVersion(bytes: Uint8Array): KeytabVersion {
  const r = readerFor(bytes, KeytabVersion.V2, 0)
  const v = r.u16be('file format version')
  if (v !== KeytabVersion.V1 && v !== KeytabVersion.V2) {
    const hex = '0x' + v.toString(16).padStart(4, '0')
    readerFor(bytes, KeytabVersion.V2, 0).fail(
      `unknown keytab version ${hex}, expected 0x0501 or 0x0502`,
      {
        version: v,
      },
    )
  }
  return v as KeytabVersion
}

/**
 * Parse a keytab file.
 *
 * Throws `KerberosError` with code `ERR_KRB_KEYTAB_FORMAT` and `context.offset` for truncated or
 * malformed input (unknown version, a record length of INT32_MIN or past the end, a principal
 * with no components, an entry longer than its record).
 *
 * @example
 * ```ts
 * const kt = parseKeytab(await readFile('/etc/krb5.keytab'))
 * for (const e of kt.entries) console.log(formatPrincipal(e.principal), e.kvno, e.enctype)
 * ```
 */
export function parseKeytab(bytes: Uint8Array): Keytab {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('expected keytab bytes as a Uint8Array')
  const version = readVersion(bytes)
  // One private copy of the file: keys, holes and tails are views of it (one allocation, and
  // nothing aliases the caller's buffer).
  const r = readerFor(bytes.slice(), version, 0)
  r.skip(2, 'file format version')
  const entries: KeytabEntry[] = []
  const names = new NameDecoder()
  let holes: OpaqueBytes[] = []
  let end: OpaqueBytes | undefined
  while (r.remaining >= 4) {
    const at = r.position
    const size = r.i32('record length')
    if (size === 0) {
      // MIT stops at a zero length; keep it and anything after it for the round trip.
      end = new OpaqueBytes(r.bytes.subarray(at))
      break
    }
    if (size === -0x80000000) r.fail('record length INT32_MIN is invalid', { recordOffset: at })
    if (size < 0) {
      if (-size > r.remaining) r.fail(`hole of ${-size} bytes runs past the end of the file`)
      holes.push(new OpaqueBytes(r.bytesView(-size, 'hole')))
      continue
    }
    if (size > r.remaining) r.fail(`record of ${size} bytes runs past the end of the file`)
    entries.push(readEntry(r, r.position + size, version, holes, names))
    holes = []
  }
  if (!end && r.remaining > 0) end = new OpaqueBytes(r.bytesView(r.remaining, 'end'))
  if (holes.length === 0 && end === undefined) return { version, entries }
  return { version, entries, trailer: end ? { holes, end } : { holes } }
}

/** Read one entry from `r`, which must not pass `end` (the end of its record). */
function readEntry(
  r: ByteReader,
  end: number,
  version: KeytabVersion,
  holes: OpaqueBytes[],
  names: NameDecoder,
): KeytabEntry {
  let count = r.u16('component count')
  if (version === KeytabVersion.V1) count -= 1 // 0x0501 counts the realm too
  if (count <= 0) r.fail('principal has no components')
  if (count * 2 > end - r.position) r.fail(`component count ${count} exceeds the record`)
  const name = readName(r, end, count, names)
  const nameType = version === KeytabVersion.V1 ? NameType.PRINCIPAL : r.u32('name type')
  const timestamp = r.u32('timestamp')
  const kvno8 = r.u8('kvno')
  const enctype = r.u16('enctype')
  const keyLength = r.u16('key length')
  if (keyLength === 0) r.fail('empty key')
  if (keyLength > end - r.position)
    r.fail(`key of ${keyLength} bytes runs past the end of its record`)
  const key = new KerberosKey(enctype, r.bytesView(keyLength, 'key'))
  if (r.position > end) r.fail('entry runs past the end of its record')
  // MIT: the 32-bit kvno counts only when 4 bytes remain and it is non-zero.
  const kvno32 = end - r.position >= 4 ? r.u32('kvno32') : undefined
  const flags = kvno32 !== undefined && end - r.position >= 4 ? r.u32('flags') : undefined
  const tail = end > r.position ? new OpaqueBytes(r.bytesView(end - r.position, 'tail')) : undefined
  const principal: Principal = { nameType, components: name.components, realm: name.realm }
  const wire: { -readonly [K in keyof KeytabEntryWire]: KeytabEntryWire[K] } = { kvno8 }
  if (kvno32 !== undefined) wire.kvno32 = kvno32
  if (flags !== undefined) wire.flags = flags
  if (tail) wire.tail = tail
  if (holes.length > 0) wire.holesBefore = holes
  if (name.raw) wire.rawName = name.raw
  const kvno = kvno32 ? kvno32 : kvno8
  return { principal, timestamp, kvno, enctype, key, wire }
}

interface ReadName {
  readonly realm: string
  readonly components: string[]
  readonly raw: RawName | undefined
}

/** Realm and components, decoded in place; raw bytes kept only when some part is not UTF-8. */
function readName(r: ByteReader, end: number, count: number, names: NameDecoder): ReadName {
  const bytes = r.bytes
  const part = (label: string, lengthLabel: string): string | null => {
    const n = r.u16(lengthLabel)
    // MIT stops reading at an empty realm or component (krb5_ktfileint_internal_read_entry).
    if (n === 0) r.fail(`empty ${label} in principal name`)
    if (n > end - r.position) r.fail(`${label} of ${n} bytes runs past the end of its record`)
    const at = r.position
    r.skip(n, label)
    return names.decode(bytes, at, at + n)
  }
  const start = r.position
  const realm = part('realm', 'realm length')
  const components: string[] = new Array<string>(count)
  let lossy = realm === null
  for (let i = 0; i < count; i++) {
    const c = part('component', 'component length')
    if (c === null) lossy = true
    components[i] = c ?? ''
  }
  if (!lossy) return { realm: realm!, components, raw: undefined }
  return rereadLossy(bytes, start, count, r.options.littleEndian === true)
}

/** Slow path for names that are not valid UTF-8: keep every part's bytes. */
function rereadLossy(
  bytes: Uint8Array,
  start: number,
  count: number,
  littleEndian: boolean,
): ReadName {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const parts: Uint8Array[] = []
  let at = start
  for (let i = 0; i <= count; i++) {
    const n = view.getUint16(at, littleEndian)
    parts.push(bytes.subarray(at + 2, at + 2 + n))
    at += 2 + n
  }
  const { principal, raw } = principalFromParts(0, parts[0]!, parts.slice(1))
  return { realm: principal.realm, components: [...principal.components], raw }
}

/** Options for {@link serializeKeytab}. */
export interface SerializeKeytabOptions {
  /** Write this format version instead of the keytab's own. */
  readonly version?: KeytabVersion
}

/**
 * Serialize a keytab. Parsed entries are written back exactly as read (holes, tails, Heimdal
 * flags, 8-bit-only kvnos); new entries are written as MIT writes them.
 *
 * @example
 * ```ts
 * const bytes = serializeKeytab(addKeytabEntries(parseKeytab(old), newEntries))
 * ```
 */
export function serializeKeytab(keytab: Keytab, options: SerializeKeytabOptions = {}): Uint8Array {
  const version = options.version ?? keytab.version
  if (version !== KeytabVersion.V1 && version !== KeytabVersion.V2) {
    throw new RangeError(`expected keytab version 0x0501 or 0x0502, got ${version}`)
  }
  const w = new ByteWriter(64 + keytab.entries.length * 96, {
    littleEndian: version === KeytabVersion.V1,
  })
  w.u8(0x05).u8(version & 0xff)
  for (const entry of keytab.entries) {
    for (const hole of entry.wire?.holesBefore ?? []) writeHole(w, hole)
    writeEntry(w, entry, version)
  }
  for (const hole of keytab.trailer?.holes ?? []) writeHole(w, hole)
  if (keytab.trailer?.end) w.bytes(keytab.trailer.end.bytes)
  return w.finish()
}

function writeHole(w: ByteWriter, hole: OpaqueBytes): void {
  w.i32(-hole.length).bytes(hole.bytes)
}

/** The kvno fields to write: the stored ones when they still give `entry.kvno`. */
function kvnoFields(entry: KeytabEntry): Pick<KeytabEntryWire, 'kvno8' | 'kvno32' | 'flags'> {
  const wire = entry.wire
  if (wire && (wire.kvno32 ? wire.kvno32 : wire.kvno8) === entry.kvno) return wire
  if (!Number.isInteger(entry.kvno) || entry.kvno < 0 || entry.kvno > 0xffffffff) {
    throw new RangeError(`expected a kvno from 0 to 4294967295, got ${entry.kvno}`)
  }
  return { kvno8: entry.kvno & 0xff, kvno32: entry.kvno }
}

function writeEntry(w: ByteWriter, entry: KeytabEntry, version: KeytabVersion): void {
  const p = entry.principal
  if (p.components.length === 0)
    throw new RangeError('expected a principal with at least one component')
  const parts = principalParts(p, entry.wire?.rawName)
  if (parts.some((part) => part.length === 0)) {
    throw new RangeError(
      'expected a principal with a non-empty realm and components (MIT cannot read empty ones)',
    )
  }
  if (entry.key.length === 0) throw new RangeError('expected a non-empty key')
  const lengthAt = w.length
  w.i32(0)
  const start = w.length
  w.u16(version === KeytabVersion.V1 ? parts.length : parts.length - 1)
  for (const part of parts) writeData16(w, part)
  if (version !== KeytabVersion.V1) w.u32(p.nameType)
  w.u32(entry.timestamp)
  const k = kvnoFields(entry)
  w.u8(k.kvno8)
  w.u16(entry.enctype)
  writeData16(w, entry.key.bytes)
  if (k.kvno32 !== undefined) w.u32(k.kvno32)
  if (k.flags !== undefined) w.u32(k.flags)
  if (entry.wire?.tail) w.bytes(entry.wire.tail.bytes)
  w.patchI32(lengthAt, w.length - start)
}

function writeData16(w: ByteWriter, data: Uint8Array): void {
  if (data.length > 0xffff) throw new RangeError(`expected at most 65535 bytes, got ${data.length}`)
  w.u16(data.length).bytes(data)
}
