/**
 * One acceptor instance of a fleet, run as a child process by test/redis/multi-process.test.ts:
 * a node:http server on 127.0.0.1 (random port) with the Negotiate middleware, an Acceptor with
 * the given keytab, and a RedisReplayCache over node-redis or ioredis. It tells its parent its
 * port over IPC (`{ port }`) and answers `X-Worker: <index>` on every response.
 *
 * argv: keytabPath redisPort index lib(node-redis|ioredis)
 */
import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
import { createClient } from 'redis'
import { Redis } from 'ioredis'
import { negotiateMiddleware } from '../../src/http/index.js'
import { parseKeytab } from '../../src/keytab/index.js'
import { Acceptor } from '../../src/protocol/ap-verify.js'
import { RedisReplayCache, type RedisClientLike } from '../../src/redis/index.js'

// `node --test build/test/` may load this file as a test (it lies under test/): do nothing then.
if (process.argv.length < 6 || process.send === undefined) process.exit(0)

const [keytabPath, redisPort, index, lib] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
]

async function connect(): Promise<RedisClientLike> {
  if (lib === 'ioredis') {
    const c = new Redis(Number(redisPort), '127.0.0.1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => 50,
      maxRetriesPerRequest: 0,
    })
    c.on('error', () => {})
    await c.connect()
    return c
  }
  const c = createClient({
    url: `redis://127.0.0.1:${redisPort}`,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: () => 50 },
  })
  c.on('error', () => {})
  await c.connect()
  return c
}

const client = await connect()
const replayCache = new RedisReplayCache({ client, namespace: 'fleet-test', timeoutMs: 500 })
const acceptor = new Acceptor({ keytab: parseKeytab(readFileSync(keytabPath)), replayCache })
const auth = negotiateMiddleware({ acceptor })
const server = createServer((req, res) => {
  res.setHeader('X-Worker', index)
  res.setHeader('Connection', 'close')
  auth(req, res, () => res.end('ok\n'))
})
server.listen(0, '127.0.0.1', () => {
  const addr = server.address()
  process.send!({ port: typeof addr === 'object' && addr !== null ? addr.port : 0 })
})
process.on('disconnect', () => process.exit(0))
