import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { NeDirectory } from '../inventory/ne-directory.js';
import { catalogEntryHash } from '../catalog/catalog-entry-hash.js';
import { planItem } from '../catalog/item-plan.js';
import type { ServiceCatalog } from '../catalog/service-catalog.js';
import { FleetError, NeError, isTransient, type ErrorCode } from '../errors/index.js';
import { resolveRun, serviceAfterCompletion, serviceAfterRollback, type ServiceChange } from '../orders/service-changes.js';
import { isCatalogRef } from '../inventory/service-request.js';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { crashPoint } from '../observability/crash-points.js';
import { bullmqTelemetry } from '../observability/tracing/bullmq-telemetry.js';
import { inFleetSpan } from '../observability/tracing/fleet-spans.js';
import { advance, itemAttemptParked, itemCompensated, itemCompleted, itemConfirmed, itemFailed, itemStepsApplied, type Advance, type OrderProgress } from '../orders/order-progress.js';
import { fullRun, storedRun, type ItemRun, type ItemSpec, type StoredStep } from '../orders/order-record.js';
import { keptJobs, type RetentionOptions } from '../queues/job-retention.js';
import { QUEUE_NAMES, type ActivationJob, type ActivationKind } from '../queues/queue-names.js';
import { runField } from '../stores/order-fields.js';
import type { Decision, ItemStart } from '../stores/order-store.js';
import type { VersionedService } from '../stores/service-inventory-store.js';
import { ItemLedger, StaleExecutionError } from './item-ledger.js';
import { confirmPending, extendPending } from './commit-window.js';
import { blockedWaitLeftMs, neBlocked } from './ne-wait.js';
import { compensateSteps, executeSteps, undoAttempt, type ResolvedStep, type StepExecutionDeps } from './step-execution.js';
import type { OrderWindow } from './step-operations.js';
import type { BlockedWaiters, BudgetWaiters, ItemDispatch, ItemProgressStore, JobLockKeys, ServiceWrites, SessionSource } from './worker-ports.js';

/** What an item job needs; the stores come in as the small interfaces of worker-ports.ts. */
export interface ActivationDeps {
  store: ItemProgressStore;
  services: ServiceWrites;
  dispatcher: ItemDispatch;
  keys: JobLockKeys;
  catalog: ServiceCatalog;
  inventory: NeDirectory;
  pool: SessionSource;
  /** The fleet-wide NE budget: a job whose NE is at budget is parked here until a session frees. */
  budget?: BudgetWaiters;
  /** Longest a parked job waits before it looks again by itself (a promotion comes first; NE_PARK_FALLBACK_MS). */
  parkFallbackMs: number;
  /** Jobs waiting for an NE that refuses changes (a pending confirmed commit, a held lock). */
  blockedWaits?: BlockedWaiters;
  /** Seconds a confirmed commit waits for its confirmation (CONFIRM_TIMEOUT_S); also bounds a wait for a blocked NE. */
  confirmTimeoutS: number;
  /** A wait for a blocked NE lasts up to confirmTimeoutS plus this (NE_BLOCKED_MARGIN_S). */
  blockedWaitMarginS: number;
  /**
   * Whether orders hold their NETCONF changes in a window (confirmed commits, confirmed once the
   * whole order passed) on NEs that take part (`netconf.confirmedCommit`, by default those whose
   * hello advertises :confirmed-commit:1.1). A specification or an order can turn it off for its
   * items. @defaultValue true
   */
  commitWindow?: boolean;
  /** Time kept back from the job lock's remaining time before a device write is refused. */
  lockMarginMs: number;
  serviceHrefBase?: string;
  metrics: FleetMetrics;
  log: Logger;
  now?: () => string;
}

export type ActivationOutcome = 'completed' | 'failed' | 'compensated' | 'compensationFailed' | 'aborted' | 'confirmed' | 'extended' | 'stale';

const PHASE_OF: Record<ActivationKind, string> = { activate: 'activating', compensate: 'compensating', abort: 'aborting', confirm: 'confirming', extend: 'activated' };

function describeError(error: unknown): { code: ErrorCode; message: string } {
  if (error instanceof FleetError) return { code: error.code, message: error.message };
  return { code: 'NE_PROTOCOL_ERROR', message: (error as Error)?.message ?? String(error) };
}

