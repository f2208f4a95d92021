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
  let ascii = true
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false
      break
    }
  }
  if (ascii) return bytes.length <= 64 ? String.fromCharCode(...bytes) : loose.decode(bytes)
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

/** UTF-8 encode. */
export function encodeName(text: string): Uint8Array {
  return encoder.encode(text)
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
