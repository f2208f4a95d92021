/**
 * `kerberos-ts kdestroy`: delete a credential cache.
 *
 * @module
 */
import { destroyCCache } from '../node/ccache-store.js'
import { resolveCCacheName } from '../node/env.js'
import { UsageError, err, optionValue, out, parseArgs } from './util.js'

const usage = `usage: kerberos-ts kdestroy [-c CCACHE] [-q]
  -c  credential cache (default KRB5CCNAME)   -q  quiet`

/** Run `kerberos-ts kdestroy`. */
export async function run(argv: readonly string[]): Promise<number> {
  let args
  try {
    args = parseArgs(argv, { '-c': true, '-q': false, '-h': false, '--help': false })
  } catch (e) {
    if (e instanceof UsageError) {
      err('kdestroy', `${e.message}\n${usage}`)
      return 2
    }
    throw e
  }
  if (args.options.has('-h') || args.options.has('--help')) {
    out(usage + '\n')
    return 0
  }
  const name = optionValue(args, '-c') ?? args.operands[0] ?? resolveCCacheName()
  if (await destroyCCache(name)) return 0
  if (!args.options.has('-q'))
    err('kdestroy', `no credentials cache found while destroying ${name}`)
  return 1
}
