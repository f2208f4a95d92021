import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { KerberosError } from '../../src/errors.js'
import { isIncludableName, parseConfig, parseProfile } from '../../src/config/index.js'
import type { ProfileNode } from '../../src/config/index.js'
import { fixturePath } from '../helpers/paths.js'
import { fixtureReader, memoryReader } from './fixture-reader.js'

const section = (root: ProfileNode, name: string): ProfileNode => {
  const s = root.children.find((c) => c.name === name)
  assert.ok(s, `section ${name}`)
  return s
}

function configError(fn: () => unknown, line: number, file?: string): KerberosError {
  let caught: unknown
  try {
    fn()
  } catch (e) {
    caught = e
  }
  assert.ok(caught instanceof KerberosError, `expected KerberosError, got ${String(caught)}`)
  assert.equal(caught.code, 'ERR_KRB_CONFIG')
  assert.equal(caught.context.line, line)
  if (file !== undefined) assert.equal(caught.context.file, file)
  return caught
}

test('comment lines start with # or ; after optional blanks; values keep mid-line #', () => {
  const conf = parseConfig('[s]\n  # c1\n\t; c2\n a = 1 # not a comment\n;x = 2\n')
  assert.deepEqual(conf.getAll('s', 'a'), ['1 # not a comment'])
  assert.equal(conf.get('s', 'x'), undefined)
})

test('lines before the first section are ignored, and the first [ must be in column 0', () => {
  const conf = parseConfig('junk = 1\n  [indented]\n a = 1\n[s]\n b = 2\n')
  assert.equal(conf.get('s', 'b'), '2')
  assert.equal(conf.has('indented'), false)
  assert.equal(conf.get('indented', 'a'), undefined)
})

test('odd spacing: tabs, no blanks around =, trailing blanks trimmed, CRLF', () => {
  const conf = parseConfig('[s]\r\n\ta=1\r\n b   =   two words   \r\n\t\tc\t=\tx\t\n')
  assert.equal(conf.get('s', 'a'), '1')
  assert.equal(conf.get('s', 'b'), 'two words')
  assert.equal(conf.get('s', 'c'), 'x')
})

test('quoted values: escapes \\n \\t \\b \\x, stop at the closing quote', () => {
  const conf = parseConfig(
    '[s]\n q = "  a\\tb\\nc\\\\d\\"e " tail ignored\n open = "unterminated  \n',
  )
  assert.equal(conf.get('s', 'q'), '  a\tb\nc\\d"e ')
  assert.equal(conf.get('s', 'open'), 'unterminated  ')
})

test('repeated relations keep file order; get returns the first', () => {
  const conf = parseConfig(
    '[r]\n R = {\n  kdc = a\n  other = x\n  kdc = b\n }\n[r]\n R2 = {\n kdc = c\n }\n',
  )
  assert.deepEqual(conf.getAll('r', 'R', 'kdc'), ['a', 'b'])
  assert.equal(conf.get('r', 'R', 'kdc'), 'a')
  assert.deepEqual(conf.subsections('r'), ['R', 'R2'])
})

test('subsections: brace on the same line, on the next line, nested; `tag = {x` is a value', () => {
  const conf = parseConfig('[s]\n a = {\n  b =\n  {\n   c = 1\n  }\n }\n v = {x\n')
  assert.equal(conf.get('s', 'a', 'b', 'c'), '1')
  assert.equal(conf.get('s', 'v'), '{x')
})

test('final markers: [section]*, }*, tag* =', () => {
  const root = parseProfile('[a]*\n x* = 1\n sub = {\n  y = 2\n }*\n[b]\n')
  const a = section(root, 'a')
  assert.equal(a.final, true)
  assert.equal(a.children.find((c) => c.name === 'x')?.final, true)
  assert.equal(a.children.find((c) => c.name === 'sub')?.final, true)
  assert.equal(section(root, 'b').final, false)
})

test('children are ordered as MIT orders them: by name, same names in file order', () => {
  const root = parseProfile('[s]\n b = 1\n a = 2\n b = 3\n c = 4\n')
  assert.deepEqual(
    section(root, 's').children.map((c) => `${c.name}=${c.value}`),
    ['a=2', 'b=1', 'b=3', 'c=4'],
  )
})

test('a repeated [section] merges into the first one', () => {
  const conf = parseConfig(readFileSync(fixturePath('config', 'basic.conf'), 'utf8'))
  assert.equal(conf.get('libdefaults', 'second_block'), 'merged into the first [libdefaults]')
  assert.equal(conf.get('libdefaults', 'default_realm'), 'EXAMPLE.COM')
})

