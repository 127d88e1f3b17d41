import type { Telemetry } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import { buildInfo } from '../build-info.js';
import { tracingActive } from './tracing-state.js';

let telemetry: BullMQOtel | undefined;

/**
 * BullMQ's own tracing (its `telemetry` option, implemented by bullmq-otel): a producer span
 * where a job is added, its context carried in the job, and a consumer span around each job's
 * processing, so spans made while processing join the trace of whatever added the job.
 * Undefined when tracing is off: pass it straight through, BullMQ then does no tracing work.
 *
 *   new Queue(name, { connection, prefix, telemetry: bullmqTelemetry() })
 *   new Worker(name, processor, { connection, prefix, telemetry: bullmqTelemetry() })
 */
export function bullmqTelemetry(): Telemetry | undefined {
  if (!tracingActive()) return undefined;
  telemetry ??= new BullMQOtel({ tracerName: 'bullmq', version: buildInfo().version });
  return telemetry;
}
