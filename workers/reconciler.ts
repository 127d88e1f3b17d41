import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { itemFailed } from '../orders/order-progress.js';
import type { OrderStore } from '../queues/order-store.js';
import { activationJobId, jobPriority, type ActivationJob, type OrchestrationJob } from '../queues/queue-names.js';

export interface ReconcilerOptions {
  intervalMs: number;
  /** An open order that has not changed for this long is looked at. */
  quietMs: number;
}

/**
 * Finds orders whose jobs were lost (a Redis failover, a job that stalled out after repeated
 * worker crashes) and resumes them, so no order stays silently in progress:
 * - an acknowledged order due to start gets its start job again;
 * - an item whose activation job is gone is dispatched again (the orchestrator re-adds the job
 *   of every item it finds activating; job ids make that idempotent);
 * - an item whose job failed for good without the worker recording it (stalled too often) is
 *   recorded failed with the job's reason, and the bundle compensates as for any failure.
 */
export function startReconciler(
  deps: { store: OrderStore; orchestration: Queue<OrchestrationJob>; activation: Queue<ActivationJob>; metrics: FleetMetrics; log: Logger },
  options: ReconcilerOptions,
): { stop(): void; reconcile(): Promise<number> } {
  let running = false;
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
        const record = await deps.store.get(orderId);
        if (!record) continue;
        const { order } = record;
        if (order.state === 'acknowledged' && !record.cancelRequestedAt) {
          const due = Date.parse(order.requestedStartDate ?? '') || 0;
          if (due > now) continue;
          await deps.orchestration.add('start', { orderId }, { jobId: `${orderId}~start~${now}`, priority: jobPriority(order.priority) });
          resumed += 1;
          continue;
        }
        for (const [itemId, rt] of Object.entries(record.items)) {
          if (rt.phase !== 'activating' && rt.phase !== 'compensating') continue;
          const kind = rt.phase === 'activating' ? 'activate' : 'compensate';
          const job = await deps.activation.getJob(activationJobId({ orderId, itemId, kind }));
          const state = job ? await job.getState() : 'missing';
          if (state === 'failed' && kind === 'activate') {
            // The job is finished for good, but its item was never recorded: record the failure.
            await deps.store.update(orderId, (r) => itemFailed(r, itemId, new Date().toISOString(), 'NE_CONNECTION_FAILED', `activation job failed without a result: ${job?.failedReason ?? 'unknown'}`));
          } else if (state === 'failed' || state === 'completed') {
            await job?.remove();
          } else if (state !== 'missing') {
            continue; // waiting, delayed or running: nothing lost
          }
          resumed += 1;
        }
        // The orchestrator re-dispatches activating items whose job is gone, and moves on from failures.
        await deps.orchestration.add('advance', { orderId });
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
