import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { describe, test } from 'node:test'
import { inspect } from 'node:util'
import { encTypeName } from '../../src/iana.js'
import { toHex } from '../../src/internal/bytes.js'
import { KerberosKey } from '../../src/key.js'
import { formatPrincipal } from '../../src/principal.js'
import {
  KeytabVersion,
  createKeytab,
  keytabEntryDate,
  makeKeytabEntry,
  parseKeytab,
  serializeKeytab,
  type Keytab,
} from '../../src/keytab/index.js'
import { fixturePath } from '../helpers/paths.js'
import { klistTime, parseKlistKeytab } from './mit-tools.js'

const names = readdirSync(fixturePath('keytab'))
  .filter((f) => f.endsWith('.keytab'))
  .map((f) => f.slice(0, -'.keytab'.length))

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath('keytab', `${name}.keytab`)))
}

describe('keytab fixtures from MIT ktutil and kadmin.local', () => {
  test('there are fixtures', () => assert.ok(names.length >= 6, names.join(',')))
  for (const name of names) {
    test(`${name}: parse matches klist -k -t -K -e`, () => {
      const kt = parseKeytab(load(name))
      const expected = parseKlistKeytab(
        readFileSync(fixturePath('keytab', `${name}.klist.txt`), 'utf8'),
      )
      assert.ok(expected.length > 0)
      const got = kt.entries.map((e) => ({
        kvno: e.kvno,
        timestamp: klistTime(e.timestamp),
        principal: formatPrincipal(e.principal),
        enctype: encTypeName(e.enctype),
        keyHex: toHex(e.key.bytes),
      }))
      assert.deepEqual(got, expected)
    })
    test(`${name}: serialize(parse(x)) is byte-identical`, () => {
      const bytes = load(name)
      assert.deepEqual(serializeKeytab(parseKeytab(bytes)), bytes)
    })
  }
  test('kadmin ktremove leaves holes that round-trip', () => {
    const kt = parseKeytab(load('kadmin-holes'))
    const holes = kt.entries.flatMap((e) => e.wire?.holesBefore ?? [])
    assert.ok(holes.length >= 8, `holes: ${holes.length}`)
  })
  test('kvnos past 255 keep the 8-bit field as MIT wrote it', () => {
    const kt = parseKeytab(load('ktutil-kvnos'))
    assert.deepEqual(
      kt.entries.map((e) => [e.kvno, e.wire?.kvno8, e.wire?.kvno32]),
      [
        [255, 255, 255],
        [256, 0, 256],
        [300, 44, 300],
        [70000, 70000 & 0xff, 70000],
      ],
    )
  })
})

const key32 = new KerberosKey(18, new Uint8Array(32).fill(0xab))

function sample(version: KeytabVersion = KeytabVersion.V2): Keytab {
  return createKeytab(
    [
      makeKeytabEntry({
        principal: 'HTTP/web.example.com@EXAMPLE.COM',
        kvno: 3,
        key: key32,
        timestamp: 1_700_000_000,
      }),
      makeKeytabEntry({
        principal: 'alice@EXAMPLE.COM',
        kvno: 300,
        key: new KerberosKey(17, new Uint8Array(16)),
        timestamp: 5,
      }),
    ],
    { version },
  )
}

/** Build raw keytab bytes by hand (big-endian v2). */
function v2(...records: Uint8Array[]): Uint8Array {
  const parts = [Uint8Array.of(5, 2), ...records]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
function be32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
}
/** An entry body for alice@R: count 1, realm R, name alice, type 1, ts, kvno8, aes128 key. */
function body(kvno8: number, extra: number[] = []): number[] {
  return [
    0,
    1,
    0,
    1,
    82,
    0,
    5,
    97,
    108,
    105,
    99,
    101,
    ...be32(1),
    ...be32(1000),
    kvno8,
    0,
    17,
    0,
    16,
    ...new Array(16).fill(7),
    ...extra,
  ]
}
function record(b: number[]): Uint8Array {
  return Uint8Array.from([...be32(b.length), ...b])
}

