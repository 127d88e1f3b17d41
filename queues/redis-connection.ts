import { Redis } from 'ioredis';

/**
 * One ioredis connection. `maxRetriesPerRequest: null` is what BullMQ workers require (a
 * blocking command must wait through a Redis restart rather than fail), and it is right for the
 * store too: a command issued during a reconnect waits instead of losing a state change.
 */
export function createRedisConnection(url: string, name: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: name,
    // Reconnect quickly at first, then settle at one attempt per 2 s while Redis is away.
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  });
}
