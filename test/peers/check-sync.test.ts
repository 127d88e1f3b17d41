import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapterFactory } from '../../adapters/adapter-factory.js';
import { AdapterPool } from '../../adapters/adapter-pool.js';
import type { ChangeSet } from '../../adapters/change-set.js';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { NeCredentials, NetworkElement } from '../../inventory/network-element.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { createLogger } from '../../observability/logger.js';
import type { ServiceOrderItemInput } from '../../orders/service-order.js';
import { startFrrPeer, type FrrPeer } from '../../peers/frr-peer.js';
import { startNetconfdPeer, type NetconfdPeer } from '../../peers/netconfd-peer.js';
import { startSnmpdPeer, SYSTEM_OIDS, type SnmpdPeer } from '../../peers/snmpd-peer.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { finalState } from '../support/peer-fleet.js';
import { checkSync, type ServiceSync } from '../../workers/service-sync.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

/**
 * check-sync on the real devices: one service of the shipped catalog on each of FRR (BGP
 * neighbor over SSH CLI), netconfd (ietf-interfaces over NETCONF) and snmpd (contact and
 * location over SNMPv3), added by orders. The audit finds them in sync and changes nothing; a
 * change made on each device behind the fleet's back (by a session of another operator, not
 * by an order) shows as drift of that service only, with what the device showed.
 */
let frr: FrrPeer;
let netconfd: NetconfdPeer;
let snmpd: SnmpdPeer;
let redis: PrivateRedis;
let fleet: FleetProcess;
let inventory: ResourceInventory;
let catalog: ServiceCatalog;
/** Another operator's sessions: not the fleet's pool, not an order. */
let operator: AdapterPool;

const unique = (): string => randomBytes(3).toString('hex');
const credentialsOf = (ne: NetworkElement): NeCredentials => {
  const peer = { 'frr-1': frr, 'netconfd-1': netconfd, 'snmpd-1': snmpd }[ne.id];
  if (!peer) throw new Error(`no peer ${ne.id}`);
  return peer.credentials;
};

beforeAll(async () => {
  [frr, netconfd, snmpd, redis] = await Promise.all([startFrrPeer(), startNetconfdPeer({ instance: 'netconfd-check-sync' }), startSnmpdPeer({ commandTimeoutMs: 2000 }), startPrivateRedis()]);
  inventory = ResourceInventory.fromInputs([frr.ne, netconfd.ne, snmpd.ne]);
  catalog = await loadServiceCatalog('config/catalog');
  const config = loadFleetConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: `check-sync-${unique()}`, ACTIVATION_ATTEMPTS: '2', ACTIVATION_BACKOFF_MS: '50', HTTP_PORT: '0' });
  fleet = await startFleetProcess({ config, roles: ROLES, log: createLogger({ level: 'silent' }), catalog, inventory, credentials: credentialsOf, http: false });
  operator = new AdapterPool(createAdapterFactory(credentialsOf));
});

afterAll(async () => {
  await operator?.close();
  await fleet?.stop();
  await Promise.all([frr?.stop(), netconfd?.stop(), snmpd?.stop(), redis?.stop()]);
});

const item = (id: string, specId: string, values: Record<string, string | number | boolean>): ServiceOrderItemInput => ({
  id,
  action: 'add',
  service: { serviceSpecification: { id: specId }, serviceCharacteristic: Object.entries(values).map(([name, value]) => ({ name, value })) },
});

async function behindTheFleet(neId: string, change: ChangeSet): Promise<void> {
  const ne = inventory.get(neId);
  if (!ne) throw new Error(`no ${neId}`);
  await operator.withAdapter(ne, (adapter) => adapter.apply(change));
}