/** One execution of one item job: what every phase of it needs. */
interface Execution {
  deps: ActivationDeps;
  job: Job<ActivationJob>;
  orderId: string;
  itemId: string;
  start: ItemStart;
  ledger: ItemLedger;
  steps: StepExecutionDeps;
  now: () => string;
  lastAttempt: boolean;
  log: Logger;
  /** NEs this execution left holding a pending commit of the order's window: nobody else's change gets in there. */
  windowHolds?: Set<string>;
}

function resolveSteps(deps: ActivationDeps, steps: StoredStep[]): ResolvedStep[] {
  return steps.map((step) => {
    const ne = deps.inventory.get(step.neId);
    if (!ne) throw new FleetError('INVENTORY_NO_NETWORK_ELEMENT', `step ${step.name}: network element ${step.neId} is no longer in the resource inventory`);
    return { ...step, ne };
  });
}

/** The steps an item's run sends: the plan validated at intake (adds), or rendered now from the inventory. */
function stepsOf(deps: ActivationDeps, orderId: string, itemId: string, spec: ItemSpec, run: Omit<ItemRun, 'steps'>, service: VersionedService | undefined): StoredStep[] {
  if (run.networkAction === 'none') return [];
  if (spec.plan && run.networkAction === 'add') return spec.plan;
  const { steps } = planItem({
    catalog: deps.catalog,
    directory: deps.inventory,
    item: { itemId, specId: spec.specId, lifecycle: spec.lifecycle, values: run.values, ...(run.previousValues ? { previousValues: run.previousValues } : {}) },
    ...(service ? { service: service.service } : {}),
    action: run.networkAction,
    orderId,
  });
  return steps.map((s) => ({ name: s.name, neId: s.ne.id, apply: s.apply, ...(s.undo ? { undo: s.undo } : {}), tests: s.tests }));
}

type CatalogText = ServiceChange['catalogText'];

/**
 * The text of the catalog entry the item was validated against: the copy an order stored before
 * references kept, or the catalog's entry while its hash is the one stored with the item. When
 * a catalog reload changed the entry, an activation is refused (`refuseChanged`, before anything
 * is sent); an undo runs what was recorded and takes no text from the changed entry.
 */
function catalogTextOf(deps: ActivationDeps, spec: ItemSpec, refuseChanged: boolean): CatalogText {
  const stored = spec.service?.catalog;
  if (!isCatalogRef(stored)) return stored ? { category: stored.category, ...(stored.description !== undefined ? { description: stored.description } : {}) } : undefined;
  const entry = deps.catalog.get(spec.specId);
  if (entry && catalogEntryHash(entry) === stored.hash) return { category: entry.category, ...(entry.description !== undefined ? { description: entry.description } : {}) };
  if (!refuseChanged) return undefined;
  const now = entry ? `version ${entry.version}, hash ${catalogEntryHash(entry)}` : 'no such entry';
  throw new FleetError('ORDER_SPECIFICATION_CHANGED', `service specification ${spec.specId} changed in the catalog after the item was validated (version ${stored.version}, hash ${stored.hash}; now ${now}): the item is not run on an entry it was not checked against`);
}

function serviceChange(x: Execution, run: ItemRun, steps: ResolvedStep[], catalogText: CatalogText): ServiceChange {
  const spec = x.start.spec;
  const catalogSpec = x.deps.catalog.get(spec.specId);
  return {
    orderId: x.orderId,
    itemId: x.itemId,
    itemAction: x.start.snapshot.ctx.items[x.itemId]?.[0] ?? 'add',
    spec,
    run,
    specification: { id: spec.specId, name: catalogSpec?.name ?? spec.specId, version: catalogSpec?.version ?? '' },
    ...(catalogText ? { catalogText } : {}),
    nes: [...new Map(steps.map((s) => [s.ne.role, { id: s.ne.id, role: s.ne.role }])).values()],
    now: x.now(),
    href: `${x.deps.serviceHrefBase ?? '/tmf-api/serviceInventory/v4/service'}/${spec.serviceId}`,
  };
}

/**
 * The item's settlement: one fenced transition that records the item's end with what the
 * execution still had buffered (ledger, audit), the service's inventory record, and what the
 * order does next; then the jobs that decision asks for.
 */
