import type { Logger } from 'pino';
import type { SessionScope } from '../adapters/adapter-pool.js';
import type { OperationContext } from '../adapters/audit.js';
import type { ChangeSet } from '../adapters/change-set.js';
import type { NeAdapter } from '../adapters/ne-adapter.js';
import { FleetError, NeError } from '../errors/index.js';
import type { NetworkElement } from '../inventory/network-element.js';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { inFleetSpan } from '../observability/tracing/fleet-spans.js';
import { crashPoint } from '../runtime/crash-points.js';
import type { StoredStep } from '../orders/order-record.js';
import { StaleExecutionError, type ItemLedger } from './item-ledger.js';

/** How long a confirmed change waits for its confirmation before the device reverts it. */
const CONFIRM_TIMEOUT_S = 120;

/** A planned step with its NE resolved from the resource inventory. */
export interface ResolvedStep extends StoredStep {
  ne: NetworkElement;
}

export interface StepExecutionDeps {
  /** The execution's fenced ledger: what was sent, and the guard before every device write. */
  ledger: ItemLedger;
  /** Sessions held for the whole item (acquired on first use, released by the caller). */
  sessions: SessionScope;
  metrics: FleetMetrics;
  log: Logger;
}

/** A step that could not be undone: the NE may hold a remnant of it. */
export interface Remnant {
  step: string;
  neId: string;
  error: string;
}

function context(deps: StepExecutionDeps, step: ResolvedStep): OperationContext {
  return { audit: (entry) => deps.ledger.audit(entry, step.name), beforeWrite: () => deps.ledger.beforeWrite(step.name) };
}

/** The persist-id of a step's confirmed commit: the same for every attempt of the item, so a later run can confirm or cancel it. */
function persistIdOf(deps: StepExecutionDeps, step: ResolvedStep): string {
  return `${deps.ledger.orderId}.${deps.ledger.fence.itemId}.${deps.ledger.ledgerKind}.${step.name}`.replace(/[^A-Za-z0-9._-]/g, '.');
}

type Operation = 'apply' | 'verify' | 'undo';

async function timed<T>(deps: StepExecutionDeps, step: ResolvedStep, operation: Operation, work: () => Promise<T>): Promise<T> {
  const end = deps.metrics.neOperationDuration.startTimer({ protocol: step.ne.protocol, operation });
  const labels = { protocol: step.ne.protocol, role: step.ne.role, operation };
  const fields = { orderId: deps.ledger.orderId, itemId: deps.ledger.fence.itemId, neId: step.ne.id, protocol: step.ne.protocol, step: step.name, operation };
  return inFleetSpan('activation.step', fields, async () => {
    try {
      const result = await work();
      deps.metrics.neOperations.inc({ ...labels, outcome: 'success' });
      return result;
    } catch (error) {
      deps.metrics.neOperations.inc({ ...labels, outcome: error instanceof FleetError ? error.code : 'error' });
      throw error;
    } finally {
      end();
    }
  });
}

async function runTests(deps: StepExecutionDeps, step: ResolvedStep, adapter: NeAdapter): Promise<void> {
  for (const check of step.tests) {
    const result = await timed(deps, step, 'verify', () => adapter.verify(check, context(deps, step)));
    if (!result.passed) {
      const expected =
        check.protocol === 'snmp' ? `= ${check.equals}` : check.protocol === 'netconf' ? check.contains.join(', ') : (check.line ?? check.contains ?? (check.matches === undefined ? '' : `a line matching ${check.matches}`));
      const what = check.protocol === 'ssh-cli' ? `${check.command}${check.within === undefined ? '' : ` within "${check.within}"`}` : check.protocol === 'snmp' ? check.oid : 'get-config';
      throw new NeError(
        'NE_VERIFICATION_FAILED',
        step.ne.id,
        `post-activation test of step ${step.name} failed: ${what} should ${'absent' in check && check.absent ? 'not ' : ''}show ${expected}; device showed: ${result.observed.slice(0, 500) || '(nothing)'}`,
      );
    }
  }
}

