import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { stalledCheckMs } from '../../workers/activation-worker.js';

let redis: PrivateRedis;
let connection: Redis;

beforeAll(async () => {
  redis = await startPrivateRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  connection?.disconnect();
  await redis?.stop();
});

describe("a dead activation worker's job, with the activation worker's stalled check", () => {
  it('goes to a live worker within about 1.25 lock durations of its last lock renewal', async () => {
    // A job whose worker died holds its item (and a window's commit on its NE, holding every
    // order for that NE) until BullMQ's two-phase stalled check moves it: checked once a lock
    // duration, that was up to two lock durations after the death.
    const LOCK_MS = 8000;
    const prefix = `stall-${Date.now()}`;
    const queue = new Queue('activation', { connection, prefix });
    let taken: (at: number) => void = () => undefined;
    const takenOver = new Promise<number>((resolve) => (taken = resolve));
    // The live worker is busy with a first job while the other one is taken, so its stalled
    // check runs out of step with the dead worker's lock, as in a fleet.
    const live = new Worker(
      'activation',
      async (job: Job) => {
        if (job.name === 'first') await new Promise((r) => setTimeout(r, 1500));
        else taken(Date.now());
      },
      { connection, prefix, concurrency: 1, lockDuration: LOCK_MS, stalledInterval: stalledCheckMs(LOCK_MS), maxStalledCount: 2 },
    );
    await queue.add('first', {});
    await new Promise((r) => setTimeout(r, 300));
    await queue.add('orphan', {});
    // The dead worker: takes the job with a lock and never renews it, as a SIGKILLed process.
    const dead = new Worker('activation', null, { connection, prefix, lockDuration: LOCK_MS });
    const orphan = await dead.getNextJob('dead-token');
    const lockedAt = Date.now();
    expect(orphan?.name).toBe('orphan');
    const at = await takenOver;
    await Promise.all([live.close(), dead.close()]);
    await queue.obliterate({ force: true });
    await queue.close();
    expect(at - lockedAt).toBeGreaterThanOrEqual(LOCK_MS - 100);
    // 1.25 lock durations and a busy machine's lateness; checked once a lock, it came at two.
    expect(at - lockedAt).toBeLessThan(LOCK_MS * 1.5);
  }, 30_000);

  it('is checked for at a quarter of the lock, at least once a second and at most every 30 s', () => {
    expect(stalledCheckMs(10_000)).toBe(2500);
    expect(stalledCheckMs(120_000)).toBe(30_000);
    expect(stalledCheckMs(2000)).toBe(1000);
  });
});