async function settle(x: Execution, change: (p: OrderProgress) => OrderProgress, extra: Omit<Decision, 'progress'> = {}): Promise<void> {
  const buffered = x.ledger.take();
  let decision: Advance | undefined;
  const result = await x.deps.store.transition(
    x.orderId,
    (snap) => {
      decision = advance(change(snap.progress), x.now());
      return { ...extra, progress: decision.progress, set: { ...buffered.set, ...extra.set }, del: [...(buffered.del ?? []), ...(extra.del ?? [])], audit: buffered.audit ?? [] };
    },
    { from: x.start.snapshot, fence: x.start.fence, now: x.now },
  );
  x.ledger.settleResult(result);
  crashPoint('item.after-settle');
  if (result.status === 'applied' && decision) await x.deps.dispatcher.after(x.orderId, result, decision);
}

/** Runs the item's steps and tests, then records the item completed and its service, together. */
async function activate(x: Execution): Promise<ActivationOutcome> {
  const { spec, service } = x.start;
  const catalogText = catalogTextOf(x.deps, spec, true);
  const resolved = resolveRun(spec, service?.service, randomUUID());
  const stored = stepsOf(x.deps, x.orderId, x.itemId, spec, resolved, service);
  const run: ItemRun = { ...resolved, steps: stored };
  const steps = resolveSteps(x.deps, stored);
  x.log.debug({ attempt: x.job.attemptsMade + 1, fence: x.start.fence.n, action: run.networkAction, steps: steps.length }, 'activating item');
  const result = await executeSteps(x.steps, steps, x.now);
  // Give the sessions (and their budget) back before the bookkeeping.
  await x.steps.sessions.close();
  const write = x.deps.services.writeOf(serviceAfterCompletion(service?.service, serviceChange(x, run, steps, catalogText)), { ...(service ? { service: service.service, version: service.version } : {}) });
  await settle(x, (p) => itemCompleted(itemStepsApplied(p, x.itemId, result.activatedAt), x.itemId, x.now(), result.tested, result.unconfirmed), { service: write, set: { [runField(x.itemId)]: JSON.stringify(storedRun(run, spec)) } });
  if (result.unconfirmed && x.steps.window) {
    await scheduleExtension(x, x.steps.window.timeoutS);
    // Items of this order parked on these NEs (refused while the commit was being made) join it
    // now. Other orders' jobs would only be refused again: they wait for the confirm or cancel.
    const held = steps.filter((s) => x.ledger.entry(s.name)?.state === 'unconfirmed');
    x.windowHolds = new Set(held.map((s) => s.ne.id));
    await wakeNes(x, held, x.orderId);
  }
  return 'completed';
}

/** The item's confirmed commits still pending in the order's window, step -> persist-id, from its activation ledger. */
function pendingCommitsOf(x: Execution): Record<string, string> {
  const entries = x.start.snapshot.ledger[`${x.itemId}|activate`] ?? {};
  return Object.fromEntries(Object.entries(entries).flatMap(([step, e]) => (e.persistId !== undefined && e.state !== 'done' && e.state !== 'cancelled' ? [[step, e.persistId]] : [])));
}

/** The NEs of these steps take changes again (a commit of ours confirmed or cancelled): wake the jobs waiting for them (only `order`'s, when given). */
async function wakeNes(x: Execution, steps: ResolvedStep[], order?: string): Promise<void> {
  for (const neId of new Set(steps.map((s) => s.ne.id))) await wakeBlocked(x, neId, order);
}

/**
 * The order passed as a whole: confirms the item's pending confirmed commits, each by its
 * persist-id. A commit found reverted fails the item (NE_CONFIRMED_COMMIT_LOST), and the order
 * rolls back what the others hold.
 */
async function confirmWindow(x: Execution): Promise<ActivationOutcome> {
  const stored = x.start.snapshot.runs[x.itemId];
  if (!stored) throw new FleetError('ORDER_DATA_UNPROCESSABLE', `item ${x.itemId} completed without a recorded run: nothing says what to confirm`);
  const steps = resolveSteps(x.deps, fullRun(stored, x.start.spec).steps);
  const pending = pendingCommitsOf(x);
  const toConfirm = steps.filter((s) => pending[s.name] !== undefined);
  crashPoint('window.before-confirm');
  for (const step of toConfirm) {
    await confirmPending(x.steps, step, pending[step.name] as string);
    x.ledger.done(step.name);
  }
  await x.steps.sessions.close();
  x.log.info({ confirmed: toConfirm.map((s) => `${s.ne.id}:${pending[s.name]}`) }, "the order passed: its window's commits on this item's NEs are confirmed");
  await settle(x, (p) => itemConfirmed(p, x.itemId));
  await wakeNes(x, toConfirm);
  return 'confirmed';
}

