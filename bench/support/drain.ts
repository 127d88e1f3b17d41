import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServiceCatalog } from '../../catalog/service-catalog.js';
import { FINAL_STATES } from '../../orders/order-states.js';
import { benchInventory, benchNeId, benchOrder, newPrefix, runParallel, startBenchFleet, waitUntil } from './bench-fleet.js';
import { FakeNes } from './fake-ne.js';
import type { ChildConfig, ChildMessage } from './worker-child.js';

export interface DrainOptions {
  redisUrl: string;
  catalog: ServiceCatalog;
  items: number;
  nes: number;
  maxSessions: number;
  latencyMs: number;
  /** Worker concurrency: jobs in flight in the worker process. */
  concurrency: number;
  /**
   * Run the worker process on the compiled build (`npm run build:bench`: dist-bench/, plain node,
   * no tsx loader in the process), as production runs dist/. @defaultValue false (the sources through tsx)
   */
  compiled?: boolean;
}

export interface DrainResult {
  items: number;
  /** From the worker's start to its last item finished. */
  seconds: number;
  /** Items per second after the first 10% (start-up and JIT warm-up left out). */
  steadyRate: number;
  prequeueSeconds: number;
  rssAtStart: number;
  peakRss: number;
  rssAfterGc: number;
  heapAfterGc: number;
  /** Memory outside the V8 heap (Buffers and the like), after the final GC. */
  externalAfterGc: number;
  /** RSS when half the items had finished: with the peak, whether RSS levels off. */
  rssAtHalf: number;
  /** CPU seconds the worker process used from its start to its last item. */
  workerCpuSeconds: number;
  parks: number;
  violations: string[];
  maxOpenSessions: number;
  sessionsOpened: number;
  completedOrders: number;
}

const CHILD_SOURCE = fileURLToPath(new URL('./worker-child.ts', import.meta.url));
// Run from the sources, the compiled child is in dist-bench/; run compiled (npm run bench), it is this file's sibling.
const CHILD_COMPILED = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? './worker-child.js' : '../../dist-bench/bench/support/worker-child.js', import.meta.url));

/** The worker process's node arguments: the compiled child with plain node, or the source with this process's tsx loader. */
function childArgs(compiled: boolean): string[] {
  if (!compiled) return [...process.execArgv, '--expose-gc', CHILD_SOURCE];
  if (!existsSync(CHILD_COMPILED)) throw new Error(`${CHILD_COMPILED} is missing: run npm run build:bench first`);
  // BENCH_WORKER_NODE_FLAGS: V8 limits to try on the worker, e.g. "--max-old-space-size=128".
  const flags = (process.env.BENCH_WORKER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  return [...flags, '--expose-gc', CHILD_COMPILED];
}

/** Spreads items over the NEs in a fixed pseudo-random order (the same in every run). */
const neFor = (i: number, nes: number): string => benchNeId((Math.imul(i + 1, 2654435761) >>> 0) % nes);

/**
 * Queues `items` one-item orders (intake and orchestrator in this process, no worker yet), so
 * the activation queue holds them all; then starts a worker-role process on fake NEs and times
 * how fast it drains them. The orders end `completed` through this process's orchestrator.
 */
export async function prequeueAndDrain(o: DrainOptions): Promise<DrainResult> {
  const prefix = newPrefix('drain');
  const inventory = benchInventory(o.nes, o.maxSessions);
  const main = await startBenchFleet({ redisUrl: o.redisUrl, prefix, roles: ['intake', 'orchestrator'], catalog: o.catalog, inventory, factory: new FakeNes({ latencyMs: 0 }).factory });
  try {
    const t0 = performance.now();
    await runParallel(o.items, 64, async (i) => {
      const { order } = await main.producer.submitServiceOrder(benchOrder(neFor(i, o.nes), `${prefix}-${i}`));
      if (order.state !== 'acknowledged') throw new Error(`bench order rejected: ${JSON.stringify(order.errorMessage)}`);
    });
    await waitUntil(
      async () => {
        const counts = await main.queues.activation.getJobCounts('waiting', 'prioritized');
        return (counts.waiting ?? 0) + (counts.prioritized ?? 0) >= o.items;
      },
      600_000,
      `${o.items} activation jobs to be queued`,
      100,
    );
    const prequeueSeconds = (performance.now() - t0) / 1000;

    const config: ChildConfig = { redisUrl: o.redisUrl, prefix, nes: o.nes, maxSessions: o.maxSessions, latencyMs: o.latencyMs, concurrency: o.concurrency, items: o.items };
    const child = spawn(process.execPath, childArgs(o.compiled ?? import.meta.url.endsWith('.js')), { env: { ...process.env, BENCH_CHILD_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const next = <T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> =>
      new Promise((resolve, reject) => {
        const onMessage = (message: ChildMessage): void => {
          if (message.type !== type) return;
          child.off('message', onMessage);
          resolve(message as Extract<ChildMessage, { type: T }>);
        };
        child.on('message', onMessage);
        void exited.then((code) => reject(new Error(`bench worker process exited (${code}) before '${type}'`)));
      });
    // Orders end in whichever process settles their last item: the worker's count comes with its stats.
    await next('ready');
    const done = next('done');
    child.send('go');
    const { seconds, steadySeconds, steadyItems, peakRss, rssAtStart, rssAfterGc, heapAfterGc, externalAfterGc, rssAtHalf, cpuSeconds } = await done;
    // The worker that settles an item ends its order: count final orders in Redis, not in this process.
    const finalOrders = async (states?: string[]): Promise<number> => (await main.store.list({ limit: 0, ...(states ? { states } : {}) })).total;
    await waitUntil(async () => (await finalOrders([...FINAL_STATES])) >= o.items, 120_000, 'the orders to be final', 20);
    const final = next('final');
    child.send('stop');
    const stats = await final;
    await exited;
    return {
      items: o.items,
      seconds,
      steadyRate: steadyItems / steadySeconds,
      prequeueSeconds,
      rssAtStart,
      peakRss,
      rssAfterGc,
      heapAfterGc,
      externalAfterGc,
      rssAtHalf,
      workerCpuSeconds: cpuSeconds,
      parks: stats.parks,
      violations: stats.violations,
      maxOpenSessions: stats.maxOpenSessions,
      sessionsOpened: stats.sessionsOpened,
      completedOrders: await finalOrders(['completed']),
    };
  } finally {
    await main.stop();
  }
}
