/**
 * A worker-role fleet process on fake NEs, started by bench/support/drain.ts in a process of
 * its own so that its memory (RSS) is the worker's alone. It reports over IPC:
 * `ready`, `stats` every 100 ms, `done` once `items` items finished, and `final` after `stop`.
 */
import { benchCatalog, benchInventory, startBenchFleet, sumCounter } from './bench-fleet.js';
import { FakeNes } from './fake-ne.js';

export interface ChildConfig {
  redisUrl: string;
  prefix: string;
  nes: number;
  maxSessions: number;
  latencyMs: number;
  concurrency: number;
  items: number;
}

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'stats'; rss: number; heapUsed: number; items: number; ordersFinished: number }
  | { type: 'done'; seconds: number; steadySeconds: number; steadyItems: number; peakRss: number; rssAtStart: number; rssAfterGc: number; heapAfterGc: number; externalAfterGc: number; rssAtHalf: number; cpuSeconds: number }
  | { type: 'final'; parks: number; items: number; ordersCompleted: number; violations: string[]; maxOpenSessions: number; sessionsOpened: number; operations: number };

const config = JSON.parse(process.env.BENCH_CHILD_CONFIG ?? '{}') as ChildConfig;
const send = (message: ChildMessage): void => void process.send?.(message);

const catalog = await benchCatalog();
const inventory = benchInventory(config.nes, config.maxSessions);
const nes = new FakeNes({ latencyMs: config.latencyMs });
// Wait for the main process to say go, with everything loaded: the clock then measures the drain only.
await new Promise<void>((resolve) => {
  send({ type: 'ready' });
  process.once('message', () => resolve());
});
const rssAtStart = process.memoryUsage().rss;
const cpuAtStart = process.cpuUsage();
const started = performance.now();
const fleet = await startBenchFleet({ redisUrl: config.redisUrl, prefix: config.prefix, roles: ['worker'], catalog, inventory, factory: nes.factory, workerConcurrency: config.concurrency });
let peakRss = rssAtStart;
let reported = false;
const timer = setInterval(() => {
  void (async () => {
    const { rss, heapUsed } = process.memoryUsage();
    peakRss = Math.max(peakRss, rss);
    const items = await sumCounter(fleet.metrics.itemsFinished);
    // The worker that settles an order's last item ends the order: these orders count here, not in the main process.
    const ordersFinished = await sumCounter(fleet.metrics.ordersFinished);
    send({ type: 'stats', rss, heapUsed, items, ordersFinished });
  })();
}, 100);
// Finer polling for the end of the drain, so the clock stops within a few ms of the last item.
// The steady state leaves out the first 10% (process start, JIT warm-up, sessions opening).
const warmItems = Math.floor(config.items / 10);
let warmAt: number | undefined;
let warmCount = 0;
let rssAtHalf = 0;
for (;;) {
  const finished = await sumCounter(fleet.metrics.itemsFinished);
  if (warmAt === undefined && finished >= warmItems) [warmAt, warmCount] = [performance.now(), finished];
  if (finished >= config.items) break;
  if (rssAtHalf === 0 && finished >= config.items / 2) rssAtHalf = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await new Promise((resolve) => setTimeout(resolve, 5));
}
const ended = performance.now();
const cpu = process.cpuUsage(cpuAtStart);
(globalThis as { gc?: () => void }).gc?.();
const { rss: rssAfterGc, heapUsed: heapAfterGc, external: externalAfterGc } = process.memoryUsage();
send({
  type: 'done',
  seconds: (ended - started) / 1000,
  steadySeconds: (ended - (warmAt ?? started)) / 1000,
  steadyItems: config.items - warmCount,
  peakRss,
  rssAtStart,
  rssAfterGc,
  heapAfterGc,
  externalAfterGc,
  rssAtHalf,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
});
reported = true;

process.once('message', () => {
  void (async () => {
    clearInterval(timer);
    const parks = await sumCounter(fleet.metrics.budgetParks);
    const items = await sumCounter(fleet.metrics.itemsFinished);
    const ordersCompleted = await sumCounter(fleet.metrics.ordersFinished, (l) => l.state === 'completed');
    await fleet.stop();
    send({
      type: 'final',
      parks,
      items,
      ordersCompleted,
      violations: nes.violations(inventory),
      maxOpenSessions: Math.max(0, ...nes.maxOpenSessions.values()),
      sessionsOpened: nes.sessionsOpened,
      operations: nes.operations,
    });
    // Lets the IPC message out before exiting.
    setTimeout(() => process.exit(reported ? 0 : 1), 50);
  })();
});
