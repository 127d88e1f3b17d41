import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AdapterPool } from '../adapters/adapter-pool.js';
import type { AuditEntry } from '../adapters/audit.js';
import { randomUUID } from 'node:crypto';
import type { NeDirectory, PlannedStep } from '../catalog/activation-plan.js';
import { planItem } from '../catalog/item-plan.js';
import type { ServiceCatalog } from '../catalog/service-catalog.js';
import { FleetError, NeError, isTransient, type ErrorCode } from '../errors/index.js';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { itemAttemptParked, itemAttemptStarted, itemCompensated, itemCompleted, itemFailed } from '../orders/order-progress.js';
import type { ItemRuntime, OrderRecord } from '../orders/order-record.js';
import { networkActionFor, serviceAfterCompletion, serviceAfterRollback, suspensionToLift, type NetworkAction, type ServiceChange } from '../inventory/service-changes.js';
import type { ServiceInstance } from '../inventory/service-instance.js';
import { customerOf } from '../orders/qualification-rules.js';
import { addMilestone } from '../orders/order-tracking.js';
import type { ServiceInventoryStore } from '../queues/service-inventory-store.js';
import type { NeBudget } from '../queues/ne-budget.js';
import type { ChangeLedger } from '../queues/change-ledger.js';
import type { AuditTrail } from '../queues/audit-trail.js';
import type { OrderStore } from '../queues/order-store.js';
import { QUEUE_NAMES, type ActivationJob } from '../queues/queue-names.js';
import { executeSteps, undoSteps, type StepExecutionDeps } from './step-execution.js';

export interface ActivationDeps {
  store: OrderStore;
  catalog: ServiceCatalog;
  inventory: NeDirectory;
  pool: AdapterPool;
  audit: AuditTrail;
  services: ServiceInventoryStore;
  serviceHrefBase?: string;
  /** Records the steps that reached their NE, so a re-run after a crash sends nothing twice. */
  ledger?: ChangeLedger;
  /** The fleet-wide NE budget: a job whose NE is at budget is parked here until a session frees. */
  budget?: NeBudget;
  /** Longest a parked job waits before it looks again by itself (a promotion comes first). */
  parkFallbackMs?: number;
  metrics: FleetMetrics;
  log: Logger;
  /** Asks the orchestrator to look at the order again (an item settled). */
  advance: (orderId: string) => Promise<void>;
  now?: () => string;
}

export type ActivationOutcome = 'completed' | 'failed' | 'compensated' | 'compensationFailed' | 'stale';

function describeError(error: unknown): { code: ErrorCode; message: string } {
  if (error instanceof FleetError) return { code: error.code, message: error.message };
  return { code: 'NE_PROTOCOL_ERROR', message: (error as Error)?.message ?? String(error) };
}

/** The item's service as the inventory holds it now (none yet for an add). */
async function currentService(deps: ActivationDeps, rt: ItemRuntime): Promise<ServiceInstance | undefined> {
  return rt.lifecycle === 'add' ? undefined : deps.services.get(rt.serviceId);
}

function planFor(deps: ActivationDeps, record: OrderRecord, itemId: string, rt: ItemRuntime, service: ServiceInstance | undefined, action: NetworkAction): PlannedStep[] {
  return planItem({
    catalog: deps.catalog,
    directory: deps.inventory,
    item: { itemId, ...rt },
    ...(service ? { service } : {}),
    action,
    ...(rt.neIds ? { pinnedNeIds: rt.neIds } : {}),
    orderId: record.order.id,
  }).steps;
}

function serviceChange(deps: ActivationDeps, record: OrderRecord, itemId: string, rt: ItemRuntime, plan: PlannedStep[], now: string): ServiceChange {
  const spec = deps.catalog.get(rt.specId);
  return {
    orderId: record.order.id,
    itemId,
    itemAction: record.order.serviceOrderItem.find((i) => i.id === itemId)?.action ?? 'add',
    runtime: rt,
    specification: { id: rt.specId, name: spec?.name ?? rt.specId, version: spec?.version ?? '' },
    nes: [...new Map(plan.map((s) => [s.ne.role, { id: s.ne.id, role: s.ne.role }])).values()],
    reliesOn: rt.dependsOn.map((dep) => record.items[dep]?.serviceId).filter((id): id is string => id !== undefined),
    ...(customerOf(record.order) ? { customerId: customerOf(record.order) } : {}),
    now,
    href: `${deps.serviceHrefBase ?? '/tmf-api/serviceInventory/v4/service'}/${rt.serviceId}`,
  };
}

