/** The Node KDC transport against scripted fake KDCs on loopback (no MIT needed). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import type { Socket } from 'node:net'
import fc from 'fast-check'
import {
  createNodeTransport,
  type KDCAttempt,
  type NodeTransportOptions,
} from '../../src/node/transport.js'
import { peekKRBErrorCode } from '../../src/node/transport-peek.js'
import type { KDCAddress } from '../../src/node/kdc-discovery.js'
import { KerberosError } from '../../src/errors.js'
import { decodeKRBError } from '../../src/asn1/error.js'
import { fixturePath } from '../helpers/paths.js'
import { findFreePort } from '../helpers/realm.js'
import {
  frame,
  onFrame,
  startTCPServer,
  startUDPServer,
  type LoopbackServer,
} from '../helpers/realm-net.js'

const REQUEST = Uint8Array.from([0x6a, 0x03, 0x30, 0x01, 0x00])
const REPLY = Uint8Array.from([0x6b, 0x02, 0x30, 0x00])

function tlv(tag: number, content: number[]): number[] {
  const n = content.length
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]
  return [tag, ...len, ...content]
}

/** A minimal KRB-ERROR (RFC 4120 §5.9.1) with the given error-code. */
function krbError(code: number): Uint8Array {
  const time = [...new TextEncoder().encode('20261123000000Z')]
  const realm = [...new TextEncoder().encode('R')]
  const body = [
    ...tlv(0xa0, tlv(0x02, [5])),
    ...tlv(0xa1, tlv(0x02, [30])),
    ...tlv(0xa4, tlv(0x18, time)),
    ...tlv(0xa5, tlv(0x02, [0])),
    ...tlv(0xa6, tlv(0x02, [code])),
    ...tlv(0xa9, tlv(0x1b, realm)),
    ...tlv(
      0xaa,
      tlv(0x30, [...tlv(0xa0, tlv(0x02, [2])), ...tlv(0xa1, tlv(0x30, tlv(0x1b, realm)))]),
    ),
  ]
  return Uint8Array.from(tlv(0x7e, tlv(0x30, body)))
}

const at = (port: number, protocol?: 'tcp' | 'udp'): KDCAddress =>
  protocol === undefined
    ? { host: '127.0.0.1', port, source: 'config' }
    : { host: '127.0.0.1', port, protocol, source: 'config' }

function transport(
  kdcs: readonly KDCAddress[],
  o: NodeTransportOptions = {},
): ReturnType<typeof createNodeTransport> {
  return createNodeTransport({
    locate: async () => kdcs,
    attemptTimeoutMs: 500,
    deadlineMs: 3000,
    ...o,
  })
}

async function unreachable(p: Promise<unknown>): Promise<KDCAttempt[]> {
  let attempts: KDCAttempt[] = []
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof KerberosError, String(e))
    assert.equal(e.code, 'ERR_KRB_KDC_UNREACHABLE', e.message)
    attempts = e.context.attempts as KDCAttempt[]
    return true
  })
  return attempts
}

async function withServers<T>(servers: LoopbackServer[], body: () => Promise<T>): Promise<T> {
  try {
    return await body()
  } finally {
    for (const s of servers) await s.close()
  }
}

/** TCP and UDP servers on the same port number. */
async function startPair(
  onTCP: (s: Socket) => void,
  onUDP: Parameters<typeof startUDPServer>[0],
): Promise<[LoopbackServer, LoopbackServer]> {
  for (let i = 0; i < 20; i++) {
    const tcp = await startTCPServer(onTCP)
    try {
      return [tcp, await startUDPServer(onUDP, tcp.port)]
    } catch {
      await tcp.close()
    }
  }
  throw new Error('no port free for both TCP and UDP')
}

