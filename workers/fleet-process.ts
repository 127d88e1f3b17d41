import { Queue, type Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createAdapterFactory, type CredentialsLookup } from '../adapters/adapter-factory.js';
import { AdapterPool, type AdapterFactory } from '../adapters/adapter-pool.js';
import { loadQualificationRules } from '../catalog/policy-file.js';
import { ServiceCatalog } from '../catalog/service-catalog.js';
import type { QualificationRule } from '../orders/qualification-rules.js';
import { resolveCredentials } from '../inventory/credentials-resolver.js';
import { LiveResourceInventory } from '../inventory/live-resource-inventory.js';
import type { BudgetGroup, NetworkElement } from '../inventory/network-element.js';
import { NeBudget } from '../queues/ne-budget.js';
import { ChangeLedger } from '../queues/change-ledger.js';
import type { NeDirectory } from '../catalog/activation-plan.js';
import { FleetMetrics } from '../observability/fleet-metrics.js';
import { registerFleetGauges } from '../observability/fleet-gauges.js';
import { startOpsServer } from '../observability/ops-server.js';
import { startTmfApi } from '../api/tmf-api.js';
import { AuditTrail } from '../queues/audit-trail.js';
import { OrderStore } from '../queues/order-store.js';
import { ServiceInventoryStore } from '../queues/service-inventory-store.js';
import { QUEUE_NAMES, type ActivationJob, type IntakeJob, type OrchestrationJob } from '../queues/queue-names.js';
import { createRedisConnection, type RedisProfile } from '../queues/redis-connection.js';
import { openServiceOrderFront } from '../queues/service-order-front.js';
import { FleetEpochWatch } from '../runtime/fleet-epoch-watch.js';
import { ServiceOrderProducer } from '../queues/service-order-producer.js';
import type { FleetConfig, Role } from '../runtime/fleet-config.js';
import { startActivationWorker } from './activation-worker.js';
import { startIntakeWorker } from './intake-worker.js';
import { startJeopardyTracker } from './jeopardy-tracker.js';
import { startReconciler } from './reconciler.js';
import { startOrchestratorWorker } from './orchestrator-worker.js';

export interface FleetProcessOptions {
  config: FleetConfig;
  roles: readonly Role[];
  log: Logger;
  /** Defaults: loaded from `config.configDir`. Tests and the demo pass their own. */
  catalog?: ServiceCatalog;
  rules?: QualificationRule[];
  inventory?: NeDirectory & { all(): NetworkElement[]; budgetGroup?(id: string): BudgetGroup | undefined };
  credentials?: CredentialsLookup;
  /** Makes the NE adapters. Default: the protocol drivers of adapters/adapter-factory.ts. Benches plug in fake NEs here. */
  adapterFactory?: AdapterFactory;
  /** Serve /healthz, /readyz, /metrics on config.httpPort (default true). */
  http?: boolean;
}

export interface FleetProcess {
  producer: ServiceOrderProducer;
  store: OrderStore;
  audit: AuditTrail;
  services: ServiceInventoryStore;
  metrics: FleetMetrics;
  pool: AdapterPool;
  budget: NeBudget;
  queues: { intake: Queue<IntakeJob>; orchestration: Queue<OrchestrationJob>; activation: Queue<ActivationJob> };
  http?: FastifyInstance;
  /** Reloads the resource inventory from CONFIG_DIR (SIGHUP); false when the files are invalid. */
  reloadInventory(): Promise<boolean>;
  /** Graceful: stop taking jobs, let running ones finish, close NE sessions, then Redis. */
  stop(): Promise<void>;
}

/**
 * Wires one process of the fleet: the roles it was given, on shared Redis connections. Every
 * role is stateless; run more processes of a role to scale it.
 */
