#!/usr/bin/env node
/**
 * The `kerberos-ts` command. Each sub-command lives in its own module under `src/cli/` and is
 * loaded only when used.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { KerberosError } from '../errors.js'
import { fileErrorMessage, hintLine } from './util.js'

/** A sub-command: gets its arguments (after the command words) and returns an exit code. */
export type CommandRunner = (argv: readonly string[]) => Promise<number>

/** A command module: `run`, and its usage text for `--help`. */
interface CommandModule {
  readonly run: CommandRunner
  readonly usage?: string
}

/** Command name → module file under src/cli (each exports `run`). */
const commands: Readonly<Record<string, string>> = {
  keytab: 'keytab',
  klist: 'klist',
  kinit: 'kinit',
  kvno: 'kvno',
  kpasswd: 'kpasswd',
  kdestroy: 'kdestroy',
  asn1: 'asn1',
  token: 'token',
  doctor: 'doctor',
  'kdc-proxy': 'kdc-proxy',
  kdc: 'kdc',
}

async function loadCommand(file: string): Promise<CommandModule> {
  return (await import(`./${file}.js`)) as CommandModule
}

/** The package version, from the package.json above this file (dist/cli or build/src/cli). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      const { name, version } = JSON.parse(readFileSync(pkg, 'utf8')) as {
        name?: string
        version?: string
      }
      if (name === 'kerberos-ts' && version !== undefined) return version
    }
    dir = dirname(dir)
  }
  return 'unknown'
}

/** `--help` or `-h` among the arguments (before a `--`), for every command. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')
}

const usage = `usage: kerberos-ts <command> [options]
       kerberos-ts --version | --help | help <command>
commands:
  keytab list|add|remove|merge|rotate  inspect, edit and rotate keytabs
  klist                          list a credential cache
  kinit                          log in (password or keytab) and store a TGT
  kvno                           get service tickets
  kpasswd                        change a password (kpasswd, RFC 3244)
  kdestroy                       delete a credential cache
  asn1 dump                      print any DER message as a tree
  token dump                     print a Negotiate header, SPNEGO or GSS token
  doctor                         diagnose krb5.conf, KDCs, clock, a keytab and SPNs
  kdc-proxy                      serve an MS-KKDCP KDC proxy (HTTPS to the realm's KDCs)
  kdc                            run an embedded KDC on loopback (tests and demos)
Every command takes --help.`

/** Run the CLI with `argv` (without `node` and the script path). */
export async function main(argv: readonly string[]): Promise<number> {
  let [name, ...rest] = argv
  if (name === '--version' || name === '-v') {
    process.stdout.write(`kerberos-ts ${packageVersion()}\n`)
    return 0
  }
  if (name === undefined || name === '-h' || name === '--help') {
    process.stdout.write(usage + '\n')
    return name === undefined ? 2 : 0
  }
  if (name === 'help') {
    if (rest[0] === undefined) {
      process.stdout.write(usage + '\n')
      return 0
    }
    ;[name, rest] = [rest[0], ['--help']]
  }
  const file = commands[name]
  if (file === undefined) {
    process.stderr.write(`kerberos-ts: unknown command ${JSON.stringify(name)}\n${usage}\n`)
    return 2
  }
  let command: CommandModule
  try {
    command = await loadCommand(file)
  } catch (err) {
    // Only a missing command module means "not in this build"; anything else (a missing
    // dependency, a syntax error) is reported as it is.
    const missing =
      (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' &&
      String((err as Error).message).includes(`/cli/${file}.js`)
    process.stderr.write(
      missing
        ? `kerberos-ts: command ${name} is not available in this build\n`
        : `kerberos-ts: cannot load command ${name}: ${err instanceof Error ? err.message : String(err)}\n`,
    )
    return 2
  }
  if (asksForHelp(rest) && command.usage !== undefined) {
    process.stdout.write(command.usage + '\n')
    return 0
  }
  try {
    return await command.run(rest)
  } catch (err) {
    if (err instanceof KerberosError) {
      process.stderr.write(
        `kerberos-ts ${name}: ${err.message} (${err.code})\n` + hintLine(name, err),
      )
      return 1
    }
    // A file that cannot be read (a missing @FILE, EACCES): one line, no stack trace.
    const fileError = fileErrorMessage(err)
    if (fileError !== undefined) {
      process.stderr.write(`kerberos-ts ${name}: ${fileError}\n`)
      return 1
    }
    throw err
  }
}

const invokedDirectly =
  typeof process !== 'undefined' &&
  process.argv[1] !== undefined &&
  /(?:main\.js|kerberos-ts)$/.test(process.argv[1])
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      process.stderr.write(`kerberos-ts: ${err instanceof Error ? err.stack : String(err)}\n`)
      process.exitCode = 70
    },
  )
}
