/**
 * `kerberos-ts kvno`: get service tickets with the ccache's TGT, store them in the ccache and
 * print `SPN: kvno = N` as MIT's kvno does. With `-k KEYTAB`, as MIT's `kvno -k`, each ticket is
 * decrypted with the keytab's key for it: `SPN: kvno = N, keytab entry valid` (or `invalid`, with
 * the acceptor's reason, and exit code 1).
 *
 * @module
 */
import { credentialsToCCacheEntry } from '../client/credentials.js'
import type { Credentials } from '../client/index.js'
import { readLibDefaults, type Krb5Config } from '../config/index.js'
import { readKeytab } from '../node/files.js'
import { makeAPReq } from '../protocol/ap-req.js'
import { verifyAPReq } from '../protocol/ap-verify.js'
import type { Keytab } from '../keytab/index.js'
import { storeCredential } from '../ccache/index.js'
import { encTypeName } from '../iana.js'
import { readCCache, writeCCache } from '../node/ccache-store.js'
import { formatPrincipal } from '../principal.js'
import { KerberosError } from '../errors.js'
import { createCLIClient } from './kinit.js'
import { UsageError, err, optionValue, out, parseCommandArgs } from './util.js'

/** The usage text (`kerberos-ts kvno --help`). */
export const usage: string = `usage: kerberos-ts kvno [-c CCACHE] [-e ENCTYPE] [-k KEYTAB] [-q] [-V] SPN...
  SPN is HTTP/host@REALM, HTTP/host (default realm) or HTTP@host (host-based, realm from [domain_realm])
  -c  credential cache (default KRB5CCNAME)   -e  session key enctype
  -k  verify each ticket with the keys of KEYTAB (decrypt it, as MIT's kvno -k)
  -q  print nothing on success                -V  trace (exchanges and every KDC attempt)`

const spec = {
  '-c': true,
  '-e': true,
  '-k': true,
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
  const { client, config } = await createCLIClient({ verbose: args.options.has('-V') })
  client.fromCCache(cc)
  const loaded = new Set(client.credentials)
  const etype = optionValue(args, '-e')
  const keytabName = optionValue(args, '-k')
  const keytab = keytabName === undefined ? undefined : await readKeytab(keytabName)
  const quiet = args.options.has('-q')
  let failed = 0
  for (const spn of args.operands) {
    try {
      const st = await client.getServiceTicket(spn, etype ? { etypes: [enctypeNumber(etype)] } : {})
      const line = `${formatPrincipal(st.server)}: kvno = ${st.ticketKvno ?? 0}`
      if (keytab === undefined) {
        if (!quiet) out(line + '\n')
      } else if (!verifyWithKeytab(st, keytab, config, line, quiet)) failed++
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

/**
 * MIT's `kvno -k` (krb5_server_decrypt_ticket_keytab): the ticket must decrypt with the keytab's
 * key for its server, enctype and kvno. Done here as an acceptor does it: an AP-REQ made with the
 * ticket and its session key, verified with the keytab (ticket decrypted, then the authenticator
 * with the session key the ticket holds). Prints MIT's lines; false when invalid.
 */
function verifyWithKeytab(
  st: Credentials,
  keytab: Keytab,
  config: Krb5Config,
  line: string,
  quiet: boolean,
): boolean {
  try {
    const req = makeAPReq({ ticket: st.ticket, sessionKey: st.sessionKey, client: st.client })
    verifyAPReq(req.bytes, {
      keytab,
      allowWeakCrypto: readLibDefaults(config).allowWeakCrypto,
    })
  } catch (e) {
    if (!(e instanceof KerberosError)) throw e
    if (!quiet) process.stderr.write(`${line}, keytab entry invalid\n`)
    err('kvno', `${e.message} while decrypting ticket for ${formatPrincipal(st.server)}`)
    return false
  }
  if (!quiet) out(`${line}, keytab entry valid\n`)
  return true
}
