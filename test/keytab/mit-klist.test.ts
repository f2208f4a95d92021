import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { encTypeName } from '../../src/iana.js'
import { toHex } from '../../src/internal/bytes.js'
import { KerberosKey } from '../../src/key.js'
import {
  KeytabVersion,
  addKeytabEntries,
  createKeytab,
  makeKeytabEntry,
  parseKeytab,
  removeKeytabEntries,
  serializeKeytab,
  type Keytab,
} from '../../src/keytab/index.js'
import { formatPrincipal } from '../../src/principal.js'
import { fixturePath } from '../helpers/paths.js'
import { klistOn, klistTime, parseKlistKeytab, requireKlist } from './mit-tools.js'

function expected(kt: Keytab): ReturnType<typeof parseKlistKeytab> {
  return kt.entries.map((e) => ({
    kvno: e.kvno,
    timestamp: klistTime(e.timestamp),
    principal: formatPrincipal(e.principal),
    enctype: encTypeName(e.enctype),
    keyHex: toHex(e.key.bytes),
  }))
}

function fill(n: number, v: number): Uint8Array {
  return new Uint8Array(n).fill(v)
}

const made = createKeytab([
  makeKeytabEntry({
    principal: 'HTTP/web.example.com@EXAMPLE.COM',
    kvno: 2,
    key: new KerberosKey(18, fill(32, 1)),
    timestamp: 1_700_000_000,
  }),
  makeKeytabEntry({
    principal: 'HTTP/web.example.com@EXAMPLE.COM',
    kvno: 2,
    key: new KerberosKey(17, fill(16, 2)),
    timestamp: 1_700_000_000,
  }),
  makeKeytabEntry({
    principal: 'svc@EXAMPLE.COM',
    kvno: 70_000,
    key: new KerberosKey(20, fill(32, 3)),
    timestamp: 1_800_000_000,
  }),
  makeKeytabEntry({
    principal: 'svc@EXAMPLE.COM',
    kvno: 256,
    key: new KerberosKey(19, fill(16, 4)),
    timestamp: 1_800_000_001,
  }),
  makeKeytabEntry({
    principal: 'a/b/c@EXAMPLE.COM',
    kvno: 1,
    key: new KerberosKey(23, fill(16, 5)),
    timestamp: 1,
  }),
])

describe('MIT klist reads keytabs we write', () => {
  test('a new 0x0502 keytab', (t) => {
    if (!requireKlist(t)) return
    const out = klistOn(serializeKeytab(made), ['-k', '-t', '-K', '-e'], 'keytab')
    assert.deepEqual(parseKlistKeytab(out), expected(made))
  })
  test('the same keytab as 0x0501 (native byte order)', (t) => {
    if (!requireKlist(t)) return
    const bytes = serializeKeytab(made, { version: KeytabVersion.V1 })
    assert.equal(bytes[1], 1)
    const out = klistOn(bytes, ['-k', '-t', '-K', '-e'], 'keytab')
    // 0x0501 holds no 32-bit kvno beyond what we write; MIT reads it the same way.
    assert.deepEqual(parseKlistKeytab(out), expected(made))
  })
  test('a kadmin keytab with holes, edited (remove one kvno, add an entry)', (t) => {
    if (!requireKlist(t)) return
    const kt = parseKeytab(
      new Uint8Array(readFileSync(fixturePath('keytab', 'kadmin-holes.keytab'))),
    )
    const edited = addKeytabEntries(removeKeytabEntries(kt, { kvno: 3 }), made.entries.slice(0, 1))
    const out = klistOn(serializeKeytab(edited), ['-k', '-t', '-K', '-e'], 'keytab')
    assert.deepEqual(parseKlistKeytab(out), expected(edited))
    assert.equal(parseKlistKeytab(out).length, 13)
  })
})
