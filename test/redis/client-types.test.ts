/**
 * Type tests: the clients of node-redis and ioredis fit {@link RedisClientLike} as they come
 * (checked by `tsc` when the tests build), and a node-redis cluster, whose `sendCommand` takes
 * other arguments, does not. At run time, the detection picks ioredis's `call` over its own
 * `sendCommand`.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createClient, createCluster } from 'redis'
import { Cluster, Redis } from 'ioredis'
import { RedisReplayCache, type RedisClientLike } from '../../src/redis/index.js'

type Fits<T> = T extends RedisClientLike ? true : false
const _nodeRedis = (): ReturnType<typeof createClient> => createClient()
const _nodeRedisResp3 = () => createClient({ RESP: 3 })
const _nodeRedisCluster = () => createCluster({ rootNodes: [] })

export const typeChecks: {
  nodeRedis: Fits<ReturnType<typeof _nodeRedis>>
  nodeRedisResp3: Fits<ReturnType<typeof _nodeRedisResp3>>
  ioredis: Fits<Redis>
  ioredisCluster: Fits<Cluster>
  nodeRedisCluster: Fits<ReturnType<typeof _nodeRedisCluster>>
} = {
  nodeRedis: true,
  nodeRedisResp3: true,
  ioredis: true,
  ioredisCluster: true,
  nodeRedisCluster: false,
}

test('issue 16: node-redis and ioredis clients are accepted as they are (no adapter)', () => {
  const nr = createClient()
  const io = new Redis({ lazyConnect: true })
  try {
    assert.equal(new RedisReplayCache({ client: nr, namespace: 'x' }).namespace, 'x')
    assert.equal(new RedisReplayCache({ client: io, namespace: 'y' }).namespace, 'y')
    assert.deepEqual(Object.values(typeChecks), [true, true, true, true, false])
  } finally {
    io.disconnect()
  }
})
