/**
 * `kerberos-ts kdestroy`: delete a credential cache.
 *
 * @module
 */
import { destroyCCache } from '../node/ccache-store.js'
import { resolveCCacheName } from '../node/env.js'
import { err, optionValue, parseCommandArgs } from './util.js'

/** The usage text (`kerberos-ts kdestroy --help`). */
export const usage: string = `usage: kerberos-ts kdestroy [-c CCACHE] [-q]
  -c  credential cache (default KRB5CCNAME)   -q  quiet`

/** Run `kerberos-ts kdestroy`. */
export async function run(argv: readonly string[]): Promise<number> {
  const args = parseCommandArgs(
    'kdestroy',
    argv,
    { '-c': true, '-q': false, '-h': false, '--help': false },
    usage,
  )
  if (typeof args === 'number') return args
  const name = optionValue(args, '-c') ?? args.operands[0] ?? resolveCCacheName()
  if (await destroyCCache(name)) return 0
  if (!args.options.has('-q'))
    err('kdestroy', `no credentials cache found while destroying ${name}`)
  return 1
}
