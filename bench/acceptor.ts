/**
 * Acceptor benchmarks: `Acceptor.accept()` on real MIT AP-REQs (aes256, keytab in memory, replay
 * cache on) and GSS wrap+unwrap of 64 KiB with confidentiality. Needs MIT krb5 and
 * python3-gssapi for the AP-REQs; without them the accept figure is skipped.
 * Run alone with `node build/bench/acceptor.js`, or through bench/main.ts.
 */
import { readFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import {
  setCryptoBackend,
  getCryptoBackend,
  pureBackend,
  type CryptoBackend,
} from '../src/crypto/index.js'
import { unframeKrb5Token } from '../src/gssapi/framing.js'
import { parseKeytab } from '../src/keytab/index.js'
import { nodeBackend } from '../src/node/crypto-backend.js'
import { Acceptor, indexKeytab } from '../src/protocol/ap-verify.js'
import { MemoryReplayCache } from '../src/protocol/replay-cache.js'
import { AcceptorContext, InitiatorContext } from '../src/gssapi/context.js'
import {
  fakeService,
  mitInitiatorTokens,
  pythonGssAvailable,
  setupService,
} from '../test/helpers/gss-peers.js'
import { mitAvailable, startRealm } from '../test/helpers/realm.js'
import { formatOps, loadNote, measure, printRows, type BenchResult } from './harness.js'

/** Options for {@link benchAcceptor}. */
export interface BenchAcceptorOptions {
  readonly minMs?: number
  readonly print?: boolean
  /** Distinct MIT AP-REQs to cycle through (default 4000). */
  readonly tokens?: number
}

async function mitAPReqs(
  count: number,
): Promise<{ apReqs: Uint8Array[]; keytab: Uint8Array } | undefined> {
  if (!mitAvailable() || !pythonGssAvailable()) return undefined
  const realm = await startRealm()
  try {
    const s = await setupService(realm)
    const env = { ...realm.env, KRB5CCNAME: `FILE:${s.ccache}` }
    const tokens = await mitInitiatorTokens(env, 'HTTP@localhost', count)
    return { apReqs: tokens.map((t) => unframeKrb5Token(t).body), keytab: await readFile(s.keytab) }
  } finally {
    await realm.stop()
  }
}

function benchAccept(
  apReqs: readonly Uint8Array[],
  keytabBytes: Uint8Array,
  backend: string,
  minMs: number,
): BenchResult {
  const keytab = indexKeytab(parseKeytab(keytabBytes))
  // The replay cache stays on; it is cleared each time the token list wraps around.
  const replayCache = new MemoryReplayCache({ maxEntries: 1_000_000 })
  const acceptor = new Acceptor({ keytab, replayCache })
  let i = 0
  return measure(
    `accept() MIT AP-REQ aes256, replay cache on (+AP-REP)`,
    () => {
      if (i === apReqs.length) {
        i = 0
        replayCache.clear()
      }
      return acceptor.accept(apReqs[i++]!)
    },
    { minMs, backend, target: 21_000 },
  )
}

/** An established pair of contexts (self-made ticket, aes256) for per-message benchmarks. */
function contextPair(): { init: InitiatorContext; acc: AcceptorContext } {
  const svc = fakeService()
  const acc = new AcceptorContext({ acceptor: new Acceptor({ keytab: svc.keytab }) })
  const init = new InitiatorContext({ credentials: svc.issue() })
  init.step(acc.step(init.step()!)!)
  return { init, acc }
}

function benchWrap(backend: string, minMs: number): BenchResult {
  const { init, acc } = contextPair()
  const message = new Uint8Array(65536).fill(0x61)
  return measure(
    'GSS wrap+unwrap 64 KiB, confidentiality (aes256)',
    () => acc.unwrap(init.wrap(message, { conf: true })),
    { minMs, backend, target: 4_100 },
  )
}

function printResults(results: readonly BenchResult[]): void {
  const rows = [['operation', 'backend', 'ops/s', 'ops/cpu-s', 'target', 'met']]
  for (const r of results) {
    const best = Math.max(r.opsPerSec, r.cpuOpsPerSec)
    const met = r.target === undefined ? '' : best >= r.target ? 'yes' : 'NO'
    rows.push([
      r.name,
      r.backend ?? '',
      formatOps(r.opsPerSec),
      formatOps(r.cpuOpsPerSec),
      r.target === undefined ? '' : formatOps(r.target),
      met,
    ])
  }
  printRows(rows)
  console.log("(ops/cpu-s: per second of this process's CPU time, steadier on a busy machine)")
  console.log(loadNote())
}

/** Run the acceptor benchmarks and print ops/s. */
export async function benchAcceptor(options: BenchAcceptorOptions = {}): Promise<BenchResult[]> {
  const minMs = options.minMs ?? 1000
  const results: BenchResult[] = []
  const prev = getCryptoBackend()
  const mit = await mitAPReqs(options.tokens ?? 4000)
  try {
    for (const [name, backend] of [
      ['node', nodeBackend],
      ['pure', pureBackend],
    ] as const satisfies readonly (readonly [string, CryptoBackend])[]) {
      setCryptoBackend(backend)
      if (mit) results.push(benchAccept(mit.apReqs, mit.keytab, name, minMs))
      results.push(benchWrap(name, minMs))
    }
  } finally {
    setCryptoBackend(prev)
  }
  if (!mit) console.log('accept(): MIT krb5 or python3-gssapi missing — skipped')
  if (options.print !== false) printResults(results)
  return results
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchAcceptor()
}
