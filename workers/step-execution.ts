import type { Logger } from 'pino';
import type { SessionScope } from '../adapters/adapter-pool.js';
import type { StepLedger } from '../queues/change-ledger.js';
import type { AuditEntry, OperationContext } from '../adapters/audit.js';
import type { ChangeSet } from '../adapters/change-set.js';
import type { NeAdapter } from '../adapters/ne-adapter.js';
import type { PlannedStep } from '../catalog/activation-plan.js';
import { FleetError, NeError } from '../errors/index.js';
import type { FleetMetrics } from '../observability/fleet-metrics.js';

/** How long a confirmed change waits for its confirmation before the device reverts it. */
const CONFIRM_TIMEOUT_S = 120;

/** A persist-id from the step's idempotency key: the same id lets a later run confirm or cancel. */
function persistIdOf(deps: StepExecutionDeps, step: PlannedStep): string | undefined {
  return deps.ledger?.key(step.name).replace(/[^A-Za-z0-9._-]/g, '.');
}

export interface StepExecutionDeps {
  /** Idempotency: steps an earlier run of the same item already applied are not sent again. */
  ledger?: StepLedger;
  /** Sessions held for the whole item (acquired on first use, released by the caller). */
  sessions: SessionScope;
  metrics: FleetMetrics;
  log: Logger;
  /** Receives every exchange with an NE, with the step it belongs to. */
  audit?: (entry: AuditEntry, step: string) => void;
}

function context(deps: StepExecutionDeps, step: PlannedStep): OperationContext {
  const audit = deps.audit;
  return audit ? { audit: (entry) => audit(entry, step.name) } : {};
}

type Operation = 'apply' | 'verify' | 'undo';

async function timed<T>(deps: StepExecutionDeps, step: PlannedStep, operation: Operation, work: () => Promise<T>): Promise<T> {
  const end = deps.metrics.neOperationDuration.startTimer({ protocol: step.ne.protocol, operation });
  const labels = { protocol: step.ne.protocol, role: step.ne.role, operation };
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
}

async function runTests(deps: StepExecutionDeps, step: PlannedStep, adapter: NeAdapter): Promise<void> {
  for (const check of step.tests) {
    const result = await timed(deps, step, 'verify', () => adapter.verify(check, context(deps, step)));
    if (!result.passed) {
      const expected = check.protocol === 'snmp' ? `= ${check.equals}` : check.protocol === 'netconf' ? check.contains.join(', ') : (check.contains ?? check.matches ?? '');
      const what = check.protocol === 'ssh-cli' ? check.command : check.protocol === 'snmp' ? check.oid : 'get-config';
      throw new NeError(
        'NE_VERIFICATION_FAILED',
        step.ne.id,
        `post-activation test of step ${step.name} failed: ${what} should ${'absent' in check && check.absent ? 'not ' : ''}show ${expected}; device showed: ${result.observed.slice(0, 500) || '(nothing)'}`,
      );
    }
  }
}

async function applyUndo(deps: StepExecutionDeps, step: PlannedStep, change: ChangeSet): Promise<void> {
  await deps.sessions.use(step.ne, (adapter) => timed(deps, step, 'undo', () => adapter.apply(change, context(deps, step))));
}

/**
 * Whether an earlier run of this item already applied the step: recorded `done`, or recorded
 * `pending` (the run died mid-change) and the device passes the step's tests now.
 */
async function alreadyApplied(deps: StepExecutionDeps, step: PlannedStep): Promise<boolean> {
  const state = await deps.ledger?.state(step.name);
  if (state === undefined) return false;
  const persistId = persistIdOf(deps, step);
  if (state === 'pending' && persistId && step.ne.protocol === 'netconf' && step.ne.netconf.confirmedCommit) {
    // The run died between a confirmed commit and its confirmation: confirm it if it is still
    // pending on the device; if it reverted (or never happened), send it again.
    try {
      await deps.sessions.use(step.ne, async (adapter) => {
        if (!adapter.confirm) throw new Error('no confirmed commit');
        await adapter.confirm(persistId, context(deps, step));
      });
      await deps.ledger?.mark(step.name, 'done');
      deps.log.info({ neId: step.ne.id, step: step.name, persistId }, 'confirmed the change an earlier run left pending');
      return true;
    } catch {
      return false;
    }
  }
  if (state === 'pending') {
    if (step.tests.length === 0) return false;
    try {
      await deps.sessions.use(step.ne, (adapter) => runTests(deps, step, adapter));
    } catch {
      return false;
    }
    await deps.ledger?.mark(step.name, 'done');
  }
  deps.log.info({ neId: step.ne.id, step: step.name, idempotencyKey: deps.ledger?.key(step.name) }, 'step already applied by an earlier run; not sent again');
  return true;
}

