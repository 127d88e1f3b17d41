import { randomUUID } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SessionGate, SessionLease } from '../adapters/session-gate.js';
import type { BudgetGroup, NetworkElement } from '../inventory/network-element.js';
import type { Keyspace } from './keyspace.js';

/**
 * Per-NE (and per NE group) budgets that hold across every worker process on every host.
 * Open-source BullMQ has no per-group concurrency, and a semaphore per process cannot see the
 * others, so nothing well-kept exists for this: the fleet keeps its own on Redis.
 *
 * - Sessions: a lease per open session, in a sorted set per NE scored by expiry. A lease is
 *   renewed while its session lives; a crashed process's leases expire by themselves.
 * - Waiting: a job that finds its NE at budget is parked (delayed, not holding a worker) and
 *   listed as a waiter of the NE; releasing a lease promotes the oldest waiter, so it runs as
 *   soon as the budget frees and other NEs' jobs keep flowing meanwhile.
 * - Rate: a token bucket per NE (and group) for operations per second.
 */

// KEYS: lease sets (NE, then group). ARGV: now, expiry, lease id, then one limit per key.
const ACQUIRE = `
local now = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[3 + i]) then return 0 end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[i], 3600000)
end
return 1
`;

// KEYS: lease sets, then the NE's waiter list last. ARGV: lease id. Returns the waiter to promote.
const RELEASE = `
for i = 1, #KEYS - 1 do redis.call('ZREM', KEYS[i], ARGV[1]) end
return redis.call('LPOP', KEYS[#KEYS])
`;

// KEYS: buckets. ARGV: now (ms), then rate per second and burst per key. Returns ms to wait (0: taken).
const TAKE_TOKEN = `
local now = tonumber(ARGV[1])
local wait = 0
local state = {}
for i = 1, #KEYS do
  local rate, burst = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local b = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
  local tokens = tonumber(b[1]) or burst
  local ts = tonumber(b[2]) or now
  tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
  state[i] = tokens
  if tokens < 1 then wait = math.max(wait, math.ceil((1 - tokens) * 1000 / rate)) end
end
if wait > 0 then return wait end
for i = 1, #KEYS do
  redis.call('HSET', KEYS[i], 'tokens', state[i] - 1, 'ts', now)
  redis.call('PEXPIRE', KEYS[i], 60000)
end
return 0
`;

type BudgetRedis = Redis & {
  budgetAcquire(numKeys: number, ...args: (string | number)[]): Promise<number>;
  budgetRelease(numKeys: number, ...args: (string | number)[]): Promise<string | null>;
  budgetTakeToken(numKeys: number, ...args: (string | number)[]): Promise<number>;
};

export interface NeBudgetOptions {
  keys: Keyspace;
  /** How long a lease lives without renewal (a crashed holder frees it after this). */
  leaseTtlMs?: number;
  /** Budget groups by id, from the resource inventory. */
  group: (id: string) => BudgetGroup | undefined;
  /** The queue a parked job is on (by job id), to promote it when a lease frees. */
  queueOf?: (jobId: string) => Queue | undefined;
  /** Observes how long a promoted job waited for its NE. */
  onWaitOver?: (ne: string, waitedSeconds: number) => void;
}

export class NeBudget implements SessionGate {
  private readonly redis: BudgetRedis;
  private readonly keys: Keyspace;
  private readonly leaseTtlMs: number;
  /** When each NE last had a job parked for it, as heard on the contention channel. */
  private readonly contendedAt = new Map<string, number>();
  private subscriber: Redis | undefined;
  private readonly held = new Map<string, { lease: SessionLease; keys: string[] }>();
  private readonly renewal: NodeJS.Timeout;

