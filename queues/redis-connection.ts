import { Cluster, Redis } from 'ioredis';

/**
 * One ioredis connection. `maxRetriesPerRequest: null` is what BullMQ workers require (a
 * blocking command must wait through a Redis restart rather than fail), and it is right for the
 * store too: a command issued during a reconnect waits instead of losing a state change.
 *
 * With `cluster`, the URL is a seed node of a Redis Cluster. Every key of the fleet carries the
 * prefix as a hash tag (`{activation-fleet}:...`), so each multi-key script and BullMQ queue
 * stays in one slot and the code runs unchanged.
 */
export function createRedisConnection(url: string, name: string, options: { cluster?: boolean; autoPipelining?: boolean } = {}): Redis {
  const retryStrategy = (attempt: number) => Math.min(50 * 2 ** attempt, 2000);
  // Auto-pipelining sends the commands many concurrent callers issue in one tick as one write:
  // with dozens of items in flight, one syscall instead of dozens. Not for blocking connections,
  // and not on a Cluster: ioredis groups an auto-pipelined script by its first argument (the
  // number of keys), not by its keys' slot, and a batch spanning slots is refused.
  const pipelining = options.autoPipelining && !options.cluster ? { enableAutoPipelining: true } : {};
  if (!options.cluster) {
    return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, retryStrategy, ...pipelining });
  }
  const seed = new URL(url);
  const cluster = new Cluster([{ host: seed.hostname, port: Number(seed.port || 6379) }], {
    clusterRetryStrategy: retryStrategy,
    redisOptions: {
      maxRetriesPerRequest: null,
      connectionName: name,
      ...(seed.password ? { password: decodeURIComponent(seed.password) } : {}),
      ...(seed.username ? { username: decodeURIComponent(seed.username) } : {}),
    },
  });
  // ioredis's Cluster serves the same command interface as Redis; the stores and BullMQ take
  // either, so the rest of the fleet is typed against one.
  return cluster as unknown as Redis;
}

/** The prefix as a Redis Cluster hash tag, so all of the fleet's keys share one slot. */
export function hashTagged(prefix: string): string {
  return prefix.startsWith('{') && prefix.endsWith('}') ? prefix : `{${prefix}}`;
}
