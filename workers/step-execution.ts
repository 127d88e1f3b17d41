import type { Logger } from 'pino';
import type { SessionScope } from '../adapters/adapter-pool.js';
import type { StepLedger } from '../queues/change-ledger.js';
import type { AuditEntry, OperationContext } from '../adapters/audit.js';
import type { ChangeSet } from '../adapters/change-set.js';
import type { NeAdapter } from '../adapters/ne-adapter.js';
import type { PlannedStep } from '../catalog/activation-plan.js';
import { FleetError, NeError } from '../errors/index.js';
import type { FleetMetrics } from '../observability/fleet-metrics.js';

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
      await deps.sessions.use(step.ne, (adapter) => timed(deps, step, 'apply', () => adapter.apply(step.apply, context(deps, step))));
      applied.push(step);
      await deps.ledger?.mark(step.name, 'done');
    } catch (error) {
      if (step.ne.protocol === 'ssh-cli') applied.push(step);
      await undoAndThrow(error, step);
    }
  }
  await hooks.activated?.();
  for (const step of plan) {
    if (step.tests.length === 0) continue;
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
