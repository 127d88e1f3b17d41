import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { FleetEpochStore, type FleetEpoch } from '../stores/fleet-epoch-store.js';
import type { Keyspace } from '../stores/keyspace.js';
import { lastRedisError } from '../queues/redis-connection.js';
import { redisUnavailable } from '../queues/redis-unavailable.js';

export interface FleetEpochWatchOptions {
  /** A fail-fast connection of its own (profile producer, timeouts of `readyTimeoutMs`). */
  redis: Redis;
  redisUrl: string;
  keys: Keyspace;
  registry: Registry;
  log: Logger;
  /** What the process runs, for the records it writes. */
  roles: readonly string[];
  /** How often the epoch is checked besides each /readyz (the readiness interval). */
  intervalMs: number;
  /** Longest a readiness answer waits for Redis. */
  readyTimeoutMs: number;
}

const RECOVERY = 'see README "Recovering from lost Redis state"';

/**
 * Every process checks the fleet epoch, on an interval and at each /readyz. The first process
 * of a fleet creates it. When the epoch a process knew vanishes or is replaced, acknowledged
 * state may be lost: the process records the loss in Redis, fails readiness, sets
 * `activation_redis_state_lost` to 1 and says so at error level. It never re-creates the epoch
 * itself, and neither does any process while a loss is pending: only the operator's
 * `activation-fleet epoch --acknowledge-loss` ends it, after reconciling the NEs. A process
 * started after the loss sees the pending record, so a restart does not hide it either.
 */
