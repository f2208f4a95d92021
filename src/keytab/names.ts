/**
 * On-disk counted strings of keytabs and ccaches are bytes. They decode as UTF-8 when valid;
 * otherwise the text is a lossy rendering and the raw bytes are kept so the file round-trips.
 *
 * @module
 */
import type { Principal } from '../principal.js'

// ignoreBOM: a leading EF BB BF must survive decode + encode unchanged.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const loose = new TextDecoder('utf-8', { ignoreBOM: true })
const encoder = new TextEncoder()

/** Decode a counted string: ASCII fast path, then strict UTF-8; `null` when not valid UTF-8. */
export function decodeNameBytes(bytes: Uint8Array): string | null {
  return decodeNameAt(bytes, 0, bytes.length)
}

/** {@link decodeNameBytes} on `bytes[start..end)`, without making a view. */
export function decodeNameAt(bytes: Uint8Array, start: number, end: number): string | null {
  // Names are short and almost always ASCII: build the string directly (no decoder call).
  let s = ''
  for (let i = start; i < end; i++) {
    const c = bytes[i]!
    if (c >= 0x80) return decodeNonAscii(bytes.subarray(start, end))
    s += String.fromCharCode(c)
  }
  return s
}

/**
 * Decodes repeated names once per parse: keytabs repeat the realm and service names in every
 * entry. Keyed by a hash of the bytes; a hit is confirmed by comparing the bytes.
 */
export class NameDecoder {
  #map = new Map<number, { readonly bytes: Uint8Array; readonly text: string }>()

  /** Like {@link decodeNameAt}, with memory. */
  decode(bytes: Uint8Array, start: number, end: number): string | null {
    let h = 0x811c9dc5 ^ (end - start)
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193)
    const hit = this.#map.get(h)
    if (hit && sameBytes(hit.bytes, bytes, start, end)) return hit.text
    const text = decodeNameAt(bytes, start, end)
    if (text !== null && this.#map.size < 4096)
      this.#map.set(h, { bytes: bytes.subarray(start, end), text })
    return text
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[start + i]) return false
  return true
}

function decodeNonAscii(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes)
  } catch {
    return null
  }
}

/** Lossy decode (U+FFFD for bad sequences), used only when raw bytes are kept beside it. */
export function decodeNameLossy(bytes: Uint8Array): string {
  return loose.decode(bytes)
}

/** UTF-8 encode (ASCII without a TextEncoder call: names are short and mostly ASCII). */
export function encodeName(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x80) return encoder.encode(text)
    out[i] = c
  }
  return out
}

/**
 * Raw name parts as read from disk, `[realm, ...components]`, kept only when some part is not
 * valid UTF-8.
 */
export type RawName = readonly Uint8Array[]

/** Build a principal from raw parts; returns the raw parts too when any is not UTF-8. */
export function principalFromParts(
  nameType: number,
  realm: Uint8Array,
  components: readonly Uint8Array[],
): { principal: Principal; raw: RawName | undefined } {
  let lossy = false
  const text = (b: Uint8Array): string => {
    const s = decodeNameBytes(b)
    if (s !== null) return s
    lossy = true
    return decodeNameLossy(b)
  }
  const principal: Principal = { nameType, components: components.map(text), realm: text(realm) }
  return {
    principal,
    raw: lossy ? [realm.slice(), ...components.map((c) => c.slice())] : undefined,
  }
}

/**
 * The byte parts `[realm, ...components]` to write for `principal`: the kept raw bytes when they
 * still render as the principal's text, else UTF-8.
 */
export function principalParts(principal: Principal, raw: RawName | undefined): Uint8Array[] {
  if (raw && raw.length === principal.components.length + 1) {
    const texts = [principal.realm, ...principal.components]
    if (raw.every((b, i) => decodeNameLossy(b) === texts[i])) return [...raw]
  }
  return [encodeName(principal.realm), ...principal.components.map(encodeName)]
}
