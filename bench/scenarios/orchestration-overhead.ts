import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { ServiceCatalog } from '../../catalog/service-catalog.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { mobileBundle } from '../../test/support/mobile-bundle.js';
import { benchInventory, benchNeId, benchOrder, cpuSeconds, redisStats, newPrefix, runParallel, startBenchFleet, sumCounter, waitUntil } from '../support/bench-fleet.js';
import { FakeNes } from '../support/fake-ne.js';
import { roundTrips, roundTripsByCommand } from '../support/round-trips.js';
import { fmt, pct, type ScenarioResult } from '../support/report.js';

export interface OverheadOptions {
  redisUrl: string;
  admin: Redis;
  catalog: ServiceCatalog;
  /** Mobile bundles (3 chained items each) in the measured fleet run. */
  bundles: number;
  /** One-item orders in the second fleet run. */
  singles: number;
  /** No-op jobs in the plain BullMQ run. */
  jobs: number;
  /** Submissions (orders or jobs) in flight at once, for both. */
  submitParallel: number;
  /** Worker concurrency, the same for the fleet and for plain BullMQ. */
  concurrency: number;
}

interface Run {
  items: number;
  seconds: number;
  commands: number;
  /** Bytes sent to Redis (INFO stats total_net_input_bytes). */
  bytesIn: number;
  trips: number;
  /** Round trips per item by command (a batch as [its commands]). */
  breakdown: string;
  /** CPU seconds of this process and of redis-server during the run. */
  cpu: { node: number; redis: number };
}

