import { randomBytes } from 'node:crypto';
import type { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { NeCredentials, NetworkElement, NetworkElementInput } from '../../inventory/network-element.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import type { OrderRecord } from '../../orders/order-record.js';
import type { ServiceOrder } from '../../orders/service-order.js';
import { createLogger } from '../../observability/logger.js';
import { startFrrPeer, type FrrPeer } from '../../peers/frr-peer.js';
import { startNetconfdPeer, type NetconfdPeer } from '../../peers/netconfd-peer.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startPrivateRedis } from '../../runtime/private-redis.js';
import { startFleetProcess, type FleetProcess, type FleetProcessOptions } from '../../runtime/fleet-process.js';

const FINAL = ['completed', 'failed', 'partial', 'cancelled', 'rejected'];

/** The order once it is final (rejected counts), read from the store every 50 ms; fails past the deadline with what it last read. */
export async function finalState(store: { get(orderId: string): Promise<OrderRecord | undefined> }, orderId: string, timeoutMs = 60_000): Promise<ServiceOrder> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await store.get(orderId);
    if (record && FINAL.includes(record.order.state)) return record.order;
    if (Date.now() > deadline) throw new Error(`order ${orderId} not final in ${timeoutMs} ms: ${JSON.stringify(record?.order)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every role in this process, without HTTP, for an inventory of one real peer that logs in with the peer's own credentials. */
export function startOnePeerFleet(peer: { ne: NetworkElementInput; credentials: NeCredentials }, options: Pick<FleetProcessOptions, 'config' | 'log' | 'catalog'>): Promise<FleetProcess> {
  return startFleetProcess({
    ...options,
    roles: ROLES,
    inventory: ResourceInventory.fromInputs([peer.ne]),
    credentials: () => peer.credentials,
    http: false,
  });
}

/** FRR and netconfd on loopback, a private Redis, and a fleet with every role in this process logging in to each with its own credentials. */
export interface CliAndNetconfFleet {
  frr: FrrPeer;
  netconfd: NetconfdPeer;
  fleet: FleetProcess;
  stop(): Promise<void>;
}

export async function startCliAndNetconfFleet(instance: string, catalog: ServiceCatalog): Promise<CliAndNetconfFleet> {
  const [frr, netconfd, redis] = await Promise.all([startFrrPeer(), startNetconfdPeer({ instance }), startPrivateRedis()]);
  const credentials = (ne: NetworkElement): NeCredentials => (ne.id === frr.ne.id ? frr.credentials : netconfd.credentials);
  const config = loadFleetConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: `${instance}-${randomBytes(3).toString('hex')}`, ACTIVATION_ATTEMPTS: '2', ACTIVATION_BACKOFF_MS: '50', HTTP_PORT: '0' });
  const fleet = await startFleetProcess({ config, roles: ROLES, log: createLogger({ level: 'silent' }), catalog, inventory: ResourceInventory.fromInputs([frr.ne, netconfd.ne]), credentials, http: false });
  return {
    frr,
    netconfd,
    fleet,
    async stop() {
      await fleet.stop();
      await Promise.all([frr.stop(), netconfd.stop(), redis.stop()]);
    },
  };
}
