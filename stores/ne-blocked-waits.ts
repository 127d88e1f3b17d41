import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace.js';

/**
 * Jobs waiting for an NE that refuses every change for now: a confirmed commit is pending on it
 * (the device holds off other locks and commits until it is confirmed, cancelled or rolled back,
 * up to its confirm timeout) or another session holds its lock. Such a wait is no failure and
 * no reason to retry at once:
 * - one job at a time probes the NE, every `probeMs` (a probe is a lock attempt). Polling
 *   slowly matters: yuma123 netconfd runs its confirm timer only when idle for about a second,
 *   so a crowd of retries would keep a dead worker's commit from ever rolling back;
 * - every other job waits parked (delayed, holding no worker) and is woken when a job gets a
 *   change through to the NE again, or the fleet confirms or cancels its own commit there.
 */
export interface NeBlockedWaitsOptions {
  keys: Keyspace;
  /** The queue a parked job is on (by job id), to promote it on wake-up. */
  queueOf: (jobId: string) => Queue | undefined;
  /** The order a parked job belongs to (by job id), to wake only an order's own jobs. */
  orderOf: (jobId: string) => string;
  /** @defaultValue 3000 */
  probeMs?: number;
}

export class NeBlockedWaits {
  private readonly probeMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: NeBlockedWaitsOptions,
  ) {
    this.probeMs = options.probeMs ?? 3000;
  }

  /**
   * Parks `job` for the blocked NE: moves it to delayed (the caller throws DelayedError). The
   * job that becomes the prober looks again in `probeMs`; the others wait to be woken, or
   * `fallbackMs` at the most. Returns the delay chosen.
   */
  async park(neId: string, job: Job, token: string | undefined, fallbackMs: number): Promise<{ delayMs: number; prober: boolean }> {
    const prober = (await this.redis.set(this.options.keys.budgetNeBlockedProbe(neId), job.id ?? '', 'PX', this.probeMs, 'NX')) === 'OK';
    const delayMs = prober ? this.probeMs : Math.max(this.probeMs, fallbackMs);
    await job.moveToDelayed(Date.now() + delayMs + Math.floor(Math.random() * (prober ? 200 : this.probeMs)), token);
    if (!prober) await this.redis.multi().sadd(this.options.keys.budgetNeBlockedWaiters(neId), job.id ?? '').pexpire(this.options.keys.budgetNeBlockedWaiters(neId), 3_600_000).exec();
    return { delayMs, prober };
  }

  /**
   * The NE takes changes again: every job waiting for it is promoted (they meet the session
   * budget next). With `order`, the NE took a change of that order's window and holds it pending:
   * only that order's jobs can join it, so only they are promoted; the others (and the prober)
   * wait on for the window's confirm or cancel, instead of all trying the NE to be refused again.
   */
  async unblocked(neId: string, options: { order?: string } = {}): Promise<number> {
    const key = this.options.keys.budgetNeBlockedWaiters(neId);
    const progress = this.options.keys.budgetNeBlockedProgress(neId);
    let waiting: string[];
    if (options.order === undefined) {
      const result = await this.redis.multi().smembers(key).del(key, this.options.keys.budgetNeBlockedProbe(neId)).set(progress, String(Date.now()), 'PX', 3_600_000).exec();
      waiting = (result?.[0]?.[1] as string[] | undefined) ?? [];
    } else {
      waiting = (await this.redis.smembers(key)).filter((id) => this.options.orderOf(id) === options.order);
      const multi = this.redis.multi().set(progress, String(Date.now()), 'PX', 3_600_000);
      if (waiting.length > 0) multi.srem(key, ...waiting);
      await multi.exec();
    }
    let woken = 0;
    for (const jobId of waiting) {
      const job = await this.options.queueOf(jobId)?.getJob(jobId);
      if (job && (await job.isDelayed())) {
        await job.promote().catch(() => undefined);
        woken += 1;
      }
    }
    return woken;
  }

  /**
   * When the NE last took a change again after refusing (ms since the epoch), 0 when not seen
   * within the hour. Orders queued behind one window after another on an NE wait for each in
   * turn: the bound of a wait runs from the later of this and the job's own first refusal, so a
   * queue that moves is waited out, and only an NE stuck for a whole confirm timeout fails them.
   */
  async lastProgress(neId: string): Promise<number> {
    return Number((await this.redis.get(this.options.keys.budgetNeBlockedProgress(neId))) ?? 0);
  }

  /** Jobs parked for the NE now, for tests and metrics. */
  async waiting(neId: string): Promise<number> {
    return this.redis.scard(this.options.keys.budgetNeBlockedWaiters(neId));
  }
}
