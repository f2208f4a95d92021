/**
 * A tiny bounded DER peek at a KDC reply: is it a KRB-ERROR, and with which error-code? The
 * transport needs only this (to retry over TCP on KRB_ERR_RESPONSE_TOO_BIG); full decoding is
 * the client's job.
 *
 * @module
 */

interface TLV {
  readonly tag: number
  readonly start: number
  readonly end: number
}

/** Read one TLV header at `pos` inside `[pos, limit)`; undefined when malformed. */
function readTLV(buf: Uint8Array, pos: number, limit: number): TLV | undefined {
  if (pos + 2 > limit) return undefined
  const tag = buf[pos]!
  let len = buf[pos + 1]!
  let start = pos + 2
  if (len & 0x80) {
    const n = len & 0x7f
    if (n === 0 || n > 4 || start + n > limit) return undefined
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!
    start += n
  }
  const end = start + len
  return end <= limit ? { tag, start, end } : undefined
}

/** `[APPLICATION 30]` — KRB-ERROR (RFC 4120 §5.9.1). */
const KRB_ERROR_TAG = 0x7e
const SEQUENCE = 0x30
const INTEGER = 0x02
/** `error-code [6] Int32`. */
const ERROR_CODE_FIELD = 0xa6

/**
 * The error-code of a KRB-ERROR reply, or undefined when `reply` is not a well-formed-enough
 * KRB-ERROR (AS-REP, TGS-REP, garbage).
 *
 * @example
 * ```ts
 * if (peekKRBErrorCode(reply) === 52) retryOverTCP() // KRB_ERR_RESPONSE_TOO_BIG
 * ```
 */
export function peekKRBErrorCode(reply: Uint8Array): number | undefined {
  const outer = readTLV(reply, 0, reply.length)
  if (outer === undefined || outer.tag !== KRB_ERROR_TAG) return undefined
  const seq = readTLV(reply, outer.start, outer.end)
  if (seq === undefined || seq.tag !== SEQUENCE) return undefined
  let pos = seq.start
  for (let i = 0; i < 16 && pos < seq.end; i++) {
    const field = readTLV(reply, pos, seq.end)
    if (field === undefined) return undefined
    if (field.tag === ERROR_CODE_FIELD) return readInt32(reply, field)
    pos = field.end
  }
  return undefined
}

function readInt32(buf: Uint8Array, field: TLV): number | undefined {
  const int = readTLV(buf, field.start, field.end)
  if (int === undefined || int.tag !== INTEGER) return undefined
  const n = int.end - int.start
  if (n < 1 || n > 5) return undefined
  let v = buf[int.start]! & 0x80 ? -1 : 0
  for (let i = int.start; i < int.end; i++) v = v * 256 + buf[i]!
  return v
}
