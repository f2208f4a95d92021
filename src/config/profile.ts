/**
 * The MIT "profile" syntax that krb5.conf is written in: `[sections]`, `tag = value` relations,
 * `tag = { ... }` subsections, `*` final markers, `#`/`;` comment lines, and the `include` /
 * `includedir` directives. Pure: files are read through an injected {@link ConfigReader}.
 *
 * The rules follow MIT's `src/util/profile/prof_parse.c` line by line:
 * - a comment is a line whose first non-blank character is `#` or `;` (never mid-line: a value
 *   runs to the end of its line, trailing blanks trimmed);
 * - lines before the first `[section]` (which must start in column 0) are ignored;
 * - `tag = "quoted"` values understand `\n`, `\t`, `\b` and `\<char>`, and stop at the next `"`;
 * - `tag =` alone opens a subsection whose `{` is on the next line;
 * - `include FILE` / `includedir DIR` must start in column 0 and share the including file's tree;
 *   `includedir` takes only names made of alphanumerics, `-` and `_`, or ending in `.conf`
 *   (never dotfiles), in sorted order.
 *
 * @module
 */
import { KerberosError, ErrorCodes } from '../errors.js'

/** A node of a profile tree: a relation (`value` set) or a (sub)section (`children`). */
export interface ProfileNode {
  readonly name: string
  /** The relation's value; `undefined` for a section or subsection. */
  readonly value: string | undefined
  /** Children of a section in MIT's order (sorted by name, same names in file order). */
  readonly children: readonly ProfileNode[]
  /** Marked final with `*`: later files in the chain cannot add to it. */
  readonly final: boolean
  /** Where the node was defined. */
  readonly file: string
  readonly line: number
}

/** Synchronous file access for `include`/`includedir` (MIT reads its profile synchronously). */
export interface ConfigReader {
  /** The file's text, or `undefined` when it does not exist. */
  readFile(path: string): string | undefined
  /** The entry names of a directory, or `undefined` when it does not exist. */
  listDir(path: string): readonly string[] | undefined
  /** Join a directory and an entry name (default: `dir + '/' + name`). */
  join?(dir: string, name: string): string
}

/** Options for {@link parseProfile}. */
export interface ParseProfileOptions {
  /** The file name used in error messages and node locations (default `<string>`). */
  readonly path?: string
  /** Needed when the text uses `include`/`includedir`. */
  readonly reader?: ConfigReader
  /** How deep includes may nest (default 16; MIT has no bound). */
  readonly maxIncludeDepth?: number
}

interface MutableNode {
  name: string
  value: string | undefined
  children: MutableNode[]
  final: boolean
  parent: MutableNode | undefined
  file: string
  line: number
}

const STATE_INIT = 1
const STATE_STD = 2
const STATE_OBRACE = 3

interface ParseState {
  state: number
  level: number
  root: MutableNode
  current: MutableNode | undefined
  file: string
  line: number
}

interface ParseContext {
  readonly reader: ConfigReader | undefined
  readonly maxDepth: number
  readonly depth: number
}

function fail(state: { file: string; line: number }, message: string): never {
  throw new KerberosError(ErrorCodes.CONFIG, `${state.file}:${state.line}: ${message}`, {
    context: { file: state.file, line: state.line },
  })
}

function newNode(
  name: string,
  value: string | undefined,
  parent: MutableNode | undefined,
  at: ParseState,
): MutableNode {
  return { name, value, children: [], final: false, parent, file: at.file, line: at.line }
}

/** Insert after the last child whose name sorts at or before `node.name` (MIT profile_add_node). */
function addChild(parent: MutableNode, node: MutableNode): void {
  const kids = parent.children
  let lo = 0
  let hi = kids.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (kids[mid]!.name > node.name) hi = mid
    else lo = mid + 1
  }
  kids.splice(lo, 0, node)
}

const isBlank = (ch: string | undefined): boolean => ch !== undefined && /\s/.test(ch)

