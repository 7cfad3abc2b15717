/** Opens ioredis connections to a RedisTarget (redis-url.ts): single server, cluster or Sentinel group. */
import { Cluster, Redis } from 'ioredis';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';

/** Either connection: both speak every command Rapport sends (keys share one hash slot on a cluster). */
export type RedisClient = Redis | Cluster;

export interface ConnectOptions {
  /** BullMQ workers block on Redis and need unlimited retries per request (the default here). */
  maxRetriesPerRequest?: number | null;
}

/**
 * Opens a connection to the target. Connection errors are silenced here: ioredis reconnects by itself
 * (and, on a cluster or Sentinel group, finds the new master after a failover) while each pending
 * command waits or fails where it was issued; without a listener every attempt would also print
 * "Unhandled error event".
 */
export function connectRedis(target: RedisTarget | string, options: ConnectOptions = {}): RedisClient {
  const resolved = typeof target === 'string' ? parseRedisUrl(target) : target;
  const maxRetriesPerRequest =
    options.maxRetriesPerRequest === undefined ? null : options.maxRetriesPerRequest;
  let client: RedisClient;
  if (resolved.kind === 'single') {
    client = new Redis(resolved.url, { maxRetriesPerRequest });
  } else {
    const auth = {
      ...(resolved.username ? { username: resolved.username } : {}),
      ...(resolved.password ? { password: resolved.password } : {}),
      ...(resolved.tls ? { tls: {} } : {}),
    };
    if (resolved.kind === 'cluster') {
      client = new Cluster(resolved.nodes, {
        redisOptions: { maxRetriesPerRequest, ...auth },
        // While a replica takes over a dead master (cluster-node-timeout plus an election, seconds),
        // commands are retried instead of failing at the first CLUSTERDOWN or closed connection.
        retryDelayOnClusterDown: 300,
        retryDelayOnFailover: 300,
        retryDelayOnTryAgain: 200,
        maxRedirections: 64,
        clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
      });
    } else {
      client = new Redis({
        sentinels: resolved.sentinels,
        name: resolved.name,
        db: resolved.db,
        maxRetriesPerRequest,
        // Subscribe to the Sentinels' +switch-master so a failover is followed at once, not at the next
        // failed command.
        failoverDetector: true,
        ...auth,
        ...(resolved.password ? { sentinelPassword: resolved.password } : {}),
        ...(resolved.username ? { sentinelUsername: resolved.username } : {}),
        ...(resolved.tls ? { enableTLSForSentinelMode: true } : {}),
      });
    }
  }
  client.on('error', () => {});
  return client;
}
