/**
 * `kerberos-ts kvno`: get service tickets with the ccache's TGT, store them in the ccache and
 * print `SPN: kvno = N` as MIT's kvno does.
 *
 * @module
 */
import { credentialsToCCacheEntry } from '../client/credentials.js'
import { storeCredential } from '../ccache/index.js'
import { encTypeName } from '../iana.js'
import { readCCache, writeCCache } from '../node/ccache-store.js'
import { formatPrincipal } from '../principal.js'
import { KerberosError } from '../errors.js'
import { createCLIClient } from './kinit.js'
import { UsageError, err, optionValue, out, parseCommandArgs } from './util.js'

const usage = `usage: kerberos-ts kvno [-c CCACHE] [-e ENCTYPE] [-q] [-V] SPN...
  SPN is HTTP/host@REALM, HTTP/host (default realm) or HTTP@host (host-based, realm from [domain_realm])
  -c  credential cache (default KRB5CCNAME)   -e  session key enctype
  -q  print nothing on success                -V  trace`

const spec = {
  '-c': true,
  '-e': true,
  '-q': false,
  '-V': false,
  '-h': false,
  '--help': false,
} as const

/** Run `kerberos-ts kvno`. */
export async function run(argv: readonly string[]): Promise<number> {
  const args = parseCommandArgs('kvno', argv, spec, usage)
  if (typeof args === 'number') return args
  if (args.operands.length === 0) {
    err('kvno', `expected at least one service principal\n${usage}`)
    return 2
  }
  const name = optionValue(args, '-c')
  let cc = await readCCache(name)
  const { client } = await createCLIClient({ verbose: args.options.has('-V') })
  client.fromCCache(cc)
  const loaded = new Set(client.credentials)
  const etype = optionValue(args, '-e')
  let failed = 0
  for (const spn of args.operands) {
    try {
      const st = await client.getServiceTicket(spn, etype ? { etypes: [enctypeNumber(etype)] } : {})
      if (!args.options.has('-q'))
        out(`${formatPrincipal(st.server)}: kvno = ${st.ticketKvno ?? 0}\n`)
    } catch (e) {
      if (!(e instanceof KerberosError)) throw e
      failed++
      err('kvno', `${e.message} while getting credentials for ${spn}`)
    }
  }
  // Every ticket obtained (cross-realm and referral TGTs too) goes back into the cache.
  for (const c of client.credentials) {
    if (!loaded.has(c)) cc = storeCredential(cc, credentialsToCCacheEntry(c))
  }
  await writeCCache(name, cc)
  return failed === 0 ? 0 : 1
}

function enctypeNumber(text: string): number {
  const n = Number(text)
  if (Number.isInteger(n)) return n
  for (let e = 1; e < 64; e++) if (encTypeName(e) === text) return e
  throw new UsageError(`unknown enctype ${JSON.stringify(text)}`)
}
