/**
 * `kerberos-ts kinit`: log in with a password (read from the terminal without echo, or from
 * stdin; never from argv) or a keytab, and store the TGT in a credential cache.
 *
 * @module
 */
import { appendFileSync } from 'node:fs'
import { KerberosClient, type ClientTraceEvent } from '../client/client.js'
import type { Credentials } from '../client/index.js'
import { parseDuration, readLibDefaults, type Krb5Config } from '../config/index.js'
import type { CCacheVersion } from '../ccache/index.js'
import { encTypeName } from '../iana.js'
import { loadConfig } from '../node/config.js'
import { resolveClientKeytabName, resolveKeytabName } from '../node/env.js'
import { readKeytab } from '../node/files.js'
import { readCCache, writeCCache } from '../node/ccache-store.js'
import { createNodeTransport, type TransportTraceEvent } from '../node/transport.js'
import { formatPrincipal } from '../principal.js'
import { ErrorCodes, KerberosError } from '../errors.js'
import {
  UsageError,
  err,
  formatKlistTime,
  optionValue,
  out,
  parseCommandArgs,
  type ParsedArgs,
  readPassword,
} from './util.js'

/** The usage text (`kerberos-ts kinit --help`). */
export const usage: string = `usage: kerberos-ts kinit [-k [-t KEYTAB] | -i] [-c CCACHE] [-T ARMOR_CCACHE] [-l LIFETIME] [-r RENEW] [-f|-F] [-p|-P] [-C] [-E] [-V] [PRINCIPAL]
  -k  use a key from a keytab (default KRB5_KTNAME)   -i  use the client keytab (KRB5_CLIENT_KTNAME)
  -t  keytab path                                     -c  credential cache (default KRB5CCNAME)
  -l  ticket lifetime (10h, 1d, 3600)                 -r  renewable lifetime
  -f/-F  forwardable / not     -p/-P  proxiable / not     -C  canonicalize     -V  verbose
  -E  the principal is an enterprise name (user@dns.domain, RFC 6806; Active Directory UPNs)
  -T  armor the request with FAST (RFC 6113) using the TGT in ARMOR_CCACHE (as MIT kinit -T)`

const spec = {
  '-k': false,
  '-i': false,
  '-t': true,
  '-c': true,
  '-T': true,
  '-l': true,
  '-r': true,
  '-f': false,
  '-F': false,
  '-p': false,
  '-P': false,
  '-C': false,
  '-E': false,
  '-V': false,
  '-h': false,
  '--help': false,
} as const

/**
 * A client for the CLI: krb5.conf from KRB5_CONFIG, KDCs from it, trace to stderr with -V (or
 * to KRB5_TRACE): the exchanges, and every transport attempt (KDC host:port, udp/tcp, result).
 */
export async function createCLIClient(
  options: { readonly verbose?: boolean; readonly config?: Krb5Config } = {},
): Promise<{ client: KerberosClient; config: Krb5Config }> {
  const config = options.config ?? (await loadConfig())
  const sink = traceSink(options.verbose === true)
  const transport = createNodeTransport({
    config,
    ...(sink !== undefined ? { trace: (e: TransportTraceEvent) => sink(transportLine(e)) } : {}),
  })
  const client = new KerberosClient({
    config,
    transport,
    ...(sink !== undefined ? { trace: (e: ClientTraceEvent) => sink(traceLine(e)) } : {}),
  })
  return { client, config }
}

/** One trace line: what happened, never keys or passwords. */
export function traceLine(e: ClientTraceEvent): string {
  const parts = [`[${new Date().toISOString()}] ${e.type} ${e.realm}`]
  if (e.client !== undefined) parts.push(e.client)
  if (e.server !== undefined) parts.push(e.server)
  if (e.etypes !== undefined) parts.push(`etypes ${e.etypes.map(encTypeName).join(',')}`)
  if (e.etype !== undefined) parts.push(encTypeName(e.etype))
  if (e.kvno !== undefined) parts.push(`kvno ${e.kvno}`)
  if (e.errorName !== undefined) parts.push(e.errorName)
  if (e.offsetMs !== undefined) parts.push(`offset ${e.offsetMs} ms`)
  if (e.fast === true) parts.push('FAST')
  // fast-armor: the armor's source; preauth-required: the method that answers (docs/fast.md).
  if ((e.type === 'fast-armor' || e.type === 'preauth-required') && e.message !== undefined)
    parts.push(e.message)
  return parts.join(' ') + '\n'
}

/** One line per transport event: `sendto REALM udp 127.0.0.1:88 -> reply 240 bytes`. */
export function transportLine(e: TransportTraceEvent): string {
  const host = e.host.includes(':') ? `[${e.host}]` : e.host
  const where = `${e.protocol} ${host}:${e.port}`
  const what =
    e.type === 'attempt'
      ? 'sending'
      : e.type === 'reply'
        ? `reply ${e.bytes ?? 0} bytes`
        : `failed ${e.code ?? 'unknown'}`
  return `[${new Date().toISOString()}] kdc ${e.realm} ${where} ${what}\n`
}

