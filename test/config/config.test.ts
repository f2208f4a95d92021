import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfigFiles, parseConfig } from '../../src/config/index.js'
import { fixtureReader, memoryReader } from './fixture-reader.js'

const chain = () =>
  loadConfigFiles(
    [
      'fixtures/config/final-first.conf',
      'fixtures/config/absent.conf',
      'fixtures/config/final-second.conf',
    ],
    fixtureReader,
  )

test('a chain skips missing files and searches the rest in order', () => {
  const conf = chain()
  assert.deepEqual(
    conf.files.map((f) => f.path),
    ['fixtures/config/final-first.conf', 'fixtures/config/final-second.conf'],
  )
  assert.equal(conf.get('libdefaults', 'default_realm'), 'FIRST.TEST')
  assert.deepEqual(conf.getAll('libdefaults', 'default_realm'), ['FIRST.TEST', 'SECOND.TEST'])
  assert.equal(conf.get('libdefaults', 'forwardable'), 'true')
})

test('finality: a final relation, subsection or section hides later files', () => {
  const conf = chain()
  assert.deepEqual(conf.getAll('libdefaults', 'permitted_enctypes'), ['aes256-cts'])
  assert.deepEqual(conf.getAll('realms', 'FIRST.TEST', 'kdc'), ['first-kdc.test'])
  assert.deepEqual(conf.getAll('realms', 'OPEN.TEST', 'kdc'), ['open1.test', 'open2.test'])
  assert.equal(conf.get('domain_realm', '.second.test'), undefined)
  assert.equal(conf.get('domain_realm', '.first.test'), 'FIRST.TEST')
  // MIT quirk: listing [realms] meets FIRST.TEST's final marker, so the listing stops after file 1.
  assert.deepEqual(conf.subsections('realms'), ['FIRST.TEST', 'OPEN.TEST'])
  assert.deepEqual(conf.getAll('realms', 'SECOND.TEST', 'kdc'), ['second.test'])
})

test('only the first same-named subsection of a file is searched (MIT iterator)', () => {
  const conf = parseConfig('[realms]\n R = {\n  kdc = a\n }\n R = {\n  kdc = b\n }\n')
  assert.deepEqual(conf.getAll('realms', 'R', 'kdc'), ['a'])
})

test('a final subsection with the relation name does not stop a relation lookup', () => {
  const one = memoryReader({ '/1': '[s]\n a = {\n }*\n', '/2': '[s]\n a = 2\n' })
  const conf = loadConfigFiles(['/1', '/2'], one)
  assert.deepEqual(conf.getAll('s', 'a'), ['2'])
})

test('names lists relations and subsections once each', () => {
  const conf = parseConfig('[s]\n b = 1\n a = {\n }\n b = 2\n')
  assert.deepEqual(conf.names('s'), ['a', 'b'])
  assert.deepEqual(conf.subsections('s'), ['a'])
  assert.deepEqual(conf.names('missing'), [])
  assert.equal(conf.has('s', 'a'), true)
  assert.equal(conf.has('s', 'b'), false)
})

test('unknown sections and deep paths stay reachable', () => {
  const conf = loadConfigFiles(['fixtures/config/basic.conf'], fixtureReader)
  assert.equal(conf.get('appdefaults', 'pam', 'nested', 'deeper', 'value'), '42')
  assert.equal(conf.get('appdefaults', 'pam', 'ticket_lifetime'), '36000')
  assert.deepEqual(conf.getAll('realms', 'EXAMPLE.COM', 'auth_to_local'), [
    'RULE:[1:$1@$0](.*@OTHER\\.COM)s/@.*//',
    'DEFAULT',
  ])
})

test('an empty chain is an empty configuration', () => {
  const conf = loadConfigFiles([], fixtureReader)
  assert.equal(conf.get('libdefaults', 'default_realm'), undefined)
  assert.deepEqual(conf.getAll('realms', 'X', 'kdc'), [])
})

test('config lookups reject non-string path parts', () => {
  const conf = parseConfig('[s]\n a = 1\n')
  assert.throws(() => conf.get('s', 1 as unknown as string), TypeError)
})