test('every malformed fixture fails with ERR_KRB_CONFIG, its file and line', () => {
  const cases: [string, number][] = [
    ['section-unclosed', 3],
    ['extra-brace', 3],
    ['no-equals', 3],
    ['missing-obrace', 3],
    ['section-in-subsection', 3],
    ['tag-blank', 2],
    ['empty-tag', 2],
    ['section-junk', 1],
  ]
  for (const [name, line] of cases) {
    const path = `fixtures/config/bad/${name}.conf`
    const e = configError(
      () =>
        parseProfile(readFileSync(fixturePath('config', 'bad', `${name}.conf`), 'utf8'), { path }),
      line,
      path,
    )
    assert.match(e.message, new RegExp(`^${path.replace(/\./g, '\\.')}:${line}: `))
  }
})

test('include and includedir: shared tree, MIT file-name rules, sorted order', () => {
  const path = 'fixtures/config/include-main.conf'
  const conf = parseConfig(fixtureReader.readFile(path)!, { path, reader: fixtureReader })
  assert.equal(conf.get('libdefaults', 'main_value'), 'from main')
  assert.equal(conf.get('libdefaults', 'level1_value'), 'from level1')
  assert.equal(conf.get('libdefaults', 'after_level2'), 'level1 continues its [libdefaults]')
  assert.equal(conf.get('realms', 'LEVEL2.TEST', 'kdc'), 'level2.test')
  assert.equal(conf.get('libdefaults', 'default_realm'), 'INCLUDED.TEST')
  assert.deepEqual(conf.getAll('libdefaults', 'dir_value'), ['mid_valid.conf', 'zz-valid'])
})

test('isIncludableName follows MIT valid_name', () => {
  for (const ok of ['krb5', 'zz-valid', 'a_b', 'x.conf', 'UPPER.conf', '0'])
    assert.equal(isIncludableName(ok), true, ok)
  for (const bad of [
    '.hidden.conf',
    'a.conf~',
    'aa.txt',
    'x.rpmsave',
    'a.b',
    '#a#',
    '',
    '.conf',
    'sp ace',
  ]) {
    assert.equal(isIncludableName(bad), false, bad)
  }
})

test('include errors: missing file, missing dir, no reader, loop bound', () => {
  const main = (text: string) => () => parseProfile(text, { path: 'm', reader: memoryReader({}) })
  configError(main('[s]\ninclude /nope.conf\n'), 2, 'm')
  configError(main('includedir /nodir\n'), 1, 'm')
  configError(() => parseProfile('include /x\n', { path: 'm' }), 1, 'm')
  const loop = memoryReader({ '/loop.conf': '[s]\n a = 1\ninclude /loop.conf\n' })
  const e = configError(
    () => parseProfile('include /loop.conf\n', { reader: loop, maxIncludeDepth: 5 }),
    3,
    '/loop.conf',
  )
  assert.match(e.message, /deeper than 5/)
  const real = 'fixtures/config/include-loop.conf'
  configError(
    () => parseProfile(fixtureReader.readFile(real)!, { path: real, reader: fixtureReader }),
    3,
  )
})

test('include must start in column 0; an indented include is a relation error', () => {
  configError(() => parseProfile('[s]\n include /x\n', { reader: memoryReader({ '/x': '' }) }), 2)
})

test('an included fragment starts fresh: relations before its first section are ignored', () => {
  const reader = memoryReader({ '/inc': 'stray = 1\n[t]\n b = 2\n' })
  const conf = parseConfig('[s]\n a = 1\ninclude /inc\n c = 3\n', { reader })
  assert.equal(conf.get('t', 'b'), '2')
  assert.equal(conf.get('s', 'c'), '3')
  assert.equal(conf.get('t', 'stray'), undefined)
})

test('argument misuse throws TypeError/RangeError', () => {
  assert.throws(() => parseProfile(42 as unknown as string), TypeError)
  assert.throws(() => parseProfile('', { maxIncludeDepth: -1 }), RangeError)
})

test('large files parse in near-linear time (sorted insertion uses binary search)', () => {
  let text = '[domain_realm]\n'
  for (let i = 20000; i > 0; i--) text += ` .d${i}.test = R${i}.TEST\n`
  const started = Date.now()
  const conf = parseConfig(text)
  assert.equal(conf.get('domain_realm', '.d5.test'), 'R5.TEST')
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`)
})
