import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ByteReader,
  ByteWriter,
  constantTimeEqual,
  fromBase64,
  fromHex,
  toBase64,
  toHex,
} from '../../src/internal/bytes.js'
import { KerberosError } from '../../src/errors.js'

test('reader reads labelled values and reports absolute offsets', () => {
  const r = new ByteReader(fromHex('0102 00000003 ffffffff 41'), {
    code: 'ERR_KRB_KEYTAB_FORMAT',
    what: 'keytab',
  })
  assert.equal(r.u16('version'), 0x0102)
  const sub = r.sub(4, 'record')
  assert.equal(sub.u32('n'), 3)
  sub.end('record')
  assert.equal(r.i32('len'), -1)
  assert.throws(
    () => r.bytesView(2, 'name'),
    (e: unknown) =>
      e instanceof KerberosError && e.code === 'ERR_KRB_KEYTAB_FORMAT' && e.context.offset === 10,
  )
})

test('little-endian reads and writes', () => {
  const w = new ByteWriter(4, { littleEndian: true })
  w.u16(0x0102).u32(0x03040506).i32(-2)
  const bytes = w.finish()
  assert.equal(toHex(bytes), '02010605040 3feffffff'.replace(/ /g, ''))
  const r = new ByteReader(bytes, { code: 'ERR_KRB_KEYTAB_FORMAT', what: 'x', littleEndian: true })
  assert.deepEqual([r.u16('a'), r.u32('b'), r.i32('c')], [0x0102, 0x03040506, -2])
})

test('constant-time equality, hex and base64', () => {
  assert.ok(constantTimeEqual(fromHex('0a0b'), fromHex('0a0b')))
  assert.ok(!constantTimeEqual(fromHex('0a0b'), fromHex('0a0c')))
  assert.ok(!constantTimeEqual(fromHex('0a'), fromHex('0a0b')))
  assert.equal(toBase64(fromHex('fbff00')), '+/8A')
  assert.deepEqual(fromBase64('+/8A'), fromHex('fbff00'))
  assert.equal(fromBase64('%%%'), null)
  assert.throws(() => fromHex('abc'), TypeError)
})