interface ItemRun {
  deps: ActivationDeps;
  job: Job<ActivationJob>;
  record: OrderRecord;
  rt: ItemRuntime;
  itemId: string;
  execution: StepExecutionDeps;
  now: () => string;
  lastAttempt: boolean;
  log: Logger;
}

/** Runs the item's steps and tests, then records the service and the item as completed. */
async function activateItem({ deps, job, record, rt, itemId, execution, now, log }: ItemRun): Promise<ActivationOutcome> {
  const orderId = record.order.id;
  const service = await currentService(deps, rt);
  const action = networkActionFor(rt, service);
  const plan = planFor(deps, record, itemId, rt, service, action);
  const neIds = Object.fromEntries(plan.map((s) => [s.name, s.ne.id]));
  await deps.store.update(orderId, (r) => itemAttemptStarted(r, itemId, now(), neIds, action));
  log.info({ attempt: job.attemptsMade + 1, action, steps: plan.length }, 'activating item');
  try {
    await executeSteps(execution, plan, {
      activated: async () => void (await deps.store.update(orderId, (r) => addMilestone(r, 'itemActivated', now(), itemId))),
    });
  } finally {
    await deps.audit.flush();
  }
  // Give the sessions (and their budget) back before the bookkeeping.
  await execution.sessions.close();
  // The inventory first: a crash before the item is marked completed re-runs the job,
  // and storing the same service again is harmless.
  const suspensionId = rt.lifecycle === 'resume' && service ? suspensionToLift(service, rt.suspension?.reason ?? '', rt.suspension?.initiator)?.id : randomUUID();
  const completedRt: ItemRuntime = { ...rt, networkAction: action, ...(rt.suspension ? { suspension: { ...rt.suspension, ...(suspensionId ? { id: suspensionId } : {}) } } : {}) };
  await deps.services.put(serviceAfterCompletion(service, serviceChange(deps, record, itemId, completedRt, plan, now()), suspensionId ?? randomUUID()));
  await deps.store.update(orderId, (r) => {
    const next = itemCompleted(plan.some((step) => step.tests.length > 0) ? addMilestone(r, 'itemTested', now(), itemId) : r, itemId, now());
    const item = next.items[itemId];
    if (item && completedRt.suspension) item.suspension = completedRt.suspension;
    return next;
  });
  return 'completed';
}

/** Runs the undo of the item's steps (last first), then takes its change out of the service inventory. */
async function compensateItem({ deps, record, rt, itemId, execution, now, lastAttempt, log }: ItemRun): Promise<ActivationOutcome> {
  const orderId = record.order.id;
  const service = await currentService(deps, rt);
  const plan = planFor(deps, record, itemId, rt, service, rt.networkAction ?? networkActionFor(rt, service));
  log.info({ steps: plan.length }, 'rolling back item');
  const remnants = await undoSteps(execution, plan);
  await deps.audit.flush();
  await execution.sessions.close();
  if (remnants.length > 0) {
    const error = new FleetError('ORDER_COMPENSATION_FAILED', remnants.map((r) => `${r.neId} (${r.step}): ${r.error}`).join('; '), { transient: true });
    if (!lastAttempt) throw error;
    await deps.store.update(orderId, (r) => itemCompensated(r, itemId, now(), describeError(error)));
    return 'compensationFailed';
  }
  const stored = await deps.services.get(rt.serviceId);
  if (stored) await deps.services.put(serviceAfterRollback(stored, serviceChange(deps, record, itemId, rt, plan, now())));
  await deps.store.update(orderId, (r) => itemCompensated(r, itemId, now()));
  return 'compensated';
}

/**
 * Processes one item job: activation (steps, tests, undo of this attempt on failure) or
 * compensation (the undo steps of a completed item). Transient failures are thrown so BullMQ
 * retries them with backoff; a permanent failure, or the last attempt, is recorded on the item.
 * A job whose item is not in the expected phase is stale (a duplicate or a re-run after a
 * crash) and only nudges the orchestrator.
 */
