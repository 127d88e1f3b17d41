import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { NeDirectory } from '../catalog/activation-plan.js';
import type { ServiceCatalog } from '../catalog/service-catalog.js';
import type { QualificationRule } from '../orders/qualification-rules.js';
import { OrderStore } from './order-store.js';
import { QUEUE_NAMES, type OrchestrationJob } from './queue-names.js';
import { ServiceInventoryStore } from './service-inventory-store.js';
import { ServiceOrderProducer } from './service-order-producer.js';

/** The producer, order store and service inventory of one connection. */
export interface ServiceOrderFront {
  producer: ServiceOrderProducer;
  store: OrderStore;
  services: ServiceInventoryStore;
  close(): Promise<void>;
}

/**
 * What the api role serves requests from: the producer and stores on a connection of their own,
 * opened fail-fast (profile producer) by the caller, so a request while Redis is away fails at
 * once (503) instead of waiting in the offline queue of the workers' connection. The same
 * pieces as the embedded client (service-order-client.ts), on a connection given to it.
 */
export function openServiceOrderFront(
  redis: Redis,
  options: { prefix: string; catalog: ServiceCatalog; inventory?: NeDirectory; rules: QualificationRule[] },
): ServiceOrderFront {
  const store = new OrderStore(redis, { prefix: options.prefix });
  const services = new ServiceInventoryStore(redis, options.prefix);
  const orchestration = new Queue<OrchestrationJob>(QUEUE_NAMES.orchestration, { connection: redis, prefix: options.prefix });
  orchestration.on('error', () => undefined); // surfaces as the failing call's error, which the caller sees
  const producer = new ServiceOrderProducer({ store, catalog: options.catalog, ...(options.inventory ? { inventory: options.inventory } : {}), services, rules: options.rules, orchestration });
  return {
    producer,
    store,
    services,
    async close() {
      await orchestration.close();
      await store.close();
    },
  };
}
