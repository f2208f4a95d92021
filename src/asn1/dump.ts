/**
 * `dumpASN1`: print any BER/DER as an indented tree with universal type names and the names of
 * Kerberos APPLICATION tags. Parsing is asn1js's (lenient: it shows BER too); a linear pre-scan
 * bounds the nesting depth first so hostile input fails fast instead of exhausting the stack.
 *
 * @module
 */
import * as asn1js from 'asn1js'
import { KerberosError, ErrorCodes } from '../errors.js'
import { decodeKerberosStringBytes } from './der.js'
import { ApplicationTagNames } from './message.js'

/** Options for {@link dumpASN1}. */
export interface DumpASN1Options {
  /** Hex bytes shown per primitive value before `…` (default 64). */
  readonly maxHexBytes?: number
  /** Show each element's byte offset (default true). */
  readonly offsets?: boolean
  /** Show DER found inside OCTET STRINGs as a nested tree (default true). */
  readonly nested?: boolean
  /** Deepest nesting accepted (default 64). */
  readonly maxDepth?: number
}

const UNIVERSAL: Readonly<Record<number, string>> = {
  0: 'END-OF-CONTENTS',
  1: 'BOOLEAN',
  2: 'INTEGER',
  3: 'BIT STRING',
  4: 'OCTET STRING',
  5: 'NULL',
  6: 'OBJECT IDENTIFIER',
  10: 'ENUMERATED',
  12: 'UTF8String',
  16: 'SEQUENCE',
  17: 'SET',
  19: 'PrintableString',
  20: 'T61String',
  22: 'IA5String',
  23: 'UTCTime',
  24: 'GeneralizedTime',
  26: 'VisibleString',
  27: 'GeneralString',
  30: 'BMPString',
}

function fail(message: string, offset: number): never {
  throw new KerberosError(
    ErrorCodes.ASN1_DECODE,
    `cannot dump ASN.1 at offset ${offset}: ${message}`,
    {
      context: { structure: 'ASN.1', field: '', offset },
    },
  )
}

/**
 * Walk the headers once, without recursion, and refuse nesting deeper than `maxDepth`. Malformed
 * headers end the scan quietly: asn1js reports those.
 */
function checkDepth(bytes: Uint8Array, maxDepth: number): void {
  const ends: number[] = []
  let p = 0
  while (p < bytes.length) {
    while (ends.length > 0 && ends[ends.length - 1]! >= 0 && p >= ends[ends.length - 1]!) ends.pop()
    if (bytes[p] === 0 && bytes[p + 1] === 0 && ends.length > 0 && ends[ends.length - 1] === -1) {
      ends.pop()
      p += 2
      continue
    }
    const start = p
    const id = bytes[p++]!
    if ((id & 0x1f) === 0x1f) while (p < bytes.length && (bytes[p++]! & 0x80) !== 0);
    if (p >= bytes.length) return
    let len = bytes[p++]!
    let indefinite = false
    if (len === 0x80) indefinite = true
    else if (len > 0x80) {
      const n = len & 0x7f
      if (n > 4 || p + n > bytes.length) return
      len = 0
      for (let i = 0; i < n; i++) len = len * 256 + bytes[p++]!
    }
    if ((id & 0x20) !== 0) {
      ends.push(indefinite ? -1 : p + len)
      if (ends.length > maxDepth) fail(`nesting deeper than ${maxDepth}`, start)
    } else {
      if (indefinite) return
      p += len
    }
  }
}

function tagName(node: asn1js.AsnType): string {
  const { tagClass, tagNumber } = node.idBlock
  if (tagClass === 1) return UNIVERSAL[tagNumber] ?? `UNIVERSAL ${tagNumber}`
  if (tagClass === 2) {
    const name = ApplicationTagNames[tagNumber]
    return name === undefined ? `[APPLICATION ${tagNumber}]` : `${name} [APPLICATION ${tagNumber}]`
  }
  if (tagClass === 3) return `[${tagNumber}]`
  return `[PRIVATE ${tagNumber}]`
}

function hex(b: Uint8Array, max: number): string {
  let s = ''
  for (let i = 0; i < Math.min(b.length, max); i++) s += b[i]!.toString(16).padStart(2, '0')
  return b.length > max ? `${s}…` : s
}

function printable(b: Uint8Array): string | undefined {
  if (b.length === 0) return undefined
  for (const c of b) if (c < 0x20 || c > 0x7e) return undefined
  return String.fromCharCode(...b)
}

function integerText(b: Uint8Array): string {
  if (b.length === 0) return '(empty)'
  let v = BigInt.asIntN(8, BigInt(b[0]!))
  for (let i = 1; i < b.length; i++) v = v * 256n + BigInt(b[i]!)
  return v.toString()
}

