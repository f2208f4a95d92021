import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { describe, test } from 'node:test'
import { inspect } from 'node:util'
import { KerberosError } from '../../src/errors.js'
import { encTypeName } from '../../src/iana.js'
import { toHex } from '../../src/internal/bytes.js'
import { KerberosKey } from '../../src/key.js'
import {
  CCacheVersion,
  createCCache,
  findCredential,
  isConfigEntry,
  kdcTimeOffset,
  listCredentials,
  makeConfigEntry,
  parseCCache,
  readConfigEntry,
  removeCredentials,
  serializeCCache,
  setKDCTimeOffset,
  storeCredential,
  ticketFlagLetters,
  type CCache,
  type Credential,
} from '../../src/ccache/index.js'
import { formatPrincipal, parsePrincipal } from '../../src/principal.js'
import { fixturePath } from '../helpers/paths.js'
import { fuzz } from '../keytab/fuzz-tools.js'
import { klistOn, klistTime, requireKlist } from '../keytab/mit-tools.js'
import { parseKlistCCache, ticketEtype, type KlistCCache } from './klist-ccache.js'

const names = readdirSync(fixturePath('ccache'))
  .filter((f) => f.endsWith('.ccache'))
  .map((f) => f.slice(0, -'.ccache'.length))

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath('ccache', `${name}.ccache`)))
}

/** What `klist -e -f` would print for our parse. */
function asKlist(cc: CCache): KlistCCache {
  return {
    defaultPrincipal: formatPrincipal(cc.defaultPrincipal),
    creds: listCredentials(cc).map((c) => ({
      start: klistTime(c.starttime || c.authtime),
      expires: klistTime(c.endtime),
      server: formatPrincipal(c.server),
      ...(c.renewTill && hasRenewable(c) ? { renewUntil: klistTime(c.renewTill) } : {}),
      flags: ticketFlagLetters(c.ticketFlags),
      skeyEtype: encTypeName(c.key.enctype),
      tktEtype: encTypeName(ticketEtype(c.ticket)),
    })),
  }
}
function hasRenewable(c: Credential): boolean {
  return (c.ticketFlags & (0x80000000 >>> 8)) !== 0
}

