import type { FleetConfig } from '../runtime/fleet-config.js';
import type { AuditTrail } from '../stores/audit-trail.js';
import type { OrderStore } from '../stores/order-store.js';
import type { ServiceInventoryStore } from '../stores/service-inventory-store.js';
import type { ServiceOrderClient } from '../queues/service-order-client.js';

/** The environment's configuration, validated (a wrong value is a FleetError naming it). */
export async function cliConfig(): Promise<FleetConfig> {
  const { loadFleetConfig } = await import('../runtime/fleet-config.js');
  return loadFleetConfig();
}

export interface ReadStores {
  store: OrderStore;
  audit: AuditTrail;
  services: ServiceInventoryStore;
}

/**
 * What the read commands (status, events, audit, services) need: the stores on one Redis
 * connection, without the catalog, the inventory or BullMQ that submitting loads.
 */
export async function withReadStores<T>(config: FleetConfig, work: (stores: ReadStores) => Promise<T>): Promise<T> {
  const [{ createRedisConnection }, { OrderStore }, { AuditTrail }, { ServiceInventoryStore }, { Keyspace }, { FleetIdentity }] = await Promise.all([
    import('../queues/redis-connection.js'),
    import('../stores/order-store.js'),
    import('../stores/audit-trail.js'),
    import('../stores/service-inventory-store.js'),
    import('../stores/keyspace.js'),
    import('../stores/fleet-identity.js'),
  ]);
  const redis = createRedisConnection(config.redisUrl, 'activation-fleet:cli', { cluster: config.redisCluster });
  // The shard count the fleet recorded (a fleet that never started has one).
  const keys = new Keyspace(config.queuePrefix, (await FleetIdentity.shardsOf(redis, config.queuePrefix)) ?? config.queueShards);
  const audit = new AuditTrail(redis, keys);
  const store = new OrderStore(redis, keys, audit);
  try {
    return await work({ store, audit, services: new ServiceInventoryStore(redis, keys) });
  } finally {
    await store.close();
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** The producer upstream systems use (catalog, inventory and policies loaded from CONFIG_DIR), for submit, cancel and dry-run. */
export async function withOrderClient<T>(config: FleetConfig, work: (client: ServiceOrderClient) => Promise<T>): Promise<T> {
  const { openServiceOrderClient } = await import('../queues/service-order-client.js');
  const client = await openServiceOrderClient({ redisUrl: config.redisUrl, configDir: config.configDir, prefix: config.queuePrefix, cluster: config.redisCluster });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/** A Redis URL fit for a log line: the password replaced. */
export function redactedRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable REDIS_URL)';
  }
}
