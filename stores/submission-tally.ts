import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace.js';

/**
 * Order submissions made where no Prometheus scrapes: the CLI's `submit` and upstream systems
 * embedding the producer client count into Redis, and a fleet process takes the counts into its
 * own `activation_orders_submitted_total`. Each count is taken by exactly one process (a take
 * reads and deletes in one transaction), so the sum over the fleet's processes counts every
 * submission once, whichever path it came by.
 */
export class SubmissionTally {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    keys: Keyspace,
  ) {
    this.key = keys.uncollectedSubmissions;
  }

  /** One submission with this outcome (acknowledged, rejected, duplicate). */
  async add(outcome: string): Promise<void> {
    await this.redis.hincrby(this.key, outcome, 1);
  }

  /** Every count added since the last take, by outcome; they are this caller's from now on. */
  async take(): Promise<Array<[outcome: string, count: number]>> {
    const replies = await this.redis.multi().hgetall(this.key).del(this.key).exec();
    const [error, counts] = replies?.[0] ?? [null, {}];
    if (error) throw error;
    return Object.entries((counts ?? {}) as Record<string, string>).map(([outcome, n]) => [outcome, Number(n)]);
  }
}
