import { QueueEvents, type Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../queues/queue-names.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

/**
 * Every queue keeps finished jobs as JOBS_KEEP_* says, whoever added them: the intake queue's
 * jobs come from upstream clients with no options at all, the orchestration queue's start jobs
 * from the intake, the activation queue's from the dispatcher.
 */
let h: FleetHarness;
let intakeEvents: QueueEvents;

beforeAll(async () => {
  h = await startFleetHarness({ env: { JOBS_KEEP_COMPLETED: '2', JOBS_KEEP_FAILED: '1', ACTIVATION_ATTEMPTS: '1' } });
  intakeEvents = new QueueEvents(QUEUE_NAMES.intake, { connection: { url: h.redis.url }, prefix: h.fleet.queues.intake.opts.prefix });
  await intakeEvents.waitUntilReady();
});
afterAll(async () => {
  await intakeEvents?.close();
  await h?.stop();
});

const counts = async (queues: Queue[]) => {
  let completed = 0;
  let failed = 0;
  for (const queue of queues) {
    const c = await queue.getJobCounts('completed', 'failed');
    completed += c.completed ?? 0;
    failed += c.failed ?? 0;
  }
  return { completed, failed };
};

describe('job retention', () => {
  it('holds every queue to JOBS_KEEP_COMPLETED and JOBS_KEEP_FAILED, jobs added by an upstream client included', async () => {
    // Three bundles that start a moment later (a delayed start job each) and one rejected order,
    // all put on the intake queue the way an upstream system does: a plain add, no options.
    const soon = () => new Date(Date.now() + 200).toISOString();
    const orders = [0, 1, 2].map(() => mobileBundle({ extra: { requestedStartDate: soon() } }).order);
    const refused = mobileBundle().order;
    refused.serviceOrderItem[1]!.service.serviceCharacteristic![1] = { name: 'plan', value: 'platinum' };
    const results: Array<{ id: string; state: string }> = [];
    for (const order of [...orders, refused]) {
      const job = await h.fleet.queues.intake.add('order', { order });
      expect(job.opts.removeOnComplete, 'the client set no retention').toBeUndefined();
      results.push((await job.waitUntilFinished(intakeEvents, 20_000)) as { id: string; state: string });
    }
    expect(results.map((r) => r.state)).toEqual(['acknowledged', 'acknowledged', 'acknowledged', 'rejected']);
    for (const { id } of results.slice(0, 3)) expect((await h.waitForFinal(id)).state).toBe('completed');

    expect(await counts([h.fleet.queues.intake]), 'intake: 4 completed, 2 kept').toEqual({ completed: 2, failed: 0 });
    expect(await counts([h.fleet.queues.orchestration]), 'orchestration: 3 start jobs completed, 2 kept').toEqual({ completed: 2, failed: 0 });
    expect(await counts(h.fleet.queues.activationShards), 'activation: 9 item jobs completed, 2 kept').toEqual({ completed: 2, failed: 0 });

    // Two bundles whose plan the PCRF refuses: two failed item jobs (their error kept), one kept.
    h.lab.pcrf.failOn(/^plan /, 'unknown plan');
    try {
      for (let i = 0; i < 2; i++) {
        const { order } = await h.fleet.producer.submitServiceOrder(mobileBundle().order);
        expect((await h.waitForFinal(order.id)).state).toBe('failed');
      }
    } finally {
      h.lab.pcrf.failOn(null);
    }
    expect((await counts(h.fleet.queues.activationShards)).failed, 'activation: 2 failed, 1 kept').toBe(1);
    const failed = (await Promise.all(h.fleet.queues.activationShards.map((q) => q.getFailed()))).flat();
    expect(failed.map((j) => [j.data.itemId, j.failedReason])).toEqual([['mobile-plan', expect.stringContaining('unknown plan')]]);
  });
});
