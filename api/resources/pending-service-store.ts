import type { Redis } from 'ioredis';
import type { ServiceInstance } from '../../inventory/service-instance.js';

/** A service a TMF640 POST created whose order has not recorded it in the inventory yet. */
export interface PendingService {
  service: ServiceInstance;
  orderId: string;
}

/**
 * TMF640 services between their POST and their order's completion, so that a GET right after
 * the 201 finds the service it was given. Stored before the order is submitted; the inventory's
 * record wins as soon as it exists. API-owned: the inventory itself is written only by orders.
 */
export class PendingServiceStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key(): string {
    return `${this.prefix}:api:pending-services`;
  }

  async put(entry: PendingService): Promise<void> {
    await this.redis.hset(this.key, entry.service.id, JSON.stringify(entry));
  }

  async get(serviceId: string): Promise<PendingService | undefined> {
    const doc = await this.redis.hget(this.key, serviceId);
    return doc === null ? undefined : (JSON.parse(doc) as PendingService);
  }

  async all(): Promise<PendingService[]> {
    const docs = await this.redis.hvals(this.key);
    return docs.map((d) => JSON.parse(d) as PendingService);
  }

  /** Once the inventory holds the service (or its order ended without it). */
  async remove(serviceId: string): Promise<void> {
    await this.redis.hdel(this.key, serviceId);
  }
}
