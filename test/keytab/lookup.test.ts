import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { KeytabLookupError } from '../../src/errors.js'
import { KerberosKey } from '../../src/key.js'
import {
  addKeytabEntries,
  createKeytab,
  findKeytabEntries,
  findKeytabEntry,
  listKeytabKvnos,
  listKeytabPrincipals,
  makeKeytabEntry,
  mergeKeytabs,
  parseKeytab,
  removeKeytabEntries,
  serializeKeytab,
  type KeytabEntry,
} from '../../src/keytab/index.js'
import { formatPrincipal } from '../../src/principal.js'
import { fixturePath } from '../helpers/paths.js'

const rotated = parseKeytab(
  new Uint8Array(readFileSync(fixturePath('keytab', 'kadmin-rotated.keytab'))),
)
const HTTP = 'HTTP/svc.kt.test@KT.TEST'

function entry(kvno: number, enctype = 18, timestamp = 1000, principal = 'svc@R'): KeytabEntry {
  return makeKeytabEntry({
    principal,
    kvno,
    timestamp,
    key: new KerberosKey(enctype, new Uint8Array(16).fill(kvno & 255)),
  })
}
/** An entry as an old keytab stores it: the 8-bit kvno only. */
function entry8(kvno: number, enctype = 18, timestamp = 1000): KeytabEntry {
  const e = entry(kvno & 255, enctype, timestamp)
  return { ...e, wire: { kvno8: kvno & 255 } }
}

function lookupError(fn: () => unknown): KeytabLookupError {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof KeytabLookupError, String(err))
    assert.equal(err.code, 'ERR_KRB_KEYTAB_NO_KEY')
    return err
  }
  assert.fail('expected a KeytabLookupError')
}

describe('keytab lookup (MIT rules)', () => {
  test('kvno 0 / absent picks the highest', () => {
    assert.equal(findKeytabEntry(rotated, { principal: HTTP }).kvno, 4)
    assert.equal(findKeytabEntry(rotated, { principal: HTTP, kvno: 0, enctype: 17 }).kvno, 4)
  })
  test('exact kvno and enctype', () => {
    const e = findKeytabEntry(rotated, { principal: HTTP, kvno: 2, enctype: 20 })
    assert.deepEqual([e.kvno, e.enctype], [2, 20])
  })
  test('principal comparison ignores the name type; text without realm matches any realm', () => {
    const p = { nameType: 3, components: ['HTTP', 'svc.kt.test'], realm: 'KT.TEST' }
    assert.equal(findKeytabEntry(rotated, { principal: p }).kvno, 4)
    assert.equal(findKeytabEntry(rotated, { principal: 'HTTP/svc.kt.test' }).kvno, 4)
  })
  test('an exact 32-bit match wins over an earlier low-8-bit match', () => {
    const kt = createKeytab([entry8(44), entry(300)])
    assert.equal(findKeytabEntry(kt, { principal: 'svc@R', kvno: 300 }).kvno, 300)
  })
  test('a low-8-bit match is the fallback (8-bit-only keytab)', () => {
    const kt = createKeytab([entry8(43), entry8(44)])
    const e = findKeytabEntry(kt, { principal: 'svc@R', kvno: 300 })
    assert.equal(e.kvno, 44)
  })
  test('wraparound: a small kvno written no earlier than a large one is newer', () => {
    const kt = createKeytab([entry8(250, 18, 100), entry8(3, 18, 200)])
    assert.equal(findKeytabEntry(kt, { principal: 'svc@R' }).kvno, 3)
    const older = createKeytab([entry8(250, 18, 100), entry8(3, 18, 50)])
    assert.equal(findKeytabEntry(older, { principal: 'svc@R' }).kvno, 250)
    // Order does not matter: a large kvno written no later than a small one stays older.
    const reversed = createKeytab([entry8(3, 18, 200), entry8(250, 18, 100)])
    assert.equal(findKeytabEntry(reversed, { principal: 'svc@R' }).kvno, 3)
    const same = createKeytab([entry8(3, 18, 100), entry8(250, 18, 100)])
    assert.equal(findKeytabEntry(same, { principal: 'svc@R' }).kvno, 3)
  })
  test('kvno-0 entries match any kvno', () => {
    const kt = createKeytab([entry(0)])
    assert.equal(findKeytabEntry(kt, { principal: 'svc@R', kvno: 7 }).kvno, 0)
  })
  test('findKeytabEntries gives every enctype at the chosen kvno', () => {
    const es = findKeytabEntries(rotated, { principal: HTTP })
    assert.deepEqual(
      es.map((e) => [e.kvno, e.enctype]),
      [
        [4, 18],
        [4, 17],
        [4, 20],
        [4, 19],
      ],
    )
  })
})

