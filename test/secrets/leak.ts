/**
 * Find key bytes or passwords in printed output: hex (either case), base64 at every alignment,
 * the raw bytes as Latin-1 text, and decimal byte lists as `util.inspect` and `JSON.stringify`
 * print typed arrays (`[ 222, 173, ... ]`, `{"0":222,"1":173,...}`).
 */
import assert from 'node:assert/strict'
import { inspect } from 'node:util'

/** A recognisable key: `n` bytes of a pattern unlikely to appear by chance. */
export function patternKey(n: number, tag: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (0xa5 ^ (i * 29 + tag * 71)) & 0xff
  return out
}

const WINDOW = 12

function base64Forms(secret: Uint8Array): string[] {
  const out: string[] = []
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.from(secret.subarray(shift)).toString('base64')
    // Drop the last 4 characters (they depend on what follows) and keep a long middle run.
    const core = b64.slice(0, Math.max(8, b64.length - 4))
    out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'))
  }
  return out
}

function decimalRuns(text: string): number[] {
  const nums: number[] = []
  for (const m of text.matchAll(/\d+/g)) nums.push(Number(m[0]))
  return nums
}

function containsRun(
  nums: readonly number[],
  secret: Uint8Array,
  stride: number,
  offset: number,
): boolean {
  const want = Array.from(secret.subarray(0, WINDOW))
  outer: for (let i = offset; i + (want.length - 1) * stride < nums.length; i += stride) {
    for (let j = 0; j < want.length; j++) if (nums[i + j * stride] !== want[j]) continue outer
    return true
  }
  return false
}

/** Where `secret` shows up in `text`, or undefined. */
export function findSecret(text: string, secret: Uint8Array): string | undefined {
  const hex = Buffer.from(secret.subarray(0, WINDOW)).toString('hex')
  if (text.toLowerCase().includes(hex)) return 'hex'
  for (const b of base64Forms(secret)) if (text.includes(b)) return 'base64'
  if (text.includes(Buffer.from(secret.subarray(0, WINDOW)).toString('latin1'))) return 'raw bytes'
  const nums = decimalRuns(text)
  if (containsRun(nums, secret, 1, 0)) return 'decimal list'
  if (containsRun(nums, secret, 2, 0) || containsRun(nums, secret, 2, 1)) return 'JSON typed array'
  return undefined
}

function safeJSON(value: unknown): string {
  try {
    return (
      JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? ''
    )
  } catch (err) {
    return `JSON failed: ${String(err)}`
  }
}

/** Every printed form of `value` a program might log. */
export function printedForms(value: unknown): Record<string, string> {
  const forms: Record<string, string> = {
    String: (() => {
      try {
        return String(value)
      } catch {
        return ''
      }
    })(),
    JSON: safeJSON(value),
    inspect: inspect(value),
    'inspect deep': inspect(value, {
      depth: Infinity,
      maxArrayLength: Infinity,
      maxStringLength: Infinity,
      showHidden: true,
      getters: true,
    }),
  }
  if (value instanceof Error) {
    forms.message = value.message
    forms.stack = value.stack ?? ''
    forms['JSON context'] = safeJSON((value as { context?: unknown }).context)
    forms.cause = inspect(value.cause, { depth: Infinity })
  }
  return forms
}

/** Fail when any of `secrets` (bytes, or a password string) appears in any printed form of `value`. */
export function assertNoSecrets(
  label: string,
  value: unknown,
  secrets: readonly (Uint8Array | string)[],
): void {
  for (const [form, text] of Object.entries(printedForms(value))) {
    for (const s of secrets) {
      if (typeof s === 'string') {
        assert.ok(
          !text.includes(s),
          `${label}: the password appears in ${form}:\n${text.slice(0, 2000)}`,
        )
        continue
      }
      const how = findSecret(text, s)
      assert.equal(
        how,
        undefined,
        `${label}: key bytes appear (${how}) in ${form}:\n${text.slice(0, 3000)}`,
      )
    }
  }
}

/** Sanity check of the detector itself: it must find the secret when printed plainly. */
export function detectorSelfTest(secret: Uint8Array): void {
  const plain = { bytes: secret }
  for (const [form, text] of Object.entries(printedForms(plain))) {
    if (form === 'String') continue
    assert.notEqual(
      findSecret(text, secret),
      undefined,
      `detector misses a plain Uint8Array in ${form}`,
    )
  }
  assert.notEqual(findSecret(Buffer.from(secret).toString('hex'), secret), undefined)
  assert.notEqual(findSecret(Buffer.from(secret).toString('base64'), secret), undefined)
}
