/**
 * Shared helpers for the `kerberos-ts` sub-commands: getopt-style argument parsing, MIT's
 * timestamp layout, and password input that never comes from argv (the terminal without echo,
 * or the first line of stdin when it is not a terminal).
 *
 * @module
 */

/** Thrown for bad command lines; the dispatcher prints the message and usage. */
export class UsageError extends Error {
  override get name(): string {
    return 'UsageError'
  }
}

/** What each option takes: `true` = a value, `false` = a flag. Keys are `-x` or `--long`. */
export type OptionSpec = Readonly<Record<string, boolean>>

/** The result of {@link parseArgs}: option values (flags are `true`; repeated values keep the last) and operands. */
export interface ParsedArgs {
  readonly options: ReadonlyMap<string, string | true>
  readonly operands: readonly string[]
}

function takeLong(
  arg: string,
  spec: OptionSpec,
  argv: readonly string[],
  i: number,
  out: Map<string, string | true>,
): number {
  const eq = arg.indexOf('=')
  const name = eq < 0 ? arg : arg.slice(0, eq)
  const wantsValue = spec[name]
  if (wantsValue === undefined) throw new UsageError(`unknown option ${name}`)
  if (!wantsValue) {
    if (eq >= 0) throw new UsageError(`option ${name} takes no value`)
    out.set(name, true)
    return i
  }
  if (eq >= 0) {
    out.set(name, arg.slice(eq + 1))
    return i
  }
  const value = argv[i + 1]
  if (value === undefined) throw new UsageError(`option ${name} needs a value`)
  out.set(name, value)
  return i + 1
}

function takeShort(
  arg: string,
  spec: OptionSpec,
  argv: readonly string[],
  i: number,
  out: Map<string, string | true>,
): number {
  for (let j = 1; j < arg.length; j++) {
    const name = `-${arg[j]}`
    const wantsValue = spec[name]
    if (wantsValue === undefined) throw new UsageError(`unknown option ${name}`)
    if (!wantsValue) {
      out.set(name, true)
      continue
    }
    const inline = arg.slice(j + 1)
    if (inline !== '') {
      out.set(name, inline)
      return i
    }
    const value = argv[i + 1]
    if (value === undefined) throw new UsageError(`option ${name} needs a value`)
    out.set(name, value)
    return i + 1
  }
  return i
}

/**
 * Parse `argv` getopt style: clustered short flags (`-tKe`), `-c VALUE` / `-cVALUE`,
 * `--long VALUE` / `--long=VALUE`, `--` ends options. Options may follow operands.
 *
 * @example
 * ```ts
 * parseArgs(['-tK', 'a.keytab'], { '-t': false, '-K': false }).operands // ['a.keytab']
 * ```
 */
export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const options = new Map<string, string | true>()
  const operands: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      operands.push(...argv.slice(i + 1))
      break
    }
    if (arg.startsWith('--')) i = takeLong(arg, spec, argv, i, options)
    else if (arg.startsWith('-') && arg.length > 1) i = takeShort(arg, spec, argv, i, options)
    else operands.push(arg)
  }
  return { options, operands }
}

/** A string option's value, or `undefined`. */
export function optionValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name)
  return typeof v === 'string' ? v : undefined
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

/**
 * A timestamp as MIT's klist prints it in the C locale (`%x %X`): `MM/DD/YY HH:MM:SS`, local time.
 *
 * @example
 * ```ts
 * formatKlistTime(0) // '01/01/70 00:00:00' with TZ=UTC
 * ```
 */
