/**
 * Security identifiers (MS-DTYP §2.4.2): the `S-1-5-21-…` text form, the binary form used by
 * UPN_DNS_INFO and PAC_REQUESTOR (§2.4.2.2), and the NDR `RPC_SID` body shared with the NDR
 * buffers.
 *
 * @module
 */
import type { ByteWriter } from '../internal/bytes.js'

/** What {@link readSIDBody} reads from: a ByteReader or an NdrReader. */
export interface SIDSource {
  readonly remaining: number
  u8(label: string): number
  u32(label: string): number
  fail(message: string, context?: Record<string, unknown>): never
}

/** MS-DTYP §2.4.2: at most 15 sub-authorities. */
export const MAX_SUB_AUTHORITIES = 15

/** A SID as its parts; `authority` is the 48-bit IdentifierAuthority. */
export interface SIDParts {
  readonly revision: number
  readonly authority: number
  readonly subAuthorities: readonly number[]
}

/**
 * The text form of a SID (MS-DTYP §2.4.2.1): `S-1-5-21-1-2-3-1105`; an authority of 2^32 or
 * more is written in hex (`S-1-0x…`).
 *
 * @example
 * ```ts
 * formatSID({ revision: 1, authority: 5, subAuthorities: [21, 1, 2, 3] }) // 'S-1-5-21-1-2-3'
 * ```
 */
export function formatSID(sid: SIDParts): string {
  const auth =
    sid.authority >= 2 ** 32
      ? '0x' + sid.authority.toString(16).toUpperCase().padStart(12, '0')
      : String(sid.authority)
  let s = `S-${sid.revision}-${auth}`
  for (const sub of sid.subAuthorities) s += `-${sub}`
  return s
}

/**
 * Parse `S-1-5-21-…`. Throws `TypeError` on anything else (the text comes from the caller,
 * never from the network).
 *
 * @example
 * ```ts
 * parseSID('S-1-5-32-544').subAuthorities // [32, 544]
 * ```
 */
export function parseSID(text: string): SIDParts {
  const m = /^S-(\d{1,3})-(\d{1,15}|0x[0-9A-Fa-f]{1,12})((?:-\d{1,10}){0,15})$/.exec(text)
  if (m === null) throw new TypeError(`expected a SID like S-1-5-21-…, got ${JSON.stringify(text)}`)
  const revision = Number(m[1])
  const authority = m[2]!.startsWith('0x') ? parseInt(m[2]!.slice(2), 16) : Number(m[2])
  const subAuthorities = m[3] === '' ? [] : m[3]!.slice(1).split('-').map(Number)
  if (revision > 255 || authority >= 2 ** 48 || subAuthorities.some((v) => v > 0xffffffff)) {
    throw new TypeError(`expected a SID with values in range, got ${text}`)
  }
  return { revision, authority, subAuthorities }
}

/** Read the SID body (revision, count, authority, sub-authorities) from `r`. */
export function readSIDBody(r: SIDSource, label: string, expectedCount?: number): string {
  const revision = r.u8(label)
  const count = r.u8(label)
  if (count > MAX_SUB_AUTHORITIES || (expectedCount !== undefined && count !== expectedCount)) {
    r.fail(`${label} has ${count} sub-authorities (expected ${expectedCount ?? '0..15'})`, {
      label,
    })
  }
  // 48-bit big-endian (MS-DTYP §2.4.1), unlike everything else here.
  let authority = 0
  for (let i = 0; i < 6; i++) authority = authority * 256 + r.u8(label)
  if (count * 4 > r.remaining) r.fail(`${label} sub-authorities need ${count * 4} bytes`, { label })
  // The text form built as it is read (what formatSID gives, without the parts array).
  let text =
    authority >= 2 ** 32
      ? formatSID({ revision, authority, subAuthorities: [] })
      : `S-${revision}-${authority}`
  for (let i = 0; i < count; i++) text += `-${r.u32(label)}`
  return text
}

/** Write the SID body (the inverse of {@link readSIDBody}); `w` must be little-endian. */
export function writeSIDBody(w: ByteWriter, sid: string | SIDParts): void {
  const p = typeof sid === 'string' ? parseSID(sid) : sid
  w.u8(p.revision).u8(p.subAuthorities.length)
  const hi = Math.floor(p.authority / 2 ** 32)
  const lo = p.authority >>> 0
  w.u8((hi >> 8) & 0xff)
    .u8(hi & 0xff)
    .u8(lo >>> 24)
    .u8((lo >> 16) & 0xff)
    .u8((lo >> 8) & 0xff)
    .u8(lo & 0xff)
  for (const s of p.subAuthorities) w.u32(s)
}

/** Number of sub-authorities of a SID given as text. */
export function subAuthorityCount(sid: string): number {
  return parseSID(sid).subAuthorities.length
}

/**
 * `domainSid` + `-rid` (a group or user SID from a domain SID and a RID).
 *
 * @example
 * ```ts
 * sidWithRid('S-1-5-21-1-2-3', 513) // 'S-1-5-21-1-2-3-513'
 * ```
 */
export function sidWithRid(domainSid: string, rid: number): string {
  return `${domainSid}-${rid >>> 0}`
}
