import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { budgetGroupSchema, networkElementSchema, type BudgetGroup, type NetworkElement } from '../../inventory/network-element.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { Keyspace } from '../../stores/keyspace.js';
import { NeBudget, type NeBudgetOptions } from '../../stores/ne-budget.js';

/**
 * The fleet-wide NE budget on its own, against a private redis-server: session limits per NE and
 * per group across budget instances (processes), renewal, a killed holder's lease expiring,
 * waiters woken oldest first, contention, and the operations-per-second bucket.
 */

let redis: PrivateRedis;
const connections: Redis[] = [];
const budgets: NeBudget[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const budget of budgets.splice(0)) budget.close();
  await Promise.all(connections.splice(0).map((c) => c.quit().catch(() => undefined)));
});

afterAll(async () => {
  await redis?.stop();
});

function connection(): Redis {
  const c = new Redis(redis.url, { maxRetriesPerRequest: null });
  connections.push(c);
  return c;
}

/** A budget as one worker process has it: a connection of its own, on the test's prefix. */
function budgetOn(keys: Keyspace, options: Partial<NeBudgetOptions> = {}): NeBudget {
  const budget = new NeBudget(connection(), { keys, group: () => undefined, ...options });
  budgets.push(budget);
  return budget;
}

const freshKeys = (): Keyspace => new Keyspace(`budget-${randomBytes(4).toString('hex')}`, 1);
const ne = (id: string, extra: Record<string, unknown> = {}): NetworkElement =>
  networkElementSchema.parse({ id, role: 'test', protocol: 'ssh-cli', host: '127.0.0.1', port: 22, credentialsRef: 'env:X', maxSessions: 2, ssh: { hostKeys: [] }, ...extra });

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('NeBudget session limits', () => {
  it('grants an NE maxSessions leases across processes, refuses the next, and grants again once one is given back', async () => {
    const keys = freshKeys();
    const [a, b] = [budgetOn(keys), budgetOn(keys)];
    const pe = ne('pe-1');
    const first = await a.tryAcquire(pe);
    const second = await b.tryAcquire(pe);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(await a.tryAcquire(pe)).toBeUndefined();
    expect(await b.tryAcquire(pe)).toBeUndefined();
    // Another NE is not held up by this one.
    expect(await a.tryAcquire(ne('pe-2'))).toBeDefined();
    expect((await a.usage([pe]))[0]).toMatchObject({ leased: 2, waiting: 0 });
    await a.release(first!);
    expect((await b.usage([pe]))[0]).toMatchObject({ leased: 1 });
    expect(await b.tryAcquire(pe)).toBeDefined();
  });

  it("holds a group's limit over all its NEs, whatever each NE allows", async () => {
    const keys = freshKeys();
    const group: BudgetGroup = budgetGroupSchema.parse({ id: 'ems-1', maxSessions: 1 });
    const budget = budgetOn(keys, { group: (id) => (id === group.id ? group : undefined) });
    const [x, y] = [ne('x', { budgetGroup: 'ems-1' }), ne('y', { budgetGroup: 'ems-1' })];
    const lease = await budget.tryAcquire(x);
    expect(lease).toBeDefined();
    expect(await budget.tryAcquire(y)).toBeUndefined();
    // A refusal by the group takes nothing from the NE's own set.
    expect((await budget.usage([y]))[0]?.leased).toBe(0);
    await budget.release(lease!);
    expect(await budget.tryAcquire(y)).toBeDefined();
  });
});

