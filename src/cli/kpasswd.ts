/**
 * `kerberos-ts kpasswd [PRINCIPAL]`: change a password through kpasswd (RFC 3244), as MIT's
 * kpasswd: the old password, then the new one twice, from the terminal without echo or from
 * stdin lines.
 *
 * @module
 */
import { formatPrincipal } from '../principal.js'
import { readCCache } from '../node/ccache-store.js'
import { createCLIClient } from './kinit.js'
import { err, optionValue, out, parseCommandArgs, readPassword } from './util.js'

/** The usage text (`kerberos-ts kpasswd --help`). */
export const usage: string = `usage: kerberos-ts kpasswd [-V] [PRINCIPAL]
Changes PRINCIPAL's password (default: the ccache's principal, else $USER) through the realm's
kpasswd server (krb5.conf kpasswd_server, else admin_server port 464, else DNS SRV _kpasswd).
Reads the old password, then the new one twice, from the terminal without echo or stdin lines.`

const spec = { '-V': false, '-c': true, '-h': false, '--help': false } as const

async function defaultPrincipal(ccache: string | undefined): Promise<string | undefined> {
  try {
    return formatPrincipal((await readCCache(ccache)).defaultPrincipal)
  } catch {
    return process.env.USER ?? process.env.LOGNAME
  }
}

/** Run `kerberos-ts kpasswd`. */
export async function run(argv: readonly string[]): Promise<number> {
  const args = parseCommandArgs('kpasswd', argv, spec, usage)
  if (typeof args === 'number') return args
  if (args.operands.length > 1) {
    err('kpasswd', `expected at most one principal\n${usage}`)
    return 2
  }
  const principal = args.operands[0] ?? (await defaultPrincipal(optionValue(args, '-c')))
  if (principal === undefined) {
    err('kpasswd', 'no principal given and none found')
    return 2
  }
  const { client } = await createCLIClient({ verbose: args.options.has('-V') })
  const oldPassword = await readPassword(`Password for ${principal}: `)
  const newPassword = await readPassword('Enter new password: ')
  const again = await readPassword('Enter it again: ')
  if (newPassword !== again) {
    err('kpasswd', 'Password mismatch')
    return 1
  }
  await client.changePassword({ principal, oldPassword, newPassword })
  out('Password changed.\n')
  return 0
}