/** Seconds before a commit's timeout runs out that its extension is sent: half of it, and never less than a second. */
function extensionDelayMs(timeoutS: number): number {
  return Math.max(1, timeoutS / 2) * 1000;
}

/** Schedules the next extension of the item's window commits, half-way through their timeout. */
async function scheduleExtension(x: Execution, timeoutS: number, delayMs = extensionDelayMs(timeoutS)): Promise<void> {
  try {
    await x.deps.dispatcher.scheduleExtension(x.orderId, x.itemId, x.start.fence.n, delayMs, x.start.snapshot.ctx.priority);
  } catch (error) {
    // Without it the commits revert at their timeout and the order fails NE_CONFIRMED_COMMIT_LOST: loud, not silent.
    x.log.error({ err: error, timeoutS }, 'scheduling the extension of the window commits failed');
  }
}

/**
 * The item is done and its window commits are pending while other items of the order still
 * run: a further confirmed commit with the same persist-id and a new timeout (the order's
 * expected time left plus the confirm timeout) keeps each from reverting, and the next extension
 * is scheduled. The job exists only while the item is `activated` (its start checks the phase):
 * once the order confirms or rolls back, its fence makes this execution stale. A follow-up that
 * races the confirmation or the cancel finds nothing pending and changes nothing (netconfd
 * refuses it: "persistent confirmed commit not active"). Never fails the item: an extension
 * that could not be sent is tried again sooner.
 */
async function extendWindow(x: Execution): Promise<ActivationOutcome> {
  try {
    return await extendOnce(x);
  } catch (error) {
    if (error instanceof StaleExecutionError || x.ledger.isStale) throw error;
    // Whatever went wrong, the item stays as it is (failing it here would roll back a good order).
    x.log.warn({ err: error }, 'extending the window commits failed; trying again sooner');
    await scheduleExtension(x, x.steps.window?.timeoutS ?? 2, 2_000);
    return 'extended';
  }
}

async function extendOnce(x: Execution): Promise<ActivationOutcome> {
  const stored = x.start.snapshot.runs[x.itemId];
  const window = x.steps.window;
  if (!stored || !window || x.start.snapshot.progress.items[x.itemId]?.unconfirmedAt === undefined) return 'stale';
  const steps = resolveSteps(x.deps, fullRun(stored, x.start.spec).steps);
  const pending = pendingCommitsOf(x);
  // One follow-up per pending commit: steps that joined another's share its persist-id.
  const byPersistId = new Map(steps.filter((s) => pending[s.name] !== undefined).map((s) => [pending[s.name] as string, s]));
  let retry = false;
  for (const [persistId, step] of byPersistId) {
    try {
      const extended = await extendPending(x.steps, step, persistId, window.timeoutS);
      if (extended) x.log.info({ neId: step.ne.id, persistId, timeoutS: window.timeoutS }, "the order's window is still open: its confirmed commit is extended");
      else x.log.warn({ neId: step.ne.id, persistId }, 'nothing pending to extend: the order finds out at its confirmation what became of it');
    } catch (error) {
      if (error instanceof StaleExecutionError) throw error;
      retry = true;
      x.log.warn({ err: error, neId: step.ne.id, persistId }, 'extending the confirmed commit failed; trying again sooner');
    }
  }
  await x.steps.sessions.close();
  await x.ledger.flush();
  await scheduleExtension(x, window.timeoutS, retry ? Math.min(5_000, extensionDelayMs(window.timeoutS) / 2) : extensionDelayMs(window.timeoutS));
  return 'extended';
}

/** Runs the undo of the item's steps (last first), then takes its change out of the service inventory, together. */
async function compensate(x: Execution): Promise<ActivationOutcome> {
  const stored = x.start.snapshot.runs[x.itemId];
  if (!stored) throw new FleetError('ORDER_DATA_UNPROCESSABLE', `item ${x.itemId} completed without a recorded run: nothing says what to undo`);
  const run = fullRun(stored, x.start.spec);
  const steps = resolveSteps(x.deps, run.steps);
  const pending = pendingCommitsOf(x);
  x.log.info({ steps: steps.length, fence: x.start.fence.n, cancelCommits: Object.values(pending) }, 'rolling back item');
  const remnants = await compensateSteps(x.steps, steps, pending);
  await x.steps.sessions.close();
  await wakeNes(x, steps.filter((s) => pending[s.name] !== undefined));
  if (remnants.length > 0) {
    const message = remnants.map((r) => `${r.neId} (${r.step}): ${r.error}`).join('; ');
    if (!x.lastAttempt) throw new FleetError('ORDER_COMPENSATION_FAILED', message, { transient: true });
    await settle(x, (p) => itemCompensated(p, x.itemId, x.now(), { code: 'ORDER_COMPENSATION_FAILED', message }));
    return 'compensationFailed';
  }
  const service = x.start.service;
  const write = service ? x.deps.services.writeOf(serviceAfterRollback(service.service, serviceChange(x, run, steps, catalogTextOf(x.deps, x.start.spec, false))), service) : undefined;
  await settle(x, (p) => itemCompensated(p, x.itemId, x.now()), write ? { service: write } : {});
  return 'compensated';
}