export function createActivationProcessor(deps: ActivationDeps) {
  const now = deps.now ?? (() => new Date().toISOString());
  return async (job: Job<ActivationJob>, token?: string): Promise<ActivationOutcome> => {
    const { orderId, itemId, kind } = job.data;
    const log = deps.log.child({ orderId, itemId, kind, jobId: job.id });
    const record = await deps.store.get(orderId);
    const rt = record?.items[itemId];
    if (!record || !rt || rt.phase !== (kind === 'activate' ? 'activating' : 'compensating')) {
      if (record) await deps.advance(orderId);
      return 'stale';
    }
    const labels = { specification: rt.specId, action: record.order.serviceOrderItem.find((i) => i.id === itemId)?.action ?? 'add' };
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const stopTimer = deps.metrics.itemDuration.startTimer(labels);
    const execution = {
      ...(deps.ledger ? { ledger: deps.ledger.forItem(orderId, itemId, kind) } : {}),
      sessions: deps.pool.scope(),
      metrics: deps.metrics,
      log,
      audit: (entry: AuditEntry, step: string) => deps.audit.record({ ...entry, orderId, itemId, kind, step }),
    };
    let outcome: ActivationOutcome;
    try {
      const run: ItemRun = { deps, job, record, rt, itemId, execution, now, lastAttempt, log };
      outcome = kind === 'activate' ? await activateItem(run) : await compensateItem(run);
    } catch (error) {
      await execution.sessions.close();
      if (error instanceof NeError && error.code === 'NE_BUDGET_EXHAUSTED' && deps.budget) {
        stopTimer({ outcome: 'parked' });
        await park(deps, job, token, error.neId, orderId, itemId, now, log);
        throw new DelayedError();
      }
      if (isTransient(error) && !lastAttempt) {
        deps.metrics.activationRetries.inc({ specification: rt.specId });
        log.warn({ err: error, attempt: job.attemptsMade + 1 }, 'transient failure; BullMQ retries with backoff');
        stopTimer({ outcome: 'retry' });
        throw error;
      }
      const failure = describeError(error);
      log.error({ err: error }, kind === 'activate' ? 'item failed' : 'rollback failed');
      await deps.store.update(orderId, (r) => (kind === 'activate' ? itemFailed(r, itemId, now(), failure.code, failure.message) : itemCompensated(r, itemId, now(), failure)));
      outcome = kind === 'activate' ? 'failed' : 'compensationFailed';
    }
    await execution.sessions.close();
    stopTimer({ outcome });
    if (kind === 'activate') deps.metrics.itemsFinished.inc({ ...labels, outcome });
    else deps.metrics.itemsCompensated.inc({ specification: rt.specId, outcome });
    await deps.advance(orderId);
    return outcome;
  };
}

/**
 * The job's NE is at its fleet-wide budget: list the job as a waiter of the NE and move it to
 * delayed, freeing the worker for other NEs' jobs. Releasing a lease promotes it. The attempt
 * does not count: nothing was tried on the network.
 */
async function park(deps: ActivationDeps, job: Job<ActivationJob>, token: string | undefined, neId: string, orderId: string, itemId: string, now: () => string, log: Logger): Promise<void> {
  const budget = deps.budget as NeBudget;
  const ne = deps.inventory.get(neId);
  const fallback = deps.parkFallbackMs ?? 30_000;
  await deps.store.update(orderId, (r) => itemAttemptParked(r, itemId));
  // Delayed first, then listed: a lease freed in between finds the job promotable.
  await job.moveToDelayed(Date.now() + fallback + Math.random() * fallback * 0.5, token);
  await budget.addWaiter(neId, job);
  // A lease freed before we were listed woke nobody: look again now rather than at the fallback.
  const [usage] = ne ? await budget.usage([ne]) : [];
  if (usage !== undefined && usage.leased < usage.ne.maxSessions) await job.promote().catch(() => undefined);
  deps.metrics.budgetParks.inc({ role: ne?.role ?? 'unknown' });
  log.debug({ neId, at: now() }, 'NE at its budget: job parked until a session frees');
}

export interface ActivationWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** Longer than the longest NE step: a running activation must never look stalled. */
  lockDurationMs: number;
}

export function startActivationWorker(deps: ActivationDeps, options: ActivationWorkerOptions): Worker<ActivationJob, ActivationOutcome> {
  const worker = new Worker<ActivationJob, ActivationOutcome>(QUEUE_NAMES.activation, deps.metrics.instrument('activation', createActivationProcessor(deps)), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    // Check for stalled jobs (a worker that died) as often as a lock can expire, so a job cut off
    // is handed to another worker within about one lock duration.
    stalledInterval: Math.min(30_000, options.lockDurationMs),
    // A job whose worker died is retried elsewhere; twice stalled means something is wrong with it.
    maxStalledCount: 2,
  });
  worker.on('error', (error) => deps.log.error({ err: error }, 'activation worker error'));
  return worker;
}
