import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../observability/logger.js';
import { FleetEpochWatch } from '../../runtime/fleet-epoch-watch.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { FleetEpochStore, type FleetEpoch } from '../../stores/fleet-epoch-store.js';
import { Keyspace } from '../../stores/keyspace.js';

/**
 * Several processes watch one epoch; the first to see it replaced records the loss, an operator
 * acknowledges it, and a slower process sees the replacement only afterwards. That process must
 * follow the acknowledged epoch, not record the loss again: a loss recorded after the
 * acknowledgement would hold every process's /readyz at 503 until a second acknowledgement.
 */
let redis: PrivateRedis;
const connections: Redis[] = [];
const connect = (): Redis => {
  const c = new Redis(redis.url);
  connections.push(c);
  return c;
};

beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await redis?.stop();
});

const epochOf = (by: string): FleetEpoch => ({ id: randomUUID(), createdAt: new Date().toISOString(), createdBy: by });

function watch(keys: Keyspace): FleetEpochWatch {
  return new FleetEpochWatch({ redis: connect(), redisUrl: redis.url, keys, registry: new Registry(), log: createLogger({ level: 'silent' }), roles: ['worker'], intervalMs: 60_000, readyTimeoutMs: 2000 });
}

describe('a loss acknowledged before a slower process saw it', () => {
  it('the slower process follows the acknowledged epoch and records nothing', async () => {
    const keys = new Keyspace(`race-${randomUUID().slice(0, 8)}`, 1);
    const store = new FleetEpochStore(connect(), keys);
    const first = watch(keys);
    const slow = watch(keys);
    await first.check();
    await slow.check();
    const known = (await store.read()).epoch;
    expect(known).toBeDefined();

    await connect().set(keys.epoch, JSON.stringify(epochOf('elsewhere:1 (all)')));
    await first.check();
    expect(first.lost).toBe(true);
    expect((await store.read()).pendingLosses).toBe(1);
    await store.acknowledge(epochOf('operator'));
    expect((await store.read()).pendingLosses).toBe(0);

    // Only now does the slow process look.
    await slow.check();
    expect(slow.lost).toBe(false);
    expect(await slow.readiness()).toBeUndefined();
    expect((await store.read()).pendingLosses).toBe(0);
    await first.check();
    expect(first.lost).toBe(false);
  });

  it('a loss recorded after it was acknowledged is not recorded: the store says so', async () => {
    const keys = new Keyspace(`race-${randomUUID().slice(0, 8)}`, 1);
    const store = new FleetEpochStore(connect(), keys);
    const lost = epochOf('old:1 (all)');
    const found = epochOf('elsewhere:1 (all)');
    await connect().set(keys.epoch, JSON.stringify(found));
    expect(await store.recordLoss({ lost, found, detectedAt: new Date().toISOString(), detectedBy: 'a' })).toBe(true);
    // A second process recording the same loss before the acknowledgement: still pending.
    expect(await store.recordLoss({ lost, found, detectedAt: new Date().toISOString(), detectedBy: 'b' })).toBe(true);
    await store.acknowledge(epochOf('operator'));
    // A third, whose check read the replaced epoch before the acknowledgement, records after it.
    expect(await store.recordLoss({ lost, found, detectedAt: new Date().toISOString(), detectedBy: 'c' })).toBe(false);
    expect((await store.read()).pendingLosses).toBe(0);
  });
});
