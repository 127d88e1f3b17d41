import type { Redis } from 'ioredis';

/** Where an item run records which steps reached their NE. */
export interface StepLedger {
  /** The step's idempotency key, for logs and audit. */
  key(step: string): string;
  state(step: string): Promise<'pending' | 'done' | undefined>;
  mark(step: string, state: 'pending' | 'done'): Promise<void>;
  clear(step: string): Promise<void>;
}

/**
 * Idempotency for NE changes: each step of an item run is recorded under a key made of order,
 * item, kind and step (its idempotency key) as `pending` just before it is sent and `done` once
 * the NE took it. A run that starts again after a crash skips what is `done`, and for what is
 * `pending` (the crash came mid-change) asks the device through the step's own tests before
 * sending anything: no change reaches an NE twice.
 */
export class ChangeLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retentionSeconds = 7 * 24 * 3600,
  ) {}

  /** The ledger of one item run (activation or compensation). */
  forItem(orderId: string, itemId: string, kind: 'activate' | 'compensate'): StepLedger {
    const key = `${this.prefix}:changes:${orderId}:${itemId}:${kind}`;
    return {
      key: (step) => `${orderId}/${itemId}/${kind}/${step}`,
      state: async (step) => ((await this.redis.hget(key, step)) as 'pending' | 'done' | null) ?? undefined,
      mark: async (step, state) => {
        await this.redis.multi().hset(key, step, state).expire(key, this.retentionSeconds).exec();
      },
      clear: async (step) => {
        await this.redis.hdel(key, step);
      },
    };
  }
}
