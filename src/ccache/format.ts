/**
 * MIT FILE credential caches (MIT doc/formats/ccache_file_format.rst), versions 0x0501–0x0504,
 * parsed and serialized losslessly: `serializeCCache(parseCCache(bytes))` gives back `bytes`.
 *
 * ```
 * ccache     ::= 0x05 version(1 byte) [header (v4)] default-principal credential*
 * header     ::= length(16) { tag(16) length(16) value }*        tag 1 = KDC time offset
 * principal  ::= [name_type(32), not v1] count(32, +1 in v1) realm(data) component(data)*
 * credential ::= client server keyblock authtime starttime endtime renew_till (32 each)
 *                is_skey(8) ticket_flags(32) addresses authdata ticket(data) second_ticket(data)
 * keyblock   ::= enctype(16) [enctype again (v3)] keyvalue(data)
 * data       ::= length(32) bytes
 * ```
 *
 * Versions 1 and 2 use the host's byte order (read as little-endian here); 3 and 4 are
 * big-endian.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'
import { EncTypeKeyLength, NameType } from '../iana.js'
import { ByteReader, ByteWriter } from '../internal/bytes.js'
import { KerberosKey } from '../key.js'
import type { Principal } from '../principal.js'
import { principalFromParts, principalParts, type RawName } from '../keytab/names.js'

/** FILE ccache format versions. */
export const CCacheVersion = { V1: 0x0501, V2: 0x0502, V3: 0x0503, V4: 0x0504 } as const
/** A FILE ccache format version. */
export type CCacheVersion = (typeof CCacheVersion)[keyof typeof CCacheVersion]

/** A version 4 header field, kept as stored (tag 1 = KDC time offset). */
export interface CCacheHeaderField {
  readonly tag: number
  readonly value: Uint8Array
}

/** A host address as stored (RFC 4120 HostAddress). */
export interface CCacheAddress {
  readonly addrType: number
  readonly address: Uint8Array
}

/** An authorization-data element as stored (RFC 4120 AuthorizationData). */
export interface CCacheAuthData {
  readonly adType: number
  readonly data: Uint8Array
}

/** On-disk details kept only for a byte-identical round trip. */
export interface CredentialWire {
  /** Raw `[realm, ...components]` of the client, when not valid UTF-8. */
  readonly clientRaw?: RawName
  /** Raw `[realm, ...components]` of the server, when not valid UTF-8. */
  readonly serverRaw?: RawName
  /** The second enctype field of a version 3 keyblock, when it differs from the first. */
  readonly enctype2?: number
  /** The is_skey byte, when it is neither 0 nor 1. */
  readonly isSKeyByte?: number
}

/**
 * A credential: a ticket with its session key and what the KDC said about it. Times are
 * seconds since the epoch (unsigned 32-bit), 0 when unset. `ticket` and `secondTicket` are the
 * DER bytes as stored (empty when absent); for configuration entries `ticket` holds the value.
 */
export interface Credential {
  readonly client: Principal
  readonly server: Principal
  /** The session key; its bytes never print. */
  readonly key: KerberosKey
  readonly authtime: number
  readonly starttime: number
  readonly endtime: number
  readonly renewTill: number
  /** The ticket is encrypted in a session key (user-to-user). */
  readonly isSKey: boolean
  /** Ticket flags as MIT stores them: RFC 4120 flag bit n is `0x80000000 >>> n`. */
  readonly ticketFlags: number
  readonly addresses: readonly CCacheAddress[]
  readonly authData: readonly CCacheAuthData[]
  readonly ticket: Uint8Array
  readonly secondTicket: Uint8Array
  readonly wire?: CredentialWire
}

/** A credential cache: version, v4 header fields, default principal, credentials in file order. */
export interface CCache {
  readonly version: CCacheVersion
  /** Version 4 header fields in file order; empty for other versions. */
  readonly header: readonly CCacheHeaderField[]
  readonly defaultPrincipal: Principal
  /** Raw `[realm, ...components]` of the default principal, when not valid UTF-8. */
  readonly defaultPrincipalRaw?: RawName
  readonly credentials: readonly Credential[]
}

function reader(bytes: Uint8Array, version: number): ByteReader {
  return new ByteReader(bytes, {
    code: ErrorCodes.CCACHE_FORMAT,
    what: 'ccache',
    littleEndian: version === CCacheVersion.V1 || version === CCacheVersion.V2,
  })
}