describe('keytab format details', () => {
  test('new entries are written as MIT writes them: 8-bit kvno & 0xff then the 32-bit kvno', () => {
    const bytes = serializeKeytab(sample())
    const kt = parseKeytab(bytes)
    assert.deepEqual(
      kt.entries.map((e) => [e.kvno, e.wire?.kvno8, e.wire?.kvno32, e.wire?.flags]),
      [
        [3, 3, 3, undefined],
        [300, 44, 300, undefined],
      ],
    )
    assert.deepEqual(serializeKeytab(kt), bytes)
  })
  test('0x0501 is little-endian and counts the realm among the components', () => {
    const bytes = serializeKeytab(sample(KeytabVersion.V1))
    assert.deepEqual([...bytes.subarray(0, 8)], [5, 1, 83, 0, 0, 0, 3, 0])
    const kt = parseKeytab(bytes)
    assert.equal(kt.version, KeytabVersion.V1)
    assert.equal(formatPrincipal(kt.entries[0]!.principal), 'HTTP/web.example.com@EXAMPLE.COM')
    assert.deepEqual(serializeKeytab(kt), bytes)
    assert.deepEqual(
      parseKeytab(serializeKeytab(kt, { version: KeytabVersion.V2 })).entries.map((e) => e.kvno),
      [3, 300],
    )
  })
  test('no 32-bit kvno: the 8-bit one counts', () => {
    const bytes = v2(record(body(9)))
    const e = parseKeytab(bytes).entries[0]!
    assert.equal(e.kvno, 9)
    assert.equal(e.wire?.kvno32, undefined)
    assert.deepEqual(serializeKeytab(parseKeytab(bytes)), bytes)
  })
  test('a zero 32-bit kvno is ignored, and kept', () => {
    const bytes = v2(record(body(9, be32(0))))
    const e = parseKeytab(bytes).entries[0]!
    assert.equal(e.kvno, 9)
    assert.equal(e.wire?.kvno32, 0)
    assert.deepEqual(serializeKeytab(parseKeytab(bytes)), bytes)
  })
  test('fewer than 4 trailing bytes are a tail, not a kvno', () => {
    const bytes = v2(record(body(9, [0, 0, 1])))
    const e = parseKeytab(bytes).entries[0]!
    assert.equal(e.kvno, 9)
    assert.equal(e.wire?.tail?.length, 3)
    assert.deepEqual(serializeKeytab(parseKeytab(bytes)), bytes)
  })
  test('Heimdal flags after the 32-bit kvno, and a longer record, round-trip', () => {
    const bytes = v2(record(body(1, [...be32(257), ...be32(0x1234), 9, 9])))
    const e = parseKeytab(bytes).entries[0]!
    assert.equal(e.kvno, 257)
    assert.equal(e.wire?.flags, 0x1234)
    assert.equal(e.wire?.tail?.length, 2)
    assert.deepEqual(serializeKeytab(parseKeytab(bytes)), bytes)
  })
  test('holes before, between and after entries, and bytes after a zero length, round-trip', () => {
    const hole = Uint8Array.from([...be32(-5 >>> 0), 1, 2, 3, 4, 5])
    const bytes = v2(
      hole,
      record(body(1)),
      hole,
      hole,
      record(body(2)),
      hole,
      Uint8Array.from([0, 0, 0, 0, 9, 9]),
    )
    const kt = parseKeytab(bytes)
    assert.equal(kt.entries.length, 2)
    assert.equal(kt.trailer?.holes.length, 1)
    assert.equal(kt.trailer?.end?.length, 6)
    assert.deepEqual(serializeKeytab(kt), bytes)
  })
  test('1 to 3 stray bytes at the end are kept', () => {
    const bytes = v2(record(body(1)), Uint8Array.of(1, 2))
    assert.deepEqual(serializeKeytab(parseKeytab(bytes)), bytes)
  })
  test('non-UTF-8 and BOM-prefixed names keep their bytes', () => {
    const b = body(1)
    b.splice(7, 5, 0xff, 0xfe, 0x41, 0x80, 0x42) // name bytes: invalid UTF-8
    const bytes = v2(record(b))
    const kt = parseKeytab(bytes)
    assert.ok(kt.entries[0]!.wire?.rawName)
    assert.deepEqual(serializeKeytab(kt), bytes)
    const bom = body(1)
    bom.splice(7, 3, 0xef, 0xbb, 0xbf)
    const bomBytes = v2(record(bom))
    const kt2 = parseKeytab(bomBytes)
    assert.equal(kt2.entries[0]!.wire?.rawName, undefined)
    assert.equal(kt2.entries[0]!.principal.components[0], '\ufeffce')
    assert.deepEqual(serializeKeytab(kt2), bomBytes)
  })
  test('empty names or keys are refused when writing', () => {
    const e = sample().entries[0]!
    assert.throws(
      () =>
        serializeKeytab(
          createKeytab([{ ...e, principal: { ...e.principal, components: ['a', ''] } }]),
        ),
      RangeError,
    )
    assert.throws(
      () => serializeKeytab(createKeytab([{ ...e, key: new KerberosKey(18, new Uint8Array(0)) }])),
      RangeError,
    )
  })
  test('an empty keytab is just the version', () => {
    assert.deepEqual(serializeKeytab(createKeytab()), Uint8Array.of(5, 2))
    assert.deepEqual(parseKeytab(Uint8Array.of(5, 2)).entries, [])
  })
  test('timestamps are seconds; keytabEntryDate gives a Date', () => {
    const e = sample().entries[0]!
    assert.equal(e.timestamp, 1_700_000_000)
    assert.equal(keytabEntryDate(e).toISOString(), '2023-11-14T22:13:20.000Z')
  })
  test('key bytes never print', () => {
    const kt = parseKeytab(
      v2(
        record(body(1, [...be32(1)])),
        Uint8Array.from([...be32(-4 >>> 0), 0xab, 0xab, 0xab, 0xab]),
      ),
    )
    const text = inspect(kt, { depth: 20 }) + JSON.stringify(kt) + String(kt.entries[0]!.key)
    assert.ok(!text.includes('7, 7, 7'), text)
    assert.ok(!text.includes('0707'), text)
    assert.ok(!/171, 171/.test(text), text)
  })
})