describe('keytab lookup errors', () => {
  test('principal not found', () => {
    const err = lookupError(() => findKeytabEntry(rotated, { principal: 'nobody@KT.TEST' }))
    assert.equal(err.reason, 'principal-not-found')
    assert.match(err.message, /principal nobody@KT\.TEST not found in keytab/)
    assert.deepEqual(err.available, [])
  })
  test('kvno lower than the keytab holds: the ticket is out of date', () => {
    const err = lookupError(() => findKeytabEntry(rotated, { principal: HTTP, kvno: 1 }))
    assert.equal(err.reason, 'kvno-not-found')
    assert.match(
      err.message,
      /key version 1 for HTTP\/svc\.kt\.test@KT\.TEST not found in keytab; ticket is likely out of date/,
    )
    assert.equal(err.available.length, 12)
    assert.match(err.message, /kvno 4 aes256-cts-hmac-sha1-96 \(18\)/)
  })
  test('kvno higher than the keytab holds: the keytab is out of date', () => {
    const err = lookupError(() =>
      findKeytabEntry(rotated, { principal: HTTP, kvno: 9, enctype: 18 }),
    )
    assert.equal(err.reason, 'kvno-not-found')
    assert.match(err.message, /keytab is likely out of date/)
    assert.equal(err.kvno, 9)
    assert.equal(err.enctype, 18)
  })
  test('kvno found but not that enctype', () => {
    const err = lookupError(() =>
      findKeytabEntry(rotated, { principal: HTTP, kvno: 3, enctype: 23 }),
    )
    assert.equal(err.reason, 'enctype-not-found')
    assert.match(err.message, /kvno 3 found in keytab but not with enctype arcfour-hmac \(23\)/)
  })
  test('argument misuse is a RangeError/TypeError', () => {
    assert.throws(() => findKeytabEntry(rotated, { principal: HTTP, kvno: -1 }), RangeError)
    assert.throws(() => findKeytabEntry(rotated, { principal: 42 as never }), TypeError)
  })
})

describe('keytab listing and editing', () => {
  test('principals and kvnos', () => {
    assert.deepEqual(
      listKeytabPrincipals(rotated).map((p) => formatPrincipal(p)),
      [HTTP, 'host/svc.kt.test@KT.TEST'],
    )
    assert.deepEqual(listKeytabKvnos(rotated, HTTP), [4, 3, 2])
  })
  test('remove by principal, kvno, enctype and "old"', () => {
    assert.equal(removeKeytabEntries(rotated, { principal: HTTP }).entries.length, 12)
    assert.equal(removeKeytabEntries(rotated, { kvno: 2 }).entries.length, 16)
    assert.equal(
      removeKeytabEntries(rotated, { principal: HTTP, kvno: 3, enctype: 18 }).entries.length,
      23,
    )
    const old = removeKeytabEntries(rotated, { kvno: 'old' })
    assert.deepEqual([...new Set(old.entries.map((e) => e.kvno))], [4])
    assert.throws(() => removeKeytabEntries(rotated, {}), TypeError)
  })
  test('add and merge; holes of the source are not carried', () => {
    const holes = parseKeytab(
      new Uint8Array(readFileSync(fixturePath('keytab', 'kadmin-holes.keytab'))),
    )
    const merged = mergeKeytabs(createKeytab([entry(5)]), holes)
    assert.equal(merged.entries.length, 1 + holes.entries.length)
    assert.ok(merged.entries.every((e) => !e.wire?.holesBefore))
    assert.equal(mergeKeytabs(merged, holes).entries.length, merged.entries.length, 'no duplicates')
    const added = addKeytabEntries(rotated, [entry(7)])
    assert.equal(findKeytabEntry(added, { principal: 'svc@R' }).kvno, 7)
    // The parsed part is still byte-identical in the output.
    const out = serializeKeytab(added)
    const orig = serializeKeytab(rotated)
    assert.deepEqual(out.subarray(0, orig.length), orig)
  })
  test('an edited kvno is written fresh', () => {
    const e = rotated.entries[0]!
    const kt = createKeytab([{ ...e, kvno: 1000 }])
    const back = parseKeytab(serializeKeytab(kt)).entries[0]!
    assert.deepEqual([back.kvno, back.wire?.kvno8, back.wire?.kvno32], [1000, 1000 & 255, 1000])
  })
})
