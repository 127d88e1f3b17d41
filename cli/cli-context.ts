import type { FleetConfig } from '../runtime/fleet-config.js';
import type { AuditTrail } from '../stores/audit-trail.js';
import type { OrderStore } from '../stores/order-store.js';
import type { ServiceInventoryStore } from '../stores/service-inventory-store.js';
import type { Redis } from 'ioredis';
import type { Keyspace } from '../stores/keyspace.js';
import type { ServiceOrderClient } from '../runtime/service-order-client.js';

/** The environment's configuration, validated (a wrong value is a FleetError naming it). */
export async function cliConfig(): Promise<FleetConfig> {
  const { loadFleetConfig } = await import('../runtime/fleet-config.js');
  return loadFleetConfig();
}

export interface ReadStores {
  store: OrderStore;
  audit: AuditTrail;
  services: ServiceInventoryStore;
  /** For the commands that need a store of their own (check-sync --all records its summary), loaded by them only. */
  redis: Redis;
  keys: Keyspace;
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
  // A fail-fast connection (the default profile): Redis away ends the command with one line.
  const redis = createRedisConnection(config.redisUrl, 'activation-fleet:cli', { cluster: config.redisCluster });
  // The shard count the fleet recorded (a fleet that never started has one).
  const shards = await FleetIdentity.shardsOf(redis, config.queuePrefix).catch(async (error: unknown) => {
    redis.disconnect();
    throw await asRedisUnavailable(config, error);
  });
  const keys = new Keyspace(config.queuePrefix, shards ?? config.queueShards);
  const audit = new AuditTrail(redis, keys);
  const store = new OrderStore(redis, keys, audit);
  try {
    return await work({ store, audit, services: new ServiceInventoryStore(redis, keys), redis, keys });
  } catch (error) {
    throw await asRedisUnavailable(config, error);
  } finally {
    await store.close();
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** The producer upstream systems use (catalog, inventory and policies loaded from CONFIG_DIR), for submit, cancel and dry-run. */
export async function withOrderClient<T>(config: FleetConfig, work: (client: ServiceOrderClient) => Promise<T>): Promise<T> {
  const { openServiceOrderClient } = await import('../runtime/service-order-client.js');
  const client = await openServiceOrderClient({ redisUrl: config.redisUrl, configDir: config.configDir, prefix: config.queuePrefix, cluster: config.redisCluster }).catch(async (error: unknown) => {
    throw await asRedisUnavailable(config, error);
  });
  try {
    return await work(client);
  } catch (error) {
    throw await asRedisUnavailable(config, error);
  } finally {
    await client.close();
  }
}

/** A failure to reach Redis as the one line a CLI user reads (REDIS_UNAVAILABLE, naming the URL); any other error as it is. */
async function asRedisUnavailable(config: FleetConfig, error: unknown): Promise<unknown> {
  const [{ isRedisUnavailable, redisUnavailable }, { lastRedisError }] = await Promise.all([import('../queues/redis-unavailable.js'), import('../queues/redis-connection.js')]);
  return isRedisUnavailable(error) ? redisUnavailable(config.redisUrl, error, lastRedisError(config.redisUrl)) : error;
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