function primitiveText(node: asn1js.AsnType, content: Uint8Array, max: number): string {
  const { tagClass, tagNumber } = node.idBlock
  if (tagClass !== 1) return hex(content, max)
  switch (tagNumber) {
    case 1:
      return content[0] ? 'TRUE' : 'FALSE'
    case 2:
    case 10:
      return integerText(content)
    case 5:
      return ''
    case 6:
      return (node as asn1js.ObjectIdentifier).valueBlock.toString()
    case 3:
      return `unused=${content[0] ?? 0} ${hex(content.subarray(1), max)}`
    case 12:
    case 19:
    case 22:
    case 23:
    case 24:
    case 26:
    case 27:
      return JSON.stringify(decodeKerberosStringBytes(content, 0, content.length))
    default: {
      const text = printable(content)
      return text === undefined ? hex(content, max) : `${hex(content, max)} ${JSON.stringify(text)}`
    }
  }
}

interface DumpState {
  readonly lines: string[]
  readonly max: number
  readonly offsets: boolean
  readonly nested: boolean
  readonly maxDepth: number
}

function dumpNode(node: asn1js.AsnType, base: number, depth: number, st: DumpState): number {
  if (depth > st.maxDepth) fail(`nesting deeper than ${st.maxDepth}`, base)
  const whole = new Uint8Array(node.valueBeforeDecodeView)
  const headerLen = node.idBlock.blockLength + node.lenBlock.blockLength
  const pad = '  '.repeat(depth)
  const at = st.offsets ? `${String(base).padStart(5)}: ` : ''
  const len = node.lenBlock.isIndefiniteForm ? 'indefinite' : String(node.lenBlock.length)
  const head = `${at}${pad}${tagName(node)} (${len})`
  const children = (node.valueBlock as { value?: unknown }).value
  if (node.idBlock.isConstructed && Array.isArray(children)) {
    st.lines.push(head)
    let off = base + headerLen
    for (const child of children as asn1js.AsnType[]) off += dumpNode(child, off, depth + 1, st)
    return whole.length
  }
  const content = whole.subarray(headerLen)
  const text = primitiveText(node, content, st.max)
  st.lines.push(text === '' ? head : `${head} ${text}`)
  if (st.nested && node.idBlock.tagClass === 1 && node.idBlock.tagNumber === 4)
    dumpNested(content, base + headerLen, depth + 1, st)
  return whole.length
}

/** Show an OCTET STRING's contents as a tree when they are exactly one constructed element. */
function dumpNested(content: Uint8Array, base: number, depth: number, st: DumpState): void {
  if (content.length < 2 || (content[0]! & 0x20) === 0) return
  const parsed = asn1js.fromBER(content)
  if (parsed.offset !== content.length) return
  st.lines.push(`${st.offsets ? '       ' : ''}${'  '.repeat(depth)}-- contains:`)
  dumpNode(parsed.result, base, depth, st)
}

/**
 * Print any DER (or BER) as an indented tree: offsets, universal type names, Kerberos APPLICATION
 * tag names (`AP-REQ [APPLICATION 14]`), decoded INTEGERs, strings and times, hex for the rest, and
 * DER nested in OCTET STRINGs (padata-value, ad-data) as sub-trees. Several concatenated elements
 * are dumped one after another.
 *
 * @example
 * ```ts
 * console.log(dumpASN1(apReqBytes))
 * //     0: AP-REQ [APPLICATION 14] (157)
 * //     3:   SEQUENCE (154)
 * //     6:     [0] (3)
 * //     8:       INTEGER 5
 * ```
 */
export function dumpASN1(bytes: Uint8Array, options: DumpASN1Options = {}): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('expected a Uint8Array')
  const st: DumpState = {
    lines: [],
    max: options.maxHexBytes ?? 64,
    offsets: options.offsets ?? true,
    nested: options.nested ?? true,
    maxDepth: options.maxDepth ?? 64,
  }
  checkDepth(bytes, st.maxDepth)
  let off = 0
  try {
    while (off < bytes.length) {
      const rest = bytes.subarray(off)
      const parsed = asn1js.fromBER(rest)
      if (parsed.offset === -1) fail(parsed.result.error || 'malformed BER', off)
      dumpNode(parsed.result, off, 0, st)
      off += parsed.offset
    }
  } catch (err) {
    if (err instanceof KerberosError) throw err
    // Stack exhaustion or an asn1js internal error on hostile input.
    throw new KerberosError(
      ErrorCodes.ASN1_DECODE,
      `cannot dump ASN.1 at offset ${off}: ${String(err)}`,
      {
        cause: err,
        context: { structure: 'ASN.1', field: '', offset: off },
      },
    )
  }
  return st.lines.join('\n')
}
