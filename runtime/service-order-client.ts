import type { NeDirectory } from '../inventory/ne-directory.js';
import { loadQualificationRules } from './loading/policy-file.js';
import { ServiceCatalog } from '../catalog/service-catalog.js';
import { createLogger } from '../observability/logger.js';
import { FleetMetrics } from '../observability/fleet-metrics.js';
import { AuditTrail } from '../stores/audit-trail.js';
import { FleetIdentity } from '../stores/fleet-identity.js';
import { Keyspace } from '../stores/keyspace.js';
import { OrderStore } from '../stores/order-store.js';
import { ServiceInventoryStore } from '../stores/service-inventory-store.js';
import { SubmissionTally } from '../stores/submission-tally.js';
import { DEFAULT_PREFIX } from '../queues/queue-names.js';
import { createRedisConnection, hashTagged } from '../queues/redis-connection.js';
import { openServiceOrderFront } from '../queues/service-order-front.js';
import type { ServiceOrderProducer } from '../queues/service-order-producer.js';
import { loadServiceCatalog } from './loading/catalog-files.js';
import { loadResourceInventory } from './loading/inventory-files.js';

export interface ServiceOrderClientOptions {
  redisUrl: string;
  /** Directory holding `catalog/` and `inventory/` (the fleet's CONFIG_DIR). */
  configDir?: string;
  catalog?: ServiceCatalog;
  inventory?: NeDirectory;
  prefix?: string;
  cluster?: boolean;
  /** The fleet's shard count; by default the one the fleet recorded under the prefix (else 1). */
  shards?: number;
  attempts?: number;
  backoffMs?: number;
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
 * Wiring (it reads CONFIG_DIR's files and composes the front), so it lives in runtime/ beside the process's.
 */
export async function openServiceOrderClient(options: ServiceOrderClientOptions): Promise<ServiceOrderClient> {
  const configDir = options.configDir ?? './config';
  const catalog = options.catalog ?? (await loadServiceCatalog(`${configDir}/catalog`));
  const inventory = options.inventory ?? (await loadResourceInventory(`${configDir}/inventory`));
  const base = hashTagged(options.prefix ?? DEFAULT_PREFIX);
  const redis = createRedisConnection(options.redisUrl, 'activation-fleet:client', { cluster: options.cluster ?? false });
  const shards = options.shards ?? (await FleetIdentity.shardsOf(redis, base)) ?? 1;
  const keys = new Keyspace(base, shards);
  const front = openServiceOrderFront(redis, {
    keys,
    // Nobody scrapes this process: its submissions are counted in Redis for the fleet to report.
    tally: new SubmissionTally(redis, keys),
    catalog,
    inventory,
    rules: await loadQualificationRules(configDir),
    metrics: new FleetMetrics(),
    log: createLogger({ level: 'silent' }),
    attempts: options.attempts ?? 3,
    backoffMs: options.backoffMs ?? 1000,
    retention: { completedCount: 10_000, completedAgeSeconds: 3600, failedCount: 10_000, failedAgeSeconds: 7 * 86_400 },
  });
  return {
    producer: front.producer,
    store: front.store,
    audit: front.audit,
    services: front.services,
    async close() {
      await front.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
