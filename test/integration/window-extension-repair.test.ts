import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';
import type { FleetProcess } from '../../runtime/fleet-process.js';
import { startLabFleet } from '../support/lab-fleet.js';
import { mobileBundle } from '../support/mobile-bundle.js';

/**
 * The order's window outlives a lost extension job: the reconciler sees an item waiting in the
 * window whose chain of extensions broke, and extends its commits at once. Without it the NPDB
 * would revert the porting at its confirm timeout and the order would fail.
 */

const CONFIRM_TIMEOUT_S = 8;
let redis: PrivateRedis;
let lab: SimulatedLab;
let fleet: FleetProcess;

beforeAll(async () => {
  redis = await startPrivateRedis();
  lab = await startSimulatedLab();
  const inventory = ResourceInventory.fromInputs(lab.inventory.all().map((ne) => (ne.id === 'npdb-1' ? { ...ne, netconf: { confirmedCommit: true } } : ne)));
  fleet = await startLabFleet(lab, inventory, {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'extrepair',
    ACTIVATION_BACKOFF_MS: '50',
    CONFIRM_TIMEOUT_S: String(CONFIRM_TIMEOUT_S),
    RECONCILE_INTERVAL_MS: '200',
    RECONCILE_QUIET_MS: '400',
    SESSION_LEASE_TTL_MS: '4000',
  });
});
afterAll(async () => {
  lab?.pcrf.onLineTaken(null);
  await fleet?.stop();
  await lab?.close();
  await redis?.stop();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a lost extension job of the order window', () => {
  it('is recreated by the reconciler: the commit is extended, not reverted, and the order completes', async () => {
    // The plan's PCRF line is held until the test lets go: the porting waits in the window meanwhile.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    lab.pcrf.onLineTaken(() => released);
    const { order } = await fleet.producer.submitServiceOrder(mobileBundle().order);
    const extensions = async () => (await fleet.audit.listByOrder(order.id)).filter((e) => e.neId === 'npdb-1' && e.kind === 'extend');

    // The porting is committed unconfirmed, and its first extension is scheduled (half the timeout away).
    const scheduled = await until('the extension job', async () => {
      const jobs = await fleet.queues.activation.getJobs(['delayed']);
      return jobs.find((j) => j.name === 'extend' && j.data.itemId === 'number-porting');
    });
    // The job is lost (a partial loss of Redis, a failed add): nothing in the fleet would extend the commit now.
    await scheduled.remove();
    expect(await fleet.queues.activation.getJob(scheduled.id as string)).toBeUndefined();
    expect(await extensions()).toEqual([]);
    const resumedBefore = (await fleet.metrics.reconciled.get()).values[0]?.value ?? 0;

    // The reconciler gives the item its next extension: one extension on the NPDB follows.
    const extended = await until('an extension of the porting commit', async () => (await extensions()).find((e) => e.outcome === 'ok' && e.request.includes('<commit>')));
    expect(extended.request).toContain('<confirmed/>');
    expect(extended.request).toContain('<persist-id>');
    expect((await fleet.metrics.reconciled.get()).values[0]?.value ?? 0).toBeGreaterThan(resumedBefore);
    // The chain goes on: the next extension is scheduled again.
    await until('the next extension job', async () => (await fleet.queues.activation.getJobs(['delayed'])).find((j) => j.name === 'extend' && j.id !== scheduled.id));

    release();
    lab.pcrf.onLineTaken(null);
    const done = await until('the order to end', async () => {
      const o = await fleet.producer.getServiceOrder(order.id);
      return ['completed', 'failed'].includes(o.state) ? o : undefined;
    });
    expect([done.state, done.serviceOrderItem.map((i) => i.state)]).toEqual(['completed', ['completed', 'completed', 'completed']]);
  }, 120_000);
});
