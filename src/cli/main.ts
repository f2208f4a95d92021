#!/usr/bin/env node
/**
 * The `kerberos-ts` command. Each sub-command lives in its own module under `src/cli/` and is
 * loaded only when used.
 *
 * @module
 */
import { KerberosError } from '../errors.js'

/** A sub-command: gets its arguments (after the command words) and returns an exit code. */
export type CommandRunner = (argv: readonly string[]) => Promise<number>

/** Command name → module file under src/cli (each exports `run`). */
const commands: Readonly<Record<string, string>> = {
  keytab: 'keytab',
  klist: 'klist',
  kinit: 'kinit',
  kvno: 'kvno',
  kdestroy: 'kdestroy',
  asn1: 'asn1',
  token: 'token',
}

async function loadCommand(file: string): Promise<CommandRunner> {
  const mod = (await import(`./${file}.js`)) as { run: CommandRunner }
  return mod.run
}

const usage = `usage: kerberos-ts <command> [options]
commands:
  keytab list|add|remove|merge   inspect and edit keytabs
  klist                          list a credential cache
  kinit                          log in (password or keytab) and store a TGT
  kvno                           get service tickets
  kdestroy                       delete a credential cache
  asn1 dump                      print any DER message as a tree
  token dump                     print a Negotiate header, SPNEGO or GSS token`

/** Run the CLI with `argv` (without `node` and the script path). */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '-h' || name === '--help') {
    process.stdout.write(usage + '\n')
    return name === undefined ? 2 : 0
  }
  const file = commands[name]
  if (file === undefined) {
    process.stderr.write(`kerberos-ts: unknown command ${JSON.stringify(name)}\n${usage}\n`)
    return 2
  }
  let run: CommandRunner
  try {
    run = await loadCommand(file)
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
  try {
    return await run(rest)
  } catch (err) {
    if (err instanceof KerberosError) {
      process.stderr.write(`kerberos-ts ${name}: ${err.message} (${err.code})\n`)
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