/**
 * A NETCONF change as a confirmed commit with the step's persist-id, its tests, then the
 * confirmation: a worker that dies in between leaves the device to revert by itself. Failing
 * tests cancel the commit (the device reverts at once). Returns false when the adapter or the
 * device offers no confirmed commit: the caller applies plainly.
 */
async function applyConfirmed(deps: StepExecutionDeps, step: PlannedStep): Promise<boolean> {
  const persistId = persistIdOf(deps, step);
  if (!persistId || step.ne.protocol !== 'netconf' || !step.ne.netconf.confirmedCommit) return false;
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
    await deps.sessions.use(step.ne, (adapter) => adapter.cancel!(persistId, context(deps, step))).catch((cancelError: unknown) => {
      deps.log.error({ err: cancelError, neId: step.ne.id, persistId }, 'cancel-commit failed; the device reverts when the confirm timeout ends');
    });
    throw error;
  } finally {
    stop();
  }
  await deps.sessions.use(step.ne, (adapter) => adapter.confirm!(persistId, context(deps, step)));
  return true;
}

export interface ExecutionHooks {
  /** Every step is applied; the post-activation tests come next. */
  activated?: () => Promise<void>;
}

/**
 * Runs an item in two phases: every step applied in order, then every step's post-activation
 * tests. If anything fails, the steps this attempt applied are undone in reverse before the
 * error goes up, so a retry (or the bundle's compensation) starts from the device's previous
 * configuration. A CLI step that failed part-way is undone too: its first lines may have been taken.
 */
export async function executeSteps(deps: StepExecutionDeps, plan: PlannedStep[], hooks: ExecutionHooks = {}): Promise<void> {
  const applied: PlannedStep[] = [];
  // Steps whose tests already ran and passed before their change was confirmed.
  const confirmed = new Set<string>();
  const undoAndThrow = async (error: unknown, step: PlannedStep): Promise<never> => {
    deps.log.warn({ err: error, neId: step.ne.id, step: step.name }, 'step failed; undoing what this attempt applied');
    // The undo runs outside the activation ledger: what it takes back must be sent again next time.
    const remnants = await undoSteps({ ...deps, ledger: undefined }, applied);
    for (const undone of applied) await deps.ledger?.clear(undone.name);
    if (remnants.length > 0 && error instanceof FleetError) {
      error.details.undoFailures = remnants;
      error.message = `${error.message} (undo also failed on ${remnants.map((r) => r.neId).join(', ')})`;
    }
    throw error;
  };
  for (const step of plan) {
    try {
      if (await alreadyApplied(deps, step)) {
        applied.push(step);
        continue;
      }
      await deps.ledger?.mark(step.name, 'pending');
      if (await applyConfirmed(deps, step)) {
        confirmed.add(step.name);
        applied.push(step);
      } else {
        await deps.sessions.use(step.ne, (adapter) => timed(deps, step, 'apply', () => adapter.apply(step.apply, context(deps, step))));
        applied.push(step);
      }
      await deps.ledger?.mark(step.name, 'done');
    } catch (error) {
      if (step.ne.protocol === 'ssh-cli') applied.push(step);
      await undoAndThrow(error, step);
    }
  }
  await hooks.activated?.();
  for (const step of plan) {
    if (step.tests.length === 0 || confirmed.has(step.name)) continue;
    try {
      const stop = deps.metrics.testDuration.startTimer({ protocol: step.ne.protocol });
      try {
        await deps.sessions.use(step.ne, (adapter) => runTests(deps, step, adapter));
      } finally {
        stop();
      }
    } catch (error) {
      await undoAndThrow(error, step);
    }
  }
}

/**
 * Applies the undo of each step, last first. Keeps going past failures (one NE being down must
 * not leave the others configured) and returns what could not be undone.
 */
export async function undoSteps(deps: StepExecutionDeps, steps: PlannedStep[]): Promise<Array<{ step: string; neId: string; error: string }>> {
  const failures: Array<{ step: string; neId: string; error: string }> = [];
  for (const step of [...steps].reverse()) {
    if (!step.undo) continue;
    try {
      // In a compensation run the ledger holds the undos already sent.
      if ((await deps.ledger?.state(step.name)) === 'done') continue;
      await deps.ledger?.mark(step.name, 'pending');
      await applyUndo(deps, step, step.undo);
      await deps.ledger?.mark(step.name, 'done');
    } catch (error) {
      // The NE is at its budget: the whole rollback waits (parked) and runs again, rather than
      // counting as a failed rollback.
      if (error instanceof FleetError && error.code === 'NE_BUDGET_EXHAUSTED') throw error;
      deps.log.error({ err: error, neId: step.ne.id, step: step.name }, 'undo failed');
      failures.push({ step: step.name, neId: step.ne.id, error: (error as Error).message });
    }
  }
  return failures;
}
