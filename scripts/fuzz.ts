/**
 * The fuzz CLI: `npm run fuzz -- [--target NAME] [--iterations N] [--seed S] [--only I] [--list]`.
 * Without --target every target runs. Failures print the iteration, the error and the input as
 * hex; `--only I` re-runs one iteration. Exit status 1 when anything failed.
 */
import { formatReport, runFuzz } from '../test/fuzz/runner.js'
import { fuzzTarget, fuzzTargets } from '../test/fuzz/targets.js'

interface Args {
  target?: string
  iterations: number
  seed: number
  only?: number
  list: boolean
}

function parseArgs(argv: readonly string[]): Args {
  const out: Args = { iterations: 100_000, seed: 20261123, list: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const next = (): string => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${a} needs a value`)
      return v
    }
    if (a === '--list') out.list = true
    else if (a === '--target') out.target = next()
    else if (a === '--iterations') out.iterations = Number(next())
    else if (a === '--seed') out.seed = Number(next())
    else if (a === '--only') out.only = Number(next())
    else throw new Error(`unknown argument ${a}`)
  }
  if (!Number.isSafeInteger(out.iterations) || out.iterations < 1)
    throw new Error('bad --iterations')
  if (!Number.isSafeInteger(out.seed)) throw new Error('bad --seed')
  return out
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2))
  if (args.list) {
    for (const t of fuzzTargets()) console.log(`${t.name.padEnd(18)} ${t.description}`)
    return 0
  }
  const targets = args.target === undefined ? fuzzTargets() : args.target.split(',').map(fuzzTarget)
  let failed = 0
  for (const target of targets) {
    const every = Math.max(10_000, Math.floor(args.iterations / 10))
    const r = await runFuzz(target, {
      iterations: args.iterations,
      seed: args.seed,
      ...(args.only !== undefined ? { only: args.only } : {}),
      progressEvery: every,
      progress: (done, rss) =>
        console.error(`  ${target.name}: ${done}/${args.iterations}, RSS ${rss.toFixed(0)} MB`),
    })
    console.log(formatReport(r))
    for (const f of r.failures) {
      failed++
      console.log(
        `  FAIL ${target.name} seed ${args.seed} iteration ${f.iteration} (${f.kind}): ${f.message}`,
      )
      console.log(`  input (hex): ${f.hex}`)
      console.log(
        `  reproduce: npm run fuzz -- --target ${target.name} --seed ${args.seed} --only ${f.iteration}`,
      )
    }
  }
  return failed === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(2)
  },
)