export function formatKlistTime(seconds: number): string {
  const d = new Date(seconds * 1000)
  const date = `${pad2(d.getMonth() + 1)}/${pad2(d.getDate())}/${pad2(d.getFullYear() % 100)}`
  return `${date} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
}

/** Width of {@link formatKlistTime}'s output (MIT's `timestamp_width` in the C locale). */
export const KLIST_TIME_WIDTH = 17

/** Where a password comes from; tests inject streams. */
export interface PasswordSource {
  readonly input?: NodeJS.ReadStream
  readonly output?: NodeJS.WriteStream
}

/** Text read past a newline, kept for the next {@link readPassword} on the same stream. */
const leftovers = new WeakMap<NodeJS.ReadableStream, { text: string; ended: boolean }>()

/**
 * Read one line from a non-terminal stream, stopping at the first newline or the end. Bytes
 * after the newline are kept for the next call, so several prompts can share one piped stdin.
 */
function readLine(input: NodeJS.ReadableStream): Promise<string> {
  const state = leftovers.get(input) ?? { text: '', ended: false }
  leftovers.set(input, state)
  // The end may have been emitted while no listener was attached (between two calls).
  if ((input as { readableEnded?: boolean }).readableEnded === true) state.ended = true
  const take = (): string | undefined => {
    const nl = state.text.indexOf('\n')
    if (nl >= 0) {
      const line = state.text.slice(0, nl).replace(/\r$/, '')
      state.text = state.text.slice(nl + 1)
      return line
    }
    if (!state.ended) return undefined
    const last = state.text.replace(/\r$/, '')
    state.text = ''
    return last
  }
  const ready = take()
  if (ready !== undefined) return Promise.resolve(ready)
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      const line = take()
      if (line === undefined) return
      input.off('data', onData)
      input.off('end', onEnd)
      input.off('error', onError)
      input.pause()
      resolve(line)
    }
    const onData = (chunk: Buffer | string): void => {
      state.text += chunk.toString()
      finish()
    }
    const onEnd = (): void => {
      state.ended = true
      finish()
    }
    const onError = (e: Error): void => {
      input.off('data', onData)
      input.off('end', onEnd)
      reject(e)
    }
    input.on('data', onData)
    input.once('end', onEnd)
    input.once('error', onError)
    input.resume()
  })
}

/** Read a line from the terminal in raw mode without echo; Ctrl-C / Ctrl-D abort. */
function readHidden(
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
  prompt: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt)
    let text = ''
    const finish = (err?: Error): void => {
      input.off('data', onData)
      input.setRawMode(false)
      input.pause()
      output.write('\n')
      if (err) reject(err)
      else resolve(text)
    }
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish()
        if (ch === '\u0003' || ch === '\u0004')
          return finish(new UsageError('password entry cancelled'))
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('')
        else text += ch
      }
    }
    input.setRawMode(true)
    input.on('data', onData)
    input.resume()
  })
}

/**
 * Read a password: from the terminal without echo (prompt on stderr), or the first line of
 * stdin when stdin is not a terminal. Never from argv.
 */
export async function readPassword(prompt: string, source: PasswordSource = {}): Promise<string> {
  const input = source.input ?? process.stdin
  const output = source.output ?? process.stderr
  if (input.isTTY === true) return readHidden(input, output, prompt)
  return readLine(input)
}

/** Write to stdout. */
/**
 * Parse a command's arguments, or handle what ends it early: a usage error (printed with the
 * usage, exit code 2) or `-h`/`--help` (usage on stdout, exit code 0). Returns the parsed
 * arguments, or the exit code to return.
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  spec: OptionSpec,
  usage: string,
): ParsedArgs | number {
  let args: ParsedArgs
  try {
    args = parseArgs(argv, spec)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    err(command, `${e.message}\n${usage}`)
    return 2
  }
  if (args.options.has('-h') || args.options.has('--help')) {
    out(usage + '\n')
    return 0
  }
  return args
}

export function out(text: string): void {
  process.stdout.write(text)
}

/** Write an error line for `command` to stderr. */
export function err(command: string, text: string): void {
  process.stderr.write(`kerberos-ts ${command}: ${text}\n`)
}

/**
 * The `hint:` line printed under an error that has one (what to do about it, where the docs say
 * more), or `''`. The library puts the fix in `KerberosError.hint`; the CLI shows it.
 */
export function hintLine(command: string, e: unknown): string {
  const hint = (e as { hint?: unknown } | null)?.hint
  return typeof hint === 'string' && hint !== '' ? `kerberos-ts ${command}: hint: ${hint}\n` : ''
}

/**
 * A one-line message for a file-system error (`EACCES`, `EISDIR`, ...), or `undefined` when `e`
 * is not one: the CLI reports these without a stack trace.
 */
export function fileErrorMessage(e: unknown): string | undefined {
  const { code, path, syscall } = (e ?? {}) as { code?: unknown; path?: unknown; syscall?: unknown }
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return undefined
  const where = typeof path === 'string' ? `${path}: ` : ''
  return `${where}${typeof syscall === 'string' ? `${syscall} ` : ''}failed (${code})`
}
