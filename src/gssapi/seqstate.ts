/**
 * Sequence number checks for per-message tokens, with a 64-entry window like MIT's g_seqstate:
 * duplicates and tokens too old to tell are refused when replay detection is on; tokens out of
 * order or after a gap are refused when sequencing is on.
 *
 * @module
 */
import { ErrorCodes, KerberosError } from '../errors.js'

/** Why a sequence number was refused. */
export type SequenceProblem = 'duplicate' | 'old' | 'unseq' | 'gap'

/** Width of the window of recent sequence numbers remembered. */
export const SEQUENCE_WINDOW = 64

/**
 * The receive-side state of one direction of a context.
 *
 * @example
 * ```ts
 * const win = new SequenceWindow(initialSeq, { replay: true, sequence: true })
 * win.check(seq) // throws ERR_KRB_GSS_SEQUENCE on a duplicate
 * ```
 */
export class SequenceWindow {
  readonly replay: boolean
  readonly sequence: boolean
  #next: number
  /** Bit i set: (next - 1 - i) was received. */
  #seen = 0n

  constructor(initial: number, options: { readonly replay: boolean; readonly sequence: boolean }) {
    this.#next = initial
    this.replay = options.replay
    this.sequence = options.sequence
  }

  /** The sequence number expected next. */
  get next(): number {
    return this.#next
  }

  /** Record `seq`, or throw ERR_KRB_GSS_SEQUENCE (context.problem) when the flags forbid it. */
  check(seq: number): void {
    if (!this.replay && !this.sequence) return
    if (seq === this.#next) {
      this.#advance(1)
      this.#seen |= 1n
      return
    }
    if (seq > this.#next) {
      const expected = this.#next
      this.#advance(seq - expected + 1)
      this.#seen |= 1n
      if (this.sequence) throw seqError('gap', seq, expected)
      return
    }
    const back = this.#next - 1 - seq
    if (back >= SEQUENCE_WINDOW) {
      if (this.replay || this.sequence) throw seqError('old', seq, this.#next)
      return
    }
    const bit = 1n << BigInt(back)
    if ((this.#seen & bit) !== 0n) {
      if (this.replay) throw seqError('duplicate', seq, this.#next)
      return
    }
    this.#seen |= bit
    if (this.sequence) throw seqError('unseq', seq, this.#next)
  }

  #advance(n: number): void {
    this.#seen =
      n >= SEQUENCE_WINDOW ? 0n : (this.#seen << BigInt(n)) & ((1n << BigInt(SEQUENCE_WINDOW)) - 1n)
    this.#next += n
  }
}

function seqError(problem: SequenceProblem, seq: number, expected: number): KerberosError {
  const what: Record<SequenceProblem, string> = {
    duplicate: 'is a duplicate (replayed token)',
    old: 'is too old to check for replay',
    unseq: 'arrived out of order',
    gap: 'follows a gap: earlier tokens are missing',
  }
  return new KerberosError(
    ErrorCodes.GSS_SEQUENCE,
    `GSS token with sequence number ${seq} ${what[problem]} (expected ${expected})`,
    {
      context: { problem, seq, expected },
    },
  )
}
