/**
 * `kerberos-ts keytab list|add|remove|merge`: inspect and edit keytab files. `list` prints what
 * MIT's `klist -k [-t] [-K] [-e]` prints, in the same layout.
 *
 * @module
 */
import { statSync } from 'node:fs'
import { KerberosError, ErrorCodes } from '../errors.js'
import { encTypeName } from '../iana.js'
import { formatPrincipal, parsePrincipal } from '../principal.js'
import type { Principal } from '../principal.js'
import {
  addKeytabEntries,
  createKeytab,
  makeKeytabEntry,
  mergeKeytabs,
  removeKeytabEntries,
} from '../keytab/index.js'
import type { Keytab } from '../keytab/index.js'
import { parseEncTypeList, readLibDefaults } from '../config/index.js'
import { toHex } from '../internal/bytes.js'
import { loadConfig } from '../node/config.js'
import { resolveKeytabName, splitTypedName } from '../node/env.js'
import { keytabPath, readKeytab, writeKeytab } from '../node/files.js'
import { rotateKeytab } from '../node/keytab-rotate.js'
import { createNodeTransport } from '../node/transport.js'
import { createCLIClient } from './kinit.js'
import {
  KLIST_TIME_WIDTH,
  fileErrorMessage,
  UsageError,
  err,
  formatKlistTime,
  optionValue,
  out,
  parseArgs,
  readPassword,
} from './util.js'

/** The usage text (`kerberos-ts keytab --help`). */
export const usage: string = `usage: kerberos-ts keytab list [-t] [-K] [-e] [FILE]
       kerberos-ts keytab add -p PRINCIPAL [-k KVNO] [-e ENCTYPE[,ENCTYPE...]]
                          [-f [--account SAMACCOUNTNAME] | -s SALT | --ad-user [--account SAMACCOUNTNAME] [--upn UPN] | --ad-computer [--domain DNSDOMAIN]] FILE
       kerberos-ts keytab remove -p PRINCIPAL [-k KVNO|old] [-e ENCTYPE] FILE
       kerberos-ts keytab merge OUT IN...
       kerberos-ts keytab rotate -k KEYTAB -p PRINCIPAL [--keep N]
The password for add is read from the terminal without echo, or from the first line of stdin.
-f asks the KDC for the salt (ETYPE-INFO2), as ktutil addent -f: always right, and the only way
to be sure for Active Directory; AD does not know an SPN on a user account as a client name, so
add --account SAMACCOUNTNAME to ask about the account that holds it. --ad-user: a user account, salted with its UPN's name part, else
its sAMAccountName; for an SPN registered on a user account name that account with --account
(and --upn if its UPN differs). A ktpass-mapped SPN (UPN = SPN) takes the default salt.
rotate changes PRINCIPAL's password through kpasswd to a random one with the keytab's key,
verifies the new keys by a fresh login and appends them, keeping the N newest kvnos (default 2).`

/**
 * MIT klist's etype_string (1.20): the enctype name, `DEPRECATED:` before des3 and arcfour
 * names, or "unsupported encryption type N" for what MIT no longer knows (single DES).
 */
export function klistEncTypeName(enctype: number): string {
  if (enctype === 1 || enctype === 2 || enctype === 3)
    return `unsupported encryption type ${enctype}`
  const name = encTypeName(enctype)
  if (name.startsWith('enctype-')) return `unsupported encryption type ${enctype}`
  return enctype === 16 || enctype === 23 || enctype === 24 ? `DEPRECATED:${name}` : name
}

/** What {@link formatKeytabListing} shows, as klist's -t, -K and -e flags. */
export interface KeytabListingOptions {
  readonly times?: boolean
  readonly keys?: boolean
  readonly enctypes?: boolean
}

/** The name klist prints: `TYPE:residual`; plain paths and `WRFILE:` print as `FILE:path`. */
export function displayName(name: string): string {
  const { type, residual } = splitTypedName(name)
  return `${type === 'WRFILE' ? 'FILE' : type}:${residual}`
}

function listingHeader(times: boolean): string {
  if (!times) return 'KVNO Principal\n---- ' + '-'.repeat(74) + '\n'
  const fill = ' '.repeat(KLIST_TIME_WIDTH - 'Timestamp'.length + 1)
  return `KVNO Timestamp${fill}Principal\n---- ${'-'.repeat(KLIST_TIME_WIDTH)} ${'-'.repeat(78 - KLIST_TIME_WIDTH - 5)}\n`
}