test('peekKRBErrorCode: captured MIT messages, hand-built errors, never throws on garbage', () => {
  const dir = fixturePath('asn1', 'captured')
  const want: Record<string, number | undefined> = {
    'krb-error-preauth-required.der': 25,
    'krb-error-principal-unknown.der': 6,
    'as-rep.der': undefined,
    'as-req-no-preauth.der': undefined,
    'tgs-rep.der': undefined,
  }
  const files = readdirSync(dir)
  for (const [name, code] of Object.entries(want)) {
    if (files.includes(name))
      assert.equal(peekKRBErrorCode(readFileSync(`${dir}/${name}`)), code, name)
  }
  // The peek agrees with the full decoder from src/asn1.
  for (const name of files.filter((f) => f.startsWith('krb-error-') && f.endsWith('.der'))) {
    const bytes = readFileSync(`${dir}/${name}`)
    assert.equal(peekKRBErrorCode(bytes), decodeKRBError(bytes).errorCode, name)
  }
  assert.equal(decodeKRBError(krbError(52)).errorCode, 52)
  assert.equal(peekKRBErrorCode(krbError(52)), 52)
  assert.equal(peekKRBErrorCode(krbError(0x7f)), 127)
  assert.equal(peekKRBErrorCode(new Uint8Array(0)), undefined)
  assert.equal(peekKRBErrorCode(krbError(52).subarray(0, 20)), undefined)
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      const v = peekKRBErrorCode(Uint8Array.from([0x7e, ...b]))
      assert.ok(v === undefined || Number.isInteger(v))
    }),
    { numRuns: 500 },
  )
})

test('TCP: length-prefixed round trip; the request arrives framed', async () => {
  let seen: Uint8Array | undefined
  const kdc = await startTCPServer((s) =>
    onFrame(s, (req) => {
      seen = req
      s.write(frame(REPLY))
    }),
  )
  await withServers([kdc], async () => {
    const reply = await transport([at(kdc.port, 'tcp')]).sendToKDC('R', REQUEST)
    assert.deepEqual(reply, REPLY)
    assert.deepEqual(seen, REQUEST)
  })
})

test('TCP: a reply delivered in 1-byte chunks is reassembled', async () => {
  const kdc = await startTCPServer((s) =>
    onFrame(s, () => {
      const bytes = frame(REPLY)
      let i = 0
      const tick = setInterval(() => {
        if (i >= bytes.length || s.destroyed) return clearInterval(tick)
        s.write(bytes.subarray(i, ++i))
      }, 5)
    }),
  )
  await withServers([kdc], async () => {
    assert.deepEqual(await transport([at(kdc.port, 'tcp')]).sendToKDC('R', REQUEST), REPLY)
  })
})

test('TCP: a 2 GiB length prefix (reserved high bit) and an over-bound length are refused', async () => {
  for (const [prefix, pattern] of [
    [[0x80, 0, 0, 0], /high bit/],
    [[0x7f, 0xff, 0xff, 0xff], /at most 1048576 bytes/],
    [[0, 0, 0, 0], /zero length/],
  ] as const) {
    const kdc = await startTCPServer((s) => onFrame(s, () => s.write(Uint8Array.from(prefix))))
    await withServers([kdc], async () => {
      const t0 = Date.now()
      const attempts = await unreachable(transport([at(kdc.port, 'tcp')]).sendToKDC('R', REQUEST))
      assert.ok(Date.now() - t0 < 400, 'refused on the prefix, not after a timeout')
      assert.equal(attempts.length, 1)
      assert.equal(attempts[0]!.code, 'ERR_KRB_TRANSPORT')
      assert.match(attempts[0]!.error, pattern)
    })
  }
  const small = await startTCPServer((s) => onFrame(s, () => s.write(frame(new Uint8Array(200)))))
  await withServers([small], async () => {
    const attempts = await unreachable(
      transport([at(small.port, 'tcp')], { maxReplyBytes: 100 }).sendToKDC('R', REQUEST),
    )
    assert.match(attempts[0]!.error, /at most 100 bytes, got a length of 200/)
  })
})

