import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KerberosError } from '../../src/errors.js'
import {
  capathFor,
  configuredRealms,
  fallbackRealmForHost,
  loadConfigFiles,
  parseConfig,
  readLibDefaults,
  readRealm,
  realmForHost,
} from '../../src/config/index.js'
import { fixtureReader } from './fixture-reader.js'

const basic = () => loadConfigFiles(['fixtures/config/basic.conf'], fixtureReader)

test('libdefaults: MIT defaults on an empty config', () => {
  const d = readLibDefaults(parseConfig(''))
  assert.equal(d.defaultRealm, undefined)
  assert.equal(d.dnsLookupKdc, true)
  assert.equal(d.dnsLookupRealm, false)
  assert.equal(d.udpPreferenceLimit, 1465)
  assert.equal(d.clockskew, 300)
  assert.equal(d.kdcTimesync, true)
  assert.equal(d.rdns, true)
  assert.equal(d.dnsCanonicalizeHostname, true)
  assert.equal(d.forwardable, false)
  assert.equal(d.proxiable, false)
  assert.equal(d.noaddresses, true)
  assert.equal(d.ticketLifetime, 86400)
  assert.equal(d.renewLifetime, 0)
  assert.deepEqual(d.permittedEnctypes, [18, 17, 20, 19, 16, 23, 26, 25])
  assert.equal(d.allowWeakCrypto, false)
  assert.equal(d.canonicalize, false)
  assert.equal(d.ccacheType, 4)
  assert.equal(d.defaultCcacheName, undefined)
})

test('libdefaults: values from basic.conf', () => {
  const d = readLibDefaults(basic())
  assert.equal(d.defaultRealm, 'EXAMPLE.COM')
  assert.equal(d.dnsLookupKdc, false)
  assert.equal(d.dnsLookupRealm, false)
  assert.equal(d.udpPreferenceLimit, 1)
  assert.equal(d.ticketLifetime, 36000)
  assert.equal(d.renewLifetime, 7 * 86400)
  assert.equal(d.clockskew, 120)
  assert.equal(d.forwardable, true)
  assert.equal(d.proxiable, false)
  assert.equal(d.rdns, false)
  assert.equal(d.dnsCanonicalizeHostname, 'fallback')
  assert.deepEqual(d.defaultTktEnctypes, [18, 17])
  assert.deepEqual(d.defaultTgsEnctypes, [18, 17, 20, 19, 26, 25])
  assert.deepEqual(d.permittedEnctypes, [18, 17, 20, 19, 26, 25, 23])
  assert.equal(d.defaultCcacheName, 'FILE:/tmp/krb5cc_%{uid}_test')
})

test('libdefaults: per-realm overrides for the realm-aware relations only', () => {
  const d = readLibDefaults(basic(), { realm: 'EXAMPLE.COM' })
  assert.equal(d.forwardable, false)
  assert.equal(d.ticketLifetime, 3600)
  assert.equal(d.clockskew, 120)
})

test('libdefaults: dns_lookup_* fall back to dns_fallback; garbage reads as false (MIT maybe_use_dns)', () => {
  const d = readLibDefaults(parseConfig('[libdefaults]\n dns_fallback = yes\n'))
  assert.deepEqual([d.dnsLookupKdc, d.dnsLookupRealm], [true, true])
  const e = readLibDefaults(
    parseConfig('[libdefaults]\n dns_fallback = no\n dns_lookup_realm = whatever\n'),
  )
  assert.deepEqual([e.dnsLookupKdc, e.dnsLookupRealm], [false, false])
})

test('libdefaults: udp_preference_limit is capped at 32700, negative means the default', () => {
  assert.equal(
    readLibDefaults(parseConfig('[libdefaults]\n udp_preference_limit = 100000\n'))
      .udpPreferenceLimit,
    32700,
  )
  assert.equal(
    readLibDefaults(parseConfig('[libdefaults]\n udp_preference_limit = -1\n')).udpPreferenceLimit,
    1465,
  )
  assert.equal(
    readLibDefaults(parseConfig('[libdefaults]\n udp_preference_limit = 0\n')).udpPreferenceLimit,
    0,
  )
})

