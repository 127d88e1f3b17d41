import { ResourceClaimStore } from '../stores/resource-claim-store.js';
import { Queue, type Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createAdapterFactory, type CredentialsLookup } from '../adapters/adapter-factory.js';
import { AdapterPool, type AdapterFactory } from '../adapters/adapter-pool.js';
import { loadQualificationRules } from '../runtime/loading/policy-file.js';
import { ServiceCatalog } from '../catalog/service-catalog.js';
import type { QualificationRule } from '../orders/qualification-rules.js';
import { resolveCredentials } from '../runtime/loading/credentials-resolver.js';
import { LiveResourceInventory } from '../runtime/loading/live-resource-inventory.js';
import type { BudgetGroup, NetworkElement } from '../inventory/network-element.js';
import { NeBlockedWaits } from '../stores/ne-blocked-waits.js';
import { NeBudget } from '../stores/ne-budget.js';
import { Keyspace } from '../stores/keyspace.js';
import { FleetIdentity } from '../stores/fleet-identity.js';
import type { NeDirectory } from '../inventory/ne-directory.js';
import { installEscapedErrorGuard } from '../observability/escaped-error-guard.js';
import { FleetMetrics } from '../observability/fleet-metrics.js';
import { bullmqTelemetry } from '../observability/tracing/bullmq-telemetry.js';
import { registerFleetGauges } from '../observability/fleet-gauges.js';
import { startOpsServer } from '../observability/ops-server.js';
import { startTmfApi } from '../api/tmf-api.js';
import { tmfApiOptions } from './tmf-api-settings.js';
import { AuditTrail } from '../stores/audit-trail.js';
import { OrderStore } from '../stores/order-store.js';
import { ServiceInventoryStore } from '../stores/service-inventory-store.js';
import { SubmissionTally } from '../stores/submission-tally.js';
import { OrderDispatcher } from '../queues/order-dispatch.js';
import { orderIdOfJob, QUEUE_NAMES, type ActivationJob, type ActivationKind, type ActivationQueue, type IntakeJob, type OrchestrationJob, type OrchestrationJobName, type OrchestrationQueue } from '../queues/queue-names.js';
import { createRedisConnection, type RedisProfile } from '../queues/redis-connection.js';
import { openServiceOrderFront } from '../queues/service-order-front.js';
import { FleetEpochWatch } from './fleet-epoch-watch.js';
import { ServiceOrderProducer } from '../queues/service-order-producer.js';
import type { FleetConfig, Role } from './fleet-config.js';
import { startActivationWorker, type ActivationDeps } from '../workers/activation-worker.js';
import { startIntakeWorker } from '../workers/intake-worker.js';
import { startJeopardyTracker } from '../workers/jeopardy-tracker.js';
import { startReconciler } from '../workers/reconciler.js';
import { startServiceAuditSchedule } from '../workers/service-audit-schedule.js';
import { ServiceAuditStore } from '../stores/service-audit-store.js';
import { registerServiceAuditGauges } from '../observability/service-audit-gauges.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startOrchestratorWorker } from '../workers/orchestrator-worker.js';
import { loadServiceCatalog } from './loading/catalog-files.js';

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
  /** The service audit's summary and runner lease in Redis. */
  audits: ServiceAuditStore;
  /** The scheduled service audit, when CHECK_SYNC_INTERVAL_MS is set and this process is a worker. */
  serviceAudit?: { runDue(): Promise<boolean> };
  /** `activation` is shard 0's queue (the only one with one shard); `activationShards` all of them. */
  queues: { intake: Queue<IntakeJob>; orchestration: OrchestrationQueue; activation: ActivationQueue; activationShards: ActivationQueue[] };
  keys: Keyspace;
  dispatcher: OrderDispatcher;
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
  const guard = installEscapedErrorGuard(log);
  const catalog = options.catalog ?? (await loadServiceCatalog(`${config.configDir}/catalog`));
  const live = options.inventory ? undefined : await LiveResourceInventory.open(`${config.configDir}/inventory`, log);
  const inventory = options.inventory ?? (live as LiveResourceInventory);
  const rules = options.rules ?? (await loadQualificationRules(config.configDir));
  const metrics = new FleetMetrics();
  const connections: Redis[] = [];
  const connect = (name: string, profile: RedisProfile = 'worker', timeoutMs?: number, autoPipelining = false): Redis => {
    const timeouts = timeoutMs === undefined ? {} : { commandTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs };
    const redis = createRedisConnection(config.redisUrl, `activation-fleet:${name}`, { cluster: config.redisCluster, profile, autoPipelining, ...timeouts });
    redis.on('error', (error) => log.warn({ err: error, connection: name }, 'redis connection error'));
    connections.push(redis);
    return redis;
  };
  const shared = connect('shared', 'worker', undefined, true);
  const keys = new Keyspace(config.queuePrefix, config.queueShards);
  const base = keys.base;
  await new FleetIdentity(shared, keys).ensure();
  const audit = new AuditTrail(shared, keys);
  const store = new OrderStore(shared, keys, audit);
  const services = new ServiceInventoryStore(shared, keys);
  // BullMQ defines ~50 Lua scripts on its connection, and ioredis copies every script of a
  // connection into each multi(): the queues get a connection of their own so the stores'
  // transactions stay cheap.
  const queueConnection = connect('queues');
  const telemetry = bullmqTelemetry();
  const queueOptions = (prefix: string) => ({ connection: queueConnection, prefix, ...(telemetry ? { telemetry } : {}) });
  const activationQueues = keys.allShards().map((shard) => new Queue<ActivationJob, unknown, ActivationKind>(QUEUE_NAMES.activation, queueOptions(keys.tag(shard))));
  const queues = {
    intake: new Queue<IntakeJob>(QUEUE_NAMES.intake, queueOptions(base)),
    orchestration: new Queue<OrchestrationJob, unknown, OrchestrationJobName>(QUEUE_NAMES.orchestration, queueOptions(base)),
    activation: activationQueues[0] as ActivationQueue,
    activationShards: activationQueues,
  };
  const allQueues: Queue[] = [queues.intake, queues.orchestration, ...activationQueues];
  // A Redis outage surfaces here as connection errors while ioredis reconnects: log, don't crash.
  for (const queue of allQueues) queue.on('error', (error) => log.warn({ err: error, queue: queue.name }, 'queue connection error'));
  const activationOf = (shard: number): ActivationQueue => activationQueues[shard] as ActivationQueue;
  const dispatcher = new OrderDispatcher({ store, activation: activationOf, metrics, log, attempts: config.activationAttempts, backoffMs: config.activationBackoffMs, retention: config.jobRetention });
  const producer = new ServiceOrderProducer({ store, keys, catalog, dispatcher, orchestration: queues.orchestration, inventory, services, claims: new ResourceClaimStore(shared, keys), rules, metrics });
  const budget = new NeBudget(shared, {
    keys,
    leaseTtlMs: config.sessionLeaseTtlMs,
    group: (id) => inventory.budgetGroup?.(id),
    // An activation job's id starts with its order's id, which names its shard.
    queueOf: (jobId) => activationOf(keys.shardOf(orderIdOfJob(jobId))),
    onWaitOver: (neId, seconds) => {
      const ne = inventory.get(neId);
      metrics.budgetWait.observe({ role: ne?.role ?? 'unknown', ne: config.metricsNeLabels.includes(neId) ? neId : '_other' }, seconds);
    },
  });
  const factory = options.adapterFactory ?? createAdapterFactory(options.credentials ?? ((ne) => resolveCredentials(ne)), log);
  const pool = new AdapterPool(factory, {
    gate: budget,
    idleTimeoutMs: config.sessionIdleMs,
    acquireTimeoutMs: config.sessionAcquireTimeoutMs,
    // Logins are in the trail of the item that opened the session; the logout of a session the
    // pool closes (idle, contended, at shutdown) is in the NE's trail.
    sessionAudit: (entry) => void audit.recordSession(entry).catch((error: unknown) => log.warn({ err: error, neId: entry.neId }, 'recording a session logout in the audit trail failed')),
  });
  metrics.processRoles.reset();
  for (const role of options.roles) metrics.processRoles.set({ role }, 1);
  registerFleetGauges(metrics.registry, {
    queues: { intake: queues.intake, orchestration: queues.orchestration, activation: activationQueues },
    budgetUsage: () => budget.usage(inventory.all()),
    openOrders: () => store.openCounts(),
  });
  const audits = new ServiceAuditStore(shared, keys);
  registerServiceAuditGauges(metrics.registry, () => audits.last());

  const workers: Worker[] = [];
  if (options.roles.includes('intake')) {
    workers.push(startIntakeWorker(producer, { metrics, log }, { connection: connect('intake'), prefix: base, concurrency: config.intakeConcurrency, retention: config.jobRetention }));
  }
  const trackers: Array<{ stop(): void }> = [];
  if (options.roles.includes('orchestrator')) {
    workers.push(startOrchestratorWorker({ store, dispatcher, metrics, log }, { connection: connect('orchestrator'), prefix: base, concurrency: config.orchestratorConcurrency, retention: config.jobRetention }));
    trackers.push(startJeopardyTracker({ store, metrics, log }, { checkIntervalMs: config.jeopardyCheckMs, atRiskFraction: config.jeopardyAtRiskPercent / 100, lookaheadMs: config.jeopardyLookaheadMs }));
    trackers.push(
      startReconciler(
        { store, dispatcher, orchestration: queues.orchestration, activation: activationOf, metrics, log },
        { intervalMs: config.reconcileIntervalMs, quietMs: config.reconcileQuietMs },
      ),
    );
  }
  if (options.roles.includes('worker')) {
    // Parks are heard at once, so idle sessions of a contended NE go back without asking Redis.
    await budget.watchContention(connect('budget-events'), (neId) => void pool.releaseIdle(neId).catch((error: unknown) => log.warn({ err: error, neId }, 'releasing idle sessions failed')));
    const blockedWaits = new NeBlockedWaits(shared, { keys, probeMs: config.blockedProbeMs, queueOf: (jobId) => activationOf(keys.shardOf(orderIdOfJob(jobId))), orderOf: orderIdOfJob });
    const deps: ActivationDeps = { store, services, dispatcher, keys, catalog, inventory, pool, budget, blockedWaits, confirmTimeoutS: config.confirmTimeoutS, blockedWaitMarginS: config.blockedWaitMarginS, parkFallbackMs: config.parkFallbackMs, lockMarginMs: config.activationLockMarginMs, metrics, log };
    // One worker per shard, consuming every shard; the process's concurrency is shared among them.
    const concurrency = Math.max(1, Math.ceil(config.workerConcurrency / keys.shards));
    for (const shard of keys.allShards()) {
      workers.push(startActivationWorker(deps, { connection: connect(`activation-${shard}`), prefix: keys.tag(shard), concurrency, lockDurationMs: config.activationLockMs, retention: config.jobRetention }));
    }
  }

  // The audit talks to NEs, so it runs where NE sessions are: on the worker role, through its pool.
  const serviceAudit =
    options.roles.includes('worker') && config.checkSyncIntervalMs > 0
      ? startServiceAuditSchedule(
          { audits, services, sync: { catalog, directory: inventory, withAdapter: (ne, work) => pool.withAdapter(ne, work) }, metrics, log },
          { intervalMs: config.checkSyncIntervalMs, leaseMs: config.checkSyncLeaseMs, owner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}` },
        )
      : undefined;

  const epoch = new FleetEpochWatch({ redis: connect('epoch', 'producer', config.readyTimeoutMs), redisUrl: config.redisUrl, keys, registry: metrics.registry, log, roles: options.roles, intervalMs: config.redisCheckIntervalMs, readyTimeoutMs: config.readyTimeoutMs });
  epoch.start();
  let draining = false;
  // Services an older fleet wrote get the lookup indexes this version reads (intake's guards),
  // once, by whichever process comes first; in the background, so a large inventory does not hold up the start.
  const indexBackfill = services.ensureLookupIndexes(() => !draining).then(
    (walked) => {
      if (walked !== undefined) log.info({ services: walked }, 'service lookup indexes backfilled for services written by an older fleet');
    },
    (error: unknown) => log.warn({ err: error }, 'backfilling the service lookup indexes failed; the next start tries again'),
  );
  // The API serves requests from stores on a fail-fast connection of their own: a request while
  // Redis is away is refused at once (503) instead of waiting in the workers' offline queue.
  // Readiness waits for that connection too, so a balancer sends requests only once it is back.
  const apiRedis = options.http !== false && options.roles.includes('api') ? connect('api-requests', 'producer') : undefined;
  const ready = async (): Promise<string | undefined> => {
    if (draining) return 'draining';
    const epochProblem = await epoch.readiness();
    if (epochProblem !== undefined) return epochProblem;
    return apiRedis && apiRedis.status !== 'ready' ? `the API's Redis connection is not up yet (${apiRedis.status})` : undefined;
  };
  const http =
    options.http === false
      ? undefined
      : await startOpsServer({
          port: config.httpPort,
          host: config.httpHost,
          timeouts: config.http,
          metrics,
          log,
          ready,
        });
  // The api role serves the TMF Open APIs on the same port, under /tmf-api.
  const front = http && apiRedis ? openServiceOrderFront(apiRedis, { keys, catalog, inventory, rules, metrics, log, attempts: config.activationAttempts, backoffMs: config.activationBackoffMs, retention: config.jobRetention }) : undefined;
  const api = http && front ? await startTmfApi({ server: http.server, producer: front.producer, store: front.store, services: front.services, catalog, connect, config, options: tmfApiOptions(config), log, queues: allQueues }) : undefined;
  const sweep = setInterval(() => void pool.sweepIdle(), Math.max(100, Math.floor(config.sessionIdleMs / 2)));
  // Submissions from the CLI and embedded clients are counted in Redis (nobody scrapes those
  // processes): whichever fleet process takes a count reports it in its own counter.
  const tally = new SubmissionTally(shared, keys);
  const takeSubmissions = async (): Promise<void> => {
    for (const [outcome, count] of await tally.take()) metrics.ordersSubmitted.inc({ outcome }, count);
  };
  const tallyTimer = setInterval(() => void takeSubmissions().catch(() => undefined), config.redisCheckIntervalMs);
  sweep.unref();
  log.info({ roles: options.roles, prefix: base, shards: keys.shards, specifications: catalog.ids(), networkElements: inventory.all().length }, 'fleet process started');

  return {
    producer,
    store,
    audit,
    services,
    metrics,
    pool,
    budget,
    audits,
    ...(serviceAudit ? { serviceAudit } : {}),
    queues,
    keys,
    dispatcher,
    ...(http ? { http } : {}),
    reloadInventory: async () => (live ? live.reload() : false),
    async stop() {
      draining = true;
      live?.close();
      clearInterval(sweep);
      clearInterval(tallyTimer);
      trackers.forEach((t) => t.stop());
      await serviceAudit?.stop();
      await indexBackfill;
      await Promise.all(workers.map((w) => w.close()));
      await pool.close();
      budget.close();
      await api?.stop();
      await front?.close();
      epoch.stop();
      await http?.close();
      await Promise.all(allQueues.map((q) => q.close()));
      await store.close();
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
      guard.uninstall();
    },
  };
}
