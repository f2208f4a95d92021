/**
 * The Merkle–Damgård driver shared by MD4 (RFC 1320 §3.1–3.2) and MD5 (RFC 1321 §3.1–3.2): pad
 * with 0x80, zeros and the 64-bit little-endian bit length, run the block function over each
 * 64-octet block of little-endian words, and write the four-word state out little-endian.
 *
 * @module
 */

/** Digest `data` with a 16-octet MD4-family `block` function (state a, b, c, d; 16 words). */
export function digestLE(
  data: Uint8Array,
  block: (state: Int32Array, words: Int32Array) => void,
): Uint8Array {
  const padded = new Uint8Array((((data.length + 8) >>> 6) + 1) << 6)
  padded.set(data)
  padded[data.length] = 0x80
  const view = new DataView(padded.buffer)
  view.setUint32(padded.length - 8, (data.length * 8) >>> 0, true)
  view.setUint32(padded.length - 4, Math.floor(data.length / 0x20000000), true)
  const st = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476])
  const x = new Int32Array(16)
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) x[i] = view.getInt32(off + 4 * i, true)
    block(st, x)
  }
  const out = new Uint8Array(16)
  const ov = new DataView(out.buffer)
  for (let i = 0; i < 4; i++) ov.setInt32(4 * i, st[i]!, true)
  return out
}
