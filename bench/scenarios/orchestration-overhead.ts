import type { Redis } from 'ioredis';
import type { ServiceCatalog } from '../../catalog/service-catalog.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { mobileBundle } from '../../test/support/mobile-bundle.js';
import { benchInventory, benchNeId, benchOrder } from '../support/bench-fleet.js';
import { fleetBatch, perSecond, plainBullmqBatch, type Run } from '../support/measured-run.js';
import { fmt, pct, type ScenarioResult } from '../support/report.js';

export interface OverheadOptions {
  redisUrl: string;
  admin: Redis;
  catalog: ServiceCatalog;
  /** Baseline/fleet pairs, interleaved: BullMQ, fleet, BullMQ, fleet, ... */
  pairs: number;
  /** One-item orders in each fleet batch. */
  singles: number;
  /** No-op jobs in each plain BullMQ batch. */
  jobs: number;
  /** Mobile bundles (3 chained items each) in the one bundle batch after the pairs. */
  bundles: number;
  submitParallel: number;
  concurrency: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const spread = (xs: number[], f: (n: number) => string): string => `${f(Math.min(...xs))} to ${f(Math.max(...xs))}`;

/** A per-item figure of each run, its median over the runs, and its spread. */
function perItem(runs: Run[], f: (r: Run) => number): { median: number; all: number[] } {
  const all = runs.map((r) => f(r) / r.items);
  return { median: median(all), all };
}

/** Of a run, per item, the commands Redis ran by name (commandstats) or the requests sent by name, largest first. */
function breakdown(counts: Map<string, number>, items: number): string {
  return [...counts]
    .map(([name, n]) => [name, n / items] as const)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n.toFixed(1)}`)
    .join(', ');
}

const KB = 1000;

export async function orchestrationOverhead(o: OverheadOptions): Promise<ScenarioResult & { singleItemsPerSecond: number }> {
  const singleInventory = benchInventory(100, 10_000);
  const single = (i: number, tag: string): unknown => benchOrder(benchNeId(i % 100), `${tag}-${i}`);
  const batch = { redisUrl: o.redisUrl, admin: o.admin, submitParallel: o.submitParallel, concurrency: o.concurrency };
  const singles = (orders: number): Promise<Run> => fleetBatch({ ...batch, catalog: o.catalog, inventory: singleInventory, orders, itemsPerOrder: 1, order: single });

  // Warm-up (JIT, connections, Lua script loading), not measured.
  await plainBullmqBatch(batch, Math.ceil(o.jobs / 10));
  await singles(Math.ceil(o.singles / 10));

  const base: Run[] = [];
  const fleet: Run[] = [];
  for (let i = 0; i < o.pairs; i++) {
    base.push(await plainBullmqBatch(batch, o.jobs));
    fleet.push(await singles(o.singles));
  }
  const bundles = await fleetBatch({ ...batch, catalog: o.catalog, inventory: bundleInventory(), orders: o.bundles, itemsPerOrder: 3, order: bundle });

  const ratios = fleet.map((f, i) => perSecond(f) / perSecond(base[i] as Run));
  const ratio = median(ratios);
  const baseRate = median(base.map(perSecond));
  const fleetRate = median(fleet.map(perSecond));
  const commands = perItem(fleet, (r) => r.redis.commands);
  const trips = perItem(fleet, (r) => r.trips);
  const bytesIn = perItem(fleet, (r) => r.redis.bytesIn);
  const bytesOut = perItem(fleet, (r) => r.redis.bytesOut);
  const cpuNode = perItem(fleet, (r) => r.cpu.node * 1e6);
  const cpuRedis = perItem(fleet, (r) => r.cpu.redis * 1e6);
  const b = {
    commands: perItem(base, (r) => r.redis.commands).median,
    trips: perItem(base, (r) => r.trips).median,
    bytesIn: perItem(base, (r) => r.redis.bytesIn).median,
    bytesOut: perItem(base, (r) => r.redis.bytesOut).median,
    cpuNode: perItem(base, (r) => r.cpu.node * 1e6).median,
    cpuRedis: perItem(base, (r) => r.cpu.redis * 1e6).median,
  };
  const last = fleet[fleet.length - 1] as Run;
  const lastBase = base[base.length - 1] as Run;
  const f0 = (n: number): string => fmt(n);
  const f1 = (n: number): string => fmt(n, 1);
  const one = 'per one-item order';
  return {
    singleItemsPerSecond: fleetRate,
    rows: [
      { scenario: '1', measure: `plain BullMQ no-op jobs/s (median of ${o.pairs})`, value: fmt(baseRate), reference: `runs ${base.map((r) => fmt(perSecond(r))).join(', ')}` },
      { scenario: '1', measure: `fleet items/s, one-item orders (median of ${o.pairs})`, value: fmt(fleetRate), reference: `runs ${fleet.map((r) => fmt(perSecond(r))).join(', ')}` },
      { scenario: '1', measure: `one-item orders / BullMQ, ${o.pairs} interleaved pairs`, value: pct(ratio), reference: `pairs ${ratios.map(pct).join(', ')}; spread ${spread(ratios, pct)}`, target: '>= 50%', met: ratio >= 0.5 },
      { scenario: '1', measure: `Redis commands ${one} (commandstats)`, value: f1(commands.median), reference: `BullMQ ${f1(b.commands)}/job; runs ${commands.all.map(f1).join(', ')}`, ratio: `${(commands.median / b.commands).toFixed(1)}x`, target: '<= 75', met: commands.median <= 75 },
      { scenario: '1', measure: `round trips ${one}`, value: f1(trips.median), reference: `BullMQ ${f1(b.trips)}/job; runs ${trips.all.map(f1).join(', ')}`, ratio: `${(trips.median / b.trips).toFixed(1)}x`, target: '<= 6', met: trips.median <= 6 },
      { scenario: '1', measure: `bytes sent to Redis ${one}`, value: f0(bytesIn.median), reference: `BullMQ ${f0(b.bytesIn)}/job; runs ${bytesIn.all.map(f0).join(', ')}`, ratio: `${(bytesIn.median / b.bytesIn).toFixed(1)}x`, target: '<= 6 KB', met: bytesIn.median <= 6 * KB },
      { scenario: '1', measure: `bytes received from Redis ${one}`, value: f0(bytesOut.median), reference: `BullMQ ${f0(b.bytesOut)}/job; runs ${bytesOut.all.map(f0).join(', ')}`, ratio: `${(bytesOut.median / b.bytesOut).toFixed(1)}x` },
      { scenario: '1', measure: `CPU us ${one}, Node / Redis`, value: `${f0(cpuNode.median)} / ${f0(cpuRedis.median)}`, reference: `BullMQ ${f0(b.cpuNode)} / ${f0(b.cpuRedis)} per job; Node runs ${cpuNode.all.map(f0).join(', ')}`, ratio: `${((cpuNode.median + cpuRedis.median) / (b.cpuNode + b.cpuRedis)).toFixed(1)}x` },
      { scenario: '1', measure: 'fleet items/s, mobile bundles (3 chained items)', value: fmt(perSecond(bundles)), reference: `BullMQ median ${fmt(baseRate)} jobs/s`, ratio: pct(perSecond(bundles) / baseRate) },
      { scenario: '1', measure: 'per bundle item: commands / round trips / bytes sent', value: `${f1(bundles.redis.commands / bundles.items)} / ${f1(bundles.trips / bundles.items)} / ${f0(bundles.redis.bytesIn / bundles.items)}` },
    ],
    notes: [
      `1: ${o.pairs} pairs interleaved in this one run, each a batch of ${fmt(o.jobs)} plain BullMQ no-op jobs followed by a batch of ${fmt(o.singles)} one-item fleet orders, then ${fmt(o.bundles)} mobile bundles (${fmt(o.bundles * 3)} items); ${o.submitParallel} submissions in flight, worker concurrency ${o.concurrency}, all fleet roles in this one Node process (a fresh fleet per batch), same private redis-server. Clock: first submission to last order final (last job completed). The ratio is taken per pair, so each fleet batch is compared with the baseline run just before it.`,
      `1: Redis commands per one-item order by command (commandstats, last pair): ${breakdown(last.redis.byCommand, last.items)}; plain BullMQ per job: ${breakdown(lastBase.redis.byCommand, lastBase.items)}.`,
      `1: round trips per one-item order by request (last pair; a script by its name, an explicit batch as [its commands]): ${breakdown(last.tripsByName, last.items)}; plain BullMQ per job: ${breakdown(lastBase.tripsByName, lastBase.items)}. Socket writes per item (auto-pipelining shares them between items): ${f1(last.wire / last.items)}, BullMQ ${f1(lastBase.wire / lastBase.items)}.`,
      '1: commands are INFO commandstats deltas on a redis-server only the bench uses (the commands inside Lua scripts count, and so does the EVALSHA that runs them); bytes are INFO stats total_net_input_bytes / total_net_output_bytes deltas; a round trip is a request a caller waited for (a plain command, a script call, an explicit pipeline or MULTI once; each command an auto-pipelining connection batched counts on its own); the fleet\'s background work during the batch (stalled-job checks, the epoch watch, queue markers) is in the figures. CPU is this process (process.cpuUsage) and redis-server (/proc/PID/stat): on 2 cores the two compete, so CPU per item, not wall time, bounds items/s.',
    ],
  };
}

function bundleInventory(): ResourceInventory {
  // The three NEs of the mobile bundle, with a budget that never binds: this measures the fleet, not the NEs.
  return ResourceInventory.fromInputs(
    (
      [
        ['npdb-1', 'npdb', 'netconf'],
        ['pcrf-1', 'pcrf', 'ssh-cli'],
        ['vms-1', 'vms', 'snmp'],
      ] as const
    ).map(([id, role, protocol]) => ({ id, role, protocol, host: '127.0.0.1', port: 22, maxSessions: 10_000, credentialsRef: 'env:BENCH' })),
  );
}

function bundle(i: number, tag: string): unknown {
  return mobileBundle({ msisdn: `44${String(Math.abs(hash(tag)) % 1000).padStart(3, '0')}${String(i).padStart(8, '0')}`, externalId: `bundle-${tag}-${i}` }).order;
}

function hash(text: string): number {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
