/**
 * A krb5.conf made of one or more files (MIT's `KRB5_CONFIG` chain) and the generic lookups on
 * it, with MIT's finality rules: files are searched in order, the first value found wins for
 * single-valued lookups, multi-valued lookups collect from every file, and a final (`*`) section,
 * subsection or relation met in one file stops the search before the next file.
 *
 * @module
 */
import { parseProfile } from './profile.js'
import type { ConfigReader, ProfileNode } from './profile.js'

/** One parsed file of the chain. */
export interface ConfigFile {
  /** The file's path (or `<string>`). */
  readonly path: string
  /** Its tree, includes merged in. */
  readonly root: ProfileNode
}

/**
 * A loaded krb5.conf: a chain of files with lookups by path (`section`, subsections..., tag).
 *
 * @example
 * ```ts
 * const conf = parseConfig('[realms]\n EXAMPLE.COM = {\n  kdc = kdc1\n  kdc = kdc2\n }\n')
 * conf.getAll('realms', 'EXAMPLE.COM', 'kdc') // ['kdc1', 'kdc2']
 * conf.get('realms', 'EXAMPLE.COM', 'kdc')    // 'kdc1'
 * ```
 */
export interface Krb5Config {
  readonly files: readonly ConfigFile[]
  /** The first value of a relation (MIT profile_get_string), or `undefined`. */
  get(section: string, ...path: string[]): string | undefined
  /** Every value of a relation, in file order, stopping after a final node (profile_get_values). */
  getAll(section: string, ...path: string[]): readonly string[]
  /** Names of the relations and subsections directly under a section path, each once, in MIT order. */
  names(section: string, ...path: string[]): readonly string[]
  /** Names of the subsections directly under a section path (e.g. the realms in `[realms]`). */
  subsections(section: string, ...path: string[]): readonly string[]
  /** Whether a section (or subsection) exists in any file. */
  has(section: string, ...path: string[]): boolean
}

/** A relation or subsection found by {@link iterateNodes}, with the file it came from. */
interface Found {
  readonly node: ProfileNode
  readonly file: ConfigFile
}

/** Children by name, built once per node on first lookup (nodes are immutable). */
const byName = new WeakMap<ProfileNode, Map<string, ProfileNode[]>>()

function childrenNamed(node: ProfileNode, name: string): readonly ProfileNode[] {
  let index = byName.get(node)
  if (index === undefined) {
    index = new Map()
    for (const child of node.children) {
      const list = index.get(child.name)
      if (list === undefined) index.set(child.name, [child])
      else list.push(child)
    }
    byName.set(node, index)
  }
  return index.get(name) ?? []
}

/** Walk to the first subsection named `name` (MIT looks only at the first match per file). */
function childSection(node: ProfileNode, name: string): ProfileNode | undefined {
  return childrenNamed(node, name).find((c) => c.value === undefined)
}

/**
 * MIT's profile_node_iterator: per file, descend through the first matching section of each
 * path element; a final node on the way or among the matches ends the search after this file.
 */
function* iterateNodes(
  files: readonly ConfigFile[],
  sectionPath: readonly string[],
  name: string | undefined,
  kind: 'relations' | 'sections' | 'any',
): Generator<Found> {
  for (const file of files) {
    let finalSeen = false
    let node: ProfileNode | undefined = file.root
    for (const part of sectionPath) {
      node = childSection(node, part)
      if (node === undefined) break
      if (node.final) finalSeen = true
    }
    if (node !== undefined) {
      for (const child of name === undefined ? node.children : childrenNamed(node, name)) {
        if (kind === 'relations' && child.value === undefined) continue
        if (kind === 'sections' && child.value !== undefined) continue
        if (child.final) finalSeen = true
        yield { node: child, file }
      }
    }
    if (finalSeen) return
  }
}

function checkPath(path: readonly string[]): void {
  for (const p of path)
    if (typeof p !== 'string')
      throw new TypeError(`expected config path parts to be strings, got ${typeof p}`)
}

function relationValues(files: readonly ConfigFile[], path: readonly string[]): string[] {
  checkPath(path)
  const out: string[] = []
  for (const { node } of iterateNodes(files, path.slice(0, -1), path.at(-1), 'relations'))
    out.push(node.value!)
  return out
}

function firstValue(files: readonly ConfigFile[], path: readonly string[]): string | undefined {
  checkPath(path)
  for (const { node } of iterateNodes(files, path.slice(0, -1), path.at(-1), 'relations'))
    return node.value
  return undefined
}

function childNames(
  files: readonly ConfigFile[],
  path: readonly string[],
  sectionsOnly: boolean,
): string[] {
  checkPath(path)
  const seen = new Set<string>()
  for (const { node } of iterateNodes(files, path, undefined, sectionsOnly ? 'sections' : 'any'))
    seen.add(node.name)
  return [...seen]
}

function hasSection(files: readonly ConfigFile[], path: readonly string[]): boolean {
  checkPath(path)
  return files.some((f) => {
    let node: ProfileNode | undefined = f.root
    for (const part of path) if (node !== undefined) node = childSection(node, part)
    return node !== undefined
  })
}

/** Build a {@link Krb5Config} from already-parsed files, searched in the given order. */
export function createConfig(files: readonly ConfigFile[]): Krb5Config {
  const list = Object.freeze([...files])
  return Object.freeze({
    files: list,
    get: (section: string, ...path: string[]) => firstValue(list, [section, ...path]),
    getAll: (section: string, ...path: string[]) => relationValues(list, [section, ...path]),
    names: (section: string, ...path: string[]) => childNames(list, [section, ...path], false),
    subsections: (section: string, ...path: string[]) => childNames(list, [section, ...path], true),
    has: (section: string, ...path: string[]) => hasSection(list, [section, ...path]),
  })
}

/** Options for {@link parseConfig}. */
export interface ParseConfigOptions {
  /** File name for messages (default `<string>`). */
  readonly path?: string
  /** Reader for `include`/`includedir`. */
  readonly reader?: ConfigReader
  /** Include nesting bound (default 16). */
  readonly maxIncludeDepth?: number
}

/**
 * Parse krb5.conf text into a one-file {@link Krb5Config}.
 *
 * @example
 * ```ts
 * const conf = parseConfig('[libdefaults]\n default_realm = EXAMPLE.COM\n')
 * conf.get('libdefaults', 'default_realm') // 'EXAMPLE.COM'
 * ```
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): Krb5Config {
  const path = options.path ?? '<string>'
  return createConfig([{ path, root: parseProfile(text, { ...options, path }) }])
}

/** Options for {@link loadConfigFiles}. */
export interface LoadConfigFilesOptions {
  /** Include nesting bound (default 16). */
  readonly maxIncludeDepth?: number
}

/**
 * Load a chain of files the way MIT reads `KRB5_CONFIG`: files that do not exist are skipped,
 * the rest are parsed and searched in order. An empty chain is a valid, empty configuration.
 *
 * @example
 * ```ts
 * const conf = loadConfigFiles(['/etc/krb5.conf', '/etc/krb5.local.conf'], reader)
 * ```
 */
export function loadConfigFiles(
  paths: readonly string[],
  reader: ConfigReader,
  options: LoadConfigFilesOptions = {},
): Krb5Config {
  const files: ConfigFile[] = []
  for (const path of paths) {
    if (path === '') continue
    const text = reader.readFile(path)
    if (text === undefined) continue
    files.push({ path, root: parseProfile(text, { path, reader, ...options }) })
  }
  return createConfig(files)
}
