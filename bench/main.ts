/**
 * `npm run bench`: every benchmark of the project in one run, so ratios compare like with like.
 * Each suite lives in its own module under bench/ and exports one async function.
 * `npm run bench -- --only crypto,asn1` runs a subset; `npm run bench -- --soak` runs the soak.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

interface Suite {
  readonly name: string
  readonly file: string
  readonly fn: string
}

const suites: readonly Suite[] = [
  { name: 'crypto', file: 'crypto.js', fn: 'benchCrypto' },
  { name: 'asn1', file: 'asn1.js', fn: 'benchASN1' },
  { name: 'keytab', file: 'keytab.js', fn: 'benchKeytab' },
  { name: 'client', file: 'client.js', fn: 'benchClient' },
  { name: 'acceptor', file: 'acceptor.js', fn: 'benchAcceptor' },
  { name: 'pac', file: 'pac.js', fn: 'benchPAC' },
  { name: 'redis', file: 'redis.js', fn: 'benchRedis' },
  { name: 'kdc', file: 'kdc.js', fn: 'benchKDC' },
  { name: 'runtimes', file: 'runtimes.js', fn: 'benchRuntimes' },
]

/** `npm run bench -- --soak`: the long steady-state run instead of the throughput suites. */
const soak: Suite = { name: 'soak', file: 'soak.js', fn: 'benchSoak' }

function selected(argv: readonly string[]): Set<string> | null {
  const at = argv.indexOf('--only')
  if (at < 0 || argv[at + 1] === undefined) return null
  return new Set(argv[at + 1]!.split(','))
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url))
  const only = selected(process.argv.slice(2))
  console.log(
    `kerberos-ts benchmarks — node ${process.version}, ${process.platform}/${process.arch}`,
  )
  const list = process.argv.includes('--soak') ? [soak] : suites
  for (const suite of list) {
    if (only && !only.has(suite.name)) continue
    const path = join(here, suite.file)
    if (!existsSync(path)) continue
    console.log(`\n## ${suite.name}`)
    const mod = (await import(path)) as Record<string, (() => Promise<unknown>) | undefined>
    const run = mod[suite.fn]
    if (typeof run !== 'function') throw new Error(`${suite.file} does not export ${suite.fn}`)
    await run()
  }
}

await main()
