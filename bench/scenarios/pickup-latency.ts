import type { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { ChangeSet } from '../../adapters/change-set.js';
import { activationJobId } from '../../queues/queue-names.js';
import { benchInventory, benchNeId, benchOrder, newPrefix, percentile, startBenchFleet, waitUntil } from '../support/bench-fleet.js';
import { FakeNes } from '../support/fake-ne.js';
import { fmt, type Row, type ScenarioResult } from '../support/report.js';

export interface PickupLatencyOptions {
  redisUrl: string;
  catalog: ServiceCatalog;
  /** Items per second asked for (the issue: 2,000). */
  targetRate: number;
  seconds: number;
  /** Items/s the fleet managed end to end in scenario 1, if it ran: where to step down to. */
  capacityHint?: number;
}

interface Attempt {
  rate: number;
  offered: number;
  sent: number;
  /** Items started per second from the first submission until every item had started: what the fleet can take. */
  startRate: number;
  applied: number;
  sustained: boolean;
  /** Activation job added (by intake, with the order) to the first NE operation of the item, ms. */
  enqueueToStart: number[];
  /** Order submitted (intake) to the first NE operation, ms. */
  submitToStart: number[];
  /** BullMQ's own view: job added to picked up by the worker, ms. */
  queueToPickup: number[];
}

const NES = 1000;
const keyOf = (change: ChangeSet): string | undefined => (change.protocol === 'ssh-cli' ? change.lines[0]?.split(' ')[1] : undefined);

/**
 * Open loop: one-item orders submitted on a fixed schedule at `rate` per second, whatever the
 * fleet does, for `seconds`. An attempt is sustained when the fleet keeps up (every item started
 * within a second after the last submission, and no more than half a second's worth pending).
 */
async function attempt(o: PickupLatencyOptions, rate: number, seconds: number): Promise<Attempt> {
  const submittedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const orderOf = new Map<string, string>();
  const onApply = (_ne: unknown, change: ChangeSet): void => {
    const key = keyOf(change);
    if (key && !startedAt.has(key)) startedAt.set(key, Date.now());
  };
  const nes = new FakeNes({ latencyMs: 0, onApply });
  const prefix = newPrefix('pickup');
  const fleet = await startBenchFleet({ redisUrl: o.redisUrl, prefix, roles: ['intake', 'orchestrator', 'worker'], catalog: o.catalog, inventory: benchInventory(NES, 2), factory: nes.factory });
  const offered = Math.round(rate * seconds);
  const maxPending = Math.max(200, rate / 2);
  let sent = 0;
  let overloaded = false;
  const inflight: Array<Promise<void>> = [];
  try {
    const t0 = performance.now();
    while (sent < offered && !overloaded) {
      const due = Math.min(offered, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      for (; sent < due; sent++) {
        const key = `${prefix}-${sent}`;
        submittedAt.set(key, Date.now());
        inflight.push(
          fleet.producer.submitServiceOrder(benchOrder(benchNeId(sent % NES), key)).then(({ order }) => void orderOf.set(key, order.id)),
        );
      }
      overloaded = sent - startedAt.size > maxPending;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all(inflight);
    const sustained = await waitUntil(() => startedAt.size >= sent, 1000, 'items to start', 5).then(
      () => !overloaded,
      () => false,
    );
    // Let the backlog of an overloaded attempt drain before the next one.
    await waitUntil(() => startedAt.size >= sent, 120_000, 'the backlog to drain', 5);
    const startRate = startedAt.size / ((performance.now() - t0) / 1000);
    const enqueueToStart: number[] = [];
    const submitToStart: number[] = [];
    const queueToPickup: number[] = [];
    for (const [key, start] of startedAt) {
      submitToStart.push(start - (submittedAt.get(key) ?? Number.NaN));
      const orderId = orderOf.get(key);
      const job = orderId ? await fleet.queues.activation.getJob(activationJobId({ orderId, itemId: 'item-1', kind: 'activate' })) : undefined;
      if (!job) continue;
      enqueueToStart.push(start - job.timestamp);
      if (job.processedOn) queueToPickup.push(job.processedOn - job.timestamp);
    }
    const sort = (a: number[]): number[] => a.filter(Number.isFinite).sort((x, y) => x - y);
    return { rate, offered, sent, startRate, applied: startedAt.size, sustained, enqueueToStart: sort(enqueueToStart), submitToStart: sort(submitToStart), queueToPickup: sort(queueToPickup) };
  } finally {
    await fleet.stop();
  }
}

const p = (a: number[], q: number): string => fmt(percentile(a, q), 1);

export async function pickupLatency(o: PickupLatencyOptions): Promise<ScenarioResult> {
  await attempt(o, 100, 1); // warm-up, not reported
  const attempts: Attempt[] = [];
  let rate = o.targetRate;
  for (let i = 0; i < 4; i++) {
    // An overloaded attempt stops itself early: half a second of backlog says enough.
    const a = await attempt(o, rate, o.seconds);
    attempts.push(a);
    if (a.sustained) break;
    // Next: a little under what the fleet kept up with (or scenario 1's end-to-end rate).
    const kept = Math.min(a.startRate, o.capacityHint ?? Number.POSITIVE_INFINITY);
    rate = Math.max(25, Math.floor(Math.min(rate * 0.7, kept * 0.75) / 25) * 25);
  }
  const rows: Row[] = attempts.map((a) => {
    const p99 = percentile(a.enqueueToStart, 99);
    return {
      scenario: '3',
      measure: `pickup p50 / p99 ms at ${fmt(a.rate)} items/s${a.sustained ? '' : ' (NOT sustained)'}`,
      value: `${p(a.enqueueToStart, 50)} / ${p(a.enqueueToStart, 99)}`,
      reference: `from submit: ${p(a.submitToStart, 50)} / ${p(a.submitToStart, 99)}; BullMQ pickup ${p(a.queueToPickup, 50)} / ${p(a.queueToPickup, 99)}`,
      target: 'p99 < 50',
      met: a.sustained && p99 < 50,
    };
  });
  const last = attempts[attempts.length - 1];
  return {
    rows,
    notes: [
      `3: open loop, one-item orders on ${NES} instant fake NEs, all roles in the bench process, worker concurrency 32 (default); ${attempts.map((a) => `${fmt(a.rate)}/s: ${fmt(a.sent)} of ${fmt(a.offered)} sent, kept up with ${fmt(a.startRate)}/s, ${a.sustained ? 'sustained' : 'not sustained'}`).join('; ')}.`,
      `3: the result is from the activation job being added (intake enqueues it as it stores the order) to the item's first NE operation; "from submit" adds validation, planning and the order's creation; "BullMQ pickup" is the job's processedOn - timestamp. ${last?.sustained ? `${fmt(last.rate)} items/s is the rate this machine sustained in this run${last.rate < o.targetRate ? `, below the ${fmt(o.targetRate)} asked for` : ''}.` : 'No rate tried was sustained.'}`,
    ],
  };
}
