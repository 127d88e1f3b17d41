import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { FleetError } from '../errors/index.js';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { bullmqTelemetry } from '../observability/tracing/bullmq-telemetry.js';
import { keptJobs, type RetentionOptions } from '../queues/job-retention.js';
import { ORCHESTRATION_JOBS, QUEUE_NAMES, type OrchestrationJob } from '../queues/queue-names.js';
import type { OrderStore } from '../stores/order-store.js';
import type { OrderDispatcher } from '../queues/order-dispatch.js';

export interface OrchestratorDeps {
  store: OrderStore;
  dispatcher: OrderDispatcher;
  metrics: FleetMetrics;
  log: Logger;
}

/**
 * Order-level work off the common path: `start` when a future-dated order's requested start
 * comes (or the reconciler finds one whose start job was lost), `advance` to repair an order
 * whose jobs were lost. An order whose stored data cannot be read fails once, with the reason,
 * instead of failing its job again and again.
 */
export function createOrchestratorProcessor(deps: OrchestratorDeps) {
  return async (job: Job<OrchestrationJob>): Promise<string> => {
    const { orderId } = job.data;
    try {
      if (job.name === ORCHESTRATION_JOBS.start) await deps.dispatcher.start(orderId);
      else await deps.dispatcher.advance(orderId);
    } catch (error) {
      if (!(error instanceof FleetError) || error.code !== 'ORDER_DATA_UNPROCESSABLE') throw error;
      deps.log.error({ err: error, orderId }, 'order data cannot be processed: failing the order once');
      await deps.dispatcher.failUnreadable(orderId, error.message);
      return 'failed';
    }
    return (await deps.store.snapshot(orderId))?.progress.state ?? 'missing';
  };
}

export function startOrchestratorWorker(deps: OrchestratorDeps, options: { connection: Redis; prefix: string; concurrency: number; retention: RetentionOptions }): Worker<OrchestrationJob, string> {
  const worker = new Worker<OrchestrationJob, string>(QUEUE_NAMES.orchestration, deps.metrics.instrument('orchestration', createOrchestratorProcessor(deps)), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    telemetry: bullmqTelemetry(),
    // For jobs added without a retention of their own (by an older fleet version, or by hand).
    ...keptJobs(options.retention),
  });
  worker.on('error', (error) => deps.log.error({ err: error }, 'orchestrator worker error'));
  worker.on('failed', (job, error) => deps.log.error({ err: error, orderId: job?.data.orderId }, 'orchestration job failed'));
  return worker;
}
