import { Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { advance, startOrder, type Advance } from '../orders/order-progress.js';
import { addMilestone } from '../orders/order-tracking.js';
import { isFinalState } from '../orders/order-states.js';
import type { OrderStore } from '../queues/order-store.js';
import { activationJobId, jobPriority, QUEUE_NAMES, type ActivationJob, type OrchestrationJob } from '../queues/queue-names.js';

export interface OrchestratorDeps {
  store: OrderStore;
  activation: Queue<ActivationJob>;
  metrics: FleetMetrics;
  log: Logger;
  attempts: number;
  backoffMs: number;
  now?: () => string;
}

/**
 * Order-level decisions. `start` moves an order in progress when its requested start comes;
 * `advance` runs after every item settles (and on cancel): it stores what `advance()` decided
 * and enqueues the item jobs. Job ids derive from (order, item, kind), so a decision replayed
 * after a crash cannot create a second activation of the same item.
 */
export function createOrchestratorProcessor(deps: OrchestratorDeps) {
  const now = deps.now ?? (() => new Date().toISOString());
  return async (job: Job<OrchestrationJob>): Promise<string> => {
    const { orderId } = job.data;
    if (job.name === 'start') {
      await deps.store.update(orderId, (r) => {
        const started = startOrder(r, now());
        return started === r ? r : addMilestone(started, 'decomposed', now());
      });
    }
    let decision: Advance | undefined;
    let wasFinal = false;
    const stored = await deps.store.update(orderId, (r) => {
      wasFinal = isFinalState(r.order.state);
      decision = advance(r, now());
      return decision.record;
    });
    const jobs = [
      ...(decision?.activate ?? []).map((itemId) => ({ orderId, itemId, kind: 'activate' as const })),
      ...(decision?.compensate ?? []).map((itemId) => ({ orderId, itemId, kind: 'compensate' as const })),
    ];
    if (jobs.length > 0) {
      await deps.activation.addBulk(
        jobs.map((data) => ({
          name: data.kind,
          data,
          opts: {
            jobId: activationJobId(data),
            priority: jobPriority(stored.order.priority),
            attempts: deps.attempts,
            backoff: { type: 'exponential', delay: deps.backoffMs, jitter: 0.5 },
            removeOnComplete: { age: 3600, count: 10_000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        })),
      );
    }
    if (!wasFinal && isFinalState(stored.order.state)) {
      deps.metrics.ordersFinished.inc({ state: stored.order.state });
      const started = Date.parse(stored.order.orderDate);
      deps.metrics.orderDuration.observe({ state: stored.order.state }, (Date.parse(now()) - started) / 1000);
      deps.log.info({ orderId, state: stored.order.state }, 'order finished');
    }
    return stored.order.state;
  };
}

export function startOrchestratorWorker(deps: OrchestratorDeps, options: { connection: Redis; prefix: string; concurrency: number }): Worker<OrchestrationJob, string> {
  const worker = new Worker<OrchestrationJob, string>(QUEUE_NAMES.orchestration, deps.metrics.instrument('orchestration', createOrchestratorProcessor(deps)), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
  });
  worker.on('error', (error) => deps.log.error({ err: error }, 'orchestrator worker error'));
  worker.on('failed', (job, error) => deps.log.error({ err: error, orderId: job?.data.orderId }, 'orchestration job failed'));
  return worker;
}
