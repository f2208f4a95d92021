/**
 * Standalone codecs for RFC 4120's primitive types (Int32, UInt32, Microseconds, KerberosString,
 * Realm, KerberosTime), for completeness and tests; messages use the reader/writer directly.
 *
 * @module
 */
import {
  decodeWith,
  encodeWith,
  rInt32,
  rString,
  rTime,
  rUInt32,
  wInt32,
  wString,
  wTime,
  wUInt32,
} from './der.js'

/** `Int32 ::= INTEGER (-2147483648..2147483647)` as a standalone DER INTEGER. */
export function encodeInt32(v: number): Uint8Array {
  return encodeWith(v, wInt32)
}

/** Decode an Int32. */
export function decodeInt32(bytes: Uint8Array): number {
  return decodeWith(bytes, 'Int32', rInt32)
}

/** `UInt32 ::= INTEGER (0..4294967295)`. */
export function encodeUInt32(v: number): Uint8Array {
  return encodeWith(v, wUInt32)
}

/** Decode a UInt32 (a negative Int32 encoding reads as its unsigned value). */
export function decodeUInt32(bytes: Uint8Array): number {
  return decodeWith(bytes, 'UInt32', rUInt32)
}

/** `Microseconds ::= INTEGER (0..999999)`; encoded as an Int32, range not enforced on decode. */
export function encodeMicroseconds(v: number): Uint8Array {
  if (!Number.isInteger(v) || v < 0 || v > 999999)
    throw new RangeError(`expected microseconds 0..999999, got ${v}`)
  return encodeWith(v, wInt32)
}

/** Decode Microseconds. */
export function decodeMicroseconds(bytes: Uint8Array): number {
  return decodeWith(bytes, 'Microseconds', rInt32)
}

/** `KerberosString ::= GeneralString (IA5String)`; see the string notes in docs/asn1.md. */
export function encodeKerberosString(v: string): Uint8Array {
  return encodeWith(v, wString)
}

/** Decode a KerberosString. */
export function decodeKerberosString(bytes: Uint8Array): string {
  return decodeWith(bytes, 'KerberosString', rString)
}

/** `Realm ::= KerberosString`. */
export const encodeRealm: (v: string) => Uint8Array = encodeKerberosString

/** Decode a Realm. */
export function decodeRealm(bytes: Uint8Array): string {
  return decodeWith(bytes, 'Realm', rString)
}

/** `KerberosTime ::= GeneralizedTime -- with no fractional seconds`. */
export function encodeKerberosTime(v: Date): Uint8Array {
  return encodeWith(v, wTime)
}

/** Decode a KerberosTime (exactly `YYYYMMDDHHMMSSZ`). */
export function decodeKerberosTime(bytes: Uint8Array): Date {
  return decodeWith(bytes, 'KerberosTime', rTime)
}
