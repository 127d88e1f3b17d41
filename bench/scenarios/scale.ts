import type { Redis } from 'ioredis';
import type { ServiceCatalog } from '../../catalog/service-catalog.js';
import { prequeueAndDrain, type DrainResult } from '../support/drain.js';
import { fmt, pct, type Row, type ScenarioResult } from '../support/report.js';

export interface ScaleOptions {
  redisUrl: string;
  admin: Redis;
  catalog: ServiceCatalog;
  /** Queued items per run, smallest first. */
  sizes: number[];
  quick: boolean;
  /** The worker process on the compiled build (dist-bench/, plain node) instead of tsx. */
  compiled: boolean;
}

const mib = (bytes: number): string => `${fmt(bytes / 2 ** 20)} MiB`;

/**
 * The same drain with more and more items queued before the worker starts: per-item cost should
 * not grow with the backlog (throughput flat, time linear), and neither should the worker's memory.
 */
export async function scale(o: ScaleOptions): Promise<ScenarioResult> {
  const runs: Array<DrainResult & { redisMemory: number }> = [];
  for (const items of o.sizes) {
    const run = await prequeueAndDrain({ redisUrl: o.redisUrl, catalog: o.catalog, items, nes: 1000, maxSessions: 2, latencyMs: 0, concurrency: 32, compiled: o.compiled });
    const redisMemory = Number(/used_memory:(\d+)/.exec(await o.admin.info('memory'))?.[1] ?? Number.NaN);
    runs.push({ ...run, redisMemory });
    await o.admin.flushall();
  }
  const flags = process.env.BENCH_WORKER_NODE_FLAGS?.trim();
  const build = o.compiled ? ` (compiled${flags ? ` ${flags}` : ''})` : '';
  const rows: Row[] = runs.map((r) => ({
    scenario: '5',
    measure: `${fmt(r.items)} queued items: items/s, worker peak RSS${build}`,
    value: `${fmt(r.steadyRate)}/s, ${mib(r.peakRss)}`,
    reference: `drain ${fmt(r.seconds, 1)} s, worker CPU ${fmt((r.workerCpuSeconds / r.items) * 1e6)} us/item; RSS start ${mib(r.rssAtStart)}, half-way ${mib(r.rssAtHalf)}; after GC: heap ${mib(r.heapAfterGc)}, external ${mib(r.externalAfterGc)}; Redis ${mib(r.redisMemory)}`,
  }));
  const first = runs[0];
  const last = runs[runs.length - 1];
  if (first && last && last !== first) {
    // Time per item at steady state: linear cost means the same time per item at any backlog.
    const perItem = first.steadyRate / last.steadyRate;
    rows.push(
      { scenario: '5', measure: `time per item, ${fmt(last.items)} vs ${fmt(first.items)} queued`, value: `${fmt(1000 / last.steadyRate, 2)} vs ${fmt(1000 / first.steadyRate, 2)} ms`, ratio: pct(perItem), target: 'linear (~100%)', met: perItem <= 1.15 },
      { scenario: '5', measure: `worker peak RSS ${fmt(last.items)} vs ${fmt(first.items)}`, value: `${mib(last.peakRss)} vs ${mib(first.peakRss)}`, ratio: pct(last.peakRss / first.peakRss), target: 'flat (~100%)', met: last.peakRss / first.peakRss <= 1.2 },
      { scenario: '5', measure: `worker V8 heap after GC ${fmt(last.items)} vs ${fmt(first.items)}`, value: `${mib(last.heapAfterGc)} vs ${mib(first.heapAfterGc)}`, ratio: pct(last.heapAfterGc / first.heapAfterGc) },
    );
  }
  return {
    rows,
    notes: [
      `5: ${o.sizes.map((s) => fmt(s)).join(' and ')} one-item orders queued first (all in the activation queue before the worker starts${o.quick ? '; quick mode: smaller than the issue\'s 10k and 100k' : ''}), drained by one worker process (concurrency 32; ${o.compiled ? 'the compiled build, dist-bench/ run by plain node as production runs dist/' : 'the sources through tsx; --compiled runs the compiled build'}) on 1,000 instant fake NEs; items/s in the steady state (after the first 10%); RSS sampled in that process every 100 ms (peak over the drain), then again after a forced GC at the end. Met when the time per item grows by at most 15% and peak RSS by at most 20%.`,
    ],
  };
}
