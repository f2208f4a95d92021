/**
 * `kerberos-ts klist`: list a credential cache (or, with `-k`, a keytab) in MIT klist's layout.
 *
 * @module
 */
import { KerberosError, ErrorCodes } from '../errors.js'
import { formatPrincipal } from '../principal.js'
import { decodeTicket } from '../asn1/index.js'
import { isConfigEntry, readConfigEntry, ticketFlagLetters } from '../ccache/index.js'
import type { CCache, Credential } from '../ccache/index.js'
import { resolveCCacheName, resolveKeytabName } from '../node/env.js'
import { listCCacheCollection, readCCache, resolveCCache } from '../node/ccache-store.js'
import { displayName, klistEncTypeName, listKeytabFile } from './keytab.js'
import {
  KLIST_TIME_WIDTH,
  fileErrorMessage,
  UsageError,
  err,
  formatKlistTime,
  optionValue,
  out,
  parseArgs,
} from './util.js'

/** The usage text (`kerberos-ts klist --help`). */
export const usage: string = `usage: kerberos-ts klist [-e] [-f] [-s] [-C] [-A] [-c CCACHE | CCACHE]
       kerberos-ts klist -k [-t] [-K] [-e] [KEYTAB]
  -e  show enctypes        -f  show flags           -s  silent: exit status only
  -C  show config entries  -A  every cache of a DIR: collection
  -k  list a keytab        -t  key timestamps       -K  key bytes (keytab only)`

/** What {@link formatCCacheListing} shows. */
export interface CCacheListingOptions {
  readonly flags?: boolean
  readonly enctypes?: boolean
  readonly config?: boolean
}

function ticketEnctype(cred: Credential): string {
  try {
    return klistEncTypeName(decodeTicket(cred.ticket).encPart.etype)
  } catch {
    return '(ticket undecodable)'
  }
}

/** MIT print_config_data: printable bytes as is, others as \ooo, lines wrapped past column 72. */
function configValue(startCol: number, value: Uint8Array): string {
  let text = ''
  let col = startCol
  for (const b of value) {
    if (col < 8) {
      text += ' '.repeat(8 - col)
      col = 8
    }
    const piece =
      b > 0x20 && b < 0x7f ? String.fromCharCode(b) : '\\' + b.toString(8).padStart(3, '0')
    text += piece
    col += piece.length
    if (col > 72) {
      text += '\n'
      col = 0
    }
  }
  return col > 0 ? text + '\n' : text
}

/**
 * A configuration entry as klist -C shows it: `config: key(principal) = value`. Like MIT, a
 * client other than the default principal is announced between the `=` and the value, and then
 * costs an extra blank line.
 */
function configLine(cred: Credential, defaultName: string): string {
  const entry = readConfigEntry(cred)!
  const head = `config: ${entry.key}${entry.principal === undefined ? '' : `(${entry.principal})`} = `
  const client = formatPrincipal(cred.client)
  const forClient = client === defaultName ? '' : `\tfor client ${client}`
  return head + forClient + configValue(head.length, entry.value) + (forClient === '' ? '' : '\n')
}

function credentialLines(
  cred: Credential,
  defaultName: string,
  options: CCacheListingOptions,
): string {
  if (isConfigEntry(cred)) return configLine(cred, defaultName)
  const start = cred.starttime !== 0 ? cred.starttime : cred.authtime
  let text = `${formatKlistTime(start)}  ${formatKlistTime(cred.endtime)}  ${formatPrincipal(cred.server)}\n`
  let extra = 0
  const sep = (): string => (extra === 0 ? '\t' : ', ')
  const client = formatPrincipal(cred.client)
  if (client !== defaultName) {
    text += `${sep()}for client ${client}`
    extra++
  }
  if (cred.renewTill !== 0) {
    text += `${sep()}renew until ${formatKlistTime(cred.renewTill)}`
    extra += 2
  }
  const letters = options.flags === true ? ticketFlagLetters(cred.ticketFlags) : ''
  if (letters !== '') {
    text += `${sep()}Flags: ${letters}`
    extra++
  }
  if (extra > 2) {
    text += '\n'
    extra = 0
  }
  if (options.enctypes === true) {
    text += `${sep()}Etype (skey, tkt): ${klistEncTypeName(cred.key.enctype)}, ${ticketEnctype(cred)} `
    extra++
  }
  return extra > 0 ? text + '\n' : text
}