async function testsPass(deps: StepExecutionDeps, step: ResolvedStep): Promise<boolean> {
  if (step.tests.length === 0) return false;
  try {
    await deps.sessions.use(step.ne, (adapter) => runTests(deps, step, adapter));
    return true;
  } catch (error) {
    if (error instanceof StaleExecutionError) throw error;
    return false;
  }
}

/** The step's undo: the one its specification declares, else the change that restores what the NE held before (read and recorded by this item). */
function undoOf(deps: StepExecutionDeps, step: ResolvedStep): ChangeSet | undefined {
  return step.undo ?? deps.ledger.priorOf(step.name);
}

/**
 * For a step that declares no undo: what its NE holds now at exactly the places the step writes,
 * as the change that puts it back (SNMP scalars; adapters that cannot read offer nothing).
 */
async function readPrior(deps: StepExecutionDeps, step: ResolvedStep): Promise<ChangeSet | undefined> {
  if (step.undo) return undefined;
  const prior = await deps.sessions.use(step.ne, async (adapter): Promise<ChangeSet | undefined> => (adapter.readPrior ? adapter.readPrior(step.apply, context(deps, step)) : undefined));
  if (!prior) deps.log.warn({ neId: step.ne.id, step: step.name }, 'step declares no undo and what the NE held before cannot be read back: it cannot be undone');
  return prior;
}

async function sendUndo(deps: StepExecutionDeps, step: ResolvedStep, change: ChangeSet): Promise<void> {
  await deps.sessions.use(step.ne, (adapter) => timed(deps, step, 'undo', () => adapter.apply(change, context(deps, step))));
}

/**
 * Whether an earlier run of this item already applied the step, from the ledger: `done` says
 * so; `pending` (a run died mid-change) is settled by asking the device through the step's tests
 * (or, for a confirmed commit, by confirming it); `undoing` (a run died mid-undo) finishes the
 * undo, which the catalog's undo steps allow to repeat, and starts the step afresh.
 */
async function alreadyApplied(deps: StepExecutionDeps, step: ResolvedStep): Promise<boolean> {
  const entry = deps.ledger.entry(step.name);
  if (entry === undefined) return false;
  if (entry.state === 'done') {
    deps.log.info({ neId: step.ne.id, step: step.name, fence: entry.fence }, 'step already applied by an earlier run; not sent again');
    return true;
  }
  // Marked by this execution's own start and not sent yet.
  if (deps.ledger.ownsPending(step.name)) return false;
  if (entry.state === 'undoing') {
    const undo = undoOf(deps, step);
    if (undo) await sendUndo(deps, step, undo);
    deps.ledger.clear(step.name);
    return false;
  }
  if (step.ne.protocol === 'netconf' && step.ne.netconf.confirmedCommit) {
    // The run died between a confirmed commit and its confirmation: confirm it if it is still
    // pending on the device; if it reverted (or never happened), send it again.
    try {
      await deps.sessions.use(step.ne, async (adapter) => {
        if (!adapter.confirm) throw new Error('no confirmed commit');
        await adapter.confirm(persistIdOf(deps, step), context(deps, step));
      });
      deps.ledger.done(step.name);
      deps.log.info({ neId: step.ne.id, step: step.name }, 'confirmed the change an earlier run left pending');
      return true;
    } catch (error) {
      if (error instanceof StaleExecutionError) throw error;
      return false;
    }
  }
  if (!(await testsPass(deps, step))) return false;
  deps.ledger.done(step.name);
  deps.log.info({ neId: step.ne.id, step: step.name }, 'step an earlier run left pending is in place on the device; not sent again');
  return true;
}

/**
 * A NETCONF change as a confirmed commit with the step's persist-id, its tests, then the
 * confirmation: a worker that dies in between leaves the device to revert by itself. Failing
 * tests cancel the commit (the device reverts at once). Returns false when the adapter or the
 * device offers no confirmed commit: the caller applies plainly.
 */
