import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { KerberosError } from '../../src/errors.js'
import {
  createConfig,
  parseProfile,
  readLibDefaults,
  readRealm,
  realmForHost,
} from '../../src/config/index.js'
import { fixturePath } from '../helpers/paths.js'
import { memoryReader } from './fixture-reader.js'

/** A small deterministic PRNG so failures replay (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ALPHABET = [
  '[',
  ']',
  '{',
  '}',
  '=',
  '*',
  '#',
  ';',
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  ' ',
  'a',
  'Z',
  '0',
  ':',
  '.',
  '-',
  '%',
  '\0',
  'é',
]

function mutate(text: string, next: () => number): string {
  let s = text
  const edits = 1 + Math.floor(next() * 4)
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (s.length + 1))
    const r = next()
    if (r < 0.3) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(next() * 8))
    else if (r < 0.6)
      s = s.slice(0, at) + ALPHABET[Math.floor(next() * ALPHABET.length)]! + s.slice(at)
    else if (r < 0.8) {
      const from = Math.floor(next() * s.length)
      s = s.slice(0, at) + s.slice(from, from + Math.floor(next() * 40)) + s.slice(at)
    } else
      s = s.slice(0, at) + (next() < 0.5 ? '\ninclude /inc\n' : '\nincludedir /dir\n') + s.slice(at)
  }
  return s
}

const reader = memoryReader({
  '/inc': '[realms]\n R = {\n  kdc = k\n',
  '/dir/a.conf': '[libdefaults]\n x = 1\n',
  '/dir/loop': 'include /dir/loop\n',
})

test('20,000 mutations of the fixtures give values or KerberosError, nothing else', () => {
  const dir = fixturePath('config')
  const files = [
    ...readdirSync(dir).filter((f) => f.endsWith('.conf')),
    ...readdirSync(fixturePath('config', 'bad')).map((f) => `bad/${f}`),
  ]
  const texts = files.map((f) => readFileSync(`${dir}/${f}`, 'utf8'))
  const next = rng(0x5eed)
  const started = Date.now()
  let parsed = 0
  let rejected = 0
  for (let i = 0; i < 20000 && Date.now() - started < 15000; i++) {
    const text = mutate(texts[i % texts.length]!, next)
    try {
      const root = parseProfile(text, { reader, maxIncludeDepth: 4 })
      const conf = createConfig([{ path: 'fuzz', root }])
      try {
        readLibDefaults(conf)
        readRealm(conf, 'EXAMPLE.COM')
        realmForHost(conf, 'a.b.example.com')
      } catch (e) {
        if (!(e instanceof KerberosError)) throw e
      }
      parsed++
    } catch (e) {
      if (!(e instanceof KerberosError))
        throw new Error(`non-KerberosError on input ${JSON.stringify(text)}`, { cause: e })
      assert.equal(e.code, 'ERR_KRB_CONFIG')
      assert.equal(typeof e.context.line, 'number')
      rejected++
    }
  }
  assert.ok(parsed > 1000 && rejected > 1000, `parsed ${parsed}, rejected ${rejected}`)
})
