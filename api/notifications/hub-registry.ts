import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ApiName } from '../api-paths.js';

/** A registered listener, with how far it has been sent each notification stream. */
export interface Hub {
  id: string;
  api: ApiName;
  callback: string;
  query?: string;
  /** The base URL the listener registered through: the hrefs of what it hears are absolute against it. */
  baseUrl?: string;
  /** Stream key -> id of the last entry handled for this listener. */
  cursors: Record<string, string>;
}

/**
 * TMF630 hubs (listener registrations) in Redis. A new listener's cursors start at the current
 * end of each stream: it hears what happens from its registration on.
 */
export class HubRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly streams: readonly string[],
  ) {}

  key(id: string): string {
    return `${this.prefix}:api:hub:${id}`;
  }

  private get allKey(): string {
    return `${this.prefix}:api:hubs`;
  }

  async register(api: ApiName, callback: string, query: string | undefined, baseUrl?: string): Promise<Hub> {
    const id = randomUUID();
    const cursors: Record<string, string> = {};
    for (const stream of this.streams) {
      const last = (await this.redis.xrevrange(stream, '+', '-', 'COUNT', 1))[0];
      cursors[stream] = last?.[0] ?? '0-0';
    }
    const fields: Record<string, string> = { api, callback, ...(query !== undefined ? { query } : {}), ...(baseUrl !== undefined ? { baseUrl } : {}) };
    for (const [stream, cursor] of Object.entries(cursors)) fields[`cursor:${stream}`] = cursor;
    await this.redis.multi().hset(this.key(id), fields).sadd(this.allKey, id).exec();
    return { id, api, callback, ...(query !== undefined ? { query } : {}), ...(baseUrl !== undefined ? { baseUrl } : {}), cursors };
  }

  async get(id: string): Promise<Hub | undefined> {
    const fields = await this.redis.hgetall(this.key(id));
    if (!fields.api || !fields.callback) return undefined;
    const cursors: Record<string, string> = {};
    for (const stream of this.streams) cursors[stream] = fields[`cursor:${stream}`] ?? '0-0';
    return {
      id,
      api: fields.api as ApiName,
      callback: fields.callback,
      ...(fields.query !== undefined ? { query: fields.query } : {}),
      ...(fields.baseUrl !== undefined ? { baseUrl: fields.baseUrl } : {}),
      cursors,
    };
  }

  async ids(): Promise<string[]> {
    return this.redis.smembers(this.allKey);
  }

  /** True when it existed. */
  async remove(id: string): Promise<boolean> {
    const [[, removed] = [null, 0]] = (await this.redis.multi().srem(this.allKey, id).del(this.key(id)).exec()) ?? [];
    return removed === 1;
  }

  /** Advances a cursor; a removed listener stays removed (the hash is not recreated). */
  async advance(id: string, stream: string, entryId: string): Promise<void> {
    await this.redis.hset(this.key(id), `cursor:${stream}`, entryId);
    if ((await this.redis.hexists(this.key(id), 'api')) === 0) await this.redis.del(this.key(id));
  }
}