describe('check-sync against FRR, netconfd and snmpd', () => {
  it('finds each service in sync, then each change made behind the fleet on its device as drift of that service only', async () => {
    const neighborIp = `198.51.100.${10 + Math.floor(Math.random() * 200)}`;
    const interfaceName = `eth${unique()}`;
    const contact = `noc-${unique()}@example.net`;
    const { order: submitted } = await fleet.producer.submitServiceOrder({
      serviceOrderItem: [
        item('bgp', 'bgp-neighbor', { neighborIp, remoteAs: 64998, description: 'audit-e2e' }),
        item('port', 'network-interface', { interfaceName, description: 'customer 4711', enabled: true }),
        item('contact', 'system-contact', { contact, location: 'Paris DC1 rack 12' }),
      ],
    });
    const added = await finalState(fleet.store, submitted.id);
    expect(added.state, JSON.stringify(added.serviceOrderItem)).toBe('completed');
    const record = await fleet.store.require(submitted.id);
    const services = [...(await fleet.services.getMany(Object.values(record.items).map((i) => i.serviceId))).values()];
    expect(services).toHaveLength(3);
    const deps = { catalog, directory: inventory, withAdapter: fleet.pool.withAdapter.bind(fleet.pool) } as Parameters<typeof checkSync>[0];
    const bySpec = (results: ServiceSync[]) => Object.fromEntries(results.map((r) => [r.specId, r]));

    const devicesBefore = [await frr.runningConfig(), await netconfd.runningConfig(), await snmpd.get(SYSTEM_OIDS.sysContact), await snmpd.get(SYSTEM_OIDS.sysLocation)];
    const first = bySpec(await checkSync(deps, services));
    expect(Object.values(first).map((r) => [r.specId, r.status, r.error])).toEqual(
      expect.arrayContaining([
        ['bgp-neighbor', 'in-sync', undefined],
        ['network-interface', 'in-sync', undefined],
        ['system-contact', 'in-sync', undefined],
      ]),
    );
    expect(Object.values(first).every((r) => r.tests > 0)).toBe(true);
    // The audit only read.
    expect([await frr.runningConfig(), await netconfd.runningConfig(), await snmpd.get(SYSTEM_OIDS.sysContact), await snmpd.get(SYSTEM_OIDS.sysLocation)]).toEqual(devicesBefore);

    // Behind the fleet's back, one change per device.
    await behindTheFleet('frr-1', { protocol: 'ssh-cli', lines: ['router bgp 65001', `neighbor ${neighborIp} description changed-by-hand`, 'exit'] });
    await behindTheFleet('netconfd-1', {
      protocol: 'netconf',
      configXml: `<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"><interface><name>${interfaceName}</name><enabled>false</enabled></interface></interfaces>`,
    });
    await behindTheFleet('snmpd-1', { protocol: 'snmp', varbinds: [{ oid: SYSTEM_OIDS.sysLocation, type: 'OctetString', value: 'moved to Lyon' }] });
    expect(await frr.runningConfig()).toContain(`neighbor ${neighborIp} description changed-by-hand`);

    const second = bySpec(await checkSync(deps, services));
    expect(second['bgp-neighbor']).toMatchObject({ status: 'drift', drift: [expect.objectContaining({ neId: 'frr-1', role: 'bgp-router', step: 'configure-bgp-neighbor' })] });
    expect(second['bgp-neighbor']?.drift[0]?.test).toContain(`neighbor ${neighborIp} description audit-e2e`);
    // What the router showed (its first 300 characters: the block's start, the neighbor's lines).
    expect(second['bgp-neighbor']?.drift[0]?.observed).toContain(`neighbor ${neighborIp} remote-as 64998`);
    expect(second['network-interface']).toMatchObject({ status: 'drift', drift: [expect.objectContaining({ neId: 'netconfd-1', role: 'netconf-router', step: 'configure-interface' })] });
    expect(second['network-interface']?.drift[0]?.observed).toContain('<enabled>false</enabled>');
    expect(second['system-contact']).toMatchObject({
      status: 'drift',
      drift: [expect.objectContaining({ neId: 'snmpd-1', role: 'snmp-agent', test: `${SYSTEM_OIDS.sysLocation} = Paris DC1 rack 12`, observed: expect.stringContaining('moved to Lyon') })],
    });
  });
});
