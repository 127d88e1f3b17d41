/**
 * How a connection behaves while Redis is away.
 *
 * - `worker`: commands wait through an outage and are sent once Redis is back. BullMQ workers
 *   need it (`maxRetriesPerRequest: null`: a blocking command must outlive a restart), and so
 *   do the stores a worker writes through: a state change issued during a reconnect waits
 *   instead of being lost between the device and the record.
 * - `producer`: fail fast. Nothing is queued offline once the connection has first come up; a
 *   command that gets no answer fails after `commandTimeoutMs`; a dropped connection fails the
 *   commands in flight instead of resending them. For everything a caller is waiting on: the
 *   CLI, the client upstream systems embed, TMF API requests, readiness probes.
 */
export type RedisProfile = 'worker' | 'producer';

export interface RedisConnectionOptions {
  /** The URL is a seed node of a Redis Cluster. @defaultValue false */
  cluster?: boolean;
  /** @defaultValue 'producer' */
  profile?: RedisProfile;
  /**
   * producer: how long a command may wait for its answer before it fails (and how long a
   * connection that stopped answering is kept before it is dropped and dialled again).
   * @defaultValue 2000
   */
  commandTimeoutMs?: number;
  /**
   * How long one connection attempt may take. For a producer, it is also the only time
   * commands wait in the offline queue: those issued before the first connection is up.
   * @defaultValue 2000
   */
  connectTimeoutMs?: number;
  /** Send the commands issued in one tick as one write (not on a Cluster). @defaultValue false */
  autoPipelining?: boolean;
}

export const DEFAULT_REDIS_CONNECTION_OPTIONS = {
  cluster: false,
  profile: 'producer',
  commandTimeoutMs: 2000,
  connectTimeoutMs: 2000,
  autoPipelining: false,
} as const satisfies Required<RedisConnectionOptions>;