/**
 * A keytab listing exactly as MIT `klist -k` lays it out.
 *
 * @example
 * ```ts
 * formatKeytabListing('FILE:/etc/krb5.keytab', kt, { times: true, enctypes: true })
 * ```
 */
export function formatKeytabListing(
  name: string,
  keytab: Keytab,
  options: KeytabListingOptions = {},
): string {
  let text = `Keytab name: ${displayName(name)}\n` + listingHeader(options.times === true)
  for (const e of keytab.entries) {
    let line = `${String(e.kvno).padStart(4)} `
    if (options.times === true) line += `${formatKlistTime(e.timestamp)} `
    line += formatPrincipal(e.principal)
    if (options.enctypes === true) line += ` (${klistEncTypeName(e.enctype)}) `
    if (options.keys === true) line += ` (0x${toHex(e.key.bytes)})`
    text += line + '\n'
  }
  return text
}

/**
 * The strict check the listing commands add to the lenient read (MIT's reader stops quietly at
 * a file that ends inside a record length; so does {@link parseKeytab}, keeping those bytes as
 * the trailer): an error naming the offset of the cut, or `undefined` for a whole file.
 */
export function truncationError(name: string, keytab: Keytab): KerberosError | undefined {
  const end = keytab.trailer?.end
  if (end === undefined || end.length >= 4) return undefined
  const path = keytabPath(name)
  let size: number
  try {
    size = statSync(path).size
  } catch {
    return undefined
  }
  const offset = size - end.length
  return new KerberosError(
    ErrorCodes.KEYTAB_FORMAT,
    `${path}: keytab is truncated at offset ${offset}: the file ends ${end.length} of 4 bytes into a record length`,
    { context: { path, offset } },
  )
}

/** Read a keytab for listing: print what was read, then fail (exit 1) when the file is cut short. */
export async function listKeytabFile(
  name: string,
  options: KeytabListingOptions,
  command: string,
): Promise<number> {
  const keytab = await readKeytab(name)
  out(formatKeytabListing(name, keytab, options))
  const cut = truncationError(name, keytab)
  if (cut === undefined) return 0
  err(command, `${cut.message} (${cut.code})`)
  return 1
}

async function list(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { '-t': false, '-K': false, '-e': false })
  if (args.operands.length > 1) throw new UsageError('list takes at most one keytab')
  const name = args.operands[0] ?? resolveKeytabName()
  return listKeytabFile(
    name,
    {
      times: args.options.has('-t'),
      keys: args.options.has('-K'),
      enctypes: args.options.has('-e'),
    },
    'keytab list',
  )
}

async function principalArg(text: string | undefined): Promise<Principal> {
  if (text === undefined) throw new UsageError('-p PRINCIPAL is required')
  if (text.includes('@')) return parsePrincipal(text, { requireRealm: true })
  const realm = readLibDefaults(await loadConfig()).defaultRealm
  if (realm === undefined)
    throw new UsageError(`principal ${text} has no realm and krb5.conf sets no default_realm`)
  return parsePrincipal(text, { defaultRealm: realm })
}

function kvnoArg(text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback
  if (!/^[0-9]+$/.test(text) || Number(text) > 0xffffffff)
    throw new UsageError(`invalid kvno ${JSON.stringify(text)}`)
  return Number(text)
}

function enctypesArg(text: string | undefined): number[] {
  const list = parseEncTypeList(text ?? 'aes256-cts-hmac-sha1-96,aes128-cts-hmac-sha1-96', {
    allowWeak: true,
  })
  if (list.length === 0) throw new UsageError(`no known enctype in ${JSON.stringify(text)}`)
  return list
}

/** The crypto layer, loaded only by `add` so listing stays light. */
type CryptoModule = typeof import('../crypto/index.js')

/** How `add` salts: a fixed salt for every enctype, or the KDC's per enctype for a name (`-f`). */
type SaltChoice = { readonly salt: Uint8Array } | { readonly ask: Principal }

