/**
 * CBC with ciphertext stealing as Kerberos uses it (RFC 3962 §5, RFC 6803): one block is plain
 * CBC (ECB with a zero IV); from two blocks on, the last two ciphertext blocks are swapped and the
 * last one truncated — also when the input is a whole number of blocks.
 *
 * @module
 */
import type { PreparedCipher } from './backend.js'

const ZERO_IV = new Uint8Array(16)

function checkLength(n: number): void {
  if (n < 16)
    throw new RangeError(`expected at least one 16-octet block for CBC-CTS, got ${n} octets`)
}

/**
 * Encrypt `input` (≥ 16 octets) with CBC-CTS.
 *
 * @example
 * ```ts
 * const c = ctsEncrypt(backend.aes(key), new Uint8Array(16), plaintext)
 * ```
 */
export function ctsEncrypt(cipher: PreparedCipher, iv: Uint8Array, input: Uint8Array): Uint8Array {
  const n = input.length
  checkLength(n)
  if (n === 16) return cipher.encryptCBC(iv, input)
  const m = Math.ceil(n / 16) * 16
  let padded = input
  if (m !== n) {
    padded = new Uint8Array(m)
    padded.set(input)
  }
  // CBC over the zero-padded input gives C1..Cn; CTS sends C1..C(n-2), Cn, then C(n-1) cut short.
  const c = cipher.encryptCBC(iv, padded)
  const last = n - (m - 16)
  const out = new Uint8Array(n)
  out.set(c.subarray(0, m - 32))
  out.set(c.subarray(m - 16, m), m - 32)
  out.set(c.subarray(m - 32, m - 32 + last), m - 16)
  return out
}

/**
 * Decrypt CBC-CTS `input` (≥ 16 octets).
 *
 * @example
 * ```ts
 * const p = ctsDecrypt(backend.aes(key), new Uint8Array(16), ciphertext)
 * ```
 */
export function ctsDecrypt(cipher: PreparedCipher, iv: Uint8Array, input: Uint8Array): Uint8Array {
  const n = input.length
  checkLength(n)
  if (n === 16) return cipher.decryptCBC(iv, input)
  const m = Math.ceil(n / 16) * 16
  const last = n - (m - 16)
  // D = (Pn || 0…) XOR C(n-1): its tail restores the stolen octets of C(n-1).
  const d = cipher.decryptCBC(ZERO_IV, input.subarray(m - 32, m - 16))
  const buf = new Uint8Array(m - 16)
  buf.set(input.subarray(0, m - 32))
  buf.set(input.subarray(m - 16, n), m - 32)
  buf.set(d.subarray(last), m - 32 + last)
  const p = cipher.decryptCBC(iv, buf)
  const out = new Uint8Array(n)
  out.set(p)
  for (let i = 0; i < last; i++) out[m - 16 + i] = d[i]! ^ buf[m - 32 + i]!
  return out
}

/** The cipher state after a CTS encryption: the next-to-last output block (RFC 3962 §5). */
export function ctsNextIV(output: Uint8Array): Uint8Array {
  const start = Math.max(0, (Math.ceil(output.length / 16) - 2) * 16)
  return output.slice(start, start + 16)
}
