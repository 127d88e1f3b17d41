import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { ServiceOrderInput, ServiceOrderItemInput } from '../../orders/service-order.js';
import type { FrrPeer } from '../../peers/frr-peer.js';
import type { NetconfdPeer } from '../../peers/netconfd-peer.js';
import type { FleetProcess } from '../../runtime/fleet-process.js';
import { finalState, startCliAndNetconfFleet, type CliAndNetconfFleet } from '../support/peer-fleet.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

/**
 * The intake's guards with real devices behind the fleet: an interface on netconfd and a BGP
 * neighbor on FRR that relies on it, added by one order. Taking away what a live service relies
 * on, a second service on a held resource, a duplicate identity, and a modify of what the device
 * keys a service by are refused at intake, naming the field or the holder, and neither device
 * changes by a byte; deleting in the right order then removes both.
 */
let frr: FrrPeer;
let netconfd: NetconfdPeer;
let fleet: FleetProcess;
let peers: CliAndNetconfFleet;

const unique = (): string => randomBytes(3).toString('hex');

beforeAll(async () => {
  const shipped = await loadServiceCatalog('config/catalog');
  // An operator's peering product: the shipped BGP neighbor, identified by its circuit reference.
  const bgp = parse(await readFile('config/catalog/bgp-neighbor.yaml', 'utf8')) as Record<string, unknown>;
  const peering = ServiceCatalog.fromDocuments([{ source: 'customer-peering.yaml', content: { ...bgp, id: 'customer-peering', name: 'Customer peering', identity: ['description'] } }]);
  peers = await startCliAndNetconfFleet('netconfd-guards', new ServiceCatalog([...shipped.specifications(), ...peering.specifications()]));
  ({ frr, netconfd, fleet } = peers);
});

afterAll(async () => {
  await peers?.stop();
});

const add = (id: string, specId: string, values: Record<string, string | number | boolean>, reliesOn?: string): ServiceOrderItemInput => ({
  id,
  action: 'add',
  service: { serviceSpecification: { id: specId }, serviceCharacteristic: Object.entries(values).map(([name, value]) => ({ name, value })) },
  ...(reliesOn ? { serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: reliesOn } }] } : {}),
});

const devices = async (): Promise<string[]> => [await frr.runningConfig(), await netconfd.runningConfig()];

/** Submitted, refused at intake with exactly these codes, and no device changed. */
async function refused(order: ServiceOrderInput, codes: string[]): Promise<string[]> {
  const before = await devices();
  const dry = await fleet.producer.dryRunServiceOrder(order);
  expect(dry.reasons.map((r) => r.code)).toEqual(codes);
  const { order: submitted } = await fleet.producer.submitServiceOrder(order);
  expect(submitted.state).toBe('rejected');
  expect(submitted.errorMessage?.map((e) => e.code)).toEqual(codes);
  expect(await devices()).toEqual(before);
  return (submitted.errorMessage ?? []).map((e) => e.message ?? '');
}

describe('intake guards in front of FRR and netconfd', () => {
  it('refuses taking away what a live service relies on, a held neighbor, a duplicate identity and a modify of a key; deleting in order removes both', async () => {
    const neighborIp = `198.51.100.${10 + Math.floor(Math.random() * 200)}`;
    const interfaceName = `eth${unique()}`;
    const circuit = `circuit-${unique()}`;
    const { order } = await fleet.producer.submitServiceOrder({
      serviceOrderItem: [add('port', 'network-interface', { interfaceName, description: 'customer 4711', enabled: true }), add('bgp', 'customer-peering', { neighborIp, remoteAs: 64997, description: circuit }, 'port')],
    });
    const done = await finalState(fleet.store, order.id);
    expect(done.state, JSON.stringify(done.serviceOrderItem)).toBe('completed');
    const items = (await fleet.store.require(order.id)).items;
    const port = items['port']?.serviceId ?? '';
    const bgp = items['bgp']?.serviceId ?? '';
    expect(await frr.runningConfig()).toContain(`neighbor ${neighborIp} description ${circuit}`);
    expect(await netconfd.runningConfig()).toContain(`<name>${interfaceName}</name>`);

    // The interface while the peering relies on it.
    const [reliedOn] = await refused({ serviceOrderItem: [{ id: 'rm', action: 'delete', service: { id: port } }] }, ['ORDER_SERVICE_RELIED_ON']);
    expect(reliedOn).toContain(`service ${port} is relied on by ${bgp} (customer-peering, active)`);

    // A second service on the same neighbor of the same router (another circuit: no identity clash).
    const [claimed] = await refused({ serviceOrderItem: [add('again', 'bgp-neighbor', { neighborIp, remoteAs: 64996, description: 'other' })] }, ['ORDER_RESOURCE_CLAIMED']);
    expect(claimed).toContain(`resource router bgp 65001 neighbor ${neighborIp} on network element ${frr.ne.id} is already claimed by customer-peering service ${bgp}`);

    // The same circuit again, on another neighbor.
    const [identity] = await refused({ serviceOrderItem: [add('dup', 'customer-peering', { neighborIp: '203.0.113.9', remoteAs: 64995, description: circuit })] }, ['ORDER_IDENTITY_IN_USE']);
    expect(identity).toContain(`description ${circuit} is already held by customer-peering service ${bgp} (active)`);

    // The interface renamed by a modify: the device keys it by its name.
    const [key] = await refused({ serviceOrderItem: [{ id: 'mv', action: 'modify', service: { id: port, serviceCharacteristic: [{ name: 'interfaceName', value: `${interfaceName}x` }] } }] }, ['ORDER_INVALID_CHARACTERISTIC']);
    expect(key).toContain(`characteristic interfaceName is set by the add of network-interface and not changed by a modify (service ${port} has ${interfaceName})`);

    // The dependent first, then what it relied on: both go, from the devices too.
    const { order: removed } = await fleet.producer.submitServiceOrder({
      serviceOrderItem: [
        { id: 'bgp', action: 'delete', service: { id: bgp } },
        { id: 'port', action: 'delete', service: { id: port }, serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'bgp' } }] },
      ],
    });
    expect((await finalState(fleet.store, removed.id)).state).toBe('completed');
    expect(await frr.runningConfig()).not.toContain(`neighbor ${neighborIp}`);
    expect(await netconfd.runningConfig()).not.toContain(`<name>${interfaceName}</name>`);
  });
});
