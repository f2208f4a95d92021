/**
 * Review #17 (issue 10): verifyChecksum with a key must not accept an unkeyed checksum type. An
 * attacker who changes the data recomputes md5/sha1/md4 themselves and names that type; the old
 * verifyChecksum computed the unkeyed hash (ignoring the key) and said "valid".
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { md5, sha1 } from '@noble/hashes/legacy.js'
import {
  checksumTypeOf,
  isKeyedChecksum,
  makeChecksum,
  randomKey,
  verifyChecksum,
} from '../../src/crypto/index.js'
import { md4 } from '../../src/crypto/md4.js'
import { KerberosError } from '../../src/errors.js'
import { utf8 } from '../../src/internal/bytes.js'

const refused = (cksumtype: number) => (e: unknown) =>
  e instanceof KerberosError &&
  e.code === 'ERR_KRB_UNSUPPORTED_CHECKSUM' &&
  e.context.cksumtype === cksumtype

describe('review #17: keyed and unkeyed checksum types', () => {
  const key = randomKey(18)
  const usage = 15
  const original = utf8('amount=10')
  const altered = utf8('amount=10000')

  test('review #17: an attacker-recomputed unkeyed checksum (md4/md5/sha1) is refused when a key is given', () => {
    const forged: ReadonlyArray<readonly [number, Uint8Array]> = [
      [2, md4(altered)],
      [7, md5(altered)],
      [14, sha1(altered)],
    ]
    for (const [cksumtype, checksum] of forged) {
      assert.throws(
        () => verifyChecksum(cksumtype, key, usage, altered, checksum),
        refused(cksumtype),
      )
    }
    // CRC32 (1) and other unknown types: refused as unsupported, as before.
    assert.throws(() => verifyChecksum(1, key, usage, altered, new Uint8Array(4)), refused(1))
    assert.throws(
      () => verifyChecksum(0x8003, key, usage, altered, new Uint8Array(24)),
      refused(0x8003),
    )
  })

  test('review #17: unkeyed types still verify without a key; keyed types need theirs', () => {
    assert.equal(verifyChecksum(7, null, 0, altered, md5(altered)), true)
    assert.equal(verifyChecksum(14, null, 0, altered, sha1(original)), false)
    const mac = makeChecksum(checksumTypeOf(18), key, usage, original)
    assert.equal(verifyChecksum(16, key, usage, original, mac), true)
    assert.equal(verifyChecksum(16, key, usage, altered, mac), false)
    assert.throws(() => verifyChecksum(16, null, usage, original, mac), TypeError)
  })

  test('review #17: isKeyedChecksum is exported and matches RFC 3961/4757/8009/6803', () => {
    for (const t of [15, 16, 17, 18, 19, 20, -138, -137])
      assert.equal(isKeyedChecksum(t), true, `${t}`)
    for (const t of [0, 1, 2, 3, 4, 5, 7, 8, 12, 14, 0x8003, -1]) {
      assert.equal(isKeyedChecksum(t), false, `${t}`)
    }
    // The mandatory checksum of every supported enctype is keyed.
    for (const etype of [17, 18, 19, 20, 23, 25, 26]) {
      assert.equal(isKeyedChecksum(checksumTypeOf(etype)), true, `etype ${etype}`)
    }
  })
})
