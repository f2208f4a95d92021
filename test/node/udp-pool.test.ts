/**
 * Issue 11 speed: UDP sockets reused between KDC exchanges, and why that is safe — a socket is
 * only reused after its exchange got its reply, a stray datagram to an idle socket retires it,
 * and a timed-out exchange's socket is never reused (a late reply cannot answer a later request).
 */
import assert from 'node:assert/strict'
import { createSocket, type RemoteInfo } from 'node:dgram'
import { test } from 'node:test'
import { exchangeUDP, UDPSocketPool, type ExchangeOptions } from '../../src/node/transport.js'

interface FakeKDC {
  readonly port: number
  /** Source ports of the requests, in order. */
  readonly from: number[]
  send(bytes: Uint8Array, port: number): Promise<void>
  close(): Promise<void>
}

/** A UDP "KDC" answering request n with [n] (or not at all, for the numbers in `silent`). */
async function fakeKDC(silent: ReadonlySet<number> = new Set()): Promise<FakeKDC> {
  const server = createSocket('udp4')
  const from: number[] = []
  const late: (() => void)[] = []
  server.on('message', (_msg: Buffer, rinfo: RemoteInfo) => {
    from.push(rinfo.port)
    const n = from.length
    const answer = (): void => server.send(Uint8Array.from([n]), rinfo.port, rinfo.address)
    if (silent.has(n)) late.push(answer)
    else answer()
  })
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve))
  return {
    port: server.address().port,
    from,
    send: (bytes, port) =>
      new Promise((resolve) => server.send(bytes, port, '127.0.0.1', () => resolve())),
    close: async () => {
      for (const f of late) f() // the late replies go out before the server closes
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

const REQ = Uint8Array.from([0x6a, 0x00])
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function opts(pool: UDPSocketPool, timeoutMs = 2000): ExchangeOptions {
  return { timeoutMs, signal: undefined, maxReplyBytes: 1 << 20, udpPool: pool }
}

test('speed: a UDP socket is reused for the next exchange with the same KDC', async () => {
  const kdc = await fakeKDC()
  const pool = new UDPSocketPool()
  try {
    assert.deepEqual(
      await exchangeUDP('127.0.0.1', kdc.port, REQ, opts(pool)),
      Uint8Array.from([1]),
    )
    assert.deepEqual(
      await exchangeUDP('127.0.0.1', kdc.port, REQ, opts(pool)),
      Uint8Array.from([2]),
    )
    assert.equal(kdc.from[0], kdc.from[1], 'same source port: the socket was reused')
  } finally {
    pool.close()
    await kdc.close()
  }
})

test('speed: a stray datagram to an idle pooled socket retires it and is never read as a reply', async () => {
  const kdc = await fakeKDC()
  const pool = new UDPSocketPool()
  try {
    await exchangeUDP('127.0.0.1', kdc.port, REQ, opts(pool))
    await kdc.send(Uint8Array.from([0xee]), kdc.from[0]!) // injected between exchanges
    await sleep(50)
    const reply = await exchangeUDP('127.0.0.1', kdc.port, REQ, opts(pool))
    assert.deepEqual(reply, Uint8Array.from([2]))
    assert.notEqual(kdc.from[1], kdc.from[0], 'a new socket after the stray datagram')
  } finally {
    pool.close()
    await kdc.close()
  }
})

test('speed: a timed-out exchange closes its socket, so its late reply cannot answer the next request', async () => {
  const kdc = await fakeKDC(new Set([1]))
  const pool = new UDPSocketPool()
  try {
    await assert.rejects(exchangeUDP('127.0.0.1', kdc.port, REQ, opts(pool, 100)), {
      code: 'ETIMEDOUT',
    })
    const reply = await exchangeUDP('127.0.0.1', kdc.port, REQ, opts(pool))
    assert.deepEqual(reply, Uint8Array.from([2]))
    assert.notEqual(kdc.from[1], kdc.from[0])
  } finally {
    pool.close()
    await kdc.close()
  }
})