async function applyConfirmed(deps: StepExecutionDeps, step: ResolvedStep): Promise<boolean> {
  if (step.ne.protocol !== 'netconf' || !step.ne.netconf.confirmedCommit) return false;
  const persistId = persistIdOf(deps, step);
  let offered = true;
  await deps.sessions.use(step.ne, async (adapter) => {
    if (!adapter.applyConfirmed || !adapter.confirm || !adapter.cancel) {
      offered = false;
      return;
    }
    try {
      await timed(deps, step, 'apply', () => adapter.applyConfirmed!(step.apply, persistId, CONFIRM_TIMEOUT_S, context(deps, step)));
    } catch (error) {
      if (error instanceof FleetError && error.code === 'NE_UNSUPPORTED') {
        offered = false;
        return;
      }
      throw error;
    }
  });
  if (!offered) return false;
  const stop = deps.metrics.testDuration.startTimer({ protocol: step.ne.protocol });
  try {
    await deps.sessions.use(step.ne, (adapter) => runTests(deps, step, adapter));
  } catch (error) {
    if (!(error instanceof StaleExecutionError)) {
      await deps.sessions.use(step.ne, (adapter) => adapter.cancel!(persistId, context(deps, step))).catch((cancelError: unknown) => {
        deps.log.error({ err: cancelError, neId: step.ne.id, persistId }, 'cancel-commit failed; the device reverts when the confirm timeout ends');
      });
    }
    throw error;
  } finally {
    stop();
  }
  await deps.sessions.use(step.ne, (adapter) => adapter.confirm!(persistId, context(deps, step)));
  return true;
}

/**
 * Whether a failed step left anything on its NE that an undo must take back. Adapters say
 * `applied: 'none'` when the device's answer proves it took nothing: a CLI refusing the first
 * line, an SNMP SET refused with an error status (all or nothing), a NETCONF change refused
 * through the candidate or with rollback-on-error.
 */
function leftSomething(deps: StepExecutionDeps, step: ResolvedStep, error: unknown): boolean {
  if (!deps.ledger.wrote(step.name)) return false;
  return !(error instanceof NeError && error.details.applied === 'none');
}

/** What became of the device in a failed attempt, in words: the item's message ends with it. */
function whatHappened(failed: ResolvedStep, failedLeft: boolean, undone: string[], remnants: Remnant[], error: FleetError): string {
  const parts: string[] = [];
  const taken = error.details.appliedLines;
  if (!failedLeft) parts.push(`${failed.ne.id} took nothing of step ${failed.name}, so it needed no undo`);
  else if (typeof taken === 'number' && typeof error.details.totalLines === 'number') parts.push(`${failed.ne.id} had taken ${taken} of the ${error.details.totalLines} lines of step ${failed.name}`);
  if (undone.length > 0) parts.push(`undone: ${undone.join(', ')}`);
  else if (remnants.length === 0 && failedLeft) parts.push('the steps applied declare no undo');
  if (remnants.length > 0) parts.push(`undo also failed on ${remnants.map((r) => `${r.neId} (step ${r.step}: ${r.error})`).join(', ')}`);
  if (!failedLeft && undone.length === 0 && remnants.length === 0) parts.push('no earlier step had been applied, so nothing was undone');
  return parts.join('; ');
}

export interface ExecutionResult {
  /** When every step had been applied (the itemActivated milestone). */
  activatedAt: string;
  /** Whether any post-activation test ran (the itemTested milestone). */
  tested: boolean;
}

/**
 * Runs an item in two phases: every step applied in order, then every step's post-activation
 * tests. If anything fails, the steps the ledger records as sent are undone in reverse before the
 * error goes up, so a retry (or the bundle's compensation) starts from the device's previous
 * configuration. A stale execution stops at once: it undoes nothing, since the item is no
 * longer its own.
 */
