/**
 * One-item orders only, all roles in this process on instant fake NEs, for `node --cpu-prof`:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-singles.ts [orders]
 * A profiling aid (no table): prints items/s and Node CPU per item.
 */
import { startPrivateRedis } from '../runtime/private-redis.js';
import { benchCatalog, benchInventory, benchNeId, benchOrder, newPrefix, runParallel, startBenchFleet, sumCounter, waitUntil } from './support/bench-fleet.js';
import { FakeNes } from './support/fake-ne.js';

const orders = Number(process.argv[2] ?? 8000);
const redis = await startPrivateRedis();
const fleet = await startBenchFleet({ redisUrl: redis.url, prefix: newPrefix('singles'), roles: ['intake', 'orchestrator', 'worker'], catalog: await benchCatalog(), inventory: benchInventory(100, 10_000), factory: new FakeNes({ latencyMs: 0 }).factory, workerConcurrency: 32 });
const run = async (n: number, tag: string) => {
  const before = await sumCounter(fleet.metrics.ordersFinished);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await runParallel(n, 32, (i) => fleet.producer.submitServiceOrder(benchOrder(benchNeId(i % 100), `${tag}-${i}`)));
  await waitUntil(async () => (await sumCounter(fleet.metrics.ordersFinished)) >= before + n, 300_000, 'orders', 5);
  const s = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(`${tag}: ${n} one-item orders in ${s.toFixed(2)} s: ${(n / s).toFixed(0)} items/s, Node CPU ${(((used.user + used.system) / n)).toFixed(0)} us/item`);
};
await run(Math.ceil(orders / 10), 'warm');
await run(orders, 'measured');
await fleet.stop();
await redis.stop();
process.exit(0);