/**
 * The item's workers were lost for good (its job failed without a result, or vanished): undo
 * exactly what its ledger records as sent, then record it failed. Never just marks it failed:
 * a half-applied change must not stay on the network.
 */
async function abort(x: Execution): Promise<ActivationOutcome> {
  const { spec, service } = x.start;
  const recordedRun = x.start.snapshot.runs[x.itemId];
  const run = recordedRun ? fullRun(recordedRun, spec) : (() => {
    const resolved = resolveRun(spec, service?.service, randomUUID());
    return { ...resolved, steps: stepsOf(x.deps, x.orderId, x.itemId, spec, resolved, service) };
  })();
  const recorded = new Set(x.ledger.recorded());
  const sent = resolveSteps(x.deps, run.steps.filter((s) => recorded.has(s.name)));
  x.log.warn({ steps: sent.map((s) => s.name), fence: x.start.fence.n }, 'undoing what a lost execution of the item sent');
  const remnants = await undoAttempt(x.steps, sent);
  await x.steps.sessions.close();
  const what = sent.length === 0 ? 'nothing had been sent' : `undid ${sent.map((s) => s.name).join(', ')}, which it had sent`;
  const left = remnants.length > 0 ? `; undo failed on ${remnants.map((r) => `${r.neId} (${r.step}): ${r.error}`).join('; ')}` : '';
  await settle(x, (p) => itemFailed(p, x.itemId, x.now(), 'ORDER_EXECUTION_LOST', `the item's worker was lost (job ${x.job.data.kind} stalled or vanished); ${what}${left}`));
  return 'aborted';
}

/**
 * Processes one item job: activation (steps, tests, undo of this attempt on failure),
 * compensation (the undo steps of a completed item) or abort. Every write it makes to the order,
 * the ledger, the inventory or a device is fenced: a worker that lost its item stops without
 * writing. Transient failures are thrown so BullMQ retries them with backoff; a permanent one,
 * or the last attempt, is recorded on the item and fails the job.
 */