describe('ccache fixtures from MIT kinit/kvno', () => {
  test('there are v1..v4 fixtures', () => {
    const versions = names.map((n) => parseCCache(load(n)).version).sort()
    assert.deepEqual(versions, [0x0501, 0x0502, 0x0503, 0x0504])
  })
  for (const name of names) {
    test(`${name}: parse matches klist -e -f`, () => {
      const expected = parseKlistCCache(
        readFileSync(fixturePath('ccache', `${name}.klist.txt`), 'utf8'),
      )
      assert.ok(expected.creds.length > 0)
      assert.deepEqual(asKlist(parseCCache(load(name))), expected)
    })
    test(`${name}: serialize(parse(x)) is byte-identical`, () => {
      assert.deepEqual(serializeCCache(parseCCache(load(name))), load(name))
    })
  }
  test('configuration entries are kept and identifiable', () => {
    const cc = parseCCache(load('v4-alice'))
    const conf = cc.credentials.filter(isConfigEntry).map((c) => readConfigEntry(c))
    assert.deepEqual(
      conf.map((c) => [c?.key, c?.principal]),
      [
        ['fast_avail', 'krbtgt/CC.TEST@CC.TEST'],
        ['pa_type', 'krbtgt/CC.TEST@CC.TEST'],
      ],
    )
    assert.equal(new TextDecoder().decode(conf[1]!.value), '2')
    assert.equal(readConfigEntry(listCredentials(cc)[0]!), undefined)
  })
  test('makeConfigEntry builds the same bytes MIT kinit wrote', () => {
    const cc = parseCCache(load('v4-alice'))
    const mit = cc.credentials.filter(isConfigEntry)
    const ours = mit.map((c) => {
      const info = readConfigEntry(c)!
      return makeConfigEntry(cc.defaultPrincipal, info.key, info.value, info.principal)
    })
    assert.deepEqual(
      serializeCCache({ ...cc, credentials: ours }),
      serializeCCache({ ...cc, credentials: mit }),
    )
  })
  test('v4 header: the KDC time offset', () => {
    const cc = parseCCache(load('v4-alice'))
    assert.deepEqual(kdcTimeOffset(cc), { seconds: 0, microseconds: 0 })
    const moved = setKDCTimeOffset(cc, { seconds: -301, microseconds: 250_000 })
    assert.deepEqual(kdcTimeOffset(parseCCache(serializeCCache(moved))), {
      seconds: -301,
      microseconds: 250_000,
    })
    assert.equal(kdcTimeOffset(parseCCache(load('v3-bob'))), undefined)
    assert.throws(
      () => setKDCTimeOffset(parseCCache(load('v3-bob')), { seconds: 1, microseconds: 0 }),
      RangeError,
    )
  })
  test('find, store (replace or append), remove', () => {
    const cc = parseCCache(load('v4-alice'))
    const http = findCredential(cc, 'HTTP/web.cc.test@CC.TEST')
    assert.ok(http)
    assert.equal(findCredential(cc, 'HTTP/web.cc.test@CC.TEST', { now: http.endtime }), undefined)
    assert.equal(
      findCredential(
        cc,
        'krb5_ccache_conf_data/fast_avail/krbtgt\\/CC.TEST\\@CC.TEST@X-CACHECONF:',
      ),
      undefined,
    )
    assert.equal(
      formatPrincipal(findCredential(cc, 'krbtgt/CC.TEST@CC.TEST')!.server),
      'krbtgt/CC.TEST@CC.TEST',
    )
    const replaced = storeCredential(cc, { ...http, endtime: http.endtime + 60 })
    assert.equal(replaced.credentials.length, cc.credentials.length)
    assert.equal(findCredential(replaced, 'HTTP/web.cc.test@CC.TEST')!.endtime, http.endtime + 60)
    const moved = { ...http, server: parsePrincipal('HTTP/other.cc.test@CC.TEST') }
    assert.equal(storeCredential(cc, moved).credentials.length, cc.credentials.length + 1)
    const removed = removeCredentials(
      cc,
      (c) => formatPrincipal(c.server) === 'host/db.cc.test@CC.TEST',
    )
    assert.equal(listCredentials(removed).length, 2)
  })
  test('a cache built from scratch round-trips in every version', () => {
    const src = parseCCache(load('v4-alice'))
    for (const version of [0x0501, 0x0502, 0x0503, 0x0504] as const) {
      let cc = createCCache('alice@CC.TEST', { version, credentials: listCredentials(src) })
      cc = storeCredential(
        cc,
        makeConfigEntry(cc.defaultPrincipal, 'fast_avail', new TextEncoder().encode('yes')),
      )
      const bytes = serializeCCache(cc)
      const back = parseCCache(bytes)
      assert.equal(back.version, version)
      assert.deepEqual(serializeCCache(back), bytes)
      assert.deepEqual(asKlist(back), asKlist(src))
    }
  })
  test('session keys never print', () => {
    const cc = parseCCache(load('v4-alice'))
    const hex = toHex(listCredentials(cc)[0]!.key.bytes)
    const text = inspect(cc, { depth: 20 }) + JSON.stringify(cc)
    assert.ok(!text.includes(hex))
    assert.match(
      inspect(listCredentials(cc)[0]!.key),
      /KerberosKey\(aes256-cts-hmac-sha1-96 \(18\), 32 bytes\)/,
    )
  })
})