test('TCP: a KDC that closes mid-frame, never answers, or dribbles slowly fails within the attempt timeout', async () => {
  const midFrame = await startTCPServer((s) =>
    onFrame(s, () => s.end(frame(new Uint8Array(100)).subarray(0, 30))),
  )
  const silent = await startTCPServer(() => {})
  const slow = await startTCPServer((s) =>
    onFrame(s, () => {
      const bytes = frame(new Uint8Array(1000))
      let i = 0
      const tick = setInterval(
        () =>
          i >= bytes.length || s.destroyed ? clearInterval(tick) : s.write(bytes.subarray(i, ++i)),
        20,
      )
    }),
  )
  await withServers([midFrame, silent, slow], async () => {
    const a = await unreachable(transport([at(midFrame.port, 'tcp')]).sendToKDC('R', REQUEST))
    assert.equal(a[0]!.code, 'ERR_KRB_TRANSPORT')
    assert.match(a[0]!.error, /closed after 26 of 100 bytes/)
    for (const kdc of [silent, slow]) {
      const t0 = Date.now()
      const b = await unreachable(
        transport([at(kdc.port, 'tcp')], { attemptTimeoutMs: 300 }).sendToKDC('R', REQUEST),
      )
      const ms = Date.now() - t0
      assert.equal(b[0]!.code, 'ETIMEDOUT')
      assert.ok(ms >= 290 && ms < 800, `${ms} ms`)
    }
  })
})

test('sockets are closed after a failed attempt', async () => {
  let closedAt = 0
  const silent = await startTCPServer((s) => s.on('close', () => (closedAt = Date.now())))
  await withServers([silent], async () => {
    await unreachable(
      transport([at(silent.port, 'tcp')], { attemptTimeoutMs: 100 }).sendToKDC('R', REQUEST),
    )
    for (let i = 0; i < 50 && closedAt === 0; i++) await new Promise((r) => setTimeout(r, 10))
    assert.ok(closedAt > 0, 'the server saw the connection close')
  })
})

test('UDP: round trip for small requests; TCP first for requests over udp_preference_limit', async () => {
  const seen: string[] = []
  const [tcp, udp] = await startPair(
    (s) => onFrame(s, () => (seen.push('tcp'), s.write(frame(REPLY)))),
    (_m, from, sock) => (seen.push('udp'), sock.send(REPLY, from.port, from.address)),
  )
  await withServers([tcp, udp], async () => {
    const t = transport([at(tcp.port)], { udpPreferenceLimit: 10 })
    assert.deepEqual(await t.sendToKDC('R', REQUEST), REPLY)
    assert.deepEqual(await t.sendToKDC('R', new Uint8Array(11).fill(0x6a)), REPLY)
    assert.deepEqual(await t.sendToKDC('R', REQUEST, { preferTCP: true }), REPLY)
    assert.deepEqual(seen, ['udp', 'tcp', 'tcp'])
    seen.length = 0
    await transport([at(tcp.port)], { udpPreferenceLimit: 1 }).sendToKDC('R', REQUEST)
    assert.deepEqual(seen, ['tcp'])
  })
})

test('UDP: KRB_ERR_RESPONSE_TOO_BIG makes the same KDC be asked over TCP', async () => {
  const [tcp, udp] = await startPair(
    (s) => onFrame(s, () => s.write(frame(REPLY))),
    (_m, from, sock) => sock.send(krbError(52), from.port, from.address),
  )
  await withServers([tcp, udp], async () => {
    const events: string[] = []
    const t = transport([at(tcp.port)], {
      trace: (e) => events.push(`${e.type}:${e.protocol}:${e.code ?? ''}`),
    })
    assert.deepEqual(await t.sendToKDC('R', REQUEST), REPLY)
    assert.deepEqual(events, [
      'attempt:udp:',
      'reply:udp:',
      'failure:udp:KRB_ERR_RESPONSE_TOO_BIG',
      'attempt:tcp:',
      'reply:tcp:',
    ])
  })
  // Other KRB-ERRORs are normal replies.
  const other = await startUDPServer((_m, from, sock) =>
    sock.send(krbError(25), from.port, from.address),
  )
  await withServers([other], async () => {
    assert.equal(
      peekKRBErrorCode(await transport([at(other.port, 'udp')]).sendToKDC('R', REQUEST)),
      25,
    )
  })
})