export async function startFleetProcess(options: FleetProcessOptions): Promise<FleetProcess> {
  const { config, log } = options;
  const catalog = options.catalog ?? (await ServiceCatalog.load(`${config.configDir}/catalog`));
  const live = options.inventory ? undefined : await LiveResourceInventory.open(`${config.configDir}/inventory`, log);
  const inventory = options.inventory ?? (live as LiveResourceInventory);
  const rules = options.rules ?? (await loadQualificationRules(config.configDir));
  const metrics = new FleetMetrics();
  const connections: Redis[] = [];
  const connect = (name: string, profile: RedisProfile = 'worker', timeoutMs?: number): Redis => {
    const timeouts = timeoutMs === undefined ? {} : { commandTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs };
    const redis = createRedisConnection(config.redisUrl, `activation-fleet:${name}`, { cluster: config.redisCluster, profile, ...timeouts });
    redis.on('error', (error) => log.warn({ err: error, connection: name }, 'redis connection error'));
    connections.push(redis);
    return redis;
  };
  const shared = connect('shared');
  const prefix = config.queuePrefix;
  const store = new OrderStore(shared, { prefix });
  const audit = new AuditTrail(shared, { prefix });
  const services = new ServiceInventoryStore(shared, prefix);
  // BullMQ defines ~50 Lua scripts on its connection, and ioredis copies every script of a
  // connection into each multi(): the queues get a connection of their own so the stores'
  // transactions stay cheap.
  const queueConnection = connect('queues');
  const queues = {
    intake: new Queue<IntakeJob>(QUEUE_NAMES.intake, { connection: queueConnection, prefix }),
    orchestration: new Queue<OrchestrationJob>(QUEUE_NAMES.orchestration, { connection: queueConnection, prefix }),
    activation: new Queue<ActivationJob>(QUEUE_NAMES.activation, { connection: queueConnection, prefix }),
  };
  // A Redis outage surfaces here as connection errors while ioredis reconnects: log, don't crash.
  for (const [name, queue] of Object.entries(queues)) queue.on('error', (error) => log.warn({ err: error, queue: name }, 'queue connection error'));
  const producer = new ServiceOrderProducer({ store, catalog, inventory, services, rules, orchestration: queues.orchestration });
  const budget = new NeBudget(shared, {
    prefix,
    group: (id) => inventory.budgetGroup?.(id),
    queue: queues.activation,
    onWaitOver: (neId, seconds) => {
      const ne = inventory.get(neId);
      metrics.budgetWait.observe({ role: ne?.role ?? 'unknown', ne: config.metricsNeLabels.includes(neId) ? neId : '_other' }, seconds);
    },
  });
  const factory = options.adapterFactory ?? createAdapterFactory(options.credentials ?? ((ne) => resolveCredentials(ne)), log);
  const pool = new AdapterPool(factory, { gate: budget, idleTimeoutMs: config.sessionIdleMs });
  metrics.processRoles.reset();
  for (const role of options.roles) metrics.processRoles.set({ role }, 1);
  registerFleetGauges(metrics.registry, {
    queues: { intake: queues.intake, orchestration: queues.orchestration, activation: queues.activation },
    budgetUsage: () => budget.usage(inventory.all()),
    openOrders: () => store.openCounts(),
  });
  const advance = async (orderId: string): Promise<void> => {
    await queues.orchestration.add('advance', { orderId });
  };

  const workers: Worker[] = [];
  if (options.roles.includes('intake')) {
    workers.push(startIntakeWorker(producer, { metrics, log }, { connection: connect('intake'), prefix, concurrency: 8 }));
  }
  if (options.roles.includes('orchestrator')) {
    workers.push(
      startOrchestratorWorker(
        { store, activation: queues.activation, metrics, log, attempts: config.activationAttempts, backoffMs: config.activationBackoffMs },
        { connection: connect('orchestrator'), prefix, concurrency: config.orchestratorConcurrency },
      ),
    );
  }
  const trackers: Array<{ stop(): void }> = [];
  if (options.roles.includes('orchestrator')) {
    trackers.push(startJeopardyTracker({ store, metrics, log }, { checkIntervalMs: config.jeopardyCheckMs, atRiskFraction: config.jeopardyAtRiskPercent / 100 }));
    trackers.push(
      startReconciler(
        { store, orchestration: queues.orchestration, activation: queues.activation, metrics, log },
        { intervalMs: config.reconcileIntervalMs, quietMs: config.reconcileQuietMs },
      ),
    );
  }
  if (options.roles.includes('worker')) {
    workers.push(
      startActivationWorker(
        { store, catalog, inventory, pool, audit, services, budget, ledger: new ChangeLedger(shared, prefix), metrics, log, advance },
        { connection: connect('activation'), prefix, concurrency: config.workerConcurrency, lockDurationMs: config.activationLockMs },
      ),
    );
  }

  const epoch = new FleetEpochWatch({ redis: connect('epoch', 'producer', config.readyTimeoutMs), redisUrl: config.redisUrl, prefix, registry: metrics.registry, log, roles: options.roles, intervalMs: config.redisCheckIntervalMs, readyTimeoutMs: config.readyTimeoutMs });
  epoch.start();
  let draining = false;
  const http =
    options.http === false
      ? undefined
      : await startOpsServer({
          port: config.httpPort,
          host: config.httpHost,
          timeouts: config.http,
          metrics,
          log,
          ready: async () => (draining ? 'draining' : epoch.readiness()),
        });
  // The api role serves the TMF Open APIs on the same port, under /tmf-api.
  const front = http && options.roles.includes('api') ? openServiceOrderFront(connect('api-requests', 'producer'), { prefix, catalog, inventory, rules }) : undefined;
  const api = http && front ? await startTmfApi({ server: http.server, producer: front.producer, store: front.store, services: front.services, connect, config, log, queues: Object.values(queues) }) : undefined;
  const sweep = setInterval(() => void pool.sweepIdle(), Math.max(100, Math.floor(config.sessionIdleMs / 2)));
  sweep.unref();
  log.info({ roles: options.roles, prefix, specifications: catalog.ids(), networkElements: inventory.all().length }, 'fleet process started');

  return {
    producer,
    store,
    audit,
    services,
    metrics,
    pool,
    budget,
    queues,
    ...(http ? { http } : {}),
    reloadInventory: async () => (live ? live.reload() : false),
    async stop() {
      draining = true;
      live?.close();
      clearInterval(sweep);
      trackers.forEach((t) => t.stop());
      await Promise.all(workers.map((w) => w.close()));
      await pool.close();
      budget.close();
      await api?.stop();
      await front?.close();
      epoch.stop();
      await http?.close();
      await Promise.all(Object.values(queues).map((q) => q.close()));
      await store.close();
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