const perSecond = (r: Run): number => r.items / r.seconds;
const cpuDelta = (a: { node: number; redis: number }, b: { node: number; redis: number }): { node: number; redis: number } => ({ node: b.node - a.node, redis: b.redis - a.redis });
function breakdownSince(before: Map<string, number>, items: number): string {
  return [...roundTripsByCommand()]
    .map(([name, n]) => [name, (n - (before.get(name) ?? 0)) / items] as const)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n.toFixed(1)}`)
    .join(', ');
}

/** CPU microseconds per item: Node / redis-server. */
const cpuPerItem = (r: Run): string => `${fmt((r.cpu.node / r.items) * 1e6)} / ${fmt((r.cpu.redis / r.items) * 1e6)}`;

/** Plain BullMQ: `jobs` no-op jobs added as fast as `submitParallel` adders go, one worker draining them. */
async function plainBullmq(o: OverheadOptions, jobs: number): Promise<Run> {
  const prefix = newPrefix('bullmq');
  const producer = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const consumer = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', { connection: producer, prefix });
  let completed = 0;
  const worker = new Worker('noop', async () => 'ok', { connection: consumer, prefix, concurrency: o.concurrency });
  worker.on('completed', () => (completed += 1));
  await worker.waitUntilReady();
  const before = await redisStats(o.admin);
  const tripsBefore = roundTrips();
  const byCommandBefore = roundTripsByCommand();
  const cpuBefore = await cpuSeconds(o.admin);
  const started = performance.now();
  await runParallel(jobs, o.submitParallel, (i) =>
    queue.add('noop', { orderId: `order-${i}`, itemId: 'item-1', kind: 'activate' }, { removeOnComplete: { age: 3600, count: 10_000 } }),
  );
  await waitUntil(() => completed >= jobs, 120_000, 'plain BullMQ jobs to complete', 2);
  const seconds = (performance.now() - started) / 1000;
  const trips = roundTrips() - tripsBefore;
  const cpu = cpuDelta(cpuBefore, await cpuSeconds(o.admin));
  const after = await redisStats(o.admin);
  const [commands, bytesIn] = [after.commands - before.commands, after.bytesIn - before.bytesIn];
  const breakdown = breakdownSince(byCommandBefore, jobs);
  await worker.close();
  await queue.close();
  await Promise.all([producer.quit(), consumer.quit()]);
  return { items: jobs, seconds, commands, bytesIn, trips, breakdown, cpu };
}

/**
 * The fleet, every role in one process: each order submitted through the producer (validation,
 * dry-run planning, the order stored), started by the orchestrator, each item run by the
 * activation worker through the real pool and budget on NEs that answer at once, its result
 * stored, and the order advanced to its final state. The clock stops when the last order is final.
 */
async function fleetRun(o: OverheadOptions, orders: number, itemsPerOrder: number, order: (i: number, tag: string) => unknown, inventory: ResourceInventory): Promise<Run> {
  const nes = new FakeNes({ latencyMs: 0 });
  const fleet = await startBenchFleet({ redisUrl: o.redisUrl, prefix: newPrefix('fleet'), roles: ['intake', 'orchestrator', 'worker'], catalog: o.catalog, inventory, factory: nes.factory, workerConcurrency: o.concurrency });
  const tag = Math.random().toString(36).slice(2, 8);
  try {
    const before = await redisStats(o.admin);
    const tripsBefore = roundTrips();
    const byCommandBefore = roundTripsByCommand();
    const cpuBefore = await cpuSeconds(o.admin);
    const started = performance.now();
    await runParallel(orders, o.submitParallel, async (i) => {
      const { order: stored } = await fleet.producer.submitServiceOrder(order(i, tag));
      if (stored.state !== 'acknowledged') throw new Error(`bench order rejected: ${JSON.stringify(stored.errorMessage)}`);
    });
    await waitUntil(async () => (await sumCounter(fleet.metrics.ordersFinished)) >= orders, 300_000, 'fleet orders to finish', 5);
    const seconds = (performance.now() - started) / 1000;
    const trips = roundTrips() - tripsBefore;
    const cpu = cpuDelta(cpuBefore, await cpuSeconds(o.admin));
    const after = await redisStats(o.admin);
    const [commands, bytesIn] = [after.commands - before.commands, after.bytesIn - before.bytesIn];
    const breakdown = breakdownSince(byCommandBefore, orders * itemsPerOrder);
    const completed = await sumCounter(fleet.metrics.ordersFinished, (l) => l.state === 'completed');
    if (completed !== orders) throw new Error(`bench: ${orders - completed} of ${orders} orders did not complete`);
    return { items: orders * itemsPerOrder, seconds, commands, bytesIn, trips, breakdown, cpu };
  } finally {
    await fleet.stop();
  }
}

export async function orchestrationOverhead(o: OverheadOptions): Promise<ScenarioResult & { singleItemsPerSecond: number }> {
  // The three NEs of the mobile bundle, with a budget that never binds: this measures the fleet, not the NEs.
  const bundleInventory = ResourceInventory.fromInputs(
    (
      [
        ['npdb-1', 'npdb', 'netconf'],
        ['pcrf-1', 'pcrf', 'ssh-cli'],
        ['vms-1', 'vms', 'snmp'],
      ] as const
    ).map(([id, role, protocol]) => ({ id, role, protocol, host: '127.0.0.1', port: 22, maxSessions: 10_000, credentialsRef: 'env:BENCH' })),
  );
  const singleInventory = benchInventory(100, 10_000);
  const bundle = (i: number, tag: string): unknown => mobileBundle({ msisdn: `44${String(Math.abs(hash(tag)) % 1000).padStart(3, '0')}${String(i).padStart(8, '0')}`, externalId: `bundle-${tag}-${i}` }).order;
  const single = (i: number, tag: string): unknown => benchOrder(benchNeId(i % 100), `${tag}-${i}`);

  // Warm-up (JIT, connections, Lua script loading), not measured.
  await plainBullmq(o, Math.ceil(o.jobs / 10));
  await fleetRun(o, Math.ceil(o.bundles / 10), 3, bundle, bundleInventory);

  const bullmq = await plainBullmq(o, o.jobs);
  const bundles = await fleetRun(o, o.bundles, 3, bundle, bundleInventory);
  const singles = await fleetRun(o, o.singles, 1, single, singleInventory);
  const base = perSecond(bullmq);
  const ratio = perSecond(bundles) / base;
  return {
    singleItemsPerSecond: perSecond(singles),
    rows: [
      { scenario: '1', measure: 'plain BullMQ no-op jobs/s', value: fmt(base), reference: `${fmt(bullmq.items)} jobs in ${fmt(bullmq.seconds, 1)} s` },
      {
        scenario: '1',
        measure: 'fleet items/s, mobile bundles (3 chained items)',
        value: fmt(perSecond(bundles)),
        reference: `BullMQ ${fmt(base)} jobs/s`,
        ratio: pct(ratio),
        target: '>= 50%',
        met: ratio >= 0.5,
      },
      {
        scenario: '1',
        measure: 'fleet items/s, one-item orders',
        value: fmt(perSecond(singles)),
        reference: `BullMQ ${fmt(base)} jobs/s`,
        ratio: pct(perSecond(singles) / base),
        target: '>= 50%',
        met: perSecond(singles) / base >= 0.5,
      },
      {
        scenario: '1',
        measure: 'Redis round trips per item (bundle / one-item)',
        value: `${fmt(bundles.trips / bundles.items, 1)} / ${fmt(singles.trips / singles.items, 1)}`,
        reference: `BullMQ ${fmt(bullmq.trips / bullmq.items, 1)}/job`,
        ratio: `${(bundles.trips / bundles.items / (bullmq.trips / bullmq.items)).toFixed(1)}x`,
      },
      {
        scenario: '1',
        measure: 'bytes sent to Redis per item (bundle / one-item)',
        value: `${fmt(bundles.bytesIn / bundles.items)} / ${fmt(singles.bytesIn / singles.items)}`,
        reference: `BullMQ ${fmt(bullmq.bytesIn / bullmq.items)}/job`,
        ratio: `${(singles.bytesIn / singles.items / (bullmq.bytesIn / bullmq.items)).toFixed(0)}x`,
      },
      {
        scenario: '1',
        measure: 'CPU us per item, Node / Redis (one-item orders)',
        value: cpuPerItem(singles),
        reference: `BullMQ ${cpuPerItem(bullmq)} per job`,
        ratio: `${((singles.cpu.node + singles.cpu.redis) / singles.items / ((bullmq.cpu.node + bullmq.cpu.redis) / bullmq.items)).toFixed(0)}x`,
      },
      {
        scenario: '1',
        measure: 'Redis commands run per item (bundle / one-item)',
        value: `${fmt(bundles.commands / bundles.items)} / ${fmt(singles.commands / singles.items)}`,
        reference: `BullMQ ${fmt(bullmq.commands / bullmq.items, 1)}/job`,
        ratio: `${(bundles.commands / bundles.items / (bullmq.commands / bullmq.items)).toFixed(1)}x`,
      },
    ],
    notes: [
      `1: ${fmt(o.bundles)} mobile bundles (${fmt(o.bundles * 3)} items) and ${fmt(o.singles)} one-item orders vs ${fmt(o.jobs)} no-op jobs; ${o.submitParallel} submissions in flight, worker concurrency ${o.concurrency}, all roles in this one Node process, same private redis-server. Clock: first submission to last order final (bundle items run in order, each after the previous one completed).`,
      `1: round trips per item by command, one-item orders: ${singles.breakdown}; plain BullMQ per job: ${bullmq.breakdown}. (evalsha: BullMQ's scripts and the order store's compare-and-set; hmget: the order store's read before each compare-and-set; [hset,expire]: the change ledger's MULTI.)`,
      '1: round trips are requests sent by every ioredis client of the process (a pipeline or MULTI counts once; BullMQ\'s blocking fetches count); commands run are `INFO stats` total_commands_processed deltas on a redis-server only the bench uses, which include every command inside Lua scripts. CPU is this process (process.cpuUsage) and redis-server (/proc/PID/stat) over the run: on 2 cores the two compete, so CPU per item, not wall time, is what bounds items/s here.',
    ],
  };
}

function hash(text: string): number {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