describe('NeBudget leases of a process that dies', () => {
  it('a live holder renews its lease past its TTL; once the holder is killed, the lease frees itself at its expiry and not before', async () => {
    const keys = freshKeys();
    const pe = ne('pe-crash', { maxSessions: 1 });
    const leaseTtlMs = 1500;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/budget-holder-child.ts'], {
      env: { ...process.env, REDIS_URL: redis.url, BUDGET_PREFIX: keys.name, BUDGET_NE: JSON.stringify(pe), BUDGET_LEASE_TTL_MS: String(leaseTtlMs) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const leaseId = await new Promise<string>((resolve, reject) => {
      child.stdout?.once('data', (data: Buffer) => resolve(data.toString().trim()));
      child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before holding a lease`)));
    });
    expect(leaseId).not.toBe('refused');
    const other = budgetOn(keys, { leaseTtlMs });
    const leases = keys.budgetNeLeases(pe.id);
    const observer = connection();
    const expiryNow = async (): Promise<number> => Number(await observer.zscore(leases, leaseId));
    const firstExpiry = await expiryNow();

    // Renewed: past the first expiry the lease is still there, with a later one, and still refused to others.
    await eventually(async () => (Date.now() > firstExpiry && (await expiryNow()) > Date.now() ? true : undefined), 'the holder renewed its lease');
    expect(await other.tryAcquire(pe)).toBeUndefined();

    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
    const lastExpiry = await expiryNow();
    // What a job parked for the NE is told to look again by: the dead lease's expiry, which
    // promotes no waiter by itself.
    expect(await other.firstLeaseExpiry(pe.id)).toBe(lastExpiry);
    const granted = await eventually(async () => {
      const asked = Date.now();
      const lease = await other.tryAcquire(pe);
      return lease ? { lease, asked } : undefined;
    }, 'the dead holder’s lease to expire');
    // Freed by its expiry: never granted to a request made before it.
    expect(granted.asked).toBeGreaterThanOrEqual(lastExpiry);
    expect(await observer.zscore(leases, leaseId)).toBeNull();
    expect(await other.firstLeaseExpiry(pe.id)).toBeGreaterThanOrEqual(Date.now());
    await other.release(granted.lease);
    expect(await other.firstLeaseExpiry(pe.id)).toBeUndefined();
  });
});

describe('NeBudget waiters', () => {
  it('wakes the oldest waiter when a lease is given back, skipping one whose job no longer waits', async () => {
    const keys = freshKeys();
    const queue = new Queue(`budget-waiters-${randomBytes(3).toString('hex')}`, { connection: connection(), prefix: keys.base });
    const waited: string[] = [];
    const budget = budgetOn(keys, { queueOf: () => queue, onWaitOver: (neId) => waited.push(neId) });
    const pe = ne('pe-w', { maxSessions: 1 });
    try {
      const [gone, first, second] = await Promise.all(['gone', 'first', 'second'].map((name) => queue.add(name, {}, { delay: 3_600_000 })));
      for (const job of [gone!, first!, second!]) await budget.addWaiter(pe.id, job);
      await gone!.remove();
      expect(await budget.contended(pe)).toBe(true);

      await budget.release((await budget.tryAcquire(pe))!);
      expect(await first!.getState()).toBe('waiting');
      expect(await second!.getState()).toBe('delayed');
      expect(waited).toEqual(['pe-w']);

      await budget.release((await budget.tryAcquire(pe))!);
      expect(await second!.getState()).toBe('waiting');
      expect(await budget.contended(pe)).toBe(false);
    } finally {
      await queue.close();
    }
  });

  it('tells every watching process at once when a job parks for an NE', async () => {
    const keys = freshKeys();
    const watcher = budgetOn(keys);
    let onContended: (neId: string) => void = () => undefined;
    const heard = new Promise<string>((resolve) => (onContended = resolve));
    // Resolves once subscribed: a park published from now on is heard.
    await watcher.watchContention(connection(), onContended);
    const pe = ne('pe-c');
    expect(await watcher.contended(pe)).toBe(false);
    await budgetOn(keys).addWaiter(pe.id, { id: 'job-1' });
    expect(await heard).toBe('pe-c');
    expect(await watcher.contended(pe)).toBe(true);
  });
});

describe('NeBudget operations per second', () => {
  it('makes the operation past the one-second burst wait for its token', async () => {
    const keys = freshKeys();
    const budget = budgetOn(keys);
    const pe = ne('pe-r', { maxOpsPerSecond: 5 });
    const started = performance.now();
    for (let i = 0; i < 5; i += 1) await budget.throttle(pe);
    await budget.throttle(pe);
    // The bucket starts full (one second's worth, 5) and refills at 5 a second: the sixth token
    // exists 200 ms after the first was taken. A lower bound only: a busy machine is slower, never faster.
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });
});
