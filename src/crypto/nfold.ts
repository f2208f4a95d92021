/**
 * n-fold (RFC 3961 §5.1): stretch or shrink an octet string to `n` bits by concatenating copies
 * rotated right by 13 bits and adding them with one's-complement addition.
 *
 * @module
 */

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/**
 * n-fold `input` to `outBytes` octets.
 *
 * @example
 * ```ts
 * toHex(nfold(utf8('012345'), 8)) // 'be072631276b1955'
 * ```
 */
export function nfold(input: Uint8Array, outBytes: number): Uint8Array {
  const inBytes = input.length
  if (inBytes === 0) throw new RangeError('expected a non-empty n-fold input')
  if (!Number.isInteger(outBytes) || outBytes < 1)
    throw new RangeError(`expected a positive n-fold size, got ${outBytes}`)
  const inBits = inBytes * 8
  const lcm = (inBytes * outBytes) / gcd(inBytes, outBytes)
  const out = new Uint8Array(outBytes)
  let carry = 0
  // Walk the lcm-long concatenation from its last octet; octet i comes from copy floor(i/inBytes),
  // which is the input rotated right by 13 * copy bits. msbit is that octet's top bit position.
  for (let i = lcm - 1; i >= 0; i--) {
    const copy = Math.floor(i / inBytes)
    const msbit = (inBits - 1 + (inBits + 13) * copy + (inBytes - (i % inBytes)) * 8) % inBits
    const hi = input[(inBytes - 1 - (msbit >>> 3)) % inBytes]!
    const lo = input[(inBytes - (msbit >>> 3)) % inBytes]!
    carry += (((hi << 8) | lo) >>> ((msbit & 7) + 1)) & 0xff
    carry += out[i % outBytes]!
    out[i % outBytes] = carry & 0xff
    carry >>>= 8
  }
  // End-around carry of one's-complement addition.
  for (let i = outBytes - 1; carry !== 0 && i >= 0; i--) {
    carry += out[i]!
    out[i] = carry & 0xff
    carry >>>= 8
  }
  return out
}