describe('MIT klist reads ccaches we write', () => {
  test('after removing and adding credentials, in v4 and v3', (t) => {
    if (!requireKlist(t)) return
    const alice = parseCCache(load('v4-alice'))
    const bob = parseCCache(load('v3-bob'))
    const edited = storeCredential(
      removeCredentials(alice, (c) => formatPrincipal(c.server) === 'HTTP/web.cc.test@CC.TEST'),
      findCredential(bob, 'HTTP/web.cc.test@CC.TEST')!,
    )
    for (const version of [
      CCacheVersion.V4,
      CCacheVersion.V3,
      CCacheVersion.V2,
      CCacheVersion.V1,
    ]) {
      const cc =
        version === CCacheVersion.V4
          ? setKDCTimeOffset(edited, { seconds: 7, microseconds: 1 })
          : { ...edited, version, header: [] }
      const out = parseKlistCCache(klistOn(serializeCCache(cc), ['-e', '-f', '-c'], 'ccache'))
      assert.deepEqual(out, asKlist(cc), `version 0x0${version.toString(16)}`)
      assert.equal(out.creds.length, 3)
    }
  })
})

function formatError(bytes: Uint8Array, offset?: number, message?: RegExp): void {
  try {
    parseCCache(bytes)
  } catch (err) {
    assert.ok(err instanceof KerberosError, String(err))
    assert.equal(err.code, 'ERR_KRB_CCACHE_FORMAT')
    assert.equal(typeof err.context['offset'], 'number')
    if (offset !== undefined) assert.equal(err.context['offset'], offset, err.message)
    if (message) assert.match(err.message, message)
    return
  }
  assert.fail('expected ERR_KRB_CCACHE_FORMAT')
}
const u8 = (...xs: number[]): Uint8Array => Uint8Array.from(xs)

describe('hostile ccaches give ERR_KRB_CCACHE_FORMAT with an offset', () => {
  test('empty, unknown versions', () => {
    formatError(u8(), 0)
    formatError(u8(5, 5), 0, /unknown ccache version 0x0505/)
    formatError(u8(4, 4), 0)
  })
  test('truncated headers and principals', () => {
    formatError(u8(5, 4, 0, 12, 0, 1, 0, 8, 0), 4, /header needs 12 bytes/)
    formatError(u8(5, 4, 0, 0, 0, 0, 0, 1), 8, /default principal component count needs 4 bytes/)
    formatError(u8(5, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, 65), 10, /component count 1 exceeds/)
    formatError(u8(5, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 65), 14, /realm needs 5 bytes/)
  })
  test('huge lengths and component counts', () => {
    formatError(
      u8(5, 3, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0),
      10,
      /component count 4294967295 exceeds/,
    )
    formatError(u8(5, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0x80, 0, 0, 0, 1), 14, /needs 2147483648 bytes/)
    formatError(u8(5, 1, 0, 0, 0, 0), 6, /no realm/)
  })
  test('truncated fixtures fail at every cut, never with another exception', () => {
    for (const name of names) {
      const bytes = load(name)
      for (let cut = 0; cut < bytes.length; cut++) {
        // A cut exactly at a credential boundary is a valid shorter cache.
        try {
          assert.deepEqual(
            serializeCCache(parseCCache(bytes.subarray(0, cut))),
            bytes.subarray(0, cut),
          )
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err
          assert.ok(
            err instanceof KerberosError && err.code === 'ERR_KRB_CCACHE_FORMAT',
            String(err),
          )
        }
      }
    }
  })
})

describe('ccache fuzzing (20,000 mutations per fixture)', () => {
  for (const [i, name] of names.entries()) {
    test(name, () => {
      const r = fuzz(load(name), 20_000, 2000 + i, 'ERR_KRB_CCACHE_FORMAT', (b) =>
        serializeCCache(parseCCache(b)),
      )
      assert.ok(r.ok > 0 && r.failed > 0, JSON.stringify(r))
    })
  }
})

test('a KerberosKey with enctype 0 and no bytes is what config entries carry', () => {
  const c = makeConfigEntry(parsePrincipal('a@R'), 'k', new Uint8Array(0))
  assert.ok(c.key instanceof KerberosKey)
  assert.equal(c.key.length, 0)
})

test('ticketFlagLetters follows klist -f', () => {
  assert.equal(ticketFlagLetters(0x40e00000), 'FRIA')
  assert.equal(ticketFlagLetters(0), '')
})
