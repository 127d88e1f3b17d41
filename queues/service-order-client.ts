import { Queue } from 'bullmq';
import type { NeDirectory } from '../catalog/activation-plan.js';
import { loadQualificationRules } from '../catalog/policy-file.js';
import { ServiceCatalog } from '../catalog/service-catalog.js';
import { ResourceInventory } from '../inventory/resource-inventory.js';
import { AuditTrail } from './audit-trail.js';
import { OrderStore } from './order-store.js';
import { ServiceInventoryStore } from './service-inventory-store.js';
import { DEFAULT_PREFIX, QUEUE_NAMES, type OrchestrationJob } from './queue-names.js';
import { createRedisConnection, hashTagged } from './redis-connection.js';
import { ServiceOrderProducer } from './service-order-producer.js';

export interface ServiceOrderClientOptions {
  redisUrl: string;
  /** Directory holding `catalog/` and `inventory/` (the fleet's CONFIG_DIR). */
  configDir?: string;
  catalog?: ServiceCatalog;
  inventory?: NeDirectory;
  prefix?: string;
  cluster?: boolean;
}

export interface ServiceOrderClient {
  producer: ServiceOrderProducer;
  store: OrderStore;
  audit: AuditTrail;
  services: ServiceInventoryStore;
  close(): Promise<void>;
}

/**
 * What an upstream Node.js order system embeds to submit orders:
 * `const { producer } = await openServiceOrderClient({ redisUrl }); await producer.submitServiceOrder(order)`.
 */
export async function openServiceOrderClient(options: ServiceOrderClientOptions): Promise<ServiceOrderClient> {
  const configDir = options.configDir ?? './config';
  const catalog = options.catalog ?? (await ServiceCatalog.load(`${configDir}/catalog`));
  const inventory = options.inventory ?? (await ResourceInventory.load(`${configDir}/inventory`));
  const prefix = hashTagged(options.prefix ?? DEFAULT_PREFIX);
  const redis = createRedisConnection(options.redisUrl, 'activation-fleet:client', { cluster: options.cluster ?? false });
  const store = new OrderStore(redis, { prefix });
  const orchestration = new Queue<OrchestrationJob>(QUEUE_NAMES.orchestration, { connection: redis, prefix });
  const services = new ServiceInventoryStore(redis, prefix);
  const rules = await loadQualificationRules(configDir);
  const producer = new ServiceOrderProducer({ store, catalog, inventory, services, rules, orchestration });
  return {
    producer,
    store,
    audit: new AuditTrail(redis, { prefix }),
    services,
    async close() {
      await orchestration.close();
      await store.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