function skipBlanks(s: string, i: number): number {
  while (i < s.length && isBlank(s[i])) i++
  return i
}

/** MIT parse_quoted_string: `\n \t \b` and `\x` → x, up to the closing quote or end of line. */
function parseQuoted(s: string): string {
  let out = ''
  for (let i = 0; i < s.length && s[i] !== '"'; i++) {
    let ch = s[i]!
    if (ch === '\\') {
      if (++i >= s.length) break
      const next = s[i]!
      ch = next === 'n' ? '\n' : next === 't' ? '\t' : next === 'b' ? '\b' : next
    }
    out += ch
  }
  return out
}

function parseSectionHeader(line: string, cp: number, st: ParseState): void {
  if (st.level > 0) fail(st, 'section header inside a subsection (missing "}")')
  const close = line.indexOf(']', cp + 1)
  if (close < 0) fail(st, 'section header has no closing "]"')
  const name = line.slice(cp + 1, close)
  let section = st.root.children.find((c) => c.name === name && c.value === undefined)
  if (section === undefined) {
    section = newNode(name, undefined, st.root, st)
    addChild(st.root, section)
  }
  st.current = section
  let rest = close + 1
  if (line[rest] === '*') {
    section.final = true
    rest++
  }
  if (skipBlanks(line, rest) < line.length)
    fail(st, `unexpected text after section header [${name}]`)
}

function closeBrace(line: string, cp: number, st: ParseState): void {
  if (st.level === 0 || st.current === undefined) fail(st, 'unmatched "}"')
  if (line[cp + 1] === '*') st.current.final = true
  st.current = st.current.parent
  st.level--
}

/** Split `tag = value` per MIT: the tag ends at the first blank, only blanks may follow it. */
function splitRelation(line: string, cp: number, st: ParseState): { tag: string; value: string } {
  const eq = line.indexOf('=', cp)
  if (eq < 0) fail(st, 'relation has no "="')
  if (eq === cp) fail(st, 'relation has an empty tag')
  let tagEnd = cp
  while (tagEnd < eq && !isBlank(line[tagEnd])) tagEnd++
  if (skipBlanks(line, tagEnd) < eq) fail(st, 'relation tag contains blanks')
  return { tag: line.slice(cp, tagEnd), value: line.slice(skipBlanks(line, eq + 1)) }
}

function splitFinal(tag: string): { name: string; final: boolean } {
  const star = tag.indexOf('*')
  return star < 0 ? { name: tag, final: false } : { name: tag.slice(0, star), final: true }
}

function parseRelation(line: string, cp: number, st: ParseState): void {
  const { tag, value } = splitRelation(line, cp, st)
  const parent = st.current
  if (parent === undefined) fail(st, 'relation outside any section')
  const { name, final } = splitFinal(tag)
  let opens = false
  let text = value
  if (value.startsWith('"')) text = parseQuoted(value.slice(1))
  else if (value === '') {
    opens = true
    st.state = STATE_OBRACE
  } else if (value[0] === '{' && skipBlanks(value, 1) === value.length) opens = true
  else text = value.trimEnd()
  const node = newNode(name, opens ? undefined : text, parent, st)
  node.final = final
  addChild(parent, node)
  if (opens) {
    st.current = node
    st.level++
  }
}

function parseStdLine(raw: string, st: ParseState): void {
  let cp = skipBlanks(raw, 0)
  if (cp >= raw.length || raw[cp] === ';' || raw[cp] === '#') return
  const line = raw.replace(/[\r\n]+$/, '')
  cp = skipBlanks(line, 0)
  if (cp >= line.length) return
  const ch = line[cp]
  if (ch === '[') parseSectionHeader(line, cp, st)
  else if (ch === '}') closeBrace(line, cp, st)
  else parseRelation(line, cp, st)
}

function directive(line: string, word: string): string | undefined {
  if (!line.startsWith(word)) return undefined
  // MIT sees the newline as the blank after a bare `include`; the empty name then fails to open.
  if (line.length > word.length && !isBlank(line[word.length])) return undefined
  return line.slice(skipBlanks(line, word.length)).replace(/[\r\n]+$/, '')
}

