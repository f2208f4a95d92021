/**
 * A tiny runtime smoke module (bundled for the browser runner until the full scenario suite of
 * test/runtimes/bundle.ts is there, and kept as the runner's own self-test): parse a keytab made
 * here, string-to-key against the RFC 3962 vector, encrypt/decrypt round trip, a tampered
 * ciphertext refused. Core imports only.
 */
import {
  createKeytab,
  makeKeytabEntry,
  parseKeytab,
  serializeKeytab,
} from '../../../src/keytab/index.js'
import { decrypt, encrypt, stringToKey } from '../../../src/crypto/index.js'

/** One step's outcome. */
export interface SmokeResult {
  readonly name: string
  readonly ok: boolean
  readonly error?: string
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

async function step(name: string, fn: () => Promise<void> | void): Promise<SmokeResult> {
  try {
    await fn()
    return { name, ok: true }
  } catch (err) {
    return { name, ok: false, error: String((err as Error).message ?? err) }
  }
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(what)
}

/** Run the smoke steps; never throws. Same entry point name as the full scenario bundle. */
export async function runScenarios(): Promise<SmokeResult[]> {
  const out: SmokeResult[] = []
  // RFC 3962 appendix B, first vector: 1 iteration, "password", "ATHENA.MIT.EDUraeburn".
  out.push(
    await step('stringToKey aes256 (RFC 3962 vector)', async () => {
      const k = stringToKey(18, 'password', 'ATHENA.MIT.EDUraeburn', {
        params: new Uint8Array([0, 0, 0, 1]),
        allowLowIterations: true,
      })
      check(
        hex(k.bytes) === 'fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161',
        'aes256 key mismatch',
      )
    }),
  )
  out.push(
    await step('keytab serialize/parse round trip', async () => {
      const entry = makeKeytabEntry({
        principal: 'HTTP/web.example.com@EXAMPLE.COM',
        key: stringToKey(17, 'secret', 'EXAMPLE.COMHTTPweb.example.com'),
        kvno: 3,
      })
      const kt = parseKeytab(serializeKeytab(createKeytab([entry])))
      check(kt.entries.length === 1, 'entry count')
      check(kt.entries[0]!.kvno === 3 && kt.entries[0]!.enctype === 17, 'kvno/enctype')
    }),
  )
  out.push(
    await step('encrypt/decrypt round trip, tampering refused', async () => {
      const key = stringToKey(18, 'pw', 'EXAMPLE.COMalice')
      const plain = new TextEncoder().encode('hello from a browser')
      const ct = encrypt(key, 2, plain)
      check(new TextDecoder().decode(decrypt(key, 2, ct)) === 'hello from a browser', 'plaintext')
      const bad = ct.slice()
      bad[bad.length - 1]! ^= 1
      let refused = false
      try {
        decrypt(key, 2, bad)
      } catch (err) {
        refused = typeof (err as { code?: unknown }).code === 'string'
      }
      check(refused, 'a tampered ciphertext was accepted')
    }),
  )
  return out
}

/** Operations per second of the smoke's hot paths (string-to-key with the default 4096 iterations). */
export async function runBench(
  options: { readonly ms?: number } = {},
): Promise<Record<string, number>> {
  const ms = options.ms ?? 1000
  const rate = (fn: () => void): number => {
    fn() // warm up
    let n = 0
    const t0 = performance.now()
    let t = t0
    while (t - t0 < ms) {
      fn()
      n++
      t = performance.now()
    }
    return (n * 1000) / (t - t0)
  }
  const key = stringToKey(18, 'pw', 'EXAMPLE.COMalice')
  const plain = new Uint8Array(1024)
  return {
    's2k/s': rate(() => stringToKey(18, 'password', 'EXAMPLE.COMalice')),
    'encrypt+decrypt 1 KiB/s': rate(() => decrypt(key, 2, encrypt(key, 2, plain))),
  }
}
