import type { Redis } from 'ioredis';
import type { ApiEventStream } from '../notifications/api-event-stream.js';
import type { TmfNotification } from '../notifications/tmf-notification.js';

/**
 * Resources the API owns (monitors, cancel tasks): one hash per resource holding the document
 * and its state, and a sorted set of ids by creation time. Each state change is a guarded
 * compare-and-set that announces itself on the API event stream in the same step.
 */
export class TrackedResourceStore<T extends { id: string }> {
  constructor(
    private readonly redis: Redis,
    private readonly events: ApiEventStream,
    private readonly prefix: string,
    private readonly kind: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:api:${this.kind}:${id}`;
  }

  private get indexKey(): string {
    return `${this.prefix}:api:${this.kind}s`;
  }

  async get(id: string): Promise<T | undefined> {
    const doc = await this.redis.hget(this.key(id), 'doc');
    return doc === null ? undefined : (JSON.parse(doc) as T);
  }

  /** Every resource, newest first. */
  async all(): Promise<T[]> {
    const ids = await this.redis.zrevrange(this.indexKey, 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.key(id), 'doc');
    const docs = (await pipeline.exec()) ?? [];
    return docs.map(([, doc]) => doc).filter((doc): doc is string => typeof doc === 'string').map((doc) => JSON.parse(doc) as T);
  }

  /** Stores a new resource in `state` with its create notification; false if the id exists. */
  async create(resource: T, state: string, events: TmfNotification[]): Promise<boolean> {
    const created = await this.events.compareAndPublish({ key: this.key(resource.id), field: 'state', expected: '', set: { state, doc: JSON.stringify(resource) }, events });
    if (created) await this.redis.zadd(this.indexKey, Date.now(), resource.id);
    return created;
  }

  /** Moves the resource from `from` to `to`; false (nothing stored) when it is no longer in `from`. */
  async transition(resource: T, from: string, to: string, events: TmfNotification[]): Promise<boolean> {
    return this.events.compareAndPublish({ key: this.key(resource.id), field: 'state', expected: from, set: { state: to, doc: JSON.stringify(resource) }, events });
  }
}