export class FleetEpochWatch {
  private readonly store: FleetEpochStore;
  private readonly lostGauge: Gauge;
  private readonly me: string;
  private known: FleetEpoch | undefined;
  /** Set while the epoch this process knew is gone and unacknowledged. */
  private latched: { found: FleetEpoch | null } | undefined;
  private pendingLosses = 0;
  /** Whether the pending losses (seen by a process that knew no earlier epoch) were reported. */
  private pendingReported = false;
  private unreachable: string | undefined;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FleetEpochWatchOptions) {
    this.store = new FleetEpochStore(options.redis, options.keys);
    this.me = `${hostname()}:${process.pid} (${options.roles.join(',')})`;
    this.lostGauge = new Gauge({
      name: 'activation_redis_state_lost',
      help: 'Whether this process saw the fleet epoch vanish or change (Redis state lost) and no operator has acknowledged it yet: 1 lost, 0 not.',
      registers: [options.registry],
    });
    this.lostGauge.set(0);
  }

  start(): void {
    // A reconnect is when state may have been lost (a restart, a failover): check at once, not
    // at the next interval. A wipe without a reconnect (FLUSHALL) waits for the interval.
    this.options.redis.on('ready', () => void this.check());
    void this.check();
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get lost(): boolean {
    return this.latched !== undefined || this.pendingLosses > 0;
  }

  /** For /readyz: a fresh check, bounded by `readyTimeoutMs`; the reason the process is not ready, if it is not. */
  async readiness(): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.readyTimeoutMs);
    });
    const outcome = await Promise.race([this.check().then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (this.lost) return this.lostReason();
    if (outcome === 'timeout') return `Redis at ${this.urlShown()} did not answer within ${this.options.readyTimeoutMs} ms`;
    return this.unreachable;
  }

  /** One check; concurrent callers share it. */
  check(): Promise<void> {
    this.running ??= this.checkOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async checkOnce(): Promise<void> {
    try {
      const { epoch, pendingLosses } = await this.store.read();
      this.pendingLosses = pendingLosses;
      this.reached();
      if (this.latched) {
        if (this.known && epoch?.acknowledges?.includes(this.known.id)) this.acknowledged(epoch);
        // The record of our loss vanished without an acknowledgement (wiped again): record it again.
        else if (pendingLosses === 0 && this.known) await this.recordLoss(this.known, epoch ?? null);
        return this.setGauge();
      }
      if (!this.known) {
        if (pendingLosses === 0) this.known = epoch ?? (await this.store.createIfAbsent(this.newEpoch()));
        if (this.known && !epoch) this.options.log.info({ epoch: this.known }, 'fleet epoch created: this Redis holds no earlier fleet state under the prefix');
        return this.setGauge();
      }
      if (epoch?.id === this.known.id) {
        // Keep what an operator added (the acknowledgements) for the next comparison.
        this.known = epoch;
        return this.setGauge();
      }
      // Replaced, and an operator already acknowledged the one this process knew (another
      // process saw the loss first): follow the current epoch, as a latched process would.
      if (epoch?.acknowledges?.includes(this.known.id)) {
        this.acknowledged(epoch);
        return this.setGauge();
      }
      this.latched = { found: epoch ?? null };
      if (!(await this.recordLoss(this.known, epoch ?? null))) {
        // Acknowledged between our read and the record: nothing was recorded, nothing is lost to report.
        const now = (await this.store.read()).epoch;
        if (now) this.acknowledged(now);
        return this.setGauge();
      }
      this.options.log.error(
        { code: 'REDIS_STATE_LOST', epoch: this.known, found: epoch ?? null },
        `${this.lostReason()}. Acknowledged orders, their jobs and events, the service inventory and the listeners registered before may be lost; ` +
          'the NEs keep their configuration. Compare each NE with the inventory (activation-fleet reconcile --ne ID, activation-fleet audit --ne ID), ' +
          `then acknowledge with activation-fleet epoch --acknowledge-loss; ${RECOVERY}`,
      );
      this.setGauge();
    } catch (error) {
      const reason = redisUnavailable(this.options.redisUrl, error, lastRedisError(this.options.redisUrl)).message;
      if (this.unreachable === undefined) this.options.log.warn({ err: error }, `readiness: ${reason}`);
      this.unreachable = reason;
    }
  }

  private reached(): void {
    if (this.unreachable !== undefined) this.options.log.info({ redis: this.urlShown() }, 'readiness: Redis answers again');
    this.unreachable = undefined;
  }

  private acknowledged(epoch: FleetEpoch): void {
    this.options.log.warn({ lost: this.known?.id, epoch }, 'loss of Redis state acknowledged by an operator: following the current fleet epoch');
    this.known = epoch;
    this.latched = undefined;
  }

  /** Records the loss; false when it was already acknowledged and nothing was recorded. */
  private async recordLoss(lost: FleetEpoch, found: FleetEpoch | null): Promise<boolean> {
    const recorded = await this.store.recordLoss({ lost, found, detectedAt: new Date().toISOString(), detectedBy: this.me });
    if (recorded) this.pendingLosses = Math.max(1, this.pendingLosses);
    return recorded;
  }

  private setGauge(): void {
    this.lostGauge.set(this.lost ? 1 : 0);
    // Losses another process recorded (this one's own loss is reported where it is seen).
    if (this.pendingLosses > 0 && !this.latched && !this.pendingReported) {
      this.options.log.error({ code: 'REDIS_STATE_LOST', epoch: this.known ?? null }, `${this.lostReason()}: acknowledged state may be lost; ${RECOVERY}`);
    }
    this.pendingReported = this.pendingLosses > 0;
  }

  private lostReason(): string {
    if (this.latched && this.known) {
      const { found } = this.latched;
      const what = found ? `was replaced by epoch ${found.id} (created ${found.createdAt} by ${found.createdBy})` : 'vanished';
      return `Redis state lost: the fleet epoch ${this.known.id} (created ${this.known.createdAt}) ${what}`;
    }
    return 'Redis state lost: a loss of the fleet epoch is recorded and not yet acknowledged (activation-fleet epoch lists it)';
  }

  private newEpoch(): FleetEpoch {
    return { id: randomUUID(), createdAt: new Date().toISOString(), createdBy: this.me };
  }

  private urlShown(): string {
    return new URL(this.options.redisUrl).host;
  }
}