/** MIT valid_name for includedir: no dotfiles; `*.conf`, or only alphanumerics, `-`, `_`. */
export function isIncludableName(name: string): boolean {
  if (name.startsWith('.') || name === '') return false
  if (name.length >= 5 && name.endsWith('.conf')) return true
  return /^[A-Za-z0-9_-]+$/.test(name)
}

function includeFile(path: string, st: ParseState, ctx: ParseContext): void {
  if (ctx.reader === undefined) fail(st, `include ${path} needs a file reader`)
  if (ctx.depth >= ctx.maxDepth) fail(st, `includes nested deeper than ${ctx.maxDepth} (loop?)`)
  const text = ctx.reader.readFile(path)
  if (text === undefined) fail(st, `cannot read included file ${path}`)
  // Each included fragment parses on its own (MIT parse_include_file) but shares the root.
  const inner: ParseState = {
    state: STATE_INIT,
    level: 0,
    root: st.root,
    current: undefined,
    file: path,
    line: 0,
  }
  parseLines(text, inner, { ...ctx, depth: ctx.depth + 1 })
}

function includeDir(dir: string, st: ParseState, ctx: ParseContext): void {
  if (ctx.reader === undefined) fail(st, `includedir ${dir} needs a file reader`)
  const names = ctx.reader.listDir(dir)
  if (names === undefined) fail(st, `cannot read included directory ${dir}`)
  const join = ctx.reader.join ?? ((d: string, n: string) => `${d}/${n}`)
  for (const name of [...names].filter(isIncludableName).sort())
    includeFile(join(dir, name), st, ctx)
}

function parseLine(line: string, st: ParseState, ctx: ParseContext): void {
  const inc = directive(line, 'include')
  if (inc !== undefined) return includeFile(inc, st, ctx)
  const incDir = directive(line, 'includedir')
  if (incDir !== undefined) return includeDir(incDir, st, ctx)
  if (st.state === STATE_INIT) {
    if (line[0] !== '[') return
    st.state = STATE_STD
  }
  if (st.state === STATE_OBRACE) {
    if (line[skipBlanks(line, 0)] !== '{') fail(st, 'expected "{" to open the subsection')
    st.state = STATE_STD
    return
  }
  parseStdLine(line, st)
}

function parseLines(text: string, st: ParseState, ctx: ParseContext): void {
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  for (const line of lines) {
    st.line++
    if (line.includes('\0')) fail(st, 'NUL character in line')
    parseLine(line, st, ctx)
  }
}

function freeze(node: MutableNode): ProfileNode {
  return {
    name: node.name,
    value: node.value,
    children: node.children.map(freeze),
    final: node.final,
    file: node.file,
    line: node.line,
  }
}

/**
 * Parse one krb5.conf-style file (and whatever it includes) into a tree rooted at `(root)`.
 *
 * @example
 * ```ts
 * const root = parseProfile('[libdefaults]\n default_realm = EXAMPLE.COM\n')
 * root.children[0]?.children[0]?.value // 'EXAMPLE.COM'
 * ```
 */
export function parseProfile(text: string, options: ParseProfileOptions = {}): ProfileNode {
  if (typeof text !== 'string')
    throw new TypeError(`expected text to be a string, got ${typeof text}`)
  const file = options.path ?? '<string>'
  const maxDepth = options.maxIncludeDepth ?? 16
  if (!Number.isInteger(maxDepth) || maxDepth < 0)
    throw new RangeError(`expected maxIncludeDepth ≥ 0, got ${maxDepth}`)
  const st: ParseState = {
    state: STATE_INIT,
    level: 0,
    root: undefined as never,
    current: undefined,
    file,
    line: 0,
  }
  st.root = newNode('(root)', undefined, undefined, st)
  parseLines(text, st, { reader: options.reader, maxDepth, depth: 0 })
  return freeze(st.root)
}
