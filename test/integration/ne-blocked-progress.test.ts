import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderIdOfJob } from '../../queues/queue-names.js';
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
    const waits = new NeBlockedWaits(client, { keys: new Keyspace(`blocked-${randomBytes(3).toString('hex')}`, 1), queueOf: () => undefined, orderOf: orderIdOfJob });
    expect(await waits.lastProgress('nc-a')).toBe(0);
    const before = Date.now();
    await waits.unblocked('nc-a');
    const at = await waits.lastProgress('nc-a');
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(await waits.lastProgress('nc-b')).toBe(0);
  });

  it("wakes only the order whose window now holds the NE, and leaves the other orders' jobs and the prober waiting", async () => {
    // The NE just took order A's confirmed commit: every other order's change would be refused
    // again, so promoting them all made a crowd of attempts that slowed A's own confirm.
    const keys = new Keyspace(`blocked-${randomBytes(3).toString('hex')}`, 1);
    const queue = new Queue('activation', { connection: client, prefix: `blocked-q-${randomBytes(3).toString('hex')}` });
    const waits = new NeBlockedWaits(client, { keys, queueOf: () => queue, orderOf: orderIdOfJob });
    const ids = ['A~voicemail~activate', 'B~number-porting~activate', 'C~number-porting~compensate'];
    for (const id of ids) await queue.add('activate', {}, { jobId: id, delay: 600_000 });
    await client.sadd(keys.budgetNeBlockedWaiters('nc-a'), ...ids);
    await client.set(keys.budgetNeBlockedProbe('nc-a'), 'D~number-porting~activate', 'PX', 60_000);
    const before = Date.now();

    expect(await waits.unblocked('nc-a', { order: 'A' })).toBe(1);
    const delayed = async (): Promise<boolean[]> => Promise.all(ids.map(async (id) => (await queue.getJob(id))?.isDelayed() ?? false));
    expect(await delayed()).toEqual([false, true, true]);
    expect((await client.smembers(keys.budgetNeBlockedWaiters('nc-a'))).sort()).toEqual(ids.slice(1));
    expect(await client.exists(keys.budgetNeBlockedProbe('nc-a'))).toBe(1);
    // Taking A's commit is progress for the bound of the others' waits all the same.
    expect(await waits.lastProgress('nc-a')).toBeGreaterThanOrEqual(before);

    // A's window confirmed: the NE takes changes again, for everyone.
    expect(await waits.unblocked('nc-a')).toBe(2);
    expect(await delayed()).toEqual([false, false, false]);
    expect(await client.exists(keys.budgetNeBlockedWaiters('nc-a'), keys.budgetNeBlockedProbe('nc-a'))).toBe(0);
    await queue.obliterate({ force: true });
    await queue.close();
  });
});
