import type { JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { advance, dispatchOf, startOrder, holdOrder, type Advance } from '../orders/order-progress.js';
import { isFinalState } from '../orders/order-states.js';
import { ACTIVATION_JOBS, activationJobId, extensionJobId, jobPriority, type ActivationJob, type ActivationKind, type ActivationQueue } from './queue-names.js';
import type { OrderContext, ProgressSnapshot } from '../stores/order-fields.js';
import { keptJobs, type RetentionOptions } from './job-retention.js';
import type { Decision, OrderStore, TransitionResult } from '../stores/order-store.js';

export type { RetentionOptions };

export interface OrderDispatcherDeps {
  store: OrderStore;
  /** The activation queue of a shard. */
  activation: (shard: number) => ActivationQueue;
  metrics: FleetMetrics;
  log: Logger;
  attempts: number;
  backoffMs: number;
  retention: RetentionOptions;
  now?: () => string;
}

/**
 * What follows a stored decision: the item jobs it asks for, on the order's shard, with ids
 * derived from the work (a crash between the decision and the enqueue is repaired by adding the
 * same ids again); the orders that were waiting for a service this order released; and the
 * order's end in the metrics. Every path that decides (intake, workers, orchestrator, cancel,
 * reconciler) ends here. In queues/, below workers/: the intake front and the workers share it.
 */
export class OrderDispatcher {
  private readonly now: () => string;

  constructor(private readonly deps: OrderDispatcherDeps) {
    this.now = deps.now ?? (() => new Date().toISOString());
  }

  jobOptions(orderId: string, kind: ActivationKind, priority: string | undefined): JobsOptions {
    return {
      jobId: activationJobId({ orderId, itemId: '', kind }),
      priority: jobPriority(priority),
      attempts: this.deps.attempts,
      backoff: { type: 'exponential', delay: this.deps.backoffMs, jitter: 0.5 },
      ...keptJobs(this.deps.retention),
    };
  }

  /** The fleet's retention, for the other jobs of an order (its delayed start). */
  get retention(): RetentionOptions {
    return this.deps.retention;
  }

  /** Adds the jobs for `items` (adding one that exists is harmless). */
  async enqueue(orderId: string, ctx: OrderContext, items: Array<{ itemId: string; kind: ActivationKind }>): Promise<void> {
    if (items.length === 0) return;
    const queue = this.deps.activation(this.deps.store.keys.shardOf(orderId));
    const jobs = items.map(({ itemId, kind }) => {
      // The item's service is read in the same round trip as the item's start: its current record
      // decides what a modify, suspend or delete does, and whether an add activates a designed one.
      const serviceId = ctx.items[itemId]?.[1];
      const data: ActivationJob = { orderId, itemId, kind, ...(serviceId ? { serviceId } : {}) };
      return { name: kind, data, opts: { ...this.jobOptions(orderId, kind, ctx.priority), jobId: activationJobId(data) } };
    });
    if (jobs.length === 1) {
      const [job] = jobs;
      if (job) await queue.add(job.name, job.data, job.opts);
    } else await queue.addBulk(jobs);
  }

  /**
   * The next extension of an item's pending confirmed commits (a job of kind `extend`, delayed):
   * one job per execution that schedules it (`after`, its fence), so a finished one never hides
   * the next. It runs only while the item is still `activated` in an open window.
   */
  async scheduleExtension(orderId: string, itemId: string, after: number, delayMs: number, priority: string | undefined): Promise<void> {
    const queue = this.deps.activation(this.deps.store.keys.shardOf(orderId));
    const data: ActivationJob = { orderId, itemId, kind: ACTIVATION_JOBS.extend };
    // One attempt: a failed extension is retried by the job itself, sooner, not by BullMQ.
    await queue.add(ACTIVATION_JOBS.extend, data, { ...this.jobOptions(orderId, ACTIVATION_JOBS.extend, priority), attempts: 1, delay: Math.max(0, delayMs), jobId: extensionJobId(orderId, itemId, after) });
  }

  /**
   * After a transition was applied: enqueue what the decision asks for, count the order's end,
   * and start the orders that were handed a lock this order gave back.
   */
  async after(orderId: string, result: Extract<TransitionResult, { status: 'applied' }>, decision: Pick<Advance, 'activate' | 'compensate'>): Promise<void> {
    const ctx = result.snapshot.ctx;
    if (result.outcome !== 'held') await this.enqueue(orderId, ctx, dispatchOf(decision, result.after));
    if (!isFinalState(result.before.progress.state) && isFinalState(result.after.state)) this.finished(orderId, result.after.state, ctx);
    for (const waiter of result.released) await this.start(waiter);
  }

  /**
   * Fails, once, an order whose stored data cannot be processed (ORDER_DATA_UNPROCESSABLE), and
   * starts the orders that were waiting for a service it held: one poison order must not stall
   * the orders queued behind it, nor be retried for ever.
   */
  async failUnreadable(orderId: string, reason: string): Promise<void> {
    const released = await this.deps.store.failUnreadable(orderId, reason);
    this.deps.metrics.ordersFinished.inc({ state: 'failed' });
    for (const waiter of released) await this.start(waiter);
  }

  /** Metrics and a log line for an order that just became final. */
  finished(orderId: string, state: string, ctx: OrderContext): void {
    this.deps.metrics.ordersFinished.inc({ state });
    this.deps.metrics.orderDuration.observe({ state }, Math.max(0, (Date.parse(this.now()) - Date.parse(ctx.orderDate)) / 1000));
    this.deps.log.info({ orderId, state }, 'order finished');
  }

  /**
   * Starts an order whose requested start has come, or that was handed the lock it waited for:
   * it takes the locks of every service it changes (or waits, pending, behind the order holding
   * one) and its first items are dispatched. Idempotent: an order already started is advanced.
   */
  async start(orderId: string): Promise<void> {
    let decision: Advance | undefined;
    const result = await this.deps.store.transition(orderId, (snap) => {
      const p = snap.progress;
      if (isFinalState(p.state)) return undefined;
      if (p.state !== 'acknowledged' && p.state !== 'pending') {
        decision = advance(p, this.now());
        return decision.progress === p ? undefined : { progress: decision.progress };
      }
      const now = this.now();
      decision = advance(startOrder(p, now), now);
      const locks = snap.ctx.locks ?? [];
      const d: Decision = { progress: decision.progress };
      if (locks.length > 0) d.acquire = { serviceIds: locks, held: locks.map((serviceId) => holdOrder(p, { serviceId, orderId: '', since: now })) };
      return d;
    });
    if (result.status === 'applied' && decision) await this.after(orderId, result, decision);
    else if (result.status === 'noop') await this.redispatch(orderId, result.snapshot);
  }

  /** Runs `advance` on the order and dispatches what it asks for (repair after a lost job, a cancel). */
  async advance(orderId: string): Promise<void> {
    let decision: Advance | undefined;
    const result = await this.deps.store.transition(orderId, (snap) => {
      decision = advance(snap.progress, this.now());
      return decision.progress === snap.progress ? undefined : { progress: decision.progress };
    });
    if (result.status === 'applied' && decision) await this.after(orderId, result, decision);
    else if (result.status === 'noop') await this.redispatch(orderId, result.snapshot);
  }

  /** Re-adds the jobs of items already running: their jobs may have been lost. */
  private async redispatch(orderId: string, snap: ProgressSnapshot): Promise<void> {
    const decision = advance(snap.progress, this.now());
    await this.enqueue(orderId, snap.ctx, dispatchOf(decision, decision.progress));
  }
}