export async function executeSteps(deps: StepExecutionDeps, plan: ResolvedStep[], now: () => string): Promise<ExecutionResult> {
  const applied: ResolvedStep[] = [];
  const confirmed = new Set<string>();
  const undoAndThrow = async (error: unknown, failed: ResolvedStep, failedLeft: boolean): Promise<never> => {
    if (error instanceof StaleExecutionError) throw error;
    deps.log.warn({ err: error, neId: failed.ne.id, step: failed.name }, 'step failed; undoing what this attempt applied');
    const undoable = applied.filter((s) => undoOf(deps, s) !== undefined).map((s) => s.name);
    const remnants = await undoAttempt(deps, applied);
    if (error instanceof FleetError) {
      const undone = undoable.filter((name) => !remnants.some((r) => r.step === name));
      error.details.undone = undone;
      error.details.failedStepTookNothing = !failedLeft;
      if (remnants.length > 0) error.details.undoFailures = remnants;
      error.message = `${error.message} (${whatHappened(failed, failedLeft, undone, remnants, error)})`;
    }
    throw error;
  };
  for (const step of plan) {
    try {
      if (await alreadyApplied(deps, step)) {
        applied.push(step);
        continue;
      }
      // Read before the step is recorded pending, and recorded with it: an undo after a crash has it.
      const prior = deps.ledger.priorOf(step.name) ?? (await readPrior(deps, step));
      if (!deps.ledger.ownsPending(step.name) || prior) await deps.ledger.pending(step.name, prior);
      if (await applyConfirmed(deps, step)) confirmed.add(step.name);
      else await deps.sessions.use(step.ne, (adapter) => timed(deps, step, 'apply', () => adapter.apply(step.apply, context(deps, step))));
      crashPoint('item.after-step-sent');
      applied.push(step);
      deps.ledger.done(step.name);
    } catch (error) {
      if (error instanceof StaleExecutionError) throw error;
      const left = leftSomething(deps, step, error);
      if (left) applied.push(step);
      else deps.ledger.clear(step.name);
      await undoAndThrow(error, step, left);
    }
  }
  const activatedAt = now();
  let tested = false;
  for (const step of plan) {
    if (step.tests.length === 0) continue;
    tested = true;
    if (confirmed.has(step.name)) continue;
    const stop = deps.metrics.testDuration.startTimer({ protocol: step.ne.protocol });
    try {
      await deps.sessions.use(step.ne, (adapter) => runTests(deps, step, adapter));
    } catch (error) {
      await undoAndThrow(error, step, true);
    } finally {
      stop();
    }
  }
  return { activatedAt, tested };
}

/**
 * Undoes the steps a failed attempt applied, last first, each recorded `undoing` before its
 * undo is sent and taken out of the ledger once the NE took it. Keeps going past failures (one
 * NE being down must not leave the others configured) and returns what could not be undone.
 */
export async function undoAttempt(deps: StepExecutionDeps, steps: ResolvedStep[]): Promise<Remnant[]> {
  const remnants: Remnant[] = [];
  for (const step of [...steps].reverse()) {
    try {
      const undo = undoOf(deps, step);
      if (undo) {
        await deps.ledger.undoing(step.name);
        await sendUndo(deps, step, undo);
        crashPoint('item.after-undo-sent');
      }
      deps.ledger.clear(step.name);
    } catch (error) {
      if (error instanceof StaleExecutionError) throw error;
      // The NE is at its budget: the whole rollback waits (parked) and runs again.
      if (error instanceof FleetError && error.code === 'NE_BUDGET_EXHAUSTED') throw error;
      deps.log.error({ err: error, neId: step.ne.id, step: step.name }, 'undo failed');
      remnants.push({ step: step.name, neId: step.ne.id, error: (error as Error).message });
    }
  }
  return remnants;
}

/**
 * The rollback of a completed item: the undo of each of its steps, last first, under the
 * compensation ledger (a re-run skips the undos already done and sends a pending one again).
 */
export async function compensateSteps(deps: StepExecutionDeps, steps: ResolvedStep[]): Promise<Remnant[]> {
  const remnants: Remnant[] = [];
  for (const step of [...steps].reverse()) {
    const undo = undoOf(deps, step);
    if (!undo) continue;
    try {
      if (deps.ledger.entry(step.name)?.state === 'done') continue;
      if (!deps.ledger.ownsPending(step.name)) await deps.ledger.pending(step.name);
      await sendUndo(deps, step, undo);
      crashPoint('compensate.after-undo-sent');
      deps.ledger.done(step.name);
    } catch (error) {
      if (error instanceof StaleExecutionError) throw error;
      if (error instanceof FleetError && error.code === 'NE_BUDGET_EXHAUSTED') throw error;
      deps.log.error({ err: error, neId: step.ne.id, step: step.name }, 'undo failed');
      remnants.push({ step: step.name, neId: step.ne.id, error: (error as Error).message });
    }
  }
  return remnants;
}
