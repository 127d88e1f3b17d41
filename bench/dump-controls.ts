/**
 * What one one-item order sends to Redis, request by request: every command with its arguments,
 * MessagePack control documents decoded to JSON, so a byte cut can be aimed at a field. A
 * profiling aid beside profile-order-bytes.ts (which counts; this shows).
 *   npx tsx bench/dump-controls.ts > /tmp/order-requests.txt   (or node dist-bench/bench/dump-controls.js)
 */
import { Redis } from 'ioredis';
import { unpack } from 'msgpackr';
import { startPrivateRedis } from '../runtime/private-redis.js';
import { benchCatalog, benchInventory, benchNeId, benchOrder, newPrefix, startBenchFleet, sumCounter, waitUntil } from './support/bench-fleet.js';
import { FakeNes } from './support/fake-ne.js';
let dump = false;
const decoded = (a: Buffer): string => {
  try {
    return JSON.stringify(unpack(a));
  } catch {
    return `<${a.length} bytes>`;
  }
};
const send = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
  const c = args[0] as unknown as { name: string; args: unknown[] };
  if (dump) {
    const parts = c.args.map((a) => (Buffer.isBuffer(a) ? decoded(a) : String(a)));
    console.log(`== ${c.name} ${parts.reduce((n, p) => n + p.length, 0)}B\n${parts.join('\n')}`);
  }
  return send.apply(this, args);
};
const redis = await startPrivateRedis();
const fleet = await startBenchFleet({ redisUrl: redis.url, prefix: newPrefix('dump'), roles: ['intake', 'orchestrator', 'worker'], catalog: await benchCatalog(), inventory: benchInventory(10, 100), factory: new FakeNes({ latencyMs: 0 }).factory });
await fleet.producer.submitServiceOrder(benchOrder(benchNeId(0), 'warm'));
await waitUntil(async () => (await sumCounter(fleet.metrics.ordersFinished)) >= 1, 10_000, 'warm-up');
dump = true;
await fleet.producer.submitServiceOrder(benchOrder(benchNeId(1), 'one'));
await waitUntil(async () => (await sumCounter(fleet.metrics.ordersFinished)) >= 2, 10_000, 'one');
dump = false;
await fleet.stop();
await redis.stop();
process.exit(0);