export function createActivationProcessor(deps: ActivationDeps) {
  const now = deps.now ?? (() => new Date().toISOString());
  return async (job: Job<ActivationJob>, token?: string): Promise<ActivationOutcome> => {
    const { orderId, itemId, kind } = job.data;
    const log = deps.log.child({ orderId, itemId, kind, jobId: job.id });
    const lockKey = deps.keys.jobLock(deps.keys.shardOf(orderId), QUEUE_NAMES.activation, job.id ?? '');
    let start: Awaited<ReturnType<ItemProgressStore['startItem']>>;
    try {
      start = await deps.store.startItem(orderId, itemId, {
        expectPhase: PHASE_OF[kind],
        lockKey,
        token: token ?? '',
        countAttempt: kind === 'activate',
        now: now(),
        ...(job.data.serviceId ? { serviceId: job.data.serviceId } : {}),
        markFirst: kind === 'activate',
      });
    } catch (error) {
      // Nothing was sent (the item's data could not even be read): the order fails once, and the
      // job fails for good instead of being retried, aborted and retried again by the reconciler.
      if (!(error instanceof FleetError) || error.code !== 'ORDER_DATA_UNPROCESSABLE') throw error;
      log.error({ err: error }, 'order data cannot be processed: failing the order once');
      await deps.dispatcher.failUnreadable(orderId, error.message);
      throw new UnrecoverableError(`${error.code}: ${error.message}`);
    }
    if ('stale' in start) {
      log.debug({ phase: start.phase, state: start.state }, 'item is not in the phase this job is for (a duplicate or a finished job): nothing to do');
      return 'stale';
    }
    crashPoint('item.after-start');
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const ledger = new ItemLedger(deps.store, orderId, kind, start.fence, start.snapshot, start.validityMs, { marginMs: deps.lockMarginMs, now, ledgerKind: kind === 'compensate' ? 'compensate' : 'activate' });
    const sessions = deps.pool.scope();
    const window = await windowOf(deps, orderId, itemId, start, now());
    const steps: StepExecutionDeps = { ledger, sessions, metrics: deps.metrics, log, confirmTimeoutS: deps.confirmTimeoutS, ...(window ? { window } : {}) };
    const x: Execution = { deps, job, orderId, itemId, start, ledger, steps, now, lastAttempt, log };
    const labels = { specification: start.spec.specId, action: start.snapshot.ctx.items[itemId]?.[0] ?? 'add' };
    const stopTimer = deps.metrics.itemDuration.startTimer(labels);
    const fields = { orderId, itemId, specification: start.spec.specId, action: labels.action, attempt: start.fence.n, operation: kind };
    return inFleetSpan(`activation.${kind}`, fields, async (span) => {
      try {
        const outcome =
          kind === 'activate' ? await activate(x) : kind === 'compensate' ? await compensate(x) : kind === 'confirm' ? await confirmWindow(x) : kind === 'extend' ? await extendWindow(x) : await abort(x);
        // It had waited for a blocked NE and got through: the NE takes changes again, for everyone,
        // unless what got through is this order's window, pending there now.
        if (job.data.blockedOn) await wakeBlocked(x, job.data.blockedOn, x.windowHolds?.has(job.data.blockedOn) ? orderId : undefined);
        span.setOutcome(outcome);
        stopTimer({ outcome });
        if (kind === 'activate') deps.metrics.itemsFinished.inc({ ...labels, outcome });
        else if (kind !== 'confirm' && kind !== 'extend') deps.metrics.itemsCompensated.inc({ specification: start.spec.specId, outcome });
        return outcome;
      } catch (error) {
        await sessions.close();
        return await failed(x, error, stopTimer, labels, token);
      } finally {
        await sessions.close();
      }
    });
  };
}

/**
 * The order's window, unless the fleet, the order or the item's specification turned it off:
 * its confirmed commits must outlive the whole order, so their timeout is the order's expected
 * time left plus the confirm timeout as a margin; and the commits of the order already pending
 * on an NE (earlier items', from their ledgers) are the ones a later step there joins.
 */
async function windowOf(deps: ActivationDeps, orderId: string, itemId: string, start: ItemStart, now: string): Promise<OrderWindow | undefined> {
  if (deps.commitWindow === false || start.spec.commitWindow === false || deps.catalog.get(start.spec.specId)?.commitWindow === false) return undefined;
  const margin = deps.confirmTimeoutS;
  const due = Date.parse(start.snapshot.ctx.expectedCompletionDate ?? '');
  const left = Number.isFinite(due) ? Math.max(0, Math.ceil((due - Date.parse(now)) / 1000)) : 0;
  return { timeoutS: margin + left, openOn: await openCommits(deps, orderId, itemId, start) };
}

/** NE id -> persist-id of the order's confirmed commits pending there, from the other items' activation ledgers. */
async function openCommits(deps: ActivationDeps, orderId: string, itemId: string, start: ItemStart): Promise<Map<string, string>> {
  const open = new Map<string, string>();
  for (const [key, entries] of Object.entries(start.snapshot.ledger)) {
    const [other, kind] = key.split('|');
    if (other === undefined || other === itemId || kind !== 'activate') continue;
    const unconfirmed = Object.entries(entries).filter(([, e]) => e.state === 'unconfirmed' && e.persistId !== undefined);
    if (unconfirmed.length === 0) continue;
    const stored = start.snapshot.runs[other];
    // An add's steps are its intake plan, kept with its spec rather than its run.
    const steps = stored?.steps ?? (await deps.store.spec(orderId, other))?.plan ?? [];
    for (const [step, e] of unconfirmed) {
      const neId = steps.find((s) => s.name === step)?.neId;
      if (neId !== undefined && !open.has(neId)) open.set(neId, e.persistId as string);
    }
  }
  return open;
}

