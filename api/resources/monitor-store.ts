import type { Redis } from 'ioredis';
import type { Monitor, MonitorState } from '../schemas/service-schemas.js';
import type { ApiEventStream } from '../notifications/api-event-stream.js';
import { tmfNotification } from '../notifications/tmf-notification.js';
import type { MonitoredOperation } from './monitor-outcome.js';
import { TrackedResourceStore } from './tracked-resource-store.js';

/** A monitor with what the fleet needs to follow it (never shown to clients). */
export interface StoredMonitor {
  id: string;
  monitor: Monitor;
  orderId: string;
  serviceId: string;
  operation: MonitoredOperation;
}

const event = (type: 'MonitorCreateEvent' | 'MonitorStateChangeEvent', monitor: Monitor) =>
  tmfNotification(type, { monitor }, { correlationId: monitor.id, title: type === 'MonitorCreateEvent' ? 'Monitor created' : 'Monitor state changed', description: `monitor ${monitor.id} is ${monitor.state}` });

/** TMF640 monitors, and which order each one follows. */
export class MonitorStore {
  private readonly resources: TrackedResourceStore<StoredMonitor>;

  constructor(
    private readonly redis: Redis,
    events: ApiEventStream,
    private readonly prefix: string,
  ) {
    this.resources = new TrackedResourceStore(redis, events, prefix, 'monitor');
  }

  private get byOrderKey(): string {
    return `${this.prefix}:api:monitor-by-order`;
  }

  /** Monitors not settled yet, by creation time: what the orphan sweep looks at. */
  private get inProgressKey(): string {
    return `${this.prefix}:api:monitors-in-progress`;
  }

  /** Stored (and announced) before its order is submitted, so no order event can miss it. */
  async create(stored: StoredMonitor, nowMs = Date.now()): Promise<void> {
    await this.redis.hset(this.byOrderKey, stored.orderId, stored.id);
    await this.redis.zadd(this.inProgressKey, nowMs, stored.id);
    await this.resources.create(stored, stored.monitor.state ?? 'inProgress', [event('MonitorCreateEvent', stored.monitor)]);
  }

  /** In-progress monitors created before `beforeMs` (oldest first, at most `limit`). */
  async inProgressSince(beforeMs: number, limit = 500): Promise<StoredMonitor[]> {
    const ids = await this.redis.zrangebyscore(this.inProgressKey, '-inf', beforeMs, 'LIMIT', 0, limit);
    const found = await Promise.all(ids.map(async (id) => ({ id, stored: await this.get(id) })));
    const settled = found.filter((f) => f.stored?.monitor.state !== 'inProgress').map((f) => f.id);
    if (settled.length > 0) await this.redis.zrem(this.inProgressKey, ...settled);
    return found.map((f) => f.stored).filter((m): m is StoredMonitor => m?.monitor.state === 'inProgress');
  }

  get(id: string): Promise<StoredMonitor | undefined> {
    return this.resources.get(id);
  }

  all(): Promise<StoredMonitor[]> {
    return this.resources.all();
  }

  async ofOrder(orderId: string): Promise<StoredMonitor | undefined> {
    const id = await this.redis.hget(this.byOrderKey, orderId);
    return id === null ? undefined : this.get(id);
  }

  /** Settles an in-progress monitor; false when another process already did. */
  async settle(stored: StoredMonitor, state: MonitorState, response: Monitor['response']): Promise<boolean> {
    const monitor: Monitor = { ...stored.monitor, state, ...(response ? { response } : {}) };
    const settled = await this.resources.transition({ ...stored, monitor }, stored.monitor.state ?? 'inProgress', state, [event('MonitorStateChangeEvent', monitor)]);
    if (state !== 'inProgress') await this.redis.zrem(this.inProgressKey, stored.id);
    return settled;
  }
}
