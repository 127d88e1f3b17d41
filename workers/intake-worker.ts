import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { bullmqTelemetry } from '../observability/tracing/bullmq-telemetry.js';
import { keptJobs, type RetentionOptions } from '../queues/job-retention.js';
import { QUEUE_NAMES, type IntakeJob } from '../queues/queue-names.js';
import type { ServiceOrderProducer } from '../queues/service-order-producer.js';

/**
 * Takes raw TMF641 orders that upstream systems put on the intake queue themselves (any BullMQ
 * client, any language) through the same validation and idempotency as `submitServiceOrder`.
 * The job's result is the order id and state; rejections are also on the events stream.
 */
export function startIntakeWorker(
  producer: ServiceOrderProducer,
  deps: { metrics: FleetMetrics; log: Logger },
  options: { connection: Redis; prefix: string; concurrency: number; retention: RetentionOptions },
): Worker<IntakeJob, { id: string; state: string }> {
  const worker = new Worker<IntakeJob, { id: string; state: string }>(
    QUEUE_NAMES.intake,
    deps.metrics.instrument('intake', async (job: Job<IntakeJob>) => {
      const { order, created } = await producer.submitServiceOrder(job.data.order);
      deps.log.info({ orderId: order.id, state: order.state, created, jobId: job.id }, 'order taken from intake queue');
      return { id: order.id, state: order.state };
    }),
    // Upstream systems add these jobs with whatever options they like: the worker's retention covers the ones added without.
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency, telemetry: bullmqTelemetry(), ...keptJobs(options.retention) },
  );
  worker.on('error', (error) => deps.log.error({ err: error }, 'intake worker error'));
  return worker;
}
