/**
 * Text inside DER: KerberosTime (`YYYYMMDDHHMMSSZ`) and KerberosString bytes, with the
 * surrogateescape scheme that keeps non-UTF-8 bytes exact.
 *
 * @module
 */
import { encodeFail } from './der-common.js'

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