/**
 * Parse a FILE ccache. Throws `KerberosError` with code `ERR_KRB_CCACHE_FORMAT` and
 * `context.offset` for truncated or malformed input.
 *
 * @example
 * ```ts
 * const cc = parseCCache(await readFile('/tmp/krb5cc_1000'))
 * formatPrincipal(cc.defaultPrincipal) // 'alice@EXAMPLE.COM'
 * cc.credentials.filter((c) => !isConfigEntry(c)).map((c) => formatPrincipal(c.server))
 * ```
 */
export function parseCCache(bytes: Uint8Array): CCache {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('expected ccache bytes as a Uint8Array')
  const version = reader(bytes, 0x0504).u16be('file format version')
  if (version < CCacheVersion.V1 || version > CCacheVersion.V4) {
    const hex = '0x' + version.toString(16).padStart(4, '0')
    reader(bytes, 0x0504).fail(`unknown ccache version ${hex}, expected 0x0501 to 0x0504`, {
      version,
    })
  }
  const v = version as CCacheVersion
  const r = reader(bytes, v)
  r.skip(2, 'file format version')
  const header = v === CCacheVersion.V4 ? readHeader(r) : []
  const def = readPrincipal(r, v, 'default principal')
  const credentials: Credential[] = []
  while (!r.atEnd) credentials.push(readCredential(r, v))
  const cc: CCache = { version: v, header, defaultPrincipal: def.principal, credentials }
  return def.raw ? { ...cc, defaultPrincipalRaw: def.raw } : cc
}

function readHeader(r: ByteReader): CCacheHeaderField[] {
  const h = r.sub(r.u16('header length'), 'header')
  const fields: CCacheHeaderField[] = []
  while (!h.atEnd) {
    const tag = h.u16('header tag')
    const value = h.bytesCopy(h.u16('header field length'), 'header field')
    fields.push({ tag, value })
  }
  return fields
}

function readData(r: ByteReader, label: string): Uint8Array {
  return r.bytesView(r.u32(`${label} length`), label)
}

function readPrincipal(
  r: ByteReader,
  version: CCacheVersion,
  label: string,
): { principal: Principal; raw: RawName | undefined } {
  const nameType = version === CCacheVersion.V1 ? NameType.PRINCIPAL : r.u32(`${label} name type`)
  let count = r.u32(`${label} component count`)
  if (version === CCacheVersion.V1) {
    if (count === 0) r.fail(`${label} has no realm`)
    count -= 1 // version 1 counts the realm too
  }
  // Each part takes at least 4 bytes: refuse counts the rest of the file cannot hold.
  if ((count + 1) * 4 > r.remaining) r.fail(`${label} component count ${count} exceeds the file`)
  const realm = readData(r, `${label} realm`)
  const parts: Uint8Array[] = new Array<Uint8Array>(count)
  for (let i = 0; i < count; i++) parts[i] = readData(r, `${label} component`)
  return principalFromParts(nameType, realm, parts)
}

function readCounted<T>(r: ByteReader, label: string, item: () => T): T[] {
  const n = r.u32(`${label} count`)
  if (n * 6 > r.remaining) r.fail(`${label} count ${n} exceeds the file`)
  const out: T[] = []
  for (let i = 0; i < n; i++) out.push(item())
  return out
}