/** -V traces to stderr; otherwise KRB5_TRACE names a file (as MIT), `/dev/stderr` included. */
function traceSink(verbose: boolean): ((line: string) => void) | undefined {
  if (verbose) return (line) => void process.stderr.write(line)
  const file = process.env.KRB5_TRACE
  if (file === undefined || file === '') return undefined
  if (file === '/dev/stderr') return (line) => void process.stderr.write(line)
  return (line) => {
    try {
      appendFileSync(file, line)
    } catch {
      // Tracing must never break the command.
    }
  }
}

function duration(args: ParsedArgs, name: string): number | undefined {
  const v = optionValue(args, name)
  if (v === undefined) return undefined
  try {
    return parseDuration(v)
  } catch {
    throw new UsageError(`bad lifetime for ${name}: ${JSON.stringify(v)}`)
  }
}

function flag(args: ParsedArgs, on: string, off: string): boolean | undefined {
  if (args.options.has(off)) return false
  return args.options.has(on) ? true : undefined
}

async function defaultPrincipal(ccache: string | undefined): Promise<string | undefined> {
  try {
    return formatPrincipal((await readCCache(ccache)).defaultPrincipal)
  } catch {
    return process.env.USER ?? process.env.LOGNAME
  }
}

/** Describe the new TGT in one line per fact (for -V). */
export function describeCredentials(c: Credentials): string {
  return [
    `client:  ${formatPrincipal(c.client)}`,
    `server:  ${formatPrincipal(c.server)}`,
    `enctype: ${encTypeName(c.sessionKey.enctype)} (session), ${c.replyEtype !== undefined ? encTypeName(c.replyEtype) : '?'} (reply)`,
    `valid:   ${formatKlistTime(Math.floor((c.starttime ?? c.authtime).getTime() / 1000))} .. ${formatKlistTime(Math.floor(c.endtime.getTime() / 1000))}`,
    ...(c.renewTill
      ? [`renew:   until ${formatKlistTime(Math.floor(c.renewTill.getTime() / 1000))}`]
      : []),
  ].join('\n')
}

/** Run `kerberos-ts kinit`. */
export async function run(argv: readonly string[]): Promise<number> {
  const args = parseCommandArgs('kinit', argv, spec, usage)
  if (typeof args === 'number') return args
  if (args.operands.length > 1) {
    err('kinit', `expected at most one principal\n${usage}`)
    return 2
  }
  const ccache = optionValue(args, '-c')
  const verbose = args.options.has('-V')
  const { client, config } = await createCLIClient({ verbose })
  const principal = args.operands[0] ?? (await defaultPrincipal(ccache))
  if (principal === undefined) {
    err('kinit', 'no principal given and none found')
    return 2
  }
  const common = {
    principal,
    ...opt('lifetime', duration(args, '-l')),
    ...opt('renewLifetime', duration(args, '-r')),
    ...opt('forwardable', flag(args, '-f', '-F')),
    ...opt('proxiable', flag(args, '-p', '-P')),
    ...(args.options.has('-C') ? { canonicalize: true } : {}),
    ...(args.options.has('-E') ? { enterprise: true } : {}),
  }
  const armorName = optionValue(args, '-T')
  // MIT kinit -T: FAST with the armor ccache's TGT (used when the KDC offers FAST, or at once
  // when the armor ccache says fast_avail).
  const armor = armorName !== undefined ? { armor: { ccache: await readArmor(armorName) } } : {}
  const useKeytab = args.options.has('-k') || args.options.has('-i') || args.options.has('-t')
  let tgt: Credentials
  if (useKeytab) {
    const name =
      optionValue(args, '-t') ??
      (args.options.has('-i') ? resolveClientKeytabName() : resolveKeytabName())
    tgt = await client.login({ ...common, ...armor, keytab: await readKeytab(name) })
  } else {
    const password = await readPassword(`Password for ${principal}: `)
    tgt = await client.login({ ...common, ...armor, password })
  }
  const version = (0x0500 + readLibDefaults(config).ccacheType) as CCacheVersion
  const written = await writeCCache(ccache, client.toCCache({ version }))
  if (verbose) out(`${describeCredentials(tgt)}\nstored in ${written}\n`)
  return 0
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

/** The -T ccache; a missing one is named as the armor ccache, with how to make it. */
async function readArmor(name: string): Promise<Awaited<ReturnType<typeof readCCache>>> {
  try {
    return await readCCache(name)
  } catch (e) {
    if (!(e instanceof KerberosError) || e.code !== ErrorCodes.CCACHE_NOT_FOUND) throw e
    throw new KerberosError(e.code, `the armor ccache (-T) ${e.message}`, {
      cause: e,
      context: e.context,
      hint: `make it first with the host's TGT, e.g. kinit -k -t /etc/krb5.keytab -c ${name} host/FQDN (on Active Directory the machine account, WEB01$); see docs/fast.md`,
    })
  }
}