/** What a failed execution leaves: nothing (stale), a parked job, a retry, or the item's end. */
async function failed(x: Execution, error: unknown, stopTimer: (labels: Record<string, string>) => void, labels: { specification: string; action: string }, token: string | undefined): Promise<ActivationOutcome> {
  const { deps, log, job } = x;
  if (error instanceof StaleExecutionError || x.ledger.isStale) {
    deps.metrics.staleExecutions.inc({ kind: job.data.kind });
    log.warn({ err: error }, 'execution lost its item to a newer attempt; stopped without writing');
    stopTimer({ outcome: 'stale' });
    return 'stale';
  }
  if (error instanceof NeError && error.code === 'NE_BUDGET_EXHAUSTED' && deps.budget) {
    stopTimer({ outcome: 'parked' });
    await park(x, error.neId, token);
    throw new DelayedError();
  }
  if (neBlocked(error) && deps.blockedWaits && (await blockedBoundLeftMs(x, error.neId)) > 0) {
    stopTimer({ outcome: 'parked' });
    await parkBlocked(x, error.neId, token);
    throw new DelayedError();
  }
  if (isTransient(error) && !x.lastAttempt) {
    // Keep what the undo recorded (and the audit) before the retry; the job goes back alive.
    await x.ledger.flush({ jobLives: true });
    deps.metrics.activationRetries.inc({ specification: x.start.spec.specId });
    log.warn({ err: error, attempt: job.attemptsMade + 1 }, 'transient failure; BullMQ retries with backoff');
    stopTimer({ outcome: 'retry' });
    throw error;
  }
  const failure = describeError(error);
  log.error({ err: error }, job.data.kind === 'compensate' ? 'rollback failed' : 'item failed');
  if (job.data.kind === 'compensate') await settle(x, (p) => itemCompensated(p, x.itemId, x.now(), failure));
  else await settle(x, (p) => itemFailed(p, x.itemId, x.now(), failure.code, failure.message));
  const outcome: ActivationOutcome = job.data.kind === 'compensate' ? 'compensationFailed' : 'failed';
  stopTimer({ outcome });
  if (job.data.kind === 'activate') deps.metrics.itemsFinished.inc({ ...labels, outcome });
  else if (job.data.kind !== 'confirm' && job.data.kind !== 'extend') deps.metrics.itemsCompensated.inc({ specification: x.start.spec.specId, outcome });
  // The job fails too, with the cause, so queue UIs and BullMQ's own metrics see it.
  throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
}

/** Records that the attempt waits rather than counts (nothing was tried on the network); false when the item is no longer ours. */
async function recordParked(x: Execution): Promise<boolean> {
  x.ledger.releaseUnsent();
  const part = x.ledger.take();
  const result = await x.deps.store.transition(x.orderId, (snap) => ({ progress: itemAttemptParked(snap.progress, x.itemId), ...part, jobLives: true }), { from: x.start.snapshot, fence: x.start.fence, now: x.now });
  return result.status !== 'stale' && result.status !== 'missing';
}

/** What is left of the job's wait for the blocked NE (blockedWaitLeftMs), from the NE's last progress as Redis holds it. */
async function blockedBoundLeftMs(x: Execution, neId: string): Promise<number> {
  const now = Date.now();
  const neProgressAt = (await x.deps.blockedWaits?.lastProgress(neId).catch(() => 0)) ?? 0;
  return blockedWaitLeftMs({ firstRefusedAt: x.job.data.blockedSince ?? now, neProgressAt, now, boundMs: (x.deps.confirmTimeoutS + x.deps.blockedWaitMarginS) * 1000 });
}

/**
 * The job's NE refuses changes for now (NE_COMMIT_PENDING, NE_LOCKED): the job waits parked,
 * its attempt not counted, until the NE takes a change again (one prober looks every few
 * seconds; the others are woken) or the bound passes.
 */
async function parkBlocked(x: Execution, neId: string, token: string | undefined): Promise<void> {
  const { deps, job } = x;
  if (!(await recordParked(x))) return;
  const since = job.data.blockedSince ?? Date.now();
  await job.updateData({ ...job.data, blockedSince: since, blockedOn: neId });
  const boundLeftMs = await blockedBoundLeftMs(x, neId);
  // A window's own confirm or extension is what lets the NE take changes again (a lock another
  // session held a moment refused it): waiting for the wake-up only it can bring held every
  // order for the NE until the fallback. It looks again at the probe interval instead.
  const opensTheNe = job.data.kind === 'confirm' || job.data.kind === 'extend';
  const fallbackMs = opensTheNe ? 0 : deps.parkFallbackMs;
  const { delayMs, prober } = await (deps.blockedWaits as BlockedWaiters).park(neId, job, token, Math.min(fallbackMs, Math.max(0, boundLeftMs)));
  deps.metrics.budgetParks.inc({ role: deps.inventory.get(neId)?.role ?? 'unknown' });
  x.log.info({ neId, delayMs, prober, waitingMs: Date.now() - since }, 'NE refuses changes for now (confirmed commit pending or lock held): job waits parked');
}