/**
 * A credential cache listing exactly as MIT `klist [-e] [-f]` lays it out.
 *
 * @example
 * ```ts
 * formatCCacheListing('FILE:/tmp/krb5cc_1000', cc, { flags: true })
 * ```
 */
export function formatCCacheListing(
  name: string,
  cc: CCache,
  options: CCacheListingOptions = {},
): string {
  const defaultName = formatPrincipal(cc.defaultPrincipal)
  const validFill = ' '.repeat(KLIST_TIME_WIDTH - 'Valid starting'.length + 2)
  const expiresFill = ' '.repeat(KLIST_TIME_WIDTH - 'Expires'.length + 2)
  let text = `Ticket cache: ${displayName(name)}\nDefault principal: ${defaultName}\n\n`
  text += `Valid starting${validFill}Expires${expiresFill}Service principal\n`
  for (const cred of cc.credentials) {
    if (options.config !== true && isConfigEntry(cred)) continue
    text += credentialLines(cred, defaultName, options)
  }
  return text
}

/** klist -s: true when some ticket (not a config entry) is still valid. */
function hasValidTicket(cc: CCache, now: number): boolean {
  return cc.credentials.some((c) => !isConfigEntry(c) && c.endtime > now)
}

async function listKeytab(args: ReturnType<typeof parseArgs>): Promise<number> {
  const name = args.operands[0] ?? resolveKeytabName()
  return listKeytabFile(
    name,
    {
      times: args.options.has('-t'),
      keys: args.options.has('-K'),
      enctypes: args.options.has('-e'),
    },
    'klist',
  )
}

async function cacheNames(args: ReturnType<typeof parseArgs>): Promise<string[]> {
  const name = optionValue(args, '-c') ?? args.operands[0] ?? resolveCCacheName()
  if (args.options.has('-A')) return listCCacheCollection(name)
  const loc = await resolveCCache(name)
  return [loc.kind === 'file' && loc.collection !== undefined ? `DIR::${loc.path}` : name]
}

async function listCaches(args: ReturnType<typeof parseArgs>): Promise<number> {
  const silent = args.options.has('-s')
  const names = await cacheNames(args)
  const now = Math.floor(Date.now() / 1000)
  let ok = names.length > 0
  const listings: string[] = []
  for (const name of names) {
    let cc: CCache
    try {
      cc = await readCCache(name)
    } catch (e) {
      if (silent && e instanceof KerberosError) return 1
      throw e
    }
    if (!hasValidTicket(cc, now)) ok = false
    const opts = {
      flags: args.options.has('-f'),
      enctypes: args.options.has('-e'),
      config: args.options.has('-C'),
    }
    listings.push(formatCCacheListing(name, cc, opts))
  }
  if (silent) return ok ? 0 : 1
  out(listings.join('\n'))
  return 0
}

/** Entry point of `kerberos-ts klist`. */
export async function run(argv: readonly string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>
  try {
    const spec = {
      '-c': true,
      '-e': false,
      '-f': false,
      '-s': false,
      '-C': false,
      '-A': false,
      '-k': false,
      '-t': false,
      '-K': false,
      '-h': false,
      '--help': false,
    }
    args = parseArgs(argv, spec)
    if (args.options.has('-h') || args.options.has('--help')) {
      out(usage + '\n')
      return 0
    }
    if (args.operands.length > 1) throw new UsageError('too many arguments')
    if (!args.options.has('-k') && (args.options.has('-t') || args.options.has('-K')))
      throw new UsageError('-t and -K need -k')
  } catch (e) {
    if (e instanceof UsageError) {
      err('klist', `${e.message}\n${usage}`)
      return 2
    }
    throw e
  }
  try {
    return await (args.options.has('-k') ? listKeytab(args) : listCaches(args))
  } catch (e) {
    const fileError = fileErrorMessage(e)
    if (
      fileError !== undefined ||
      (e instanceof KerberosError && e.code === ErrorCodes.CCACHE_NOT_FOUND)
    ) {
      err('klist', fileError ?? (e as Error).message)
      return 1
    }
    throw e
  }
}
