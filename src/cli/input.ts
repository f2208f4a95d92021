/**
 * Input of the dump commands (`asn1 dump`, `token dump`): `-` for stdin, `@path` or a plain path
 * for a file, else hex or base64 text. A file may hold raw bytes or hex/base64 text.
 *
 * @module
 */
import { readFileSync, statSync } from 'node:fs'

/** Text → bytes, or `null` when the text is not in a format the command reads. */
export type TextDecoderFn = (text: string) => Uint8Array | null

/** Printable ASCII only (tabs and line ends allowed): a file of hex/base64 text, not raw DER. */
function isText(data: Uint8Array): boolean {
  return (
    data.length > 0 &&
    data.every((c) => c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c < 0x7f))
  )
}

/** A file's bytes: raw, or decoded when the file holds text the command reads. */
function fileBytes(data: Uint8Array, decode: TextDecoderFn): Uint8Array | null {
  if (!isText(data)) return data
  return decode(new TextDecoder().decode(data))
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * Read the input argument: `-` (stdin), `@path`, a path that names an existing file, or the
 * text itself. File-system errors (a missing `@path`) are thrown as they are.
 */
export function readDumpInput(arg: string, decode: TextDecoderFn): Uint8Array | null {
  if (arg === '-') return fileBytes(new Uint8Array(readFileSync(0)), decode)
  if (arg.startsWith('@')) return fileBytes(new Uint8Array(readFileSync(arg.slice(1))), decode)
  if (isFile(arg)) return fileBytes(new Uint8Array(readFileSync(arg)), decode)
  return decode(arg)
}