/** Wakes the jobs waiting for an NE that took a change again (only `order`'s, when given); a failure here only delays them to their fallback. */
async function wakeBlocked(x: Execution, neId: string, order?: string): Promise<void> {
  try {
    const data: ActivationJob = { ...x.job.data };
    delete data.blockedSince;
    delete data.blockedOn;
    await x.job.updateData(data);
    const woken = (await x.deps.blockedWaits?.unblocked(neId, order === undefined ? {} : { order })) ?? 0;
    if (woken > 0) x.log.info({ neId, woken }, 'NE takes changes again: woke the jobs waiting for it');
  } catch (error) {
    x.log.warn({ err: error, neId }, 'waking the jobs waiting for an NE failed; they look again at their fallback');
  }
}

/**
 * The job's NE is at its fleet-wide budget: list the job as a waiter of the NE and move it to
 * delayed, freeing the worker for other NEs' jobs. Releasing a lease promotes it. The attempt
 * does not count: nothing was tried on the network.
 */
async function park(x: Execution, neId: string, token: string | undefined): Promise<void> {
  const { deps, job } = x;
  const budget = deps.budget as BudgetWaiters;
  const ne = deps.inventory.get(neId);
  const fallback = deps.parkFallbackMs;
  if (!(await recordParked(x))) return;
  // A killed process's leases free only at their expiry, which promotes nobody: the takeover of
  // its job waited the whole fallback for the NE (30-45 s, the window it left holding every
  // order for the NE). It looks again once the first lease can have expired.
  const freesAt = await budget.firstLeaseExpiry(neId).catch(() => undefined);
  const fallbackAt = Date.now() + fallback + Math.random() * fallback * 0.5;
  const at = freesAt === undefined ? fallbackAt : Math.min(fallbackAt, freesAt + 50 + Math.random() * 500);
  // Delayed first, then listed: a lease freed in between finds the job promotable.
  await job.moveToDelayed(at, token);
  await budget.addWaiter(neId, job);
  // A lease freed before we were listed woke nobody: look again now rather than at the fallback.
  const [usage] = ne ? await budget.usage([ne]) : [];
  if (usage !== undefined && usage.leased < usage.ne.maxSessions) await job.promote().catch(() => undefined);
  deps.metrics.budgetParks.inc({ role: ne?.role ?? 'unknown' });
  x.log.debug({ neId }, 'NE at its budget: job parked until a session frees');
}

export interface ActivationWorkerOptions {
  connection: Redis;
  /** The BullMQ prefix of the shard's activation queue. */
  prefix: string;
  concurrency: number;
  /** Longer than the longest NE step: a running activation must never look stalled. */
  lockDurationMs: number;
  /** For jobs added without a retention of their own (by an older fleet version, or by hand). */
  retention: RetentionOptions;
}

/**
 * How often BullMQ looks for jobs whose worker died. Its check is two-phase: a job active at one
 * check is moved back to wait at the next only if its lock expired meanwhile. Checking once a
 * lock duration handed a killed worker's job over up to two lock durations later, and a window's
 * pending commit held every order for its NE all that time (chaos worker-kill-window: ~18 s per
 * kill at a 10 s lock). A quarter of it hands the job over within about 1.25 lock durations.
 */
export function stalledCheckMs(lockDurationMs: number): number {
  return Math.min(30_000, Math.max(1000, Math.floor(lockDurationMs / 4)));
}

export function startActivationWorker(deps: ActivationDeps, options: ActivationWorkerOptions): Worker<ActivationJob, ActivationOutcome> {
  const worker = new Worker<ActivationJob, ActivationOutcome>(QUEUE_NAMES.activation, deps.metrics.instrument('activation', createActivationProcessor(deps)), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: stalledCheckMs(options.lockDurationMs),
    // A job whose worker died is retried elsewhere; twice stalled means something is wrong with it.
    maxStalledCount: 2,
    telemetry: bullmqTelemetry(),
    ...keptJobs(options.retention),
  });
  worker.on('error', (error) => deps.log.error({ err: error }, 'activation worker error'));
  return worker;
}
