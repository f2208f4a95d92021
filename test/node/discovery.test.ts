/** KDC discovery: krb5.conf kdc values, DNS SRV through a local DNS server, RFC 2782 order. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Resolver } from 'node:dns/promises'
import fc from 'fast-check'
import {
  discoveryConfigFromKrb5Config,
  locateKDCs,
  orderSRVRecords,
  parseKDCAddress,
  type SRVRecord,
} from '../../src/node/kdc-discovery.js'
import { KerberosError } from '../../src/errors.js'
import { startDNSServer } from '../helpers/dns-server.js'

test('parseKDCAddress: host, host:port, IPv6 forms, protocol prefixes', () => {
  const cases: [string, object][] = [
    ['kdc1.example.com', { host: 'kdc1.example.com', port: 88, source: 'config' }],
    ['kdc1.example.com:750', { host: 'kdc1.example.com', port: 750, source: 'config' }],
    ['  10.0.0.1:88  ', { host: '10.0.0.1', port: 88, source: 'config' }],
    ['[::1]', { host: '::1', port: 88, source: 'config' }],
    ['[fe80::1]:8888', { host: 'fe80::1', port: 8888, source: 'config' }],
    ['fe80::1', { host: 'fe80::1', port: 88, source: 'config' }],
    ['tcp/kdc:1088', { host: 'kdc', port: 1088, protocol: 'tcp', source: 'config' }],
    ['UDP/[::1]:99', { host: '::1', port: 99, protocol: 'udp', source: 'config' }],
  ]
  for (const [spec, want] of cases) assert.deepEqual(parseKDCAddress(spec), want, spec)
})

test('parseKDCAddress: bad values are ERR_KRB_CONFIG, URLs are unsupported', () => {
  for (const bad of ['kdc:0', 'kdc:65536', 'kdc:http', '[::1', '[::1]x', '', ':88', 'tcp/']) {
    assert.throws(
      () => parseKDCAddress(bad),
      (e: unknown) => e instanceof KerberosError && e.code === 'ERR_KRB_CONFIG',
      bad,
    )
  }
  assert.throws(
    () => parseKDCAddress('http://kdcproxy.example.com/KdcProxy'),
    (e: unknown) => e instanceof KerberosError && e.code === 'ERR_KRB_UNSUPPORTED',
  )
  assert.deepEqual(parseKDCAddress('https://kdcproxy.example.com/KdcProxy'), {
    host: 'kdcproxy.example.com',
    port: 443,
    protocol: 'https',
    source: 'config',
    url: 'https://kdcproxy.example.com/KdcProxy',
  })
  assert.throws(() => parseKDCAddress(42 as unknown as string), TypeError)
})

const rec = (name: string, priority: number, weight: number): SRVRecord => ({
  name,
  port: 88,
  priority,
  weight,
})

test('orderSRVRecords: priority ascending, "." target dropped, weights drawn (RFC 2782)', () => {
  const records = [rec('c', 20, 0), rec('a', 10, 0), rec('.', 5, 0), rec('b', 10, 0)]
  assert.deepEqual(
    orderSRVRecords(records, () => 0).map((r) => r.name),
    ['a', 'b', 'c'],
  )
  // weight 0 vs 100: the heavy record wins the first draw unless the draw is exactly 0.
  const w = [rec('light', 1, 0), rec('heavy', 1, 100)]
  assert.equal(orderSRVRecords(w, () => 0.5)[0]!.name, 'heavy')
  assert.equal(orderSRVRecords(w, () => 0)[0]!.name, 'light')
  // Roughly proportional: 3:1 weights over many draws with a seeded generator.
  let seed = 1
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  let firstA = 0
  for (let i = 0; i < 4000; i++)
    if (orderSRVRecords([rec('a', 0, 75), rec('b', 0, 25)], rnd)[0]!.name === 'a') firstA++
  assert.ok(firstA > 2700 && firstA < 3300, `a first ${firstA} of 4000`)
})

test('orderSRVRecords is a permutation, sorted by priority (property)', () => {
  const arb = fc.array(
    fc.record({
      name: fc.constantFrom('a', 'b', 'c', 'd'),
      port: fc.integer({ min: 1, max: 65535 }),
      priority: fc.integer({ min: 0, max: 3 }),
      weight: fc.integer({ min: 0, max: 5 }),
    }),
    { maxLength: 12 },
  )
  fc.assert(
    fc.property(arb, fc.double({ min: 0, max: 0.999, noNaN: true }), (records, r) => {
      const out = orderSRVRecords(records, () => r)
      assert.equal(out.length, records.length)
      for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]!.priority <= out[i]!.priority)
      assert.deepEqual([...out].sort(cmp), [...records].sort(cmp))
    }),
    { numRuns: 200 },
  )
})

function cmp(a: SRVRecord, b: SRVRecord): number {
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0
}

test('locateKDCs: krb5.conf kdc lines win, DNS is not asked', async () => {
  const resolver = {
    resolveSrv: async (): Promise<SRVRecord[]> => {
      throw new Error('must not be called')
    },
  }
  const loc = await locateKDCs('EXAMPLE.COM', {
    config: { realms: { 'EXAMPLE.COM': { kdc: ['kdc1', 'tcp/kdc2:750'] } }, dnsLookupKdc: true },
    resolver,
  })
  assert.deepEqual(loc.kdcs, [
    { host: 'kdc1', port: 88, source: 'config' },
    { host: 'kdc2', port: 750, protocol: 'tcp', source: 'config' },
  ])
  assert.deepEqual(loc.dns, [])
  const none = await locateKDCs('OTHER.COM', {
    config: { realms: {}, dnsLookupKdc: false },
    resolver,
  })
  assert.deepEqual(none.kdcs, [])
})

test('locateKDCs: DNS SRV from a local DNS server, UDP then TCP records, each by priority', async () => {
  const dns = await startDNSServer({
    '_kerberos._udp.EXAMPLE.TEST': [
      { priority: 10, weight: 0, port: 88, target: 'kdc2.example.test' },
      { priority: 0, weight: 0, port: 8888, target: 'kdc1.example.test' },
    ],
    '_kerberos._tcp.example.test': [
      { priority: 0, weight: 0, port: 88, target: 'kdc3.example.test' },
    ],
  })
  try {
    const resolver = new Resolver({ timeout: 500, tries: 1 })
    resolver.setServers([dns.address])
    const loc = await locateKDCs('EXAMPLE.TEST', { resolver, config: {} })
    assert.deepEqual(loc.kdcs, [
      { host: 'kdc1.example.test', port: 8888, protocol: 'udp', source: 'dns' },
      { host: 'kdc2.example.test', port: 88, protocol: 'udp', source: 'dns' },
      { host: 'kdc3.example.test', port: 88, protocol: 'tcp', source: 'dns' },
    ])
    assert.deepEqual(loc.dns, [
      { name: '_kerberos._udp.EXAMPLE.TEST', result: 2 },
      { name: '_kerberos._tcp.EXAMPLE.TEST', result: 1 },
    ])
    assert.deepEqual(dns.queries, ['_kerberos._udp.example.test', '_kerberos._tcp.example.test'])
  } finally {
    await dns.close()
  }
})

test('locateKDCs: NXDOMAIN, SERVFAIL and DNS timeouts are reported, not thrown', async () => {
  const dns = await startDNSServer(
    { '_kerberos._tcp.some.test': [{ priority: 0, weight: 0, port: 88, target: 'kdc.some.test' }] },
    {
      servfail: ['_kerberos._udp.some.test'],
      silent: ['_kerberos._udp.quiet.test', '_kerberos._tcp.quiet.test'],
    },
  )
  try {
    const resolver = new Resolver({ timeout: 200, tries: 1 })
    resolver.setServers([dns.address])
    const some = await locateKDCs('SOME.TEST', { resolver })
    assert.equal(some.kdcs.length, 1)
    assert.equal(some.dns[0]!.result, 'ESERVFAIL')
    const missing = await locateKDCs('MISSING.TEST', { resolver })
    assert.deepEqual(missing.kdcs, [])
    assert.deepEqual(
      missing.dns.map((d) => d.result),
      ['ENOTFOUND', 'ENOTFOUND'],
    )
    const t0 = Date.now()
    const quiet = await locateKDCs('QUIET.TEST', { resolver })
    assert.deepEqual(
      quiet.dns.map((d) => d.result),
      ['ETIMEOUT', 'ETIMEOUT'],
    )
    assert.ok(Date.now() - t0 < 3000)
  } finally {
    await dns.close()
  }
})

test('locateKDCs: an AbortSignal stops a hanging DNS lookup', async () => {
  const dns = await startDNSServer({}, { silent: ['_kerberos._udp.hang.test'] })
  try {
    const resolver = new Resolver({ timeout: 5000, tries: 1 })
    resolver.setServers([dns.address])
    const t0 = Date.now()
    await assert.rejects(
      locateKDCs('HANG.TEST', { resolver, signal: AbortSignal.timeout(100) }),
      (e: unknown) => e instanceof KerberosError && e.code === 'ERR_KRB_ABORTED',
    )
    assert.ok(Date.now() - t0 < 1000, `aborted after ${Date.now() - t0} ms`)
  } finally {
    await dns.close()
  }
})

test('discoveryConfigFromKrb5Config reads realms, dns_lookup_kdc / dns_fallback, udp_preference_limit', async () => {
  const { parseConfig } = await import('../../src/config/config.js')
  const conf = parseConfig(
    [
      '[libdefaults]',
      ' dns_fallback = no',
      ' udp_preference_limit = 1',
      ' permitted_enctypes = not-an-enctype',
      '[realms]',
      ' A.TEST = {',
      '  kdc = kdc1',
      '  kdc = tcp/[::1]:88',
      ' }',
      ' B.TEST = {',
      '  admin_server = adm',
      ' }',
    ].join('\n'),
  )
  const dc = discoveryConfigFromKrb5Config(conf)
  assert.deepEqual(dc, {
    realms: {
      'A.TEST': { kdc: ['kdc1', 'tcp/[::1]:88'] },
      'B.TEST': { kdc: [], adminServer: ['adm'] },
    },
    dnsLookupKdc: false,
    udpPreferenceLimit: 1,
  })
  const loc = await locateKDCs('A.TEST', { config: dc })
  assert.deepEqual(loc.kdcs[1], { host: '::1', port: 88, protocol: 'tcp', source: 'config' })
  assert.equal(
    discoveryConfigFromKrb5Config(
      parseConfig('[libdefaults]\n dns_lookup_kdc = true\n dns_fallback = no\n'),
    ).dnsLookupKdc,
    true,
  )
})
