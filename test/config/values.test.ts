import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { KerberosError } from '../../src/errors.js'
import {
  parseConfigBoolean,
  parseConfigInteger,
  parseDuration,
  parseEncTypeList,
  parseServerAddress,
} from '../../src/config/index.js'

const isConfigError = (e: unknown): boolean =>
  e instanceof KerberosError && e.code === 'ERR_KRB_CONFIG'

test('booleans: MIT conf_yes / conf_no, any case', () => {
  for (const v of ['y', 'yes', 'true', 't', '1', 'on', 'YES', 'True', 'On'])
    assert.equal(parseConfigBoolean(v), true, v)
  for (const v of ['n', 'no', 'false', 'nil', '0', 'off', 'NO', 'Nil', 'OFF'])
    assert.equal(parseConfigBoolean(v), false, v)
  for (const v of ['', 'yess', '2', 'enabled', ' yes'])
    assert.throws(() => parseConfigBoolean(v), isConfigError, v)
})

test('integers: decimal, octal, hex, sign, 32-bit range', () => {
  assert.equal(parseConfigInteger('1465'), 1465)
  assert.equal(parseConfigInteger('0x10'), 16)
  assert.equal(parseConfigInteger('010'), 8)
  assert.equal(parseConfigInteger('-5'), -5)
  assert.equal(parseConfigInteger('0'), 0)
  for (const v of ['', '1.5', '12abc', '0x', '4294967296', '09'])
    assert.throws(() => parseConfigInteger(v), isConfigError, v)
})

test('durations: the krb5_string_to_deltat grammar', () => {
  const cases: [string, number][] = [
    ['36000', 36000],
    ['10h', 36000],
    ['1d', 86400],
    ['7d', 604800],
    ['1h30m', 5400],
    ['1d 2h', 93600],
    ['1d2h3m4s', 93784],
    ['1h 30m', 5400],
    ['2m 5s', 125],
    ['45s', 45],
    ['1:30', 5400],
    ['1:30:15', 5415],
    ['36:00', 129600],
    ['2-00:00:00', 172800],
    ['1-02:03:04', 93784],
    [' 5', 5],
    ['1d ', 86400],
    ['-5', -5],
  ]
  for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text)
  for (const bad of [
    '',
    '5 ',
    '1s ',
    '1m1h',
    '1:300',
    '7d 0:00:00',
    '1 d',
    'h',
    '1x',
    '1:',
    '1-2',
    '99999999999',
    '24856d',
  ]) {
    assert.throws(() => parseDuration(bad), isConfigError, JSON.stringify(bad))
  }
})

test('durations: NdNhNmNs agrees with arithmetic (property)', () => {
  fc.assert(
    fc.property(fc.nat(500), fc.nat(23), fc.nat(59), fc.nat(59), (d, h, m, s) => {
      assert.equal(parseDuration(`${d}d${h}h${m}m${s}s`), d * 86400 + h * 3600 + m * 60 + s)
      assert.equal(
        parseDuration(`${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`),
        h * 3600 + m * 60 + s,
      )
    }),
    { numRuns: 300 },
  )
})

test('durations: anything else is a config error, never another exception (property)', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 16 }), (s) => {
      try {
        assert.equal(typeof parseDuration(s), 'number')
      } catch (e) {
        assert.ok(isConfigError(e), String(e))
      }
    }),
    { numRuns: 2000 },
  )
})

test('enctype lists: names, aliases, families, removal, commas, unknown names ignored', () => {
  assert.deepEqual(parseEncTypeList('DEFAULT'), [18, 17, 20, 19, 16, 23, 26, 25])
  assert.deepEqual(parseEncTypeList('DEFAULT -des3 -rc4'), [18, 17, 20, 19, 26, 25])
  assert.deepEqual(parseEncTypeList('aes256-cts aes128-cts-hmac-sha1-96'), [18, 17])
  assert.deepEqual(parseEncTypeList('aes, camellia +rc4'), [18, 17, 20, 19, 26, 25, 23])
  assert.deepEqual(parseEncTypeList('aes256-sha2 aes128-sha2 arcfour-hmac-md5'), [20, 19, 23])
  assert.deepEqual(parseEncTypeList('aes256-cts aes256-cts 18'), [18])
  assert.deepEqual(parseEncTypeList('AES -aes128-cts'), [18, 20, 19])
  assert.deepEqual(parseEncTypeList('nonsense aes256-cts'), [18])
  assert.deepEqual(parseEncTypeList(''), [])
})

test('enctype lists: weak enctypes need allowWeak', () => {
  assert.deepEqual(parseEncTypeList('des-cbc-crc des aes256-cts arcfour-hmac-exp'), [18])
  assert.deepEqual(parseEncTypeList('des-cbc-crc aes256-cts', { allowWeak: true }), [1, 18])
})

test('server addresses: host, host:port, [v6]:port, bare v6, tcp/udp prefixes, https', () => {
  assert.deepEqual(parseServerAddress('kdc.example.com'), { host: 'kdc.example.com' })
  assert.deepEqual(parseServerAddress('kdc.example.com:88'), { host: 'kdc.example.com', port: 88 })
  assert.deepEqual(parseServerAddress('[2001:db8::1]:750'), { host: '2001:db8::1', port: 750 })
  assert.deepEqual(parseServerAddress('[2001:db8::1]'), { host: '2001:db8::1' })
  assert.deepEqual(parseServerAddress('2001:db8::1'), { host: '2001:db8::1' })
  assert.deepEqual(parseServerAddress('tcp/kdc:1088'), {
    host: 'kdc',
    port: 1088,
    transport: 'tcp',
  })
  assert.deepEqual(parseServerAddress('UDP/10.0.0.1'), { host: '10.0.0.1', transport: 'udp' })
  assert.deepEqual(parseServerAddress('https://proxy.example.com/KdcProxy'), {
    host: 'proxy.example.com',
    transport: 'https',
    url: 'https://proxy.example.com/KdcProxy',
  })
  for (const bad of [
    'http://proxy/KdcProxy',
    'kdc:0',
    'kdc:65536',
    'kdc:http',
    '[::1',
    '[::1]x',
    '',
    ':88',
    'two words',
  ]) {
    assert.throws(() => parseServerAddress(bad), isConfigError, bad)
  }
})