test('libdefaults: a bad value names the relation', () => {
  for (const [tag, value] of [
    ['forwardable', 'maybe'],
    ['ticket_lifetime', '10 hours'],
    ['udp_preference_limit', 'big'],
    ['dns_canonicalize_hostname', 'sometimes'],
    ['ccache_type', '9'],
  ]) {
    assert.throws(
      () => readLibDefaults(parseConfig(`[libdefaults]\n ${tag} = ${value}\n`)),
      (e: unknown) =>
        e instanceof KerberosError && e.code === 'ERR_KRB_CONFIG' && e.message.includes(tag!),
      tag,
    )
  }
})

test('realms: kdc lists, primary/master, admin and kpasswd servers', () => {
  const conf = basic()
  assert.deepEqual(configuredRealms(conf), ['EXAMPLE.COM', 'OTHER.COM'])
  const r = readRealm(conf, 'EXAMPLE.COM')
  assert.deepEqual(r.kdc, [
    { host: 'kdc1.example.com' },
    { host: 'kdc2.example.com', port: 88 },
    { host: '2001:db8::53', port: 750 },
    { host: 'kdc3.example.com', transport: 'tcp' },
  ])
  assert.deepEqual(r.adminServer, [{ host: 'kdc1.example.com', port: 749 }])
  assert.deepEqual(r.primaryKdc, [{ host: 'kdc1.example.com' }])
  assert.equal(r.defaultDomain, 'example.com')
  const o = readRealm(conf, 'OTHER.COM')
  assert.deepEqual(o.primaryKdc, [{ host: '192.0.2.11' }])
  assert.deepEqual(o.kpasswdServer, [{ host: '192.0.2.12', port: 464 }])
  assert.deepEqual(readRealm(conf, 'NONE').kdc, [])
})

test('realms: a bad address is a config error naming realm and relation', () => {
  const conf = parseConfig('[realms]\n R = {\n  kdc = host:99999\n }\n')
  assert.throws(
    () => readRealm(conf, 'R'),
    (e: unknown) => e instanceof KerberosError && /\[realms\] R kdc/.test(e.message),
  )
})

test('domain_realm: exact host, then parent domains with a leading dot, longest first', () => {
  const conf = basic()
  assert.equal(realmForHost(conf, 'example.com'), 'EXAMPLE.COM')
  assert.equal(realmForHost(conf, 'www.example.com'), 'EXAMPLE.COM')
  assert.equal(realmForHost(conf, 'WWW.Example.COM.'), 'EXAMPLE.COM')
  assert.equal(realmForHost(conf, 'special.example.com'), 'OTHER.COM')
  assert.equal(realmForHost(conf, 'x.special.example.com'), 'EXAMPLE.COM')
  assert.equal(realmForHost(conf, 'a.b.sub.example.com'), 'SUB.EXAMPLE.COM')
  assert.equal(realmForHost(conf, 'sub.example.com'), 'EXAMPLE.COM')
  assert.equal(realmForHost(conf, 'other.com'), undefined)
  assert.equal(realmForHost(conf, 'host.other.com'), 'OTHER.COM')
  assert.equal(realmForHost(conf, 'unrelated.org'), undefined)
  assert.equal(realmForHost(conf, '192.0.2.1'), undefined)
  assert.equal(realmForHost(conf, '2001:db8::1'), undefined)
})

test('domain_realm: `example.com` alone does not match hosts below it', () => {
  const conf = parseConfig('[domain_realm]\n example.com = EXACT.COM\n')
  assert.equal(realmForHost(conf, 'example.com'), 'EXACT.COM')
  assert.equal(realmForHost(conf, 'www.example.com'), undefined)
})

test('fallbackRealmForHost upper-cases the domain part', () => {
  assert.equal(fallbackRealmForHost('www.example.com'), 'EXAMPLE.COM')
  assert.equal(fallbackRealmForHost('localhost'), undefined)
})

test('capaths: intermediate realms, `.` for direct, absent entries', () => {
  const conf = basic()
  assert.deepEqual(capathFor(conf, 'A.EXAMPLE.COM', 'C.EXAMPLE.COM'), ['B.EXAMPLE.COM'])
  assert.deepEqual(capathFor(conf, 'A.EXAMPLE.COM', 'D.EXAMPLE.COM'), [
    'B.EXAMPLE.COM',
    'C.EXAMPLE.COM',
  ])
  assert.deepEqual(capathFor(conf, 'A.EXAMPLE.COM', 'B.EXAMPLE.COM'), [])
  assert.equal(capathFor(conf, 'A.EXAMPLE.COM', 'Z.EXAMPLE.COM'), undefined)
})
