/**
 * Crypto benchmarks: aes256 string-to-key (4096 iterations), encrypt 1 KiB and decrypt 64 KiB
 * with aes256-cts-hmac-sha1-96, on the pure and the node:crypto backends side by side.
 * Run alone with `node build/bench/crypto.js`, or through bench/main.ts.
 */
import { pathToFileURL } from 'node:url'
import {
  decrypt,
  encrypt,
  pureBackend,
  stringToKey,
  type CryptoBackend,
} from '../src/crypto/index.js'
import { nodeBackend } from '../src/node/crypto-backend.js'
import { formatOps, loadNote, measure, printRows, type BenchResult } from './harness.js'

/** Options for {@link benchCrypto}. */
export interface BenchCryptoOptions {
  /** Timed window per operation in ms (default 1000). */
  readonly minMs?: number
  /** Print the side-by-side table (default true). */
  readonly print?: boolean
}

interface Op {
  readonly name: string
  readonly targets: Readonly<Record<string, number>>
  readonly make: (backend: CryptoBackend) => () => unknown
}

const SALT = 'EXAMPLE.COMalice'

const OPS: readonly Op[] = [
  {
    name: 'aes256 string-to-key (4096 iterations)',
    targets: { node: 350, pure: 180 },
    make: (backend) => () => stringToKey(18, 'correct horse battery staple', SALT, { backend }),
  },
  {
    name: 'encrypt 1 KiB aes256-sha1 usage 2',
    targets: { node: 50_000, pure: 25_000 },
    make: (backend) => {
      const key = stringToKey(18, 'password', SALT, { backend })
      const data = new Uint8Array(1024).fill(1)
      // A fresh confounder from globalThis.crypto each time, as in real use.
      return () => encrypt(key, 2, data, { backend })
    },
  },
  {
    name: 'decrypt 64 KiB aes256-sha1 usage 2',
    targets: { node: 4_100 },
    make: (backend) => {
      const key = stringToKey(18, 'password', SALT, { backend })
      const ct = encrypt(key, 2, new Uint8Array(65536).fill(2), { backend })
      return () => decrypt(key, 2, ct, { backend })
    },
  },
]

/**
 * Run the crypto benchmarks on both backends and return one result per (operation, backend).
 *
 * @example
 * ```ts
 * const results = await benchCrypto({ minMs: 500 })
 * ```
 */
export async function benchCrypto(options: BenchCryptoOptions = {}): Promise<BenchResult[]> {
  const backends = [pureBackend, nodeBackend]
  const results: BenchResult[] = []
  const rows = [
    [
      'operation',
      'pure ops/s',
      'node ops/s',
      'node/pure',
      'targets (pure / node)',
      'met',
      'pure ops/cpu-s',
      'node ops/cpu-s',
    ],
  ]
  for (const op of OPS) {
    const [pure, node] = backends.map((b) => {
      const target = op.targets[b.name]
      return measure(op.name, op.make(b), {
        minMs: options.minMs ?? 1000,
        backend: b.name,
        ...(target === undefined ? {} : { target }),
      })
    }) as [BenchResult, BenchResult]
    results.push(pure, node)
    const met = [pure, node].every((r) => r.target === undefined || r.opsPerSec >= r.target)
    const t = (r: BenchResult): string =>
      r.target === undefined ? '-' : `≥ ${formatOps(r.target)}`
    rows.push([
      op.name,
      formatOps(pure.opsPerSec),
      formatOps(node.opsPerSec),
      `${(node.opsPerSec / pure.opsPerSec).toFixed(2)}x`,
      `${t(pure)} / ${t(node)}`,
      met ? 'yes' : 'NO',
      formatOps(pure.cpuOpsPerSec),
      formatOps(node.cpuOpsPerSec),
    ])
    await new Promise((r) => setImmediate(r))
  }
  if (options.print !== false) {
    printRows(rows)
    console.log(
      "(ops/s: wall clock; ops/cpu-s: per second of this process's CPU time, steadier on a busy machine)",
    )
    console.log(loadNote())
  }
  return results
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchCrypto()
}
