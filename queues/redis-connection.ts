import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { DEFAULT_REDIS_CONNECTION_OPTIONS, type RedisConnectionOptions } from './redis-connection-options.js';

export type { RedisConnectionOptions, RedisProfile } from './redis-connection-options.js';

const lastErrors = new Map<string, Error>();

/**
 * The last connection error (refused, timed out, reset) that a connection of this process to
 * the URL reported: what a caller says failed, rather than "the command was not sent".
 */
export function lastRedisError(url: string): Error | undefined {
  return lastErrors.get(url);
}

const retryStrategy = (attempt: number): number => Math.min(50 * 2 ** attempt, 2000);

/**
 * A fail-fast connection that still lets the commands issued while it first connects wait for
 * it (a CLI or client sends its first command right after creating the connection). Once the
 * connection has been up, or `connectTimeoutMs` has passed, nothing is queued offline:
 * ioredis reads `enableOfflineQueue` at every command, so it is switched off then.
 */
class FailFastRedis extends Redis {
  private readonly connectTimeoutMs: number;
  private readonly url: string;

  constructor(url: string, target: string | RedisOptions, options: RedisOptions, connectTimeoutMs: number) {
    // ioredis takes the URL, or a whole options object (a duplicate), first; its values win.
    if (typeof target === 'string') super(target, { ...options, enableOfflineQueue: true });
    else super({ ...target, ...options, enableOfflineQueue: true });
    this.connectTimeoutMs = connectTimeoutMs;
    this.url = url;
    const timer = setTimeout(() => {
      stopQueueing();
      // Not up yet (an answerless server): what waits in the offline queue fails now, by the
      // reconnect (maxRetriesPerRequest 0 flushes it), instead of reaching Redis much later.
      if (this.status !== 'ready' && this.status !== 'end' && this.status !== 'wait') this.disconnect(true);
    }, connectTimeoutMs);
    timer.unref();
    const stopQueueing = (): void => {
      clearTimeout(timer);
      this.options.enableOfflineQueue = false;
    };
    this.once('ready', stopQueueing);
  }

  /** The store's blocking reads use a duplicate: it must fail fast the same way. */
  override duplicate(override: Partial<RedisOptions> = {}): Redis {
    return recordErrors(this.url, new FailFastRedis(this.url, this.options, override, this.connectTimeoutMs));
  }
}

/**
 * ioredis prints a stack dump for every error event nobody listens to (one per reconnect
 * attempt); the connection keeps the last one instead, for the message a caller shows.
 */
function recordErrors<T extends Redis | Cluster>(url: string, redis: T): T {
  redis.on('error', (error: Error) => lastErrors.set(url, error));
  redis.on('ready', () => lastErrors.delete(url));
  return redis;
}

/**
 * One ioredis connection, with the behaviour its use needs while Redis is away (see
 * RedisProfile): `worker` for BullMQ workers and the stores they write through, `producer`
 * (the default) for anything a caller waits on.
 *
 * With `cluster`, the URL is a seed node of a Redis Cluster. Every key of the fleet carries the
 * prefix as a hash tag (`{activation-fleet}:...`), so each multi-key script and BullMQ queue
 * stays in one slot and the code runs unchanged.
 */
export function createRedisConnection(url: string, name: string, options: RedisConnectionOptions = {}): Redis {
  const o = { ...DEFAULT_REDIS_CONNECTION_OPTIONS, ...options };
  // Auto-pipelining sends the commands many concurrent callers issue in one tick as one write:
  // with dozens of items in flight, one syscall instead of dozens. Not for blocking connections,
  // and not on a Cluster: ioredis groups an auto-pipelined script by its first argument (the
  // number of keys), not by its keys' slot, and a batch spanning slots is refused.
  const pipelining = o.autoPipelining && !o.cluster ? { enableAutoPipelining: true } : {};
  const common: RedisOptions = { connectionName: name, connectTimeout: o.connectTimeoutMs, ...pipelining };
  const perProfile: RedisOptions =
    o.profile === 'worker'
      ? // A blocking command must wait through a restart rather than fail (BullMQ requires null).
        { maxRetriesPerRequest: null, retryStrategy }
      : {
          // A dropped connection fails the commands in flight instead of resending them later.
          maxRetriesPerRequest: 0,
          commandTimeout: o.commandTimeoutMs,
          // No byte from Redis for this long while a reply is due: the connection is dead
          // (a frozen server, a partition), dial again.
          socketTimeout: 3 * o.commandTimeoutMs,
          retryStrategy,
        };
  if (!o.cluster) {
    if (o.profile === 'worker') return recordErrors(url, new Redis(url, { ...common, ...perProfile }));
    return recordErrors(url, new FailFastRedis(url, url, { ...common, ...perProfile }, o.connectTimeoutMs));
  }
  const seed = new URL(url);
  const { retryStrategy: _nodeRetry, ...nodeOptions } = perProfile;
  const cluster = new Cluster([{ host: seed.hostname, port: Number(seed.port || 6379) }], {
    clusterRetryStrategy: retryStrategy,
    // A producer queues nothing while the cluster is down; the first connection excepted, as above.
    enableOfflineQueue: true,
    redisOptions: {
      ...common,
      ...nodeOptions,
      ...(seed.password ? { password: decodeURIComponent(seed.password) } : {}),
      ...(seed.username ? { username: decodeURIComponent(seed.username) } : {}),
    },
  });
  if (o.profile === 'producer') {
    const stopQueueing = (): void => {
      cluster.options.enableOfflineQueue = false;
    };
    cluster.once('ready', stopQueueing);
    setTimeout(stopQueueing, o.connectTimeoutMs).unref();
  }
  // ioredis's Cluster serves the same command interface as Redis; the stores and BullMQ take
  // either, so the rest of the fleet is typed against one.
  return recordErrors(url, cluster) as unknown as Redis;
}

/** The prefix as a Redis Cluster hash tag, so all of the fleet's keys share one slot. */
export function hashTagged(prefix: string): string {
  return prefix.startsWith('{') && prefix.endsWith('}') ? prefix : `{${prefix}}`;
}

/** A Redis URL as it may be shown and logged: without its password. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(an unparsable REDIS_URL)';
  }
}
