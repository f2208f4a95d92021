/**
 * Splitting `Authorization` / `WWW-Authenticate` values (RFC 7235 §2.1) without regular
 * expressions: every step is one left-to-right scan, so a header of n characters costs O(n)
 * whatever it holds (no backtracking on runs of whitespace).
 *
 * @module
 */

/** RFC 7230 OWS is SP and HTAB; CR, LF, VT and FF are taken as whitespace too, as `\s` did. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c
}

/** A credentials or challenge value split at its first whitespace run. */
export interface AuthParts {
  /** The auth-scheme as written (compare it case-insensitively). */
  readonly scheme: string
  /** What follows the scheme with the surrounding whitespace removed ('' when nothing does). */
  readonly rest: string
}

/** Index of the first whitespace character at or after `from`, or -1. */
export function indexOfSpace(text: string, from = 0): number {
  for (let i = from; i < text.length; i++) if (isSpace(text.charCodeAt(i))) return i
  return -1
}

function trimSpace(text: string, from: number, to: number): string {
  let a = from
  let b = to
  while (a < b && isSpace(text.charCodeAt(a))) a++
  while (b > a && isSpace(text.charCodeAt(b - 1))) b--
  return text.slice(a, b)
}

/**
 * `"  Negotiate   YII...  "` → `{ scheme: 'Negotiate', rest: 'YII...' }`. Linear time; `rest` may
 * still hold inner whitespace (the caller decides whether that is allowed).
 */
export function splitAuthValue(value: string): AuthParts {
  const text = trimSpace(value, 0, value.length)
  const space = indexOfSpace(text)
  if (space < 0) return { scheme: text, rest: '' }
  return { scheme: text.slice(0, space), rest: trimSpace(text, space, text.length) }
}

/** True when `scheme` is `Negotiate` in any case. */
export function isNegotiateScheme(scheme: string): boolean {
  return scheme.length === 9 && scheme.toLowerCase() === 'negotiate'
}