test('a KDC that is down is skipped; the next one answers', async () => {
  const down = await findFreePort()
  const kdc = await startTCPServer((s) => onFrame(s, () => s.write(frame(REPLY))))
  await withServers([kdc], async () => {
    const failures: string[] = []
    const t = transport([at(down), at(kdc.port, 'tcp')], {
      trace: (e) => e.type === 'failure' && failures.push(`${e.protocol}:${e.port}:${e.code}`),
    })
    assert.deepEqual(await t.sendToKDC('R', REQUEST), REPLY)
    // UDP to the dead port first (ICMP refused), then TCP phase: dead port refused, then the live KDC.
    assert.deepEqual(failures, [`udp:${down}:ECONNREFUSED`, `tcp:${down}:ECONNREFUSED`])
  })
})

test('all KDCs down or silent: ERR_KRB_KDC_UNREACHABLE lists every attempt, within the deadline', async () => {
  const down = await findFreePort()
  const silentUDP = await startUDPServer(() => {})
  const silentTCP = await startTCPServer(() => {})
  const silentTCP2 = await startTCPServer(() => {})
  await withServers([silentUDP, silentTCP, silentTCP2], async () => {
    const quick = await unreachable(transport([at(down)]).sendToKDC('R', REQUEST))
    assert.deepEqual(
      quick.map((a) => `${a.protocol}:${a.code}`),
      ['udp:ECONNREFUSED', 'tcp:ECONNREFUSED'],
    )
    const t0 = Date.now()
    const kdcs = [
      at(silentUDP.port, 'udp'),
      at(silentTCP.port, 'tcp'),
      at(silentTCP.port, 'tcp'),
      at(silentTCP2.port),
      at(down),
    ]
    const slow = await unreachable(
      transport(kdcs, { attemptTimeoutMs: 600, deadlineMs: 1400 }).sendToKDC('R', REQUEST),
    )
    const ms = Date.now() - t0
    assert.ok(ms >= 1380 && ms < 2400, `${ms} ms`)
    // UDP phase: 600 ms + two refusals; TCP phase: 600 ms, the duplicate is skipped, then what is
    // left (about 200 ms, slack for a loaded machine) for the next; the last TCP attempt is past
    // the deadline and never made.
    assert.deepEqual(
      slow.map((a) => `${a.protocol}:${a.port}:${a.code}`),
      [
        `udp:${silentUDP.port}:ETIMEDOUT`,
        `udp:${silentTCP2.port}:ECONNREFUSED`,
        `udp:${down}:ECONNREFUSED`,
        `tcp:${silentTCP.port}:ETIMEDOUT`,
        `tcp:${silentTCP2.port}:ETIMEDOUT`,
      ],
    )
    for (const a of slow) assert.equal(a.host, '127.0.0.1')
  })
})

test('no KDC known for the realm', async () => {
  const attempts = await unreachable(
    createNodeTransport({ config: { realms: {}, dnsLookupKdc: false } }).sendToKDC(
      'NONE.TEST',
      REQUEST,
    ),
  )
  assert.deepEqual(attempts, [])
})

test('AbortSignal: aborts a hanging exchange promptly, and an already-aborted call at once', async () => {
  let closed = false
  const silent = await startTCPServer((s) => s.on('close', () => (closed = true)))
  await withServers([silent], async () => {
    const t = transport([at(silent.port, 'tcp')], { attemptTimeoutMs: 5000 })
    const ac = new AbortController()
    setTimeout(() => ac.abort(new Error('user gave up')), 50)
    const t0 = Date.now()
    await assert.rejects(t.sendToKDC('R', REQUEST, { signal: ac.signal }), (e: unknown) => {
      assert.ok(e instanceof KerberosError)
      assert.equal(e.code, 'ERR_KRB_ABORTED')
      assert.equal((e.cause as Error).message, 'user gave up')
      return true
    })
    assert.ok(Date.now() - t0 < 300, `${Date.now() - t0} ms`)
    for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 10))
    assert.ok(closed, 'socket closed on abort')
    await assert.rejects(t.sendToKDC('R', REQUEST, { signal: AbortSignal.abort() }), {
      code: 'ERR_KRB_ABORTED',
    })
  })
})

