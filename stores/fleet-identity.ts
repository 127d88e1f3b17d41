import type { Redis } from 'ioredis';
import { FleetError } from '../errors/index.js';
import type { Keyspace } from './keyspace.js';

/**
 * The fleet's identity record, under the base prefix: how many shards its data is spread over.
 * The shard of an order or service is a hash of its id modulo that number, so every process
 * and every client must agree on it for as long as the data lives: the first process records
 * it and the others refuse to start with another.
 */
export class FleetIdentity {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /** Records this process's shard count, or checks it against the one recorded. */
  async ensure(): Promise<void> {
    await this.redis.hsetnx(this.keys.fleet, 'shards', String(this.keys.shards));
    const recorded = Number(await this.redis.hget(this.keys.fleet, 'shards'));
    if (recorded !== this.keys.shards) {
      throw new FleetError(
        'CONFIG_INVALID',
        `QUEUE_SHARDS=${this.keys.shards}, but the fleet under prefix ${this.keys.base} keeps its data in ${recorded} shards; set QUEUE_SHARDS=${recorded} (the shard count cannot change while the fleet holds data)`,
      );
    }
  }

  /** The shard count recorded, if a fleet process has started under this prefix. */
  static async shardsOf(redis: Redis, base: string): Promise<number | undefined> {
    const value = await redis.hget(`${base}:fleet`, 'shards');
    return value === null ? undefined : Number(value);
  }
}
