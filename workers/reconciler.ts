import type { Logger } from 'pino';
import { FleetError } from '../errors/index.js';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { itemAborting, type ItemPhase } from '../orders/order-progress.js';
import { keptJobs } from '../queues/job-retention.js';
import { activationJobId, extensionJobId, jobPriority, ORCHESTRATION_JOBS, startJobId, type ActivationKind, type ActivationQueue, type OrchestrationQueue } from '../queues/queue-names.js';
import type { OrderStore } from '../stores/order-store.js';
import type { OrderDispatcher } from '../queues/order-dispatch.js';

export interface ReconcilerOptions {
  intervalMs: number;
  /** An open order that has not changed for this long is looked at. */
  quietMs: number;
}

const KIND_OF: Partial<Record<ItemPhase, ActivationKind>> = { activating: 'activate', compensating: 'compensate', aborting: 'abort', confirming: 'confirm' };

/**
 * Finds orders whose jobs were lost (a Redis failover, a job that stalled out after repeated
 * worker crashes) and repairs them from what the order and its ledger say, never by guessing:
 * - an acknowledged order due to start, or a pending one whose service freed, is started again;
 * - an item whose job is gone (or finished without settling it) gets its job again (job ids are
 *   derived from the work, so that is idempotent);
 * - an item whose activation job failed for good without a result (it stalled out) is aborted:
 *   an abort job undoes exactly what its ledger records as sent, then records it failed. It is
 *   never just marked failed, which would leave a half-applied change on the network.
 * - an item waiting in the order's window (its confirmed commits pending) whose chain of
 *   extension jobs broke (scheduling the next failed, a partial loss of Redis) gets its next
 *   extension now: without it the devices revert the commits at their timeout and the order
 *   fails NE_CONFIRMED_COMMIT_LOST;
 * One order's trouble (even data that cannot be read) never stops the others being looked at.
 */
export function startReconciler(
  deps: { store: OrderStore; dispatcher: OrderDispatcher; orchestration: OrchestrationQueue; activation: (shard: number) => ActivationQueue; metrics: FleetMetrics; log: Logger },
  options: ReconcilerOptions,
): { stop(): void; reconcile(): Promise<number> } {
  let running = false;

  const repair = async (orderId: string, now: number): Promise<number> => {
    const snap = await deps.store.snapshot(orderId);
    if (!snap) return 0;
    const p = snap.progress;
    if (p.state === 'acknowledged' && !p.cancelRequestedAt) {
      const job = await deps.orchestration.getJob(startJobId(orderId));
      const state = job ? await job.getState() : 'missing';
      if (['delayed', 'waiting', 'active', 'prioritized'].includes(state)) return 0;
      await job?.remove().catch(() => undefined);
      const delay = Math.max(0, (Date.parse(snap.ctx.requestedStartDate ?? '') || 0) - now);
      await deps.orchestration.add(ORCHESTRATION_JOBS.start, { orderId }, { jobId: startJobId(orderId), delay, priority: jobPriority(snap.ctx.priority), ...keptJobs(deps.dispatcher.retention) });
      return 1;
    }
    if (p.state === 'pending' && !p.cancelRequestedAt) {
      // Its service may have freed while nobody woke it (a crash right after the hand-over).
      await deps.dispatcher.start(orderId);
      return 1;
    }
    const queue = deps.activation(deps.store.keys.shardOf(orderId));
    let resumed = 0;
    for (const itemId of p.itemIds) {
      const phase = p.items[itemId]?.phase ?? 'waiting';
      if (phase === 'activated' && p.items[itemId]?.unconfirmedAt !== undefined) {
        resumed += await repairExtension(orderId, itemId, snap.fences[itemId] ?? 0, snap.ctx.priority);
        continue;
      }
      const kind = KIND_OF[phase];
      if (!kind) continue;
      const job = await queue.getJob(activationJobId({ orderId, itemId, kind }));
      const state = job ? await job.getState() : 'missing';
      if (state === 'failed' && kind === 'activate') {
        // Finished for good without recording its item: undo what the ledger says it sent.
        const result = await deps.store.transition(orderId, (s) => {
          const next = itemAborting(s.progress, itemId);
          return next === s.progress ? undefined : { progress: next };
        });
        if (result.status === 'applied') await deps.dispatcher.enqueue(orderId, result.snapshot.ctx, [{ itemId, kind: 'abort' }]);
        deps.log.warn({ orderId, itemId, reason: job?.failedReason }, 'activation job failed without settling its item: aborting the item (undoing what it sent)');
        resumed += 1;
      } else if (state === 'failed' || state === 'completed' || state === 'missing' || state === 'unknown') {
        // 'unknown': the job's hash is there but it is on no list (a partial loss): add it again.
        await job?.remove().catch(() => undefined);
        await deps.dispatcher.enqueue(orderId, snap.ctx, [{ itemId, kind }]);
        resumed += 1;
      }
    }
    return resumed;
  };

  /**
   * The last execution of a window item (fence `after`) schedules the extension with that fence
   * in its id, and each extension schedules the next: when that job is gone or finished, nothing
   * will extend the item's commits any more. A job added here at the same id as one a running
   * extension is about to add is one job (BullMQ keeps the first).
   */
  const repairExtension = async (orderId: string, itemId: string, after: number, priority: string | undefined): Promise<number> => {
    const queue = deps.activation(deps.store.keys.shardOf(orderId));
    const job = await queue.getJob(extensionJobId(orderId, itemId, after));
    const state = job ? await job.getState() : 'missing';
    if (['delayed', 'waiting', 'active', 'prioritized', 'waiting-children'].includes(state)) return 0;
    await job?.remove().catch(() => undefined);
    await deps.dispatcher.scheduleExtension(orderId, itemId, after, 0, priority);
    deps.log.warn({ orderId, itemId, after, state }, "window item's extension job was lost: extending its confirmed commits now");
    return 1;
  };

  const reconcile = async (): Promise<number> => {
    if (running) return 0;
    running = true;
    let resumed = 0;
    try {
      const open = await deps.store.openOrders();
      const changed = await deps.store.lastChanged(open);
      const now = Date.now();
      for (const orderId of open) {
        if (now - (changed.get(orderId) ?? 0) < options.quietMs) continue;
        try {
          resumed += await repair(orderId, now);
        } catch (error) {
          if (error instanceof FleetError && error.code === 'ORDER_DATA_UNPROCESSABLE') {
            deps.log.error({ err: error, orderId }, 'order data cannot be processed: failing the order once');
            await deps.dispatcher.failUnreadable(orderId, error.message);
          } else deps.log.error({ err: error, orderId }, 'reconciling one order failed; going on with the others');
        }
      }
      if (resumed > 0) {
        deps.metrics.reconciled.inc(resumed);
        deps.log.warn({ resumed }, 'reconciler resumed orders whose jobs were lost');
      }
    } catch (error) {
      deps.log.error({ err: error }, 'reconciliation failed');
    } finally {
      running = false;
    }
    return resumed;
  };
  const timer = setInterval(() => void reconcile(), options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), reconcile };
}
