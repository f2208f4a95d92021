/**
 * RC4, needed only for arcfour-hmac (RFC 4757). Noble has no RC4, so it is written here.
 * RC4 is broken; the profiles that use it need `allowWeak: true`.
 *
 * @module
 */

/**
 * RC4 keystream XORed over `data` (encryption and decryption are the same operation).
 *
 * @example
 * ```ts
 * rc4(key, plaintext) // ciphertext; rc4(key, ciphertext) gives the plaintext back
 * ```
 */
export function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length === 0 || key.length > 256)
    throw new RangeError(`expected a 1..256-octet RC4 key, got ${key.length}`)
  const s = new Uint8Array(256)
  for (let i = 0; i < 256; i++) s[i] = i
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff
    const t = s[i]!
    s[i] = s[j]!
    s[j] = t
  }
  const out = new Uint8Array(data.length)
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff
    j = (j + s[i]!) & 0xff
    const t = s[i]!
    s[i] = s[j]!
    s[j] = t
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!
  }
  s.fill(0)
  return out
}