function readCredential(r: ByteReader, v: CCacheVersion): Credential {
  const client = readPrincipal(r, v, 'client')
  const server = readPrincipal(r, v, 'server')
  const enctype = r.u16('keyblock enctype')
  const enctype2 = v === CCacheVersion.V3 ? r.u16('keyblock enctype (repeated)') : enctype
  const keyAt = r.offset
  const key = new KerberosKey(enctype, readData(r, 'keyblock').slice())
  const want = EncTypeKeyLength.get(enctype)
  // A session key that could never work is a corrupt file, said here rather than at first use.
  if (want !== undefined && key.length !== want) {
    throw new KerberosError(
      ErrorCodes.CCACHE_FORMAT,
      `ccache: keyblock of enctype ${enctype} has ${key.length} octets, expected ${want} at offset ${keyAt}`,
      { context: { offset: keyAt, enctype, server: server.principal.components.join('/') } },
    )
  }
  const authtime = r.u32('authtime')
  const starttime = r.u32('starttime')
  const endtime = r.u32('endtime')
  const renewTill = r.u32('renew_till')
  const isSKeyByte = r.u8('is_skey')
  const ticketFlags = r.u32('ticket flags')
  const addresses = readCounted(r, 'addresses', () => ({
    addrType: r.u16('address type'),
    address: readData(r, 'address').slice(),
  }))
  const authData = readCounted(r, 'authdata', () => ({
    adType: r.u16('authdata type'),
    data: readData(r, 'authdata').slice(),
  }))
  const ticket = readData(r, 'ticket').slice()
  const secondTicket = readData(r, 'second ticket').slice()
  const wire: { -readonly [K in keyof CredentialWire]: CredentialWire[K] } = {}
  if (client.raw) wire.clientRaw = client.raw
  if (server.raw) wire.serverRaw = server.raw
  if (enctype2 !== enctype) wire.enctype2 = enctype2
  if (isSKeyByte > 1) wire.isSKeyByte = isSKeyByte
  const cred: Credential = {
    client: client.principal,
    server: server.principal,
    key,
    authtime,
    starttime,
    endtime,
    renewTill,
    isSKey: isSKeyByte !== 0,
    ticketFlags,
    addresses,
    authData,
    ticket,
    secondTicket,
  }
  return Object.keys(wire).length > 0 ? { ...cred, wire } : cred
}

/**
 * Serialize a ccache. Parsed caches come back byte for byte; edited ones are written as MIT
 * writes that version.
 *
 * @example
 * ```ts
 * await writeFile(path, serializeCCache(storeCredential(parseCCache(old), cred)), { mode: 0o600 })
 * ```
 */
export function serializeCCache(cc: CCache): Uint8Array {
  const v = cc.version
  if (!Number.isInteger(v) || v < CCacheVersion.V1 || v > CCacheVersion.V4) {
    throw new RangeError(`expected ccache version 0x0501 to 0x0504, got ${v}`)
  }
  const w = new ByteWriter(1024, { littleEndian: v === CCacheVersion.V1 || v === CCacheVersion.V2 })
  w.u8(0x05).u8(v & 0xff)
  if (v === CCacheVersion.V4) writeHeader(w, cc.header)
  writePrincipal(w, v, cc.defaultPrincipal, cc.defaultPrincipalRaw)
  for (const cred of cc.credentials) writeCredential(w, v, cred)
  return w.finish()
}

function writeHeader(w: ByteWriter, fields: readonly CCacheHeaderField[]): void {
  let len = 0
  for (const f of fields) len += 4 + f.value.length
  if (len > 0xffff)
    throw new RangeError(`expected a ccache header of at most 65535 bytes, got ${len}`)
  w.u16(len)
  for (const f of fields) {
    w.u16(f.tag).u16(f.value.length).bytes(f.value)
  }
}

function writeData(w: ByteWriter, data: Uint8Array): void {
  w.u32(data.length).bytes(data)
}

function writePrincipal(
  w: ByteWriter,
  v: CCacheVersion,
  p: Principal,
  raw: RawName | undefined,
): void {
  const parts = principalParts(p, raw)
  if (v !== CCacheVersion.V1) w.u32(p.nameType)
  w.u32(v === CCacheVersion.V1 ? parts.length : parts.length - 1)
  for (const part of parts) writeData(w, part)
}

function writeCredential(w: ByteWriter, v: CCacheVersion, c: Credential): void {
  writePrincipal(w, v, c.client, c.wire?.clientRaw)
  writePrincipal(w, v, c.server, c.wire?.serverRaw)
  w.u16(c.key.enctype)
  if (v === CCacheVersion.V3) w.u16(c.wire?.enctype2 ?? c.key.enctype)
  writeData(w, c.key.bytes)
  w.u32(c.authtime).u32(c.starttime).u32(c.endtime).u32(c.renewTill)
  const skeyByte = c.wire?.isSKeyByte
  w.u8(c.isSKey ? (skeyByte !== undefined && skeyByte > 1 ? skeyByte : 1) : 0)
  w.u32(c.ticketFlags)
  w.u32(c.addresses.length)
  for (const a of c.addresses) writeData(w.u16(a.addrType), a.address)
  w.u32(c.authData.length)
  for (const a of c.authData) writeData(w.u16(a.adType), a.data)
  writeData(w, c.ticket)
  writeData(w, c.secondTicket)
}