test('argument errors', async () => {
  const t = transport([at(1)])
  await assert.rejects(t.sendToKDC('R', new Uint8Array(0)), RangeError)
  await assert.rejects(t.sendToKDC('', REQUEST), TypeError)
  await assert.rejects(t.sendToKDC('R', [1, 2] as unknown as Uint8Array), TypeError)
})

test('host names: every address is tried; a name that does not resolve is a recorded attempt', async () => {
  const down = await findFreePort()
  const kdc = await startTCPServer((s) => onFrame(s, () => s.write(frame(REPLY))))
  await withServers([kdc], async () => {
    const lookups: string[] = []
    const lookupHost = async (host: string): Promise<string[]> => {
      lookups.push(host)
      if (host === 'gone.example.test')
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })
      return ['127.0.0.1']
    }
    const kdcs: KDCAddress[] = [
      { host: 'gone.example.test', port: 88, source: 'config' },
      { host: 'kdc.example.test', port: down, protocol: 'tcp', source: 'config' },
      { host: 'kdc.example.test', port: kdc.port, protocol: 'tcp', source: 'config' },
    ]
    const events: string[] = []
    const t = transport(kdcs, {
      lookupHost,
      trace: (e) => e.type === 'failure' && events.push(`${e.host}:${e.code}`),
    })
    assert.deepEqual(await t.sendToKDC('R', REQUEST), REPLY)
    assert.deepEqual(lookups, ['gone.example.test', 'kdc.example.test', 'kdc.example.test'])
    assert.deepEqual(events, ['gone.example.test:ENOTFOUND', 'kdc.example.test:ECONNREFUSED'])
    // The real resolver: localhost is in /etc/hosts.
    assert.deepEqual(
      await transport([
        { host: 'localhost', port: kdc.port, protocol: 'tcp', source: 'config' },
      ]).sendToKDC('R', REQUEST),
      REPLY,
    )
  })
})

test('a hanging host lookup or discovery is bounded by the deadline and by the signal', async () => {
  const hang = (): Promise<never> => new Promise(() => {})
  const kdcs: KDCAddress[] = [{ host: 'slow.example.test', port: 88, source: 'config' }]
  let t0 = Date.now()
  const attempts = await unreachable(
    transport(kdcs, { lookupHost: hang, deadlineMs: 200 }).sendToKDC('R', REQUEST),
  )
  assert.ok(Date.now() - t0 < 600)
  assert.deepEqual(attempts, [])
  t0 = Date.now()
  await unreachable(createNodeTransport({ locate: hang, deadlineMs: 200 }).sendToKDC('R', REQUEST))
  assert.ok(Date.now() - t0 < 600)
  t0 = Date.now()
  await assert.rejects(
    createNodeTransport({ locate: hang }).sendToKDC('R', REQUEST, {
      signal: AbortSignal.timeout(50),
    }),
    { code: 'ERR_KRB_ABORTED' },
  )
  assert.ok(Date.now() - t0 < 600)
})

test('an invalid address from a custom locate fails that attempt only', async () => {
  const kdc = await startTCPServer((s) => onFrame(s, () => s.write(frame(REPLY))))
  await withServers([kdc], async () => {
    const kdcs: KDCAddress[] = [at(70000, 'tcp'), at(kdc.port, 'tcp')]
    const failures: string[] = []
    const t = transport(kdcs, {
      trace: (e) => e.type === 'failure' && failures.push(`${e.port}:${e.code}`),
    })
    assert.deepEqual(await t.sendToKDC('R', REQUEST), REPLY)
    assert.equal(failures.length, 1)
    assert.match(failures[0]!, /^70000:/)
  })
})
