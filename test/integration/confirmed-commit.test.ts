import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../adapters/change-set.js';
import { NetconfAdapter } from '../../adapters/netconf/netconf-adapter.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { ledgerField } from '../../stores/order-fields.js';
import { createRedisConnection } from '../../queues/redis-connection.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';
import type { FleetProcess } from '../../runtime/fleet-process.js';
import { startLabFleet } from '../support/lab-fleet.js';
import { mobileBundle } from '../support/mobile-bundle.js';

let redis: PrivateRedis;
let lab: SimulatedLab;
let fleet: FleetProcess;
let inventory: ResourceInventory;

beforeAll(async () => {
  redis = await startPrivateRedis();
  lab = await startSimulatedLab();
  inventory = ResourceInventory.fromInputs(lab.inventory.all().map((ne) => (ne.id === 'npdb-1' ? { ...ne, maxSessions: 1, netconf: { confirmedCommit: true } } : ne)));
  fleet = await startLabFleet(lab, inventory, { REDIS_URL: redis.url, QUEUE_PREFIX: 'confirmed', ACTIVATION_BACKOFF_MS: '50' });
});
afterAll(async () => {
  await fleet?.stop();
  await lab?.close();
  await redis?.stop();
});

async function finished(id: string) {
  for (let i = 0; i < 400; i++) {
    const o = await fleet.producer.getServiceOrder(id);
    if (['completed', 'failed'].includes(o.state)) return o;
    await new Promise((r) => setTimeout(r, 25));
  }
  return fleet.producer.getServiceOrder(id);
}

describe('NETCONF changes as confirmed commits with persist-id', () => {
  it('commits with confirmed + persist, runs the tests, then confirms by persist-id', async () => {
    const { order: submitted } = await fleet.producer.submitServiceOrder(mobileBundle({ id: `cc-${Date.now()}` }).order);
    expect((await finished(submitted.id)).state).toBe('completed');
    const rpcs = (await fleet.audit.listByOrder(submitted.id)).filter((e) => e.neId === 'npdb-1' && e.operation === 'netconf-rpc').map((e) => e.request);
    const persistId = `${submitted.id}.number-porting.activate.register-ported-number`;
    const confirmed = rpcs.findIndex((r) => r.includes('<confirmed/>') && r.includes(`<persist>${persistId}</persist>`));
    const confirming = rpcs.findIndex((r) => r.includes(`<persist-id>${persistId}</persist-id>`));
    expect(confirmed).toBeGreaterThanOrEqual(0);
    expect(confirming).toBeGreaterThan(confirmed);
    // Confirmed last: after the post-activation tests of every item of the bundle.
    const audit = await fleet.audit.listByOrder(submitted.id);
    const confirmAt = Date.parse(audit.find((e) => e.kind === 'confirm' && e.request.includes('<persist-id>'))?.startedAt ?? '');
    const lastActivation = Math.max(...audit.filter((e) => e.kind === 'activate').map((e) => Date.parse(e.startedAt)));
    expect(confirmAt).toBeGreaterThanOrEqual(lastActivation);
    expect(fleet.metrics.confirmedCommits).toBeDefined();
    const counts = (await fleet.metrics.confirmedCommits.get()).values.map((v) => [v.labels.outcome, v.value]);
    expect(counts).toEqual(expect.arrayContaining([['opened', expect.any(Number)], ['confirmed', expect.any(Number)]]));
  });

  it('a run restarted after a crash between commit and confirm confirms the pending change instead of sending it again', async () => {
    const id = `cc-crash-${Date.now()}`;
    const { order, msisdn } = mobileBundle({ id });
    const dry = await fleet.producer.dryRunServiceOrder(order);
    // The dry run names the NEs of the order's window.
    expect(dry.commitWindow?.neIds).toEqual(['npdb-1']);
    const porting = dry.items.find((i) => i.itemId === 'number-porting')?.steps[0];
    // What the crashed run left: the change committed as a pending confirmed commit, the ledger at pending.
    const persistId = `${id}.number-porting.activate.register-ported-number`;
    const adapter = new NetconfAdapter(inventory.get('npdb-1')!, lab.credentials(inventory.get('npdb-1')!));
    await adapter.applyConfirmed(porting?.apply as ChangeSet, persistId, 120);
    await adapter.close();
    // The order starts in a moment; meanwhile its ledger gets the crashed run's entry (an older fence).
    const { order: submitted } = await fleet.producer.submitServiceOrder({ ...order, requestedStartDate: new Date(Date.now() + 1500).toISOString() });
    const ledgerRedis = createRedisConnection(redis.url, 'test-ledger');
    await ledgerRedis.hset(fleet.keys.order(id), ledgerField('number-porting', 'activate', 'register-ported-number'), '0|pending');
    await ledgerRedis.quit();

    expect((await finished(submitted.id)).state).toBe('completed');
    const rpcs = (await fleet.audit.listByOrder(id)).filter((e) => e.neId === 'npdb-1' && e.operation === 'netconf-rpc').map((e) => e.request);
    expect(rpcs.some((r) => r.includes('<edit-config'))).toBe(false);
    expect(rpcs.some((r) => r.includes(`<persist-id>${persistId}</persist-id>`))).toBe(true);
    expect(lab.npdb.runningXml()).toContain(msisdn);
  });
});
