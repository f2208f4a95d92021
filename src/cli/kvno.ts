/**
 * `kerberos-ts kvno`: get service tickets with the ccache's TGT, store them in the ccache and
 * print `SPN: kvno = N` as MIT's kvno does. With `-k KEYTAB`, as MIT's `kvno -k`, each ticket is
 * decrypted with the keytab's key for it: `SPN: kvno = N, keytab entry valid` (or `invalid`, with
 * the acceptor's reason, and exit code 1). With `-U USER` (enterprise name) or `-I USER`, as
 * MIT's: S4U2Self for USER (SPN must then be the ccache's own principal), and with `-P` S4U2Proxy
 * to SPN with that evidence ticket; the line printed is MIT's (the name asked for, the kvno of
 * the S4U2Self ticket), then the back-end ticket is stored.
 *
 * @module
 */
import { credentialsToCCacheEntry } from '../client/credentials.js'
import type { Credentials, KerberosClient } from '../client/index.js'
import { readLibDefaults, type Krb5Config } from '../config/index.js'
import { readKeytab } from '../node/files.js'
import { makeAPReq } from '../protocol/ap-req.js'
import { verifyAPReq } from '../protocol/ap-verify.js'
import type { Keytab } from '../keytab/index.js'
import { storeCredential } from '../ccache/index.js'
import { encTypeName } from '../iana.js'
import { readCCache, writeCCache } from '../node/ccache-store.js'
import { formatPrincipal, parsePrincipal, principalEquals } from '../principal.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import { createCLIClient } from './kinit.js'
import {
  UsageError,
  err,
  hintLine,
  optionValue,
  out,
  parseCommandArgs,
  type ParsedArgs,
} from './util.js'

/** The usage text (`kerberos-ts kvno --help`). */
export const usage: string = `usage: kerberos-ts kvno [-c CCACHE] [-e ENCTYPE] [-k KEYTAB] [-q] [-V] [{-U | -I} USER [-P]] SPN...
  SPN is HTTP/host@REALM, HTTP/host (default realm) or HTTP@host (host-based, realm from [domain_realm])
  -c  credential cache (default KRB5CCNAME)   -e  session key enctype
  -k  verify each ticket with the keys of KEYTAB (decrypt it, as MIT's kvno -k)
  -U  S4U2Self for USER, an enterprise name (protocol transition; SPN = the ccache's principal)
  -I  S4U2Self for USER, a principal name     -P  then S4U2Proxy to SPN (constrained delegation)
  -q  print nothing on success                -V  trace (exchanges and every KDC attempt)`

const spec = {
  '-c': true,
  '-e': true,
  '-k': true,
  '-q': false,
  '-V': false,
  '-U': true,
  '-I': true,
  '-P': false,
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
  const s4u = s4uOptions(args)
  if (typeof s4u === 'number') return s4u
  const etypes = etype ? { etypes: [enctypeNumber(etype)] } : {}
  const extra: Credentials[] = []
  let failed = 0
  for (const spn of args.operands) {
    try {
      const st =
        s4u === undefined
          ? await client.getServiceTicket(spn, etypes)
          : await forUser(client, spn, s4u, etypes, extra)
      if (st === undefined) {
        failed++
        continue
      }
      const line = `${formatPrincipal(st.server)}: kvno = ${st.ticketKvno ?? 0}`
      if (keytab === undefined) {
        if (!quiet) out(line + '\n')
      } else if (!verifyWithKeytab(st, keytab, config, line, quiet)) {
        failed++
        continue
      }
      if (s4u?.proxy === true) extra.push(await proxyFor(client, spn, st, etypes))
    } catch (e) {
      if (!(e instanceof KerberosError)) throw e
      failed++
      const what =
        s4u?.proxy === true && e instanceof S4UProxyFailure
          ? `${spn}: constrained delegation failed`
          : `while getting credentials for ${spn}`
      const shown = e instanceof S4UProxyFailure ? (e.cause as KerberosError) : e
      err('kvno', `${shown.message} ${what}`)
      process.stderr.write(hintLine('kvno', shown))
    }
  }
  // Every ticket obtained (cross-realm and referral TGTs, S4U tickets too) goes back into the cache.
  for (const c of [...client.credentials, ...extra]) {
    if (!loaded.has(c)) cc = storeCredential(cc, credentialsToCCacheEntry(c))
  }
  await writeCCache(name, cc)
  return failed === 0 ? 0 : 1
}

interface S4UArgs {
  readonly user: string
  readonly enterprise: boolean
  readonly proxy: boolean
}

/** `-U`/`-I USER` and `-P`, checked as MIT's kvno checks them. */
function s4uOptions(args: ParsedArgs): S4UArgs | undefined | number {
  const u = optionValue(args, '-U')
  const i = optionValue(args, '-I')
  const proxy = args.options.has('-P')
  if (u !== undefined && i !== undefined) {
    err('kvno', `options -U and -I are mutually exclusive\n${usage}`)
    return 2
  }
  const user = u ?? i
  if (user === undefined) {
    if (!proxy) return undefined
    err(
      'kvno',
      `option -P (constrained delegation) requires option -I|-U (protocol transition)\n${usage}`,
    )
    return 2
  }
  return { user, enterprise: u !== undefined, proxy }
}

/** An S4U2Proxy failure, told apart for MIT's message. */
class S4UProxyFailure extends KerberosError {}

/**
 * MIT's `kvno -U USER SPN`: S4U2Self for USER; without `-P` the SPN must be the ccache's own
 * principal (MIT: "client and server principal names must match").
 */
async function forUser(
  client: KerberosClient,
  spn: string,
  s4u: S4UArgs,
  etypes: { readonly etypes?: readonly number[] },
  extra: Credentials[],
): Promise<Credentials | undefined> {
  const me = client.principal
  if (me === undefined)
    throw new KerberosError(ErrorCodes.NO_CREDENTIALS, 'the ccache has no principal')
  const server = parsePrincipal(spn, { defaultRealm: me.realm })
  if (!s4u.proxy && !principalEquals(server, me)) {
    // MIT's words, then what they mean here.
    err(
      'kvno',
      `client and server principal names must match: without -P, SPN must be the ccache's own principal ${formatPrincipal(me)} (S4U2Self gives a ticket to yourself); add -P to get a ticket to ${formatPrincipal(server)} (S4U2Proxy)`,
    )
    return undefined
  }
  const self = await client.impersonate(s4u.user, { ...etypes, enterprise: s4u.enterprise })
  extra.push(self)
  // MIT prints the name asked for with the kvno of the S4U2Self ticket.
  return { ...self, server }
}

async function proxyFor(
  client: KerberosClient,
  spn: string,
  self: Credentials,
  etypes: { readonly etypes?: readonly number[] },
): Promise<Credentials> {
  try {
    const evidence = { ticket: self.ticket, client: self.client, flags: self.flags }
    return await client.getServiceTicketFor(evidence, spn, etypes)
  } catch (e) {
    if (!(e instanceof KerberosError)) throw e
    throw new S4UProxyFailure(e.code, e.message, { cause: e })
  }
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
