/**
 * A replay cache in Redis or Valkey, shared by every acceptor of a fleet (RFC 4120 §3.2.3), over
 * a client the application already has (node-redis or ioredis; neither is a dependency).
 *
 * @example
 * ```ts
 * import { RedisReplayCache } from 'kerberos-ts/redis'
 * const replayCache = new RedisReplayCache({ client: redis, namespace: 'web-prod' })
 * app.use(negotiateMiddleware({ acceptor: new Acceptor({ keytab, replayCache }) }))
 * ```
 *
 * @module
 */
export {
  RedisReplayCache,
  type RedisClientLike,
  type NodeRedisClientLike,
  type IORedisClientLike,
  type RedisReplayCacheOptions,
  type RedisReplayCacheStats,
  type RedisReplayCacheFailure,
  type RedisReplayCacheErrorEvent,
  type RedisReplayCacheBatchEvent,
} from './replay-cache.js'
