/**
 * `kerberos-ts asn1 dump <FILE|@FILE|-|hex|base64>`: print any DER message as a tree (see
 * {@link dumpASN1}). A file may hold raw DER or hex/base64 text.
 *
 * @module
 */
import { dumpASN1 } from '../asn1/dump.js'
import { fromBase64, fromHex } from '../internal/bytes.js'
import { readDumpInput } from './input.js'

/** The usage text (`kerberos-ts asn1 --help`). */
export const usage: string = `usage: kerberos-ts asn1 dump [--no-offsets] [--no-nested] [--max-hex N] <FILE|@FILE|-|hex|base64>
  a file path (or @path) holding raw DER, hex or base64; - for stdin; or hex or base64 text`

/** Text that is hex (spaces and colons allowed) or base64, or `null`. */
function decodeText(text: string): Uint8Array | null {
  const t = text.trim()
  const compact = t.replace(/[\s:]/g, '')
  if (compact.length > 0 && compact.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(compact))
    return fromHex(compact)
  return fromBase64(t.replace(/\s/g, ''))
}

function readInput(arg: string): Uint8Array | string {
  const bytes = readDumpInput(arg, decodeText)
  if (bytes !== null && bytes.length > 0) return bytes
  return `input is not a file and is neither hex nor base64: ${JSON.stringify(arg.slice(0, 40))}`
}

interface DumpArgs {
  readonly input: string
  readonly offsets: boolean
  readonly nested: boolean
  readonly maxHexBytes: number
}

function parseDumpArgs(argv: readonly string[]): DumpArgs | string {
  let offsets = true
  let nested = true
  let maxHexBytes = 64
  const operands: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--no-offsets') offsets = false
    else if (a === '--no-nested') nested = false
    else if (a === '--max-hex') {
      const n = Number(argv[++i])
      if (!Number.isInteger(n) || n < 0) return '--max-hex needs a non-negative integer'
      maxHexBytes = n
    } else if (a.startsWith('--') || (a.startsWith('-') && a !== '-')) return `unknown option ${a}`
    else operands.push(a)
  }
  if (operands.length !== 1) return 'expected one input'
  return { input: operands[0]!, offsets, nested, maxHexBytes }
}

/** Run `kerberos-ts asn1 ...`. */
export async function run(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === '-h' || sub === '--help') {
    process.stdout.write(usage + '\n')
    return 0
  }
  if (sub !== 'dump') {
    process.stderr.write(
      `kerberos-ts asn1: ${sub === undefined ? 'missing sub-command' : `unknown sub-command ${sub}`}\n${usage}\n`,
    )
    return 2
  }
  const args = parseDumpArgs(rest)
  if (typeof args === 'string') {
    process.stderr.write(`kerberos-ts asn1 dump: ${args}\n${usage}\n`)
    return 2
  }
  const bytes = readInput(args.input)
  if (typeof bytes === 'string') {
    process.stderr.write(`kerberos-ts asn1 dump: ${bytes}\n`)
    return 2
  }
  const text = dumpASN1(bytes, {
    offsets: args.offsets,
    nested: args.nested,
    maxHexBytes: args.maxHexBytes,
  })
  process.stdout.write(text + '\n')
  return 0
}
