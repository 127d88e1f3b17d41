/**
 * Where the bytes and commands of one-item orders go: runs a few bench orders on a private Redis
 * and counts, per kind of request (each fleet script by name, each BullMQ script by its name, each
 * plain command), the bytes sent and, through MONITOR, the commands Redis ran inside it, by name.
 * A profiling aid for RESULTS.md, not a bench row.   npx tsx bench/profile-order-bytes.ts [orders]
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../runtime/private-redis.js';
import { SCRIPT_NAMES } from '../stores/scripts.js';
import { benchCatalog, benchInventory, benchNeId, benchOrder, newPrefix, startBenchFleet, sumCounter, waitUntil } from './support/bench-fleet.js';
import { FakeNes } from './support/fake-ne.js';

const orders = Number(process.argv[2] ?? 200);
const names = new Map<string, string>(SCRIPT_NAMES.map((n) => [createHash('sha1').update(readFileSync(new URL(`../stores/lua/${n}.lua`, import.meta.url), 'utf8')).digest('hex'), n]));
/** BullMQ's scripts by the name ioredis defined them under, learnt from the clients that send them. */
function learn(client: unknown): void {
  for (const [name, script] of Object.entries((client as { scriptsSet?: Record<string, { sha: string }> }).scriptsSet ?? {})) if (!names.has(script.sha)) names.set(script.sha, `bullmq ${name}`);
}
const kindOf = (name: string, args: unknown[]): string => (name === 'evalsha' || name === 'eval' ? (names.get(String(args[0])) ?? `bullmq ${String(args[0]).slice(0, 8)}`) : name);
const sizeOf = (a: unknown): number => (Buffer.isBuffer(a) ? a.length : Buffer.byteLength(String(a)));

const stats = new Map<string, { bytes: number; calls: number; inner: number; byName: Map<string, number> }>();
let measuring = false;
const send = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
  const command = args[0] as unknown as { name: string; args: unknown[] };
  learn(this);
  if (measuring) {
    const kind = kindOf(command.name, command.args);
    const s = stats.get(kind) ?? { bytes: 0, calls: 0, inner: 0, byName: new Map<string, number>() };
    s.bytes += command.args.reduce<number>((n, a) => n + sizeOf(a), command.name.length);
    s.calls += 1;
    stats.set(kind, s);
  }
  return send.apply(this, args);
};

const redis = await startPrivateRedis();
const admin = new Redis(redis.url);
const fleet = await startBenchFleet({ redisUrl: redis.url, prefix: newPrefix('profile'), roles: ['intake', 'orchestrator', 'worker'], catalog: await benchCatalog(), inventory: benchInventory(10, 100), factory: new FakeNes({ latencyMs: 0 }).factory });
await fleet.producer.submitServiceOrder(benchOrder(benchNeId(0), 'warm'));
await waitUntil(async () => (await sumCounter(fleet.metrics.ordersFinished)) >= 1, 10_000, 'warm-up');

// Commands inside scripts, by script, from MONITOR (its own connection, not counted above).
const monitor = await new Redis(redis.url).monitor();
let current = '';
monitor.on('monitor', (_time: string, args: string[], source: string) => {
  const [cmd, ...rest] = args;
  if (source === 'lua') {
    const s = stats.get(current);
    if (s) {
      s.inner += 1;
      const name = (cmd ?? '').toLowerCase();
      s.byName.set(name, (s.byName.get(name) ?? 0) + 1);
    }
  } else current = kindOf((cmd ?? '').toLowerCase(), rest);
});
const info = async () => Number(/total_net_input_bytes:(\d+)/.exec(await admin.info('stats'))?.[1]);
const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await admin.info('stats'))?.[1]);
const [bytesBefore, commandsBefore] = [await info(), await commands()];
measuring = true;
for (let i = 0; i < orders; i++) await fleet.producer.submitServiceOrder(benchOrder(benchNeId(i % 10), `p-${i}`));
await waitUntil(async () => (await sumCounter(fleet.metrics.ordersFinished)) >= orders + 1, 60_000, 'orders');
measuring = false;
const [bytesAfter, commandsAfter] = [await info(), await commands()];
monitor.disconnect();
for (const [kind, s] of [...stats].sort((a, b) => b[1].bytes - a[1].bytes)) {
  if (s.calls / orders < 0.05) continue;
  const inside = [...s.byName].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${(c / s.calls).toFixed(1)}`).join(', ');
  console.log(`${kind.padEnd(34)} ${String(Math.round(s.bytes / orders)).padStart(6)} B/order  ${(s.calls / orders).toFixed(2)} calls/order  ${(s.inner / orders).toFixed(1)} commands inside${inside ? ` (per call: ${inside})` : ''}`);
}
console.log(`Redis received ${Math.round((bytesAfter - bytesBefore) / orders)} B/order and ran ${((commandsAfter - commandsBefore) / orders).toFixed(1)} commands/order (INFO; MONITOR itself and INFO add a few)`);
await fleet.stop();
await admin.quit();
await redis.stop();
process.exit(0);
