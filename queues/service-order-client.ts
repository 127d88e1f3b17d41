import { Queue } from 'bullmq';
import type { NeDirectory } from '../catalog/activation-plan.js';
import { loadQualificationRules } from '../catalog/policy-file.js';
import { ServiceCatalog } from '../catalog/service-catalog.js';
import { ResourceInventory } from '../inventory/resource-inventory.js';
import { createLogger } from '../observability/logger.js';
import { FleetMetrics } from '../observability/fleet-metrics.js';
import { bullmqTelemetry } from '../observability/tracing/bullmq-telemetry.js';
import { AuditTrail } from '../stores/audit-trail.js';
import { FleetIdentity } from '../stores/fleet-identity.js';
import { Keyspace } from '../stores/keyspace.js';
import { OrderStore } from '../stores/order-store.js';
import { ServiceInventoryStore } from '../stores/service-inventory-store.js';
import { OrderDispatcher } from '../workers/order-dispatch.js';
import { DEFAULT_PREFIX, QUEUE_NAMES, type ActivationJob, type OrchestrationJob } from './queue-names.js';
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
 */
export async function openServiceOrderClient(options: ServiceOrderClientOptions): Promise<ServiceOrderClient> {
  const configDir = options.configDir ?? './config';
  const catalog = options.catalog ?? (await ServiceCatalog.load(`${configDir}/catalog`));
  const inventory = options.inventory ?? (await ResourceInventory.load(`${configDir}/inventory`));
  const base = hashTagged(options.prefix ?? DEFAULT_PREFIX);
  const redis = createRedisConnection(options.redisUrl, 'activation-fleet:client', { cluster: options.cluster ?? false });
  const shards = options.shards ?? (await FleetIdentity.shardsOf(redis, base)) ?? 1;
  const keys = new Keyspace(base, shards);
  const audit = new AuditTrail(redis, keys);
  const store = new OrderStore(redis, keys, audit);
  const telemetry = bullmqTelemetry();
  const orchestration = new Queue<OrchestrationJob>(QUEUE_NAMES.orchestration, { connection: redis, prefix: keys.base, ...(telemetry ? { telemetry } : {}) });
  const activation = keys.allShards().map((s) => new Queue<ActivationJob>(QUEUE_NAMES.activation, { connection: redis, prefix: keys.tag(s), ...(telemetry ? { telemetry } : {}) }));
  const services = new ServiceInventoryStore(redis, keys);
  const rules = await loadQualificationRules(configDir);
  const metrics = new FleetMetrics();
  const dispatcher = new OrderDispatcher({
    store,
    activation: (s) => activation[s] as Queue<ActivationJob>,
    metrics,
    log: createLogger({ level: 'silent' }),
    attempts: options.attempts ?? 3,
    backoffMs: options.backoffMs ?? 1000,
    retention: { completedCount: 10_000, completedAgeSeconds: 3600, failedCount: 10_000, failedAgeSeconds: 7 * 86_400 },
  });
  const producer = new ServiceOrderProducer({ store, keys, catalog, dispatcher, inventory, services, rules, orchestration, metrics });
  return {
    producer,
    store,
    audit,
    services,
    async close() {
      await Promise.all([orchestration.close(), ...activation.map((q) => q.close())]);
      await store.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
