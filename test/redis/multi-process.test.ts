/**
 * Issue 16: a fleet of acceptor processes (2 and 4 children, half on node-redis, half on ioredis)
 * behind a round-robin loopback proxy, sharing one real redis-server, with real MIT AP-REQs
 * (python3-gssapi on MIT libgssapi_krb5). A header replayed to another instance is refused there;
 * concurrent replays across instances give exactly one success; Redis down gives 503 (fail
 * closed), then the fleet recovers; a Redis restart without persistence forgets entries.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { fork, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { connect, createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { skipWithoutMIT, startRealm, type Realm } from '../helpers/realm.js'
import { b64, mitInitiatorTokens, pythonGssAvailable, setupService } from '../helpers/gss-peers.js'
import { skipWithoutRedis, startRedis, type TestRedis } from '../helpers/redis.js'

const skipPy = pythonGssAvailable() ? false : 'python3-gssapi missing'
if (skipPy && process.env.CI === 'true') throw new Error(`${skipPy}: required when CI=true`)
const skip = skipWithoutRedis() || skipWithoutMIT() || skipPy

const WORKER = join(fileURLToPath(import.meta.url), '../../helpers/redis-acceptor-worker.js')

interface Fleet {
  readonly proxyPort: number
  readonly workers: readonly ChildProcess[]
  stop(): Promise<void>
}

async function startWorker(
  keytab: string,
  redisPort: number,
  i: number,
): Promise<{
  child: ChildProcess
  port: number
}> {
  const lib = i % 2 === 0 ? 'node-redis' : 'ioredis'
  const child = fork(WORKER, [keytab, String(redisPort), String(i), lib], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${i} did not start`)), 15_000)
    child.once('message', (m: { port: number }) => {
      clearTimeout(timer)
      resolve(m.port)
    })
    child.once('exit', (code) => reject(new Error(`worker ${i} exited ${code}`)))
  })
  return { child, port }
}

/** A TCP proxy handing each new connection to the next backend in turn. */
async function roundRobin(ports: readonly number[]): Promise<{ server: Server; port: number }> {
  let next = 0
  const server = createServer((down) => {
    const up = connect({ host: '127.0.0.1', port: ports[next++ % ports.length]! })
    down.pipe(up).pipe(down)
    down.on('error', () => up.destroy())
    up.on('error', () => down.destroy())
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const addr = server.address()
  return { server, port: typeof addr === 'object' && addr !== null ? addr.port : 0 }
}

async function startFleet(n: number, keytab: string, redis: TestRedis): Promise<Fleet> {
  const started = await Promise.all(
    Array.from({ length: n }, (_, i) => startWorker(keytab, redis.port, i)),
  )
  const proxy = await roundRobin(started.map((w) => w.port))
  return {
    proxyPort: proxy.port,
    workers: started.map((w) => w.child),
    async stop() {
      await new Promise<void>((r) => proxy.server.close(() => r()))
      await Promise.all(
        started.map(
          ({ child }) =>
            new Promise<void>((r) => {
              if (child.exitCode !== null || child.signalCode !== null) return r()
              child.once('exit', () => r())
              child.kill('SIGTERM')
            }),
        ),
      )
    },
  }
}

interface Answer {
  readonly status: number
  readonly worker: string
  readonly retryAfter?: string
}

/** One request on a new connection (so the proxy moves to the next instance). */
function get(port: number, token: Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        agent: false,
        headers: { Authorization: `Negotiate ${b64(token)}` },
      },
      (res) => {
        res.resume()
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            worker: String(res.headers['x-worker']),
            ...(res.headers['retry-after']
              ? { retryAfter: String(res.headers['retry-after']) }
              : {}),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('issue 16: acceptor processes sharing a Redis replay cache', { skip }, () => {
  let realm: Realm
  let redis: TestRedis
  let keytab: string
  let tokens: Uint8Array[] = []
  const fresh = (): Uint8Array => {
    const t = tokens.pop()
    if (t === undefined) throw new Error('out of MIT tokens')
    return t
  }

  before(async () => {
    realm = await startRealm()
    const s = await setupService(realm)
    keytab = s.keytab
    const env = { ...realm.env, KRB5CCNAME: `FILE:${s.ccache}` }
    tokens = await mitInitiatorTokens(env, 'HTTP@localhost', 400)
    redis = await startRedis()
  })
  after(async () => {
    await redis?.stop()
    await realm?.stop()
  })

  for (const n of [2, 4]) {
    describe(`${n} processes behind a round-robin proxy`, () => {
      let fleet: Fleet
      before(async () => {
        fleet = await startFleet(n, keytab, redis)
      })
      after(async () => {
        await fleet?.stop()
      })

      test(`issue 16 (${n} processes): a token accepted by one instance is refused by every other`, async () => {
        const token = fresh()
        const answers: Answer[] = []
        for (let i = 0; i < n; i++) answers.push(await get(fleet.proxyPort, token))
        assert.deepEqual(
          new Set(answers.map((a) => a.worker)),
          new Set(Array.from({ length: n }, (_, i) => String(i))),
          'every instance answered once',
        )
        assert.equal(answers[0]!.status, 200)
        assert.deepEqual(
          answers.slice(1).map((a) => a.status),
          Array(n - 1).fill(401),
        )
        // And again, later, to each instance: still refused.
        for (let i = 0; i < n; i++) assert.equal((await get(fleet.proxyPort, token)).status, 401)
      })

      test(`issue 16 (${n} processes): concurrent replays of one token across instances → exactly one success`, async () => {
        for (let round = 0; round < 5; round++) {
          const token = fresh()
          const answers = await Promise.all(
            Array.from({ length: 3 * n }, () => get(fleet.proxyPort, token)),
          )
          const ok = answers.filter((a) => a.status === 200)
          assert.equal(ok.length, 1, `round ${round}: ${JSON.stringify(answers)}`)
          assert.equal(answers.filter((a) => a.status === 401).length, 3 * n - 1)
          assert.equal(new Set(answers.map((a) => a.worker)).size, n)
        }
      })

      test(`issue 16 (${n} processes): Redis stopped mid-run → 503 at every instance, then recovery`, async () => {
        assert.equal((await get(fleet.proxyPort, fresh())).status, 200)
        await redis.down()
        try {
          const answers: Answer[] = []
          for (let i = 0; i < n; i++) answers.push(await get(fleet.proxyPort, fresh()))
          assert.deepEqual(
            answers.map((a) => a.status),
            Array(n).fill(503),
          )
          assert.ok(answers.every((a) => a.retryAfter === '1'))
          assert.equal(new Set(answers.map((a) => a.worker)).size, n)
        } finally {
          await redis.up()
        }
        const recovered = new Set<string>()
        const deadline = Date.now() + 10_000
        while (recovered.size < n && Date.now() < deadline) {
          const a = await get(fleet.proxyPort, fresh())
          if (a.status === 200) recovered.add(a.worker)
          else await sleep(50)
        }
        assert.equal(recovered.size, n, 'every instance accepts again once Redis is back')
        // Replay protection is back too: a token accepted now is refused by the others.
        const token = fresh()
        const after = await Promise.all(
          Array.from({ length: 2 * n }, () => get(fleet.proxyPort, token)),
        )
        assert.equal(after.filter((a) => a.status === 200).length, 1)
      })
    })
  }

  test('issue 16: a Redis restart without persistence loses entries: a replay then passes (documented)', async () => {
    const fleet = await startFleet(2, keytab, redis)
    try {
      const token = fresh()
      assert.equal((await get(fleet.proxyPort, token)).status, 200)
      await redis.down()
      await redis.up()
      let status = 0
      const deadline = Date.now() + 10_000
      // Wait for both instances to reconnect (fresh tokens), then replay the old one.
      const back = new Set<string>()
      while (back.size < 2 && Date.now() < deadline) {
        const a = await get(fleet.proxyPort, fresh())
        if (a.status === 200) back.add(a.worker)
        else await sleep(50)
      }
      status = (await get(fleet.proxyPort, token)).status
      assert.equal(status, 200, 'the restarted Redis forgot the entry (see docs: appendonly)')
    } finally {
      await fleet.stop()
    }
  })
})
