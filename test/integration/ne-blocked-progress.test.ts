import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { Keyspace } from '../../stores/keyspace.js';
import { NeBlockedWaits } from '../../stores/ne-blocked-waits.js';

let redis: PrivateRedis;
let client: Redis;

beforeAll(async () => {
  redis = await startPrivateRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  await client?.quit();
  await redis?.stop();
});

describe('an NE that refused changes and took one again', () => {
  it('is recorded when its waiters are woken, per NE, for the bound of the next waits', async () => {
    const waits = new NeBlockedWaits(client, { keys: new Keyspace(`blocked-${randomBytes(3).toString('hex')}`, 1), queueOf: () => undefined });
    expect(await waits.lastProgress('nc-a')).toBe(0);
    const before = Date.now();
    await waits.unblocked('nc-a');
    const at = await waits.lastProgress('nc-a');
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(await waits.lastProgress('nc-b')).toBe(0);
  });
});
