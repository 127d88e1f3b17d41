import { ResourceClaimStore } from '../stores/resource-claim-store.js';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { NeDirectory } from '../inventory/ne-directory.js';
import type { ServiceCatalog } from '../catalog/service-catalog.js';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { bullmqTelemetry } from '../observability/tracing/bullmq-telemetry.js';
import type { QualificationRule } from '../orders/qualification-rules.js';
import { AuditTrail } from '../stores/audit-trail.js';
import type { Keyspace } from '../stores/keyspace.js';
import { OrderStore } from '../stores/order-store.js';
import { ServiceInventoryStore } from '../stores/service-inventory-store.js';
import type { SubmissionTally } from '../stores/submission-tally.js';
import { OrderDispatcher, type RetentionOptions } from './order-dispatch.js';
import { QUEUE_NAMES, type ActivationJob, type ActivationKind, type ActivationQueue, type OrchestrationJob, type OrchestrationJobName } from './queue-names.js';
import { ServiceOrderProducer } from './service-order-producer.js';

/** The producer and the stores of one connection, with the queues intake adds to. */
export interface ServiceOrderFront {
  producer: ServiceOrderProducer;
  store: OrderStore;
  audit: AuditTrail;
  services: ServiceInventoryStore;
  close(): Promise<void>;
}

export interface ServiceOrderFrontOptions {
  keys: Keyspace;
  catalog: ServiceCatalog;
  inventory?: NeDirectory;
  rules: QualificationRule[];
  metrics: FleetMetrics;
  log: Logger;
  attempts: number;
  backoffMs: number;
  retention: RetentionOptions;
  /** Counts submissions for a fleet process to take (a front outside the fleet: the CLI, embedded clients). */
  tally?: SubmissionTally;
}

/**
 * What takes orders on one connection: the producer, the stores, and the queues intake adds
 * to (the orchestration queue and each shard's activation queue). The api role opens it on a
 * fail-fast connection of its own (profile producer), so a request while Redis is away fails at
 * once (503) instead of waiting in the offline queue of the workers' connection; the client
 * upstream systems embed (runtime/service-order-client.ts) is the same on the connection it opens.
 */
export function openServiceOrderFront(redis: Redis, options: ServiceOrderFrontOptions): ServiceOrderFront {
  const { keys } = options;
  const audit = new AuditTrail(redis, keys);
  const store = new OrderStore(redis, keys, audit);
  const services = new ServiceInventoryStore(redis, keys);
  const telemetry = bullmqTelemetry();
  const queueOptions = (prefix: string) => ({ connection: redis, prefix, ...(telemetry ? { telemetry } : {}) });
  const orchestration = new Queue<OrchestrationJob, unknown, OrchestrationJobName>(QUEUE_NAMES.orchestration, queueOptions(keys.base));
  const activation = keys.allShards().map((s) => new Queue<ActivationJob, unknown, ActivationKind>(QUEUE_NAMES.activation, queueOptions(keys.tag(s))));
  // A Redis failure surfaces as the failing call's error, which its caller sees: no log per attempt.
  for (const queue of [orchestration, ...activation]) queue.on('error', () => undefined);
  const dispatcher = new OrderDispatcher({
    store,
    activation: (s) => activation[s] as ActivationQueue,
    metrics: options.metrics,
    log: options.log,
    attempts: options.attempts,
    backoffMs: options.backoffMs,
    retention: options.retention,
  });
  const producer = new ServiceOrderProducer({
    store,
    keys,
    catalog: options.catalog,
    dispatcher,
    orchestration,
    ...(options.inventory ? { inventory: options.inventory } : {}),
    services,
    claims: new ResourceClaimStore(redis, keys),
    rules: options.rules,
    metrics: options.metrics,
    ...(options.tally ? { tally: options.tally } : {}),
  });
  return {
    producer,
    store,
    audit,
    services,
    async close() {
      await Promise.all([orchestration.close(), ...activation.map((q) => q.close())]);
      await store.close();
    },
  };
}
