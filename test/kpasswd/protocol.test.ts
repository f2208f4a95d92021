/** kpasswd codec and discovery units (issue 13): AD policy blob, addresses, framing, server order. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  decodeADPolicy,
  describeADPolicy,
  hostAddressFromIP,
  kpasswdResultName,
} from '../../src/protocol/kpasswd.js'
import { KPASSWD_PORT, locateKpasswdServers } from '../../src/node/kdc-discovery.js'
import { generatePassword } from '../../src/node/keytab-rotate.js'
import { adPolicyBlob } from '../helpers/hostile-kpasswd.js'

test("AD's 30-octet policy blob decodes into a readable message (MS-KILE soft error)", () => {
  const p = decodeADPolicy(adPolicyBlob())
  assert.deepEqual(p, {
    minPasswordLength: 12,
    passwordHistoryLength: 24,
    passwordProperties: 1,
    maxPasswordAgeSeconds: 42 * 86400,
    minPasswordAgeSeconds: 86400,
  })
  const m = describeADPolicy(p!)
  assert.match(m, /at least 12 characters/)
  assert.match(m, /upper case/)
  assert.match(m, /last 24 passwords/)
  assert.match(m, /within 1 day/)
  assert.equal(decodeADPolicy(new Uint8Array(29)), undefined)
  const notBlob = adPolicyBlob()
  notBlob[0] = 1
  assert.equal(decodeADPolicy(notBlob), undefined)
})

test('kpasswd result names are typed, unknown codes named', () => {
  assert.equal(kpasswdResultName(4), 'KRB5_KPASSWD_SOFTERROR')
  assert.equal(kpasswdResultName(7), 'KRB5_KPASSWD_INITIAL_FLAG_NEEDED')
  assert.equal(kpasswdResultName(99), 'UNKNOWN_99')
})

test('hostAddressFromIP: IPv4, IPv4-mapped IPv6, IPv6 with ::', () => {
  assert.deepEqual(hostAddressFromIP('10.1.2.3'), {
    addrType: 2,
    address: new Uint8Array([10, 1, 2, 3]),
  })
  assert.deepEqual(hostAddressFromIP('::ffff:127.0.0.1'), {
    addrType: 2,
    address: new Uint8Array([127, 0, 0, 1]),
  })
  const v6 = hostAddressFromIP('fe80::1%eth0')
  assert.equal(v6.addrType, 24)
  assert.equal(v6.address.length, 16)
  assert.equal(v6.address[0], 0xfe)
  assert.equal(v6.address[15], 1)
  assert.throws(() => hostAddressFromIP('not an ip'), TypeError)
})

test('kpasswd servers: kpasswd_server first, else admin_server on 464, else DNS SRV _kpasswd', async () => {
  const realm = 'EXAMPLE.COM'
  const a = await locateKpasswdServers(realm, {
    config: {
      realms: {
        [realm]: {
          kpasswdServer: ['kp.example.com', 'kp2.example.com:1464'],
          adminServer: ['adm'],
        },
      },
    },
  })
  assert.deepEqual(
    a.kdcs.map((k) => `${k.host}:${k.port}`),
    ['kp.example.com:464', 'kp2.example.com:1464'],
  )
  const b = await locateKpasswdServers(realm, {
    config: { realms: { [realm]: { adminServer: ['adm.example.com:749'] } } },
  })
  assert.deepEqual(
    b.kdcs.map((k) => `${k.host}:${k.port}`),
    [`adm.example.com:${KPASSWD_PORT}`],
  )
  const asked: string[] = []
  const c = await locateKpasswdServers(realm, {
    resolver: {
      resolveSrv(name) {
        asked.push(name)
        return Promise.resolve(
          name.includes('_udp')
            ? [{ name: 'kp.example.com.', port: 464, priority: 0, weight: 0 }]
            : [],
        )
      },
    },
  })
  assert.deepEqual(asked, [`_kpasswd._udp.${realm}`, `_kpasswd._tcp.${realm}`])
  assert.deepEqual(
    c.kdcs.map((k) => `${k.protocol}/${k.host}:${k.port}`),
    ['udp/kp.example.com:464'],
  )
})

test('generatePassword: AD complexity (all four classes), length, no bias shortcut', () => {
  for (let i = 0; i < 50; i++) {
    const p = generatePassword()
    assert.equal(p.length, 32)
    assert.match(p, /[A-Z]/)
    assert.match(p, /[a-z]/)
    assert.match(p, /[0-9]/)
    assert.match(p, /[^A-Za-z0-9]/)
  }
  assert.throws(() => generatePassword(8), RangeError)
})