function saltArg(
  args: ReturnType<typeof parseArgs>,
  principal: Principal,
  crypto: CryptoModule,
): SaltChoice {
  const explicit = optionValue(args, '-s')
  const account = optionValue(args, '--account')
  const upn = optionValue(args, '--upn')
  const fromKDC = args.options.has('-f')
  const adUser =
    args.options.has('--ad-user') || upn !== undefined || (account !== undefined && !fromKDC)
  const adComputer = args.options.has('--ad-computer')
  if ([explicit !== undefined, adUser, adComputer, fromKDC].filter(Boolean).length > 1) {
    throw new UsageError(
      'use only one of -f [--account], -s, --ad-user [--account] [--upn], --ad-computer',
    )
  }
  if (optionValue(args, '--domain') !== undefined && !adComputer)
    throw new UsageError('--domain goes with --ad-computer')
  // An SPN on a user account is no client name to AD: -f --account asks about the account.
  if (fromKDC)
    return {
      ask:
        account === undefined
          ? principal
          : parsePrincipal(account, { defaultRealm: principal.realm }),
    }
  if (explicit !== undefined) return { salt: new TextEncoder().encode(explicit) }
  if (adUser) {
    try {
      return {
        salt: crypto.saltFor({
          kind: 'ad-user',
          principal,
          ...(account !== undefined ? { samAccountName: account } : {}),
          ...(upn !== undefined ? { userPrincipalName: upn } : {}),
        }),
      }
    } catch (e) {
      if (e instanceof RangeError)
        throw new UsageError(
          `${formatPrincipal(principal)} is a service name: with --ad-user, name the account that holds it with --account SAMACCOUNTNAME (or --upn), or use -f to ask the KDC; a ktpass-mapped SPN takes the default salt (no option)`,
        )
      throw e
    }
  }
  if (adComputer) {
    const domain = optionValue(args, '--domain')
    return {
      salt: crypto.saltFor({
        kind: 'ad-computer',
        principal,
        ...(domain !== undefined ? { dnsDomain: domain } : {}),
      }),
    }
  }
  return { salt: crypto.defaultSalt(principal) }
}

/** `-f`: the KDC's salt and s2kparams for each enctype; an enctype it has no key of is an error. */
async function saltsFromKDC(
  principal: Principal,
  enctypes: readonly number[],
): Promise<Map<number, { salt: Uint8Array; params?: Uint8Array }>> {
  const config = await loadConfig()
  const { createNodeTransport } = await import('../node/transport.js')
  const { fetchSaltInfo } = await import('../client/salt-info.js')
  const info = await fetchSaltInfo({
    transport: createNodeTransport({ config }),
    principal,
    etypes: enctypes,
  })
  const out = new Map<number, { salt: Uint8Array; params?: Uint8Array }>()
  for (const i of info)
    out.set(i.etype, {
      salt: i.salt,
      ...(i.s2kparams !== undefined ? { params: i.s2kparams } : {}),
    })
  const missing = enctypes.filter((e) => !out.has(e))
  if (missing.length > 0) {
    throw new KerberosError(
      ErrorCodes.NO_CREDENTIALS,
      `the KDC named no salt for ${missing.map(encTypeName).join(', ')} of ${formatPrincipal(principal)} (it has ${info.map((i) => encTypeName(i.etype)).join(', ') || 'none of the enctypes asked'})`,
      { context: { principal: formatPrincipal(principal) } },
    )
  }
  return out
}

async function readExisting(name: string): Promise<Keytab | undefined> {
  try {
    return await readKeytab(name)
  } catch (e) {
    if (e instanceof KerberosError && e.code === ErrorCodes.NO_CREDENTIALS) return undefined
    throw e
  }
}

async function add(argv: readonly string[]): Promise<number> {
  const spec = {
    '-p': true,
    '-k': true,
    '-e': true,
    '-s': true,
    '-f': false,
    '--ad-user': false,
    '--account': true,
    '--upn': true,
    '--ad-computer': false,
    '--domain': true,
  }
  const args = parseArgs(argv, spec)
  if (args.operands.length !== 1) throw new UsageError('add takes exactly one keytab')
  const file = args.operands[0]!
  keytabPath(file)
  const principal = await principalArg(optionValue(args, '-p'))
  const kvno = kvnoArg(optionValue(args, '-k'), 1)!
  const enctypes = enctypesArg(optionValue(args, '-e'))
  const crypto = await import('../crypto/index.js')
  const choice = saltArg(args, principal, crypto)
  let salts: Map<number, { salt: Uint8Array; params?: Uint8Array }>
  try {
    salts =
      'ask' in choice
        ? await saltsFromKDC(choice.ask, enctypes)
        : new Map(enctypes.map((e) => [e, { salt: choice.salt }]))
  } catch (e) {
    if (!(e instanceof KerberosError)) throw e
    const asked = 'ask' in choice ? choice.ask : principal
    err('keytab', `cannot get the salt of ${formatPrincipal(asked)} from the KDC: ${e.message}`)
    return 1
  }
  const password = await readPassword(`Password for ${formatPrincipal(principal)}: `)
  const timestamp = Math.floor(Date.now() / 1000)
  const entries = enctypes.map((etype) => {
    const { salt, params } = salts.get(etype)!
    return makeKeytabEntry({
      principal,
      kvno,
      timestamp,
      key: crypto.stringToKey(etype, password, salt, {
        allowWeak: true,
        ...(params !== undefined ? { params } : {}),
      }),
    })
  })
  const keytab = (await readExisting(file)) ?? createKeytab()
  await writeKeytab(file, addKeytabEntries(keytab, entries), { mode: 'keep' })
  return 0
}

