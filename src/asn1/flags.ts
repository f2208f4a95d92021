/**
 * KerberosFlags (RFC 4120 §5.2.8) as 32-bit unsigned numbers. RFC 4120 numbers bits from the
 * most significant: bit 0 is `0x80000000`, bit 31 is `1`.
 *
 * @module
 */
import { decodeWith, encodeWith, rFlags, wFlags } from './der.js'

function checkBit(bit: number): void {
  if (!Number.isInteger(bit) || bit < 0 || bit > 31)
    throw new RangeError(`expected a flag bit 0..31, got ${bit}`)
}

/**
 * True when `bit` (RFC 4120 numbering) is set in `flags`.
 *
 * @example
 * ```ts
 * hasFlag(setFlags(1, 8), 1) // true (forwardable)
 * ```
 */
export function hasFlag(flags: number, bit: number): boolean {
  checkBit(bit)
  return ((flags >>> (31 - bit)) & 1) === 1
}

/**
 * Flags with the given bits set.
 *
 * @example
 * ```ts
 * setFlags(1, 3, 8) // forwardable | proxiable | renewable, as RFC 4120 numbers them
 * ```
 */
export function setFlags(...bits: readonly number[]): number {
  let v = 0
  for (const bit of bits) {
    checkBit(bit)
    v |= 1 << (31 - bit)
  }
  return v >>> 0
}

/** The bit numbers set in `flags`, ascending. */
export function listFlags(flags: number): number[] {
  const out: number[] = []
  for (let bit = 0; bit < 32; bit++) if (((flags >>> (31 - bit)) & 1) === 1) out.push(bit)
  return out
}

/**
 * ```asn1
 * KerberosFlags ::= BIT STRING (SIZE (32..MAX))
 * ```
 * Encoded as exactly 32 bits. Decoding accepts any length: bits past 31 are ignored, missing
 * bits read as zero (RFC 4120 §5.2.8).
 * @example
 * ```ts
 * encodeKerberosFlags(setFlags(1)) // 03 05 00 40 00 00 00
 * ```
 */
export function encodeKerberosFlags(flags: number): Uint8Array {
  return encodeWith(flags, wFlags)
}

/** Decode KerberosFlags; see {@link encodeKerberosFlags}. */
export function decodeKerberosFlags(bytes: Uint8Array): number {
  return decodeWith(bytes, 'KerberosFlags', rFlags)
}
