import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetconfAdapter } from '../../adapters/netconf/netconf-adapter.js';
import { networkElementSchema } from '../../inventory/network-element.js';
import { createLogger } from '../../observability/logger.js';
import type { ServiceOrder } from '../../orders/service-order.js';
import { startNetconfdPeer, type NetconfdPeer } from '../../peers/netconfd-peer.js';
import { loadFleetConfig } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import type { FleetProcess } from '../../runtime/fleet-process.js';
import { startOnePeerFleet } from '../support/peer-fleet.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const IANAIFT_NS = 'urn:ietf:params:xml:ns:yang:iana-if-type';

let peer: NetconfdPeer;
let redis: PrivateRedis;
let fleet: FleetProcess;

beforeAll(async () => {
  [peer, redis] = await Promise.all([startNetconfdPeer({ instance: 'commit-pending' }), startPrivateRedis()]);
  fleet = await startOnePeerFleet(peer, {
    // Two attempts only: waiting for the pending commit must not spend them.
    config: loadFleetConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: `wait-${randomBytes(3).toString('hex')}`, ACTIVATION_ATTEMPTS: '2', ACTIVATION_BACKOFF_MS: '100', CONFIRM_TIMEOUT_S: '60' }),
    log: createLogger({ level: process.env.TEST_LOG_LEVEL === undefined ? 'silent' : (process.env.TEST_LOG_LEVEL as 'warn') }),
    catalog: await loadServiceCatalog('config/catalog'),
  });
});
afterAll(async () => {
  await fleet?.stop();
  await redis?.stop();
  await peer?.stop();
});

const orderFor = (name: string) => ({
  serviceOrderItem: [
    {
      id: 'iface',
      action: 'add' as const,
      service: { serviceSpecification: { id: 'network-interface' }, serviceCharacteristic: [{ name: 'interfaceName', value: name }, { name: 'description', value: `waits ${name}` }] },
    },
  ],
});

async function finished(id: string, timeoutMs: number): Promise<ServiceOrder> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await fleet.producer.getServiceOrder(id);
    if (['completed', 'failed', 'partial', 'cancelled'].includes(o.state) || Date.now() > deadline) return o;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('work for an NE holding a confirmed commit waits for it', () => {
  it('20 orders queued on netconfd while a dead worker\'s confirmed commit is pending all wait and complete, none failed', async () => {
    const ne = networkElementSchema.parse(peer.ne);
    const before = await peer.runningConfig(`<interfaces xmlns="${IF_NS}"/>`);
    // What a worker killed between its confirmed commit and the confirmation leaves: a pending
    // commit with a persist-id, outliving the session. Nobody confirms it: the device reverts it.
    const orphan = `orphan${randomBytes(3).toString('hex')}`;
    const dead = new NetconfAdapter(ne, peer.credentials);
    await dead.applyConfirmed(
      { protocol: 'netconf', configXml: `<interfaces xmlns="${IF_NS}"><interface><name>${orphan}</name><type xmlns:ianaift="${IANAIFT_NS}">ianaift:ethernetCsmacd</type></interface></interfaces>` },
      `dead-worker-${orphan}`,
      15,
    );
    await dead.close();
    const committedAt = Date.now();

    const names = Array.from({ length: 20 }, (_, i) => `wait${i}x${randomBytes(2).toString('hex')}`);
    const ids = await Promise.all(names.map(async (name) => (await fleet.producer.submitServiceOrder(orderFor(name))).order.id));
    // While the commit is pending, the orders wait: none fails, none is through.
    await new Promise((r) => setTimeout(r, 5000));
    const meanwhile = await Promise.all(ids.map((id) => fleet.producer.getServiceOrder(id)));
    expect(meanwhile.filter((o) => o.state === 'failed')).toEqual([]);
    expect(await peer.runningConfig(`<interfaces xmlns="${IF_NS}"/>`)).toContain(orphan);

    const results = await Promise.all(ids.map((id) => finished(id, 110_000)));
    const waitedS = (Date.now() - committedAt) / 1000;
    const states = results.map((o) => o.state);
    console.log(`20 orders behind a pending confirmed commit (15 s): ${states.filter((s) => s === 'completed').length} completed, ${states.filter((s) => s === 'failed').length} failed, all done ${waitedS.toFixed(1)} s after the commit`);
    expect(states.filter((s) => s !== 'completed')).toEqual([]);

    // Counted on the device: every order's interface is there, the dead worker's change reverted.
    const running = await peer.runningConfig(`<interfaces xmlns="${IF_NS}"/>`);
    expect(names.filter((name) => !running.includes(`<name>${name}</name>`))).toEqual([]);
    expect(running).not.toContain(orphan);
    expect(before).not.toContain(orphan);
    // Waiting spent no attempt: with two attempts each, any attempt past the first is a real
    // retry (netconfd can leave a lock unanswered for a while as it rolls the commit back).
    const attempts = await Promise.all(ids.map(async (id) => (await fleet.store.require(id)).items.iface?.attempts ?? 0));
    console.log(`attempts per item: ${attempts.join(' ')}`);
    expect(attempts.every((n) => n >= 1 && n <= 2)).toBe(true);
  });
});