async function remove(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { '-p': true, '-k': true, '-e': true })
  if (args.operands.length !== 1) throw new UsageError('remove takes exactly one keytab')
  const file = args.operands[0]!
  const principal = await principalArg(optionValue(args, '-p'))
  const kvnoText = optionValue(args, '-k')
  const kvno = kvnoText === 'old' ? 'old' : kvnoArg(kvnoText, undefined)
  const etypeText = optionValue(args, '-e')
  const enctype = etypeText === undefined ? undefined : enctypesArg(etypeText)[0]
  const keytab = await readKeytab(file)
  const next = removeKeytabEntries(keytab, {
    principal,
    ...(kvno === undefined ? {} : { kvno }),
    ...(enctype === undefined ? {} : { enctype }),
  })
  const removed = keytab.entries.length - next.entries.length
  if (removed === 0) {
    err('keytab', `no entry of ${formatPrincipal(principal)} matches in ${file}`)
    return 1
  }
  await writeKeytab(file, next, { mode: 'keep' })
  return 0
}

async function merge(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, {})
  const [target, ...inputs] = args.operands
  if (target === undefined || inputs.length === 0)
    throw new UsageError('merge needs OUT and at least one IN')
  // Like ktutil's wkt, an existing OUT keeps its entries and gains the new ones.
  let result = (await readExisting(target)) ?? createKeytab()
  for (const input of inputs) result = mergeKeytabs(result, await readKeytab(input))
  await writeKeytab(target, result, { mode: 'keep' })
  return 0
}

async function rotate(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { '-k': true, '-p': true, '--keep': true, '-V': false })
  const keytab = optionValue(args, '-k')
  const name = optionValue(args, '-p')
  if (keytab === undefined || name === undefined || args.operands.length > 0)
    throw new UsageError('rotate needs -k KEYTAB and -p PRINCIPAL')
  const keepText = optionValue(args, '--keep')
  const keep = keepText === undefined ? 2 : Number(keepText)
  if (!Number.isInteger(keep) || keep < 1)
    throw new UsageError(`--keep expects a count ≥ 1, got ${keepText}`)
  const { config } = await createCLIClient({})
  const r = await rotateKeytab({
    keytab,
    principal: name,
    keep,
    client: { config, transport: createNodeTransport({ config }) },
  })
  out(
    `${r.principal}: kvno ${r.previousKvno} -> ${r.kvno} (${r.enctypes.map(klistEncTypeName).join(', ')}); kept kvnos ${r.kept.join(', ')}\n`,
  )
  return 0
}

const subcommands: Readonly<Record<string, (argv: readonly string[]) => Promise<number>>> = {
  list,
  add,
  remove,
  merge,
  rotate,
}

/** Entry point of `kerberos-ts keytab`. */
export async function run(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === undefined || sub === '-h' || sub === '--help') {
    out(usage + '\n')
    return sub === undefined ? 2 : 0
  }
  const command = subcommands[sub]
  if (command === undefined) {
    err('keytab', `unknown sub-command ${JSON.stringify(sub)}\n${usage}`)
    return 2
  }
  try {
    return await command(rest)
  } catch (e) {
    if (e instanceof UsageError) {
      err('keytab', `${e.message}\n${usage}`)
      return 2
    }
    const fileError = fileErrorMessage(e)
    if (fileError === undefined) throw e
    err('keytab', fileError)
    return 1
  }
}
