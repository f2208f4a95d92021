import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { describe, test } from 'node:test'
import { KerberosError } from '../../src/errors.js'
import { parseKeytab, serializeKeytab } from '../../src/keytab/index.js'
import { fixturePath } from '../helpers/paths.js'
import { fuzz } from './fuzz-tools.js'

function formatError(bytes: Uint8Array, offset?: number, message?: RegExp): void {
  try {
    parseKeytab(bytes)
  } catch (err) {
    assert.ok(err instanceof KerberosError, String(err))
    assert.equal(err.code, 'ERR_KRB_KEYTAB_FORMAT')
    assert.equal(typeof err.context['offset'], 'number')
    if (offset !== undefined) assert.equal(err.context['offset'], offset, err.message)
    if (message) assert.match(err.message, message)
    return
  }
  assert.fail('expected ERR_KRB_KEYTAB_FORMAT')
}

const u8 = (...xs: number[]): Uint8Array => Uint8Array.from(xs)

describe('hostile keytabs give ERR_KRB_KEYTAB_FORMAT with an offset', () => {
  test('empty, one byte, wrong magic, unknown versions', () => {
    formatError(u8(), 0)
    formatError(u8(5), 0)
    formatError(u8(4, 2), 0, /unknown keytab version 0x0402/)
    formatError(u8(5, 3), 0, /unknown keytab version 0x0503/)
    formatError(u8(5, 0), 0)
  })
  test('INT32_MIN record length', () => {
    formatError(u8(5, 2, 0x80, 0, 0, 0, 1, 2, 3), 6, /INT32_MIN/)
  })
  test('record and hole lengths past the end', () => {
    formatError(u8(5, 2, 0x7f, 0xff, 0xff, 0xff, 1, 2), 6, /runs past the end/)
    formatError(u8(5, 2, 0xff, 0xff, 0xff, 0xf0, 1, 2), 6, /hole of 16 bytes runs past the end/)
    formatError(u8(5, 1, 9, 0, 0, 0, 1), 6)
  })
  test('zero components, and component counts larger than the file', () => {
    formatError(u8(5, 2, 0, 0, 0, 4, 0, 0, 0, 0), 8, /no components/)
    formatError(u8(5, 1, 4, 0, 0, 0, 1, 0, 0, 0), 8, /no components/)
    formatError(u8(5, 2, 0, 0, 0, 4, 0xff, 0xff, 0, 0), 8, /component count 65535 exceeds/)
  })
  test('empty realm, component or key (MIT refuses them too)', () => {
    formatError(u8(5, 2, 0, 0, 0, 6, 0, 1, 0, 0, 0, 0), 10, /empty realm/)
    formatError(u8(5, 2, 0, 0, 0, 7, 0, 1, 0, 1, 82, 0, 0), 13, /empty component/)
    const noKey = [0, 1, 0, 1, 82, 0, 1, 97, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 17, 0, 0]
    formatError(u8(5, 2, 0, 0, 0, noKey.length, ...noKey), 6 + noKey.length, /empty key/)
  })
  test('an entry longer than its record', () => {
    formatError(
      u8(5, 2, 0, 0, 0, 6, 0, 1, 0, 1, 82, 0),
      11,
      /component length needs 2 bytes but 1 remain/,
    )
  })
  test('a huge hostile length never allocates past the input', () => {
    const big = new Uint8Array(1 << 16)
    big.set([5, 2, 0x7f, 0xff, 0xff, 0x00])
    formatError(big, 6)
  })
})

describe('keytab fuzzing (20,000 mutations per fixture)', () => {
  const files = readdirSync(fixturePath('keytab')).filter((f) => f.endsWith('.keytab'))
  for (const [i, f] of files.entries()) {
    test(f, () => {
      const bytes = new Uint8Array(readFileSync(fixturePath('keytab', f)))
      const r = fuzz(bytes, 20_000, 1000 + i, 'ERR_KRB_KEYTAB_FORMAT', (b) =>
        serializeKeytab(parseKeytab(b)),
      )
      assert.ok(r.ok > 0 && r.failed > 0, JSON.stringify(r))
    })
  }
})
