import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnmpAdapter } from '../../adapters/snmp/snmp-adapter.js';
import { networkElementSchema } from '../../inventory/network-element.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { createLogger } from '../../observability/logger.js';
import type { ServiceOrder } from '../../orders/service-order.js';
import { startFrrPeer, type FrrPeer } from '../../peers/frr-peer.js';
import { startNetconfdPeer, type NetconfdPeer } from '../../peers/netconfd-peer.js';
import { SYSTEM_OIDS, startSnmpdPeer, type SnmpdPeer } from '../../peers/snmpd-peer.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { windowSpec } from '../support/window-peers.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

let redis: PrivateRedis;
let netconfd: NetconfdPeer;
let frr: FrrPeer;
let snmpd: SnmpdPeer;
let fleet: FleetProcess;
let catalogDir: string;

beforeAll(async () => {
  [redis, netconfd, frr, snmpd] = await Promise.all([startPrivateRedis(), startNetconfdPeer({ instance: 'mixed' }), startFrrPeer(), startSnmpdPeer()]);
  catalogDir = await mkdtemp(join(tmpdir(), 'mixed-catalog-'));
  await copyFile('config/catalog/bgp-neighbor.yaml', join(catalogDir, 'bgp-neighbor.yaml'));
  await copyFile('config/catalog/system-contact.yaml', join(catalogDir, 'system-contact.yaml'));
  await writeFile(join(catalogDir, 'iface-a.yaml'), stringify(windowSpec('a')));
  const nc = { ...netconfd.ne, id: 'nc-a', role: 'netconf-a', netconf: { confirmedCommit: true } };
  fleet = await startFleetProcess({
    config: loadFleetConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: `mixed-${randomBytes(3).toString('hex')}`, ACTIVATION_ATTEMPTS: '2', ACTIVATION_BACKOFF_MS: '100' }),
    roles: ROLES,
    log: createLogger({ level: 'silent' }),
    catalog: await loadServiceCatalog(catalogDir),
    inventory: ResourceInventory.fromInputs([nc, frr.ne, snmpd.ne]),
    credentials: (ne) => (ne.id === 'nc-a' ? netconfd.credentials : ne.id === frr.ne.id ? frr.credentials : snmpd.credentials),
    http: false,
  });
});
afterAll(async () => {
  await fleet?.stop();
  await Promise.allSettled([netconfd?.stop(), frr?.stop(), snmpd?.stop()]);
  await redis?.stop();
  if (catalogDir) await rm(catalogDir, { recursive: true, force: true });
});

async function finished(id: string): Promise<ServiceOrder> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const o = await fleet.producer.getServiceOrder(id);
    if (['completed', 'failed', 'partial', 'cancelled'].includes(o.state) || Date.now() > deadline) return o;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a mixed bundle: FRR over SSH CLI, snmpd over SNMPv3, netconfd in the window', () => {
  it('the last item (netconfd) fails its post-test: all three devices as before (undo on FRR and snmpd, cancel-commit on netconfd)', async () => {
    // system-contact's undo sets the neutral empty value (its catalog entry says why): start from it.
    const agent = new SnmpAdapter(networkElementSchema.parse(snmpd.ne), snmpd.credentials);
    await agent.apply({ protocol: 'snmp', varbinds: [{ oid: SYSTEM_OIDS.sysContact, type: 'OctetString', value: '' }, { oid: SYSTEM_OIDS.sysLocation, type: 'OctetString', value: '' }] });
    await agent.close();
    const device = async () => ({ frr: await frr.runningConfig(), contact: await snmpd.get(SYSTEM_OIDS.sysContact), location: await snmpd.get(SYSTEM_OIDS.sysLocation), netconfd: await netconfd.runningConfig() });
    const before = await device();
    const name = `m${randomBytes(2).toString('hex')}`;
    const { order } = await fleet.producer.submitServiceOrder({
      serviceOrderItem: [
        { id: 'bgp', action: 'add', service: { serviceSpecification: { id: 'bgp-neighbor' }, serviceCharacteristic: [{ name: 'neighborIp', value: '192.0.2.91' }, { name: 'remoteAs', value: 65091 }, { name: 'description', value: 'cust-91' }] } },
        { id: 'contact', action: 'add', service: { serviceSpecification: { id: 'system-contact' }, serviceCharacteristic: [{ name: 'contact', value: 'noc@example.net' }, { name: 'location', value: 'Paris DC1' }] }, serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'bgp' } }] },
        {
          id: 'iface',
          action: 'add',
          service: { serviceSpecification: { id: 'iface-a' }, serviceCharacteristic: [{ name: 'interfaceName', value: name }, { name: 'description', value: 'mixed' }, { name: 'probe', value: 'not shown' }] },
          serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'contact' } }],
        },
      ],
    });
    const done = await finished(order.id);
    expect(done.state).toBe('failed');
    expect(done.serviceOrderItem.map((i) => [i.id, i.state])).toEqual([
      ['bgp', 'cancelled'],
      ['contact', 'cancelled'],
      ['iface', 'failed'],
    ]);
    const after = await device();
    expect(after).toEqual(before);
    const audit = await fleet.audit.listByOrder(order.id);
    expect(audit.some((e) => e.neId === 'nc-a' && e.request.includes('<cancel-commit>'))).toBe(true);
    expect(audit.some((e) => e.neId === frr.ne.id && e.kind === 'compensate')).toBe(true);
    expect(audit.some((e) => e.neId === snmpd.ne.id && e.kind === 'compensate')).toBe(true);
    console.log(`mixed bundle, last item failed: FRR ${after.frr === before.frr ? 'as before' : 'CHANGED'}, snmpd ${after.contact === before.contact && after.location === before.location ? 'as before' : 'CHANGED'}, netconfd ${after.netconfd === before.netconfd ? 'byte-identical' : 'CHANGED'}`);
  });
});
