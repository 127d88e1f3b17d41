/**
 * The fleet's benchmarks, side by side in one run (issue 7). Not tests: nothing here asserts on
 * speed; it prints one table with each measurement, what it is compared with, and the target.
 *
 *   npm run bench                 # full sizes (several minutes; real devices when root and installed)
 *   npm run bench:quick           # small sizes, under a minute
 *   npm run bench -- --only 1,3   # some scenarios; also --no-devices, --devices (quick mode skips
 *                                 # the real devices otherwise), --scale 10000,100000, --json FILE,
 *                                 # --pairs N (scenario 1's interleaved baseline/fleet pairs, 3)
 *
 * Both scripts build the fleet and the bench first (npm run build:bench, tsconfig.bench-build.json)
 * and run the compiled JavaScript from dist-bench/, as production runs dist/; `npx tsx bench/run.ts`
 * runs the sources.
 *
 *   npm run build:bench && npm run bench -- --only 5 --compiled   # scenario 5's worker on the compiled build
 *
 * Everything runs on a private redis-server that only the bench uses, so INFO counters are ours.
 */
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { startPrivateRedis } from '../runtime/private-redis.js';
import { benchCatalog, newAdminConnection } from './support/bench-fleet.js';
import { renderTable, type Row, type ScenarioResult } from './support/report.js';
import { installRoundTripCounter } from './support/round-trips.js';
import { orchestrationOverhead } from './scenarios/orchestration-overhead.js';
import { latencyHiding } from './scenarios/latency-hiding.js';
import { pickupLatency } from './scenarios/pickup-latency.js';
import { realDevices } from './scenarios/real-devices.js';
import { scale } from './scenarios/scale.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-devices': { type: 'boolean', default: false },
    devices: { type: 'boolean', default: false },
    scale: { type: 'string' },
    compiled: { type: 'boolean', default: false },
    json: { type: 'string' },
    pairs: { type: 'string' },
  },
});
const quick = args.quick ?? false;
const only = new Set((args.only ?? '1,2,3,4,5').split(',').map((s) => s.trim()));
const scaleSizes = (args.scale ?? (quick ? '2000,6000' : '10000,100000')).split(',').map(Number);

/** Sizes per mode: quick keeps the whole run under a minute on a 2-core machine. */
const size = quick
  ? { pairs: Number(args.pairs ?? 3), bundles: 150, singles: 600, jobs: 4000, s2Items: 800, s3Seconds: 1, pushes: 20, midPushes: 5, slowPushes: 3 }
  : { pairs: Number(args.pairs ?? 3), bundles: 2000, singles: 4000, jobs: 20_000, s2Items: 12_000, s3Seconds: 4, pushes: 200, midPushes: 50, slowPushes: 20 };

installRoundTripCounter();
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
const redis = await startPrivateRedis();
const admin = newAdminConnection(redis.url);
const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? '?';
const catalog = await benchCatalog();
const rows: Row[] = [];
const notes: string[] = [];
const started = Date.now();

async function scenario(id: string, run: () => Promise<ScenarioResult>): Promise<void> {
  if (!only.has(id)) return;
  const t0 = Date.now();
  process.stderr.write(`bench: scenario ${id}...`);
  try {
    const result = await run();
    rows.push(...result.rows);
    notes.push(...result.notes);
  } catch (error) {
    rows.push({ scenario: id, measure: 'scenario failed', value: (error as Error).message.slice(0, 120) });
    notes.push(`${id}: failed: ${(error as Error).stack ?? String(error)}`);
  }
  process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  await admin.flushall();
}

let singleItemsPerSecond: number | undefined;
try {
  await scenario('1', async () => {
    const result = await orchestrationOverhead({ redisUrl: redis.url, admin, catalog, pairs: size.pairs, bundles: size.bundles, singles: size.singles, jobs: size.jobs, submitParallel: 32, concurrency: 32 });
    singleItemsPerSecond = result.singleItemsPerSecond;
    return result;
  });
  await scenario('2', () => latencyHiding({ redisUrl: redis.url, catalog, items: size.s2Items, nes: 1000, maxSessions: 2, inFlight: 200, latencyMs: 50 }));
  await scenario('3', () => pickupLatency({ redisUrl: redis.url, catalog, targetRate: 2000, seconds: size.s3Seconds, ...(singleItemsPerSecond ? { capacityHint: singleItemsPerSecond } : {}) }));
  // The real devices take a minute or two (Ansible and Netmiko are slow): not in quick mode unless asked.
  const skipDevices = args['no-devices'] ? 'skipped (--no-devices)' : quick && !args.devices ? 'skipped in quick mode (add --devices, or run the full bench)' : undefined;
  await scenario('4', () => realDevices({ pushes: size.pushes, midPushes: size.midPushes, slowPushes: size.slowPushes, ...(skipDevices ? { skip: skipDevices } : {}) }));
  // Run compiled (npm run bench), the worker child is compiled too: dist-bench/ holds no sources to run.
  await scenario('5', () => scale({ redisUrl: redis.url, admin, catalog, sizes: scaleSizes, quick, compiled: args.compiled === true || import.meta.url.endsWith('.js') }));
} finally {
  await admin.quit();
  await redis.stop();
}

const compiled = import.meta.url.endsWith('.js') ? 'compiled (dist-bench)' : 'sources (tsx)';
const header = [
  `activation-fleet bench (${quick ? 'quick' : 'full'}, ${compiled}), ${new Date().toISOString()}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  `machine: ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, redis-server ${redisVersion}`,
  `load average before: ${loadBefore}, after: ${load()} (the machine is shared: compare ratios, not absolute numbers)`,
];
console.log(`${header.join('\n')}\n\n${renderTable(rows)}\n`);
for (const note of notes) console.log(`- ${note}`);
if (args.json) await writeFile(args.json, JSON.stringify({ header, rows, notes }, null, 2));
