/**
 * CBC with ciphertext stealing as Kerberos uses it (RFC 3962 §5, RFC 6803): one block is plain
 * CBC (ECB with a zero IV); from two blocks on, the last two ciphertext blocks are swapped and the
 * last one truncated — also when the input is a whole number of blocks.
 *
 * @module
 */
import type { PreparedCipher } from './backend.js'

const ZERO_IV = new Uint8Array(16)
/** Scratch for the one block CTS decryption decrypts alone (ciphers do not keep their input). */
const BLOCK = new Uint8Array(16)

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
  const m = Math.ceil(n / 16) * 16
  let padded = input
  if (m !== n) {
    padded = new Uint8Array(m)
    padded.set(input)
  }
  return ctsEncryptPadded(cipher, iv, padded, n, 0)
}

/**
 * CBC-CTS of the first `n` octets of `padded` (whose length is `n` rounded up to whole blocks,
 * zero-filled after `n`). Returns `n + extra` octets, the last `extra` left zero for the caller's
 * MAC — so the hot path copies the message once on the way in and once on the way out.
 */
export function ctsEncryptPadded(
  cipher: PreparedCipher,
  iv: Uint8Array,
  padded: Uint8Array,
  n: number,
  extra: number,
): Uint8Array {
  checkLength(n)
  const m = padded.length
  if (m !== Math.ceil(n / 16) * 16)
    throw new RangeError(`expected ${Math.ceil(n / 16) * 16} padded octets, got ${m}`)
  const c = cipher.encryptCBC(iv, padded)
  const out = new Uint8Array(n + extra)
  if (n === 16) {
    out.set(c)
    return out
  }
  // CBC over the zero-padded input gives C1..Cn; CTS sends C1..C(n-2), Cn, then C(n-1) cut short.
  const last = n - (m - 16)
  const prefix = m - 32
  if (prefix > 0) out.set(prefix === c.length ? c : c.subarray(0, prefix))
  // The last two blocks by hand: cheaper than two more views for short messages.
  for (let i = 0; i < 16; i++) out[prefix + i] = c[m - 16 + i]!
  for (let i = 0; i < last; i++) out[m - 16 + i] = c[prefix + i]!
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
  const prefix = m - 32
  // D = (Pn || 0…) XOR C(n-1): its tail restores the octets of C(n-1) that were stolen.
  for (let i = 0; i < 16; i++) BLOCK[i] = input[prefix + i]!
  const out = cipher.decryptCBC(ZERO_IV, BLOCK)
  const d = out.buffer === BLOCK.buffer ? out.slice() : out // an in-place backend keeps its result
  BLOCK.fill(0)
  // Rebuild the plain CBC ciphertext C1..C(n-2) | C(n-1) | Cn and decrypt it in one pass: its
  // last block comes out as D XOR C(n-1) = Pn followed by zeros. Two cipher calls, not three.
  const c = new Uint8Array(m)
  c.set(input.subarray(0, prefix))
  for (let i = 0; i < last; i++) c[prefix + i] = input[prefix + 16 + i]!
  for (let i = last; i < 16; i++) c[prefix + i] = d[i]!
  for (let i = 0; i < 16; i++) c[prefix + 16 + i] = input[prefix + i]!
  return cipher.decryptCBC(iv, c).subarray(0, n)
}

/** The cipher state after a CTS encryption: the next-to-last output block (RFC 3962 §5). */
export function ctsNextIV(output: Uint8Array): Uint8Array {
  const start = Math.max(0, (Math.ceil(output.length / 16) - 2) * 16)
  return output.slice(start, start + 16)
}
