import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { ResourceInventory } from '../../inventory/resource-inventory.js';
import { cpuSeconds, newPrefix, redisDelta, redisStats, runParallel, startBenchFleet, sumCounter, waitUntil, type RedisStats } from './bench-fleet.js';
import { FakeNes } from './fake-ne.js';
import { roundTrips, roundTripsByCommand, wireBatches } from './round-trips.js';

/** What one timed batch cost: wall time, Redis's own counters, the process's requests, CPU. */
export interface Run {
  items: number;
  seconds: number;
  redis: RedisStats;
  /** Requests a caller waited for (see round-trips.ts), and socket writes. */
  trips: number;
  wire: number;
  tripsByName: Map<string, number>;
  /** CPU seconds of this process and of redis-server during the run. */
  cpu: { node: number; redis: number };
}

export const perSecond = (r: Run): number => r.items / r.seconds;

/** Runs `work` (which returns once `items` are done) between two reads of every counter. */
export async function measure(admin: Redis, items: number, work: () => Promise<void>): Promise<Run> {
  const before = await redisStats(admin);
  const [tripsBefore, wireBefore, byNameBefore] = [roundTrips(), wireBatches(), roundTripsByCommand()];
  const cpuBefore = await cpuSeconds(admin);
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const [trips, wire] = [roundTrips() - tripsBefore, wireBatches() - wireBefore];
  const tripsByName = new Map<string, number>();
  for (const [name, n] of roundTripsByCommand()) if (n - (byNameBefore.get(name) ?? 0) > 0) tripsByName.set(name, n - (byNameBefore.get(name) ?? 0));
  const cpuAfter = await cpuSeconds(admin);
  const redis = redisDelta(before, await redisStats(admin));
  return { items, seconds, redis, trips, wire, tripsByName, cpu: { node: cpuAfter.node - cpuBefore.node, redis: cpuAfter.redis - cpuBefore.redis } };
}

export interface BatchOptions {
  redisUrl: string;
  admin: Redis;
  /** Submissions (orders or jobs) in flight at once. */
  submitParallel: number;
  /** Worker concurrency, the same for the fleet and for plain BullMQ. */
  concurrency: number;
}

/** Plain BullMQ: `jobs` no-op jobs added as fast as `submitParallel` adders go, one worker draining them. */
export async function plainBullmqBatch(o: BatchOptions, jobs: number): Promise<Run> {
  const prefix = newPrefix('bullmq');
  const producer = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const consumer = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', { connection: producer, prefix });
  let completed = 0;
  const worker = new Worker('noop', async () => 'ok', { connection: consumer, prefix, concurrency: o.concurrency });
  worker.on('completed', () => (completed += 1));
  await worker.waitUntilReady();
  try {
    return await measure(o.admin, jobs, async () => {
      await runParallel(jobs, o.submitParallel, (i) => queue.add('noop', { orderId: `order-${i}`, itemId: 'item-1', kind: 'activate' }, { removeOnComplete: { age: 3600, count: 10_000 } }));
      await waitUntil(() => completed >= jobs, 120_000, 'plain BullMQ jobs to complete', 2);
    });
  } finally {
    await worker.close();
    await queue.close();
    await Promise.all([producer.quit(), consumer.quit()]);
  }
}

export interface FleetBatchOptions extends BatchOptions {
  catalog: ServiceCatalog;
  inventory: ResourceInventory;
  orders: number;
  itemsPerOrder: number;
  order: (i: number, tag: string) => unknown;
}

/**
 * The fleet, every role in one process (a fresh one per batch, started before the clock): each
 * order submitted through the producer (validation, planning, the order stored and its first
 * item enqueued), each item run by the activation worker through the real pool and budget on
 * fake NEs that answer at once and audit like real ones, the item's end and the order's stored.
 * The clock stops when the last order is final.
 */
export async function fleetBatch(o: FleetBatchOptions): Promise<Run> {
  const nes = new FakeNes({ latencyMs: 0 });
  const fleet = await startBenchFleet({ redisUrl: o.redisUrl, prefix: newPrefix('fleet'), roles: ['intake', 'orchestrator', 'worker'], catalog: o.catalog, inventory: o.inventory, factory: nes.factory, workerConcurrency: o.concurrency });
  const tag = Math.random().toString(36).slice(2, 8);
  try {
    const run = await measure(o.admin, o.orders * o.itemsPerOrder, async () => {
      await runParallel(o.orders, o.submitParallel, async (i) => {
        const { order: stored } = await fleet.producer.submitServiceOrder(o.order(i, tag));
        if (stored.state !== 'acknowledged') throw new Error(`bench order rejected: ${JSON.stringify(stored.errorMessage)}`);
      });
      await waitUntil(async () => (await sumCounter(fleet.metrics.ordersFinished)) >= o.orders, 300_000, 'fleet orders to finish', 2);
    });
    const completed = await sumCounter(fleet.metrics.ordersFinished, (l) => l.state === 'completed');
    if (completed !== o.orders) throw new Error(`bench: ${o.orders - completed} of ${o.orders} orders did not complete`);
    if (nes.audited === 0) throw new Error('bench: the fake NEs reported no audit entries');
    return run;
  } finally {
    await fleet.stop();
  }
}
