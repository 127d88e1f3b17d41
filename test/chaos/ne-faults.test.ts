import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { addFigures } from './chaos-figures.js';
import { startChaosFleet, type ChaosFleet } from './chaos-fleet.js';

let chaos: ChaosFleet;

beforeAll(async () => {
  chaos = await startChaosFleet();
});
afterAll(async () => {
  await chaos?.stop();
});

describe('NEs that drop sessions mid-change or answer too slowly', () => {
  it('retries with backoff, then rolls the bundle back so the NEs hold what they held before', async () => {
    const worker = await chaos.startWorker();
    const broken = mobileBundle();
    const fine = Array.from({ length: 10 }, () => mobileBundle());
    // The PCRF drops the session every time this subscriber's plan line arrives.
    chaos.lab.pcrf.dropSessionOn(new RegExp(`^data-cap-gb 50$`));
    const pcrfBefore = chaos.lab.pcrf.runningConfig();
    const { order } = await chaos.fleet.producer.submitServiceOrder(broken.order);
    const [failed] = await chaos.waitForFinal([order.id], 60_000);
    chaos.lab.pcrf.dropSessionOn(null);

    expect(failed?.state).toBe('failed');
    const plan = failed?.serviceOrderItem.find((i) => i.id === 'mobile-plan');
    expect(plan?.errorMessage?.[0]?.code).toBe('NE_CONNECTION_FAILED');
    const record = await chaos.fleet.store.require(order.id);
    expect(record.items['mobile-plan']?.attempts).toBe(5);
    // Rolled back everywhere: nothing of this order is left on any NE.
    expect(chaos.lab.pcrf.runningConfig()).toBe(pcrfBefore);
    expect(chaos.lab.npdb.runningXml()).not.toContain(broken.msisdn);
    expect(chaos.lab.vms.mailboxes().some((m) => m.msisdn === broken.msisdn)).toBe(false);

    // An NE slower than the command timeout for a while: the affected items retry and complete.
    chaos.lab.vms.setLatencyMs(3500);
    const submitted = await Promise.all(fine.map((b) => chaos.fleet.producer.submitServiceOrder(b.order)));
    await new Promise((r) => setTimeout(r, 4000));
    chaos.lab.vms.setLatencyMs(0);
    const finals = await chaos.waitForFinal(submitted.map((s) => s.order.id), 120_000);
    const retried = (await Promise.all(submitted.map((s) => chaos.fleet.store.require(s.order.id)))).filter((r) => (r.items.voicemail?.attempts ?? 0) > 1).length;
    console.log(`session drops: 5 attempts then rollback; slow NE: ${retried} of ${fine.length} voicemail items retried; states ${finals.map((o) => o.state).join(',')}`);
    expect(finals.map((o) => o.state)).toEqual(Array(fine.length).fill('completed'));
    expect(retried).toBeGreaterThan(0);
    for (const b of fine) expect(chaos.lab.vms.mailboxes().filter((m) => m.msisdn === b.msisdn)).toHaveLength(1);

    addFigures({ ordersRun: 1 + fine.length, faultsInjected: 5 + retried, ordersLost: finals.filter((o) => o.state !== 'completed').length });
    worker.kill('SIGTERM');
  });
});
