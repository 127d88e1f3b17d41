import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import type { NetworkElementInput } from '../../inventory/network-element.js';
import { createLogger } from '../../observability/logger.js';
import type { ServiceOrderInput } from '../../orders/service-order.js';
import { startFrrPeer, type FrrPeer } from '../../peers/frr-peer.js';
import { startNetconfdPeer, type NetconfdPeer } from '../../peers/netconfd-peer.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { freePort } from '../support/free-port.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

let redis: PrivateRedis;
let frr: FrrPeer;
let netconfd: NetconfdPeer;
let catalog: ServiceCatalog;
const fleets: FleetProcess[] = [];

/** A fleet in which one of the two real NEs is down (its address answers nothing). */
async function fleetWith(down: 'frr' | 'netconfd'): Promise<FleetProcess> {
  const deadPort = await freePort();
  const nes: NetworkElementInput[] = [
    down === 'frr' ? { ...frr.ne, port: deadPort, connectTimeoutMs: 1000 } : frr.ne,
    down === 'netconfd' ? { ...netconfd.ne, port: deadPort, connectTimeoutMs: 1000 } : netconfd.ne,
  ];
  const fleet = await startFleetProcess({
    config: loadFleetConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: `rollback-${down}`, ACTIVATION_ATTEMPTS: '3', ACTIVATION_BACKOFF_MS: '100' }),
    roles: ROLES,
    log: createLogger({ level: 'silent' }),
    catalog,
    inventory: ResourceInventory.fromInputs(nes),
    credentials: (ne) => (ne.id === frr.ne.id ? frr.credentials : netconfd.credentials),
    http: false,
  });
  fleets.push(fleet);
  return fleet;
}

const iface = { id: 'iface', action: 'add' as const, service: { serviceSpecification: { id: 'network-interface' }, serviceCharacteristic: [{ name: 'interfaceName', value: 'eth7' }, { name: 'description', value: 'cust-7 uplink' }] } };
const neighbor = { id: 'bgp', action: 'add' as const, service: { serviceSpecification: { id: 'bgp-neighbor' }, serviceCharacteristic: [{ name: 'neighborIp', value: '192.0.2.77' }, { name: 'remoteAs', value: 65077 }, { name: 'description', value: 'cust-77' }] } };

async function run(fleet: FleetProcess, order: ServiceOrderInput) {
  const { order: submitted } = await fleet.producer.submitServiceOrder(order);
  for (let i = 0; i < 1200; i++) {
    const o = await fleet.producer.getServiceOrder(submitted.id);
    if (['completed', 'failed', 'partial'].includes(o.state)) return o;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('order did not finish');
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  [frr, netconfd] = await Promise.all([startFrrPeer(), startNetconfdPeer({ instance: 'rollback' })]);
  catalog = await loadServiceCatalog('config/catalog');
});
afterAll(async () => {
  for (const f of fleets) await f.stop();
  await Promise.allSettled([frr?.stop(), netconfd?.stop()]);
  await redis?.stop();
});

describe('a bundle across real devices, one of them down', () => {
  it('rolls the netconfd change back when FRR is down: netconfd holds the configuration it held before', async () => {
    const fleet = await fleetWith('frr');
    const before = await netconfd.runningConfig();
    const done = await run(fleet, { serviceOrderItem: [iface, { ...neighbor, serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'iface' } }] }] });
    expect(done.state).toBe('failed');
    expect(done.serviceOrderItem.map((i) => [i.id, i.state, i.errorMessage?.[0]?.code])).toEqual([
      ['iface', 'cancelled', 'ORDER_ITEM_ROLLED_BACK'],
      ['bgp', 'failed', 'NE_CONNECTION_FAILED'],
    ]);
    expect((await fleet.store.require(done.id)).items.bgp?.attempts).toBe(3);
    // netconfd keeps the emptied `interfaces` container after the rollback's delete. It is a YANG
    // non-presence container: empty, it carries no configuration, so it is the same as absent.
    const withoutEmptyContainers = (xml: string) => xml.replace(/<([\w-]+) xmlns="[^"]+"\/>/g, '');
    expect(withoutEmptyContainers(await netconfd.runningConfig())).toBe(withoutEmptyContainers(before));
    expect(await netconfd.runningConfig()).not.toContain('eth7');
  });

  it('rolls the FRR change back when netconfd is down: FRR holds exactly what it held before', async () => {
    const fleet = await fleetWith('netconfd');
    const before = await frr.runningConfig();
    const done = await run(fleet, { serviceOrderItem: [neighbor, { ...iface, serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'bgp' } }] }] });
    expect(done.state).toBe('failed');
    expect(done.serviceOrderItem.find((i) => i.id === 'bgp')?.state).toBe('cancelled');
    expect(await frr.runningConfig()).toBe(before);
  });
});
