import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { buildInfo } from './build-info.js';
import { escapedErrorCount } from './escaped-error-guard.js';

/**
 * The fleet's Prometheus metrics on a registry of its own (never prom-client's global one, so
 * tests and several fleets in one process do not collide). Base units, `_total` counters, and
 * labels with few values: never an order id or NE id.
 */
export class FleetMetrics {
  readonly registry: Registry;
  readonly ordersSubmitted: Counter<'outcome'>;
  readonly ordersFinished: Counter<'state'>;
  readonly itemsFinished: Counter<'specification' | 'action' | 'outcome'>;
  readonly itemsCompensated: Counter<'specification' | 'outcome'>;
  readonly activationRetries: Counter<'specification'>;
  readonly neOperations: Counter<'protocol' | 'role' | 'operation' | 'outcome'>;
  readonly jeopardyAlerts: Counter<'type'>;
  readonly reconciled: Counter;
  readonly staleExecutions: Counter<'kind'>;
  readonly budgetParks: Counter<'role'>;
  readonly confirmedCommits: Counter<'outcome'>;
  readonly budgetWait: Histogram<'role' | 'ne'>;
  readonly orderDuration: Histogram<'state'>;
  readonly itemDuration: Histogram<'specification' | 'action' | 'outcome'>;
  readonly neOperationDuration: Histogram<'protocol' | 'operation'>;
  readonly testDuration: Histogram<'protocol'>;
  readonly queueWait: Histogram<'queue'>;
  readonly inFlight: Gauge<'queue'>;
  readonly processRoles: Gauge<'role'>;
  readonly buildInfo: Gauge<'version' | 'commit' | 'node_version'>;
  readonly escapedErrors: Counter;
  readonly serviceAuditRuns: Counter<'outcome'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [new Registry()];
    this.registry = registers[0] as Registry;
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client names these gauges *_total, which Prometheus reserves for counters
      // (promtool check metrics refuses them); the per-type gauges without it stay.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
        this.registry.removeSingleMetric(name);
      }
    }
    this.ordersSubmitted = new Counter({
      name: 'activation_orders_submitted_total',
      help: 'Service orders submitted, by intake outcome (acknowledged, rejected, duplicate).',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.ordersFinished = new Counter({
      name: 'activation_orders_finished_total',
      help: 'Service orders that reached a final state, by state.',
      labelNames: ['state'] as const,
      registers,
    });
    this.itemsFinished = new Counter({
      name: 'activation_order_items_finished_total',
      help: 'Order item activations finished, by specification, action and outcome (completed, failed).',
      labelNames: ['specification', 'action', 'outcome'] as const,
      registers,
    });
    this.itemsCompensated = new Counter({
      name: 'activation_order_items_compensated_total',
      help: 'Completed order items rolled back, by specification and outcome (compensated, failed).',
      labelNames: ['specification', 'outcome'] as const,
      registers,
    });
    this.activationRetries = new Counter({
      name: 'activation_retries_total',
      help: 'Activation attempts that failed transiently and will be retried.',
      labelNames: ['specification'] as const,
      registers,
    });
    this.neOperations = new Counter({
      name: 'activation_ne_operations_total',
      help: 'Operations on network elements, by protocol, NE role, operation (apply, verify, undo) and outcome.',
      labelNames: ['protocol', 'role', 'operation', 'outcome'] as const,
      registers,
    });
    this.jeopardyAlerts = new Counter({
      name: 'activation_order_jeopardy_alerts_total',
      help: 'Jeopardy alerts raised on orders: atRisk, then missed (the escalation).',
      labelNames: ['type'] as const,
      registers,
    });
    this.reconciled = new Counter({
      name: 'activation_reconciler_resumed_total',
      help: 'Orders and items the reconciler found without their job (lost, or failed without a result) and resumed.',
      registers,
    });
    this.staleExecutions = new Counter({
      name: 'activation_stale_executions_total',
      help: 'Item executions that found a newer attempt holding their item (lock lost: paused or starved worker) and stopped without writing',
      labelNames: ['kind'] as const,
      registers,
    });
    this.budgetParks = new Counter({
      name: 'activation_ne_budget_parked_total',
      help: 'Jobs picked up while their NE was at its fleet-wide budget and parked (wasted pickups), by NE role.',
      labelNames: ['role'] as const,
      registers,
    });
    this.confirmedCommits = new Counter({
      name: 'activation_confirmed_commits_total',
      help: "NETCONF confirmed commits of orders' windows, by outcome: opened (committed, pending), joined (a later step's change added to one pending on its NE), extended (a further confirmed commit while the order runs), confirmed, cancelled (cancel-commit), reverted (the device rolled it back by itself). Open windows = opened - confirmed - cancelled - reverted.",
      labelNames: ['outcome'] as const,
      registers,
    });
    this.budgetWait = new Histogram({
      name: 'activation_ne_budget_wait_seconds',
      help: 'How long a parked job waited for its NE to have a free session; ne is "_other" unless listed in METRICS_NE_LABELS.',
      labelNames: ['role', 'ne'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.orderDuration = new Histogram({
      name: 'activation_order_duration_seconds',
      help: 'Service order duration from acknowledgement to final state.',
      labelNames: ['state'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers,
    });
    this.itemDuration = new Histogram({
      name: 'activation_order_item_duration_seconds',
      help: 'Order item activation duration, from pickup to result.',
      labelNames: ['specification', 'action', 'outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.neOperationDuration = new Histogram({
      name: 'activation_ne_operation_duration_seconds',
      help: 'Duration of one operation on a network element, by protocol and operation.',
      labelNames: ['protocol', 'operation'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.testDuration = new Histogram({
      name: 'activation_post_activation_test_duration_seconds',
      help: 'Duration of the post-activation tests of one step, by protocol.',
      labelNames: ['protocol'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.queueWait = new Histogram({
      name: 'activation_queue_wait_seconds',
      help: 'Time from a job being due (added, or its delay over) to a worker picking it up, by queue.',
      labelNames: ['queue'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.processRoles = new Gauge({
      name: 'activation_process_role',
      help: 'The roles this process runs (1 per role): count by role gives the number of workers, orchestrators, ...',
      labelNames: ['role'] as const,
      registers,
    });
    // Always 1: what is running, for joins (`* on(instance) group_left(version) activation_build_info`)
    // and for spotting a fleet of mixed versions during a rollout.
    this.buildInfo = new Gauge({
      name: 'activation_build_info',
      help: 'The build this process runs: version, git commit and Node.js version as labels (always 1).',
      labelNames: ['version', 'commit', 'node_version'] as const,
      registers,
    });
    const info = buildInfo();
    this.buildInfo.set({ version: info.version, commit: info.commit, node_version: info.nodeVersion }, 1);
    this.escapedErrors = new Counter({
      name: 'activation_escaped_errors_total',
      help: 'Errors that escaped every handler of this process (uncaught exceptions, unhandled rejections): each one is a bug; the process logged it and kept serving.',
      registers,
      // The guard counts per OS process (observability/escaped-error-guard.ts); every scrape reads that count.
      collect() {
        this.reset();
        this.inc(escapedErrorCount());
      },
    });
    this.serviceAuditRuns = new Counter({
      name: 'activation_service_audit_runs_total',
      help: 'Scheduled service audits (check-sync of every service) run by this process, by outcome: completed, failed, abandoned (lease lost or shutting down).',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.inFlight = new Gauge({
      name: 'activation_worker_jobs_in_flight',
      help: 'Jobs this process is working on now, by queue.',
      labelNames: ['queue'] as const,
      registers,
    });
  }

  /** Wraps a BullMQ processor to observe queue wait and in-flight jobs. */
  instrument<J extends { timestamp: number; processedOn?: number | undefined; opts: { delay?: number | undefined } }, A extends unknown[], R>(
    queue: string,
    processor: (job: J, ...rest: A) => Promise<R>,
  ): (job: J, ...rest: A) => Promise<R> {
    return async (job, ...rest) => {
      const due = job.timestamp + (job.opts.delay ?? 0);
      this.queueWait.observe({ queue }, Math.max(0, ((job.processedOn ?? Date.now()) - due) / 1000));
      this.inFlight.inc({ queue });
      try {
        return await processor(job, ...rest);
      } finally {
        this.inFlight.dec({ queue });
      }
    };
  }
}