  constructor(
    redis: Redis,
    private readonly options: NeBudgetOptions,
  ) {
    redis.defineCommand('budgetAcquire', { lua: ACQUIRE });
    redis.defineCommand('budgetRelease', { lua: RELEASE });
    redis.defineCommand('budgetTakeToken', { lua: TAKE_TOKEN });
    this.redis = redis as BudgetRedis;
    this.keys = options.keys;
    this.leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.renewal = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.leaseTtlMs / 3)));
    this.renewal.unref();
  }

  private leaseKeys(ne: NetworkElement): string[] {
    return [this.keys.budgetNeLeases(ne.id), ...(ne.budgetGroup ? [this.keys.budgetGroupLeases(ne.budgetGroup)] : [])];
  }

  private limits(ne: NetworkElement): number[] {
    const group = ne.budgetGroup ? this.options.group(ne.budgetGroup) : undefined;
    return [ne.maxSessions, ...(ne.budgetGroup ? [group?.maxSessions ?? Number.MAX_SAFE_INTEGER] : [])];
  }

  waitersKey(neId: string): string {
    return this.keys.budgetNeWaiters(neId);
  }

  /**
   * Listens on the contention channel, on a connection of its own: a job that parks for an NE
   * says so there, and every process holding an idle session of that NE hands it back at once
   * (`onContended`), and for a few seconds hands back any session of that NE it releases. So
   * whether an NE is contended is known here without asking Redis after every item.
   */
  async watchContention(subscriber: Redis, onContended: (neId: string) => void = () => undefined): Promise<void> {
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, neId: string) => {
      this.contendedAt.set(neId, Date.now());
      // Sessions idle right now go back at once: nothing else would free their leases.
      onContended(neId);
    });
    await subscriber.subscribe(this.keys.budgetContendedChannel);
  }

  async tryAcquire(ne: NetworkElement): Promise<SessionLease | undefined> {
    const keys = this.leaseKeys(ne);
    const lease = { neId: ne.id, id: `${process.pid}:${randomUUID()}` };
    const now = Date.now();
    const granted = await this.redis.budgetAcquire(keys.length, ...keys, now, now + this.leaseTtlMs, lease.id, ...this.limits(ne));
    if (granted !== 1) return undefined;
    this.held.set(lease.id, { lease, keys });
    return lease;
  }

  async release(lease: SessionLease): Promise<void> {
    const held = this.held.get(lease.id);
    this.held.delete(lease.id);
    const keys = held?.keys ?? [this.keys.budgetNeLeases(lease.neId)];
    const waiter = await this.redis.budgetRelease(keys.length + 1, ...keys, this.waitersKey(lease.neId), lease.id);
    if (waiter) await this.promote(lease.neId, waiter);
  }

  async contended(ne: NetworkElement): Promise<boolean> {
    if (!this.subscriber) return (await this.redis.llen(this.waitersKey(ne.id))) > 0;
    // A park is heard within milliseconds; a few seconds covers the waiters it leaves behind.
    return Date.now() - (this.contendedAt.get(ne.id) ?? 0) < 3000;
  }

  async throttle(ne: NetworkElement): Promise<void> {
    const group = ne.budgetGroup ? this.options.group(ne.budgetGroup) : undefined;
    const buckets: Array<[string, number]> = [
      ...(ne.maxOpsPerSecond ? [[this.keys.budgetNeRate(ne.id), ne.maxOpsPerSecond] as [string, number]] : []),
      ...(group?.maxOpsPerSecond ? [[this.keys.budgetGroupRate(group.id), group.maxOpsPerSecond] as [string, number]] : []),
    ];
    if (buckets.length === 0) return;
    for (;;) {
      // Burst of one second's worth: a quiet NE is not hit by a sudden pile of operations.
      const args = buckets.flatMap(([, rate]) => [rate, Math.max(1, rate)]);
      const wait = await this.redis.budgetTakeToken(buckets.length, ...buckets.map(([key]) => key), Date.now(), ...args);
      if (wait === 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /**
   * Lists a job as waiting for the NE. The caller then moves the job to delayed with a
   * fallback delay: a promotion normally ends the wait long before it.
   */
  async addWaiter(neId: string, job: Pick<Job, 'id'>): Promise<void> {
    await this.redis.multi().rpush(this.waitersKey(neId), `${job.id}|${Date.now()}`).publish(this.keys.budgetContendedChannel, neId).exec();
  }

  /** Promotes a parked job; a waiter whose job already runs (its fallback fired) is skipped. */
  private async promote(neId: string, waiter: string): Promise<void> {
    const [jobId, since] = waiter.split('|');
    const queue = jobId ? this.options.queueOf?.(jobId) : undefined;
    const job = jobId && queue ? await queue.getJob(jobId) : undefined;
    if (job && (await job.isDelayed())) {
      await job.promote().catch(() => undefined);
      this.options.onWaitOver?.(neId, (Date.now() - Number(since)) / 1000);
      return;
    }
    // Stale entry: wake the next one instead, so a freed lease never goes unused.
    const next = await this.redis.lpop(this.waitersKey(neId));
    if (next) await this.promote(neId, next);
  }

  /**
   * When the NE's first live lease expires unless renewed (ms since the epoch), undefined when it
   * has none. A crashed holder's lease frees only then, and its expiry promotes no waiter.
   */
  async firstLeaseExpiry(neId: string): Promise<number | undefined> {
    const [, score] = await this.redis.zrangebyscore(this.keys.budgetNeLeases(neId), Date.now(), '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
    return score === undefined ? undefined : Number(score);
  }

  /** Leases and waiters per NE now, for metrics and tests. */
  async usage(nes: NetworkElement[]): Promise<Array<{ ne: NetworkElement; leased: number; waiting: number }>> {
    if (nes.length === 0) return [];
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const ne of nes) {
      pipeline.zcount(this.keys.budgetNeLeases(ne.id), now, '+inf');
      pipeline.llen(this.waitersKey(ne.id));
    }
    const results = (await pipeline.exec()) ?? [];
    return nes.map((ne, i) => ({ ne, leased: Number(results[2 * i]?.[1] ?? 0), waiting: Number(results[2 * i + 1]?.[1] ?? 0) }));
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const expiry = Date.now() + this.leaseTtlMs;
    const pipeline = this.redis.pipeline();
    for (const { lease, keys } of this.held.values()) for (const key of keys) pipeline.zadd(key, 'XX', expiry, lease.id);
    await pipeline.exec().catch(() => undefined);
  }

  close(): void {
    clearInterval(this.renewal);
    this.subscriber = undefined;
  }
}
