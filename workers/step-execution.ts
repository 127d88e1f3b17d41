import type { ChangeSet } from '../adapters/change-set.js';
import { FleetError, NeError } from '../errors/index.js';
import { crashPoint } from '../runtime/crash-points.js';
import { cancelPending, commitUnconfirmed, inWindow, pendingPersistId, persistIdOfStep, resumePending } from './commit-window.js';
import { StaleExecutionError } from './item-ledger.js';
import { parksJob } from './ne-wait.js';
import { context, runTests, sendUndo, testsPass, timed, type Remnant, type ResolvedStep, type StepExecutionDeps } from './step-operations.js';

export type { Remnant, ResolvedStep, StepExecutionDeps } from './step-operations.js';

/**
 * Whether an earlier run of this item already applied the step, from the ledger: `done` says
 * so, and so does `unconfirmed` (a confirmed commit of the order's window, still pending);
 * `pending` (a run died mid-change) is settled by asking the device through the step's tests
 * (a confirmed commit that is not in place is cancelled and sent again); `undoing` (a run died
 * mid-undo) finishes the undo, which the catalog's undo steps allow to repeat, and starts the
 * step afresh.
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
    if (step.undo) await takeBack(deps, step, step.undo);
    else deps.ledger.clear(step.name);
    return false;
  }
  if (entry.state === 'unconfirmed') {
    deps.log.info({ neId: step.ne.id, step: step.name, persistId: entry.persistId }, 'step committed unconfirmed by an earlier run; kept in the window');
    return true;
  }
  // The run died around a confirmed commit: the device says whether it is in place.
  if (entry.persistId !== undefined || inWindow(deps, step)) return resumePending(deps, step);
  if (step.ne.protocol === 'ssh-cli' && step.undo) {
    await takeBack(deps, step, step.undo);
    return false;
  }
  if (!(await testsPass(deps, step))) return false;
  deps.ledger.done(step.name);
  deps.log.info({ neId: step.ne.id, step: step.name }, 'step an earlier run left pending is in place on the device; not sent again');
  return true;
}

/**
 * A CLI step that a dead run left pending may be half on the device: its lines are taken one at
 * a time, so the run may have died after `subscriber X` and before `plan gold`, and post-tests
 * that check two of four lines cannot tell. Sending the lines again on top would apply the
 * block twice, and trusting the tests could leave it half-configured. So its undo first takes
 * back whatever part got in (recorded `undoing`, so a crash here finishes it), and the step is
 * then sent whole. A NETCONF commit and an SNMP SET are atomic on the device: their tests say
 * whether they are in place. A device refusing the undo's first line holds nothing of the step.
 */
async function takeBack(deps: StepExecutionDeps, step: ResolvedStep, undo: ChangeSet): Promise<void> {
  await deps.ledger.undoing(step.name);
  try {
    await sendUndo(deps, step, undo);
  } catch (error) {
    if (!(error instanceof NeError && error.code === 'NE_COMMAND_REJECTED' && error.details.appliedLines === 0)) throw error;
  }
  deps.log.info({ neId: step.ne.id, step: step.name }, 'took back what a dead run may have left of a CLI step before sending it whole');
  deps.ledger.clear(step.name);
}

/** Whether a failed step left anything on its NE that an undo must take back. */
function leftSomething(deps: StepExecutionDeps, step: ResolvedStep, error: unknown): boolean {
  if (!deps.ledger.wrote(step.name)) return false;
  // A window commit the device refused: the adapter discarded the candidate, nothing is pending.
  if (inWindow(deps, step) && error instanceof NeError && ['NE_RPC_ERROR', 'NE_COMMIT_PENDING', 'NE_LOCKED'].includes(error.code)) return false;
  // The device refused the very first line: it took nothing.
  if (error instanceof NeError && error.code === 'NE_COMMAND_REJECTED' && error.details.appliedLines === 0) return false;
  return true;
}

export interface ExecutionResult {
  /** When every step had been applied (the itemActivated milestone). */
  activatedAt: string;
  /** Whether any post-activation test ran (the itemTested milestone). */
  tested: boolean;
  /** Whether some of its changes are confirmed commits still pending (the committed-unconfirmed milestone). */
  unconfirmed: boolean;
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
  const undoAndThrow = async (error: unknown, failed: ResolvedStep): Promise<never> => {
    if (error instanceof StaleExecutionError) throw error;
    deps.log.warn({ err: error, neId: failed.ne.id, step: failed.name }, 'step failed; undoing what this attempt applied');
    const remnants = await undoAttempt(deps, applied);
    if (error instanceof FleetError) {
      const undone = applied.filter((s) => !remnants.some((r) => r.step === s.name)).map((s) => s.name);
      error.details.undone = undone;
      if (remnants.length > 0) {
        error.details.undoFailures = remnants;
        error.message = `${error.message} (undo also failed on ${remnants.map((r) => r.neId).join(', ')})`;
      } else if (applied.length === 0) {
        error.message = `${error.message} (nothing had been applied, so nothing was undone)`;
      }
    }
    throw error;
  };
  for (const step of plan) {
    try {
      if (await alreadyApplied(deps, step)) {
        applied.push(step);
        continue;
      }
      if (inWindow(deps, step)) {
        // The persist-id is in the ledger, fenced, before the commit reaches the NE.
        const persistId = persistIdOfStep(deps, step);
        await deps.ledger.pending(step.name, persistId);
        if (await commitUnconfirmed(deps, step, persistId)) {
          crashPoint('item.after-confirmed-commit');
          applied.push(step);
          deps.ledger.unconfirmed(step.name, persistId);
          continue;
        }
        // The device offers no confirmed commit: a plain change, undone by its template.
        deps.ledger.clear(step.name);
        await deps.ledger.pending(step.name);
      } else if (!deps.ledger.ownsPending(step.name)) await deps.ledger.pending(step.name);
      await deps.sessions.use(step.ne, (adapter) => timed(deps, step, 'apply', () => adapter.apply(step.apply, context(deps, step))));
      crashPoint('item.after-step-sent');
      applied.push(step);
      deps.ledger.done(step.name);
    } catch (error) {
      if (error instanceof StaleExecutionError) throw error;
      if (leftSomething(deps, step, error)) applied.push(step);
      else deps.ledger.clear(step.name);
      await undoAndThrow(error, step);
    }
  }
  const activatedAt = now();
  let tested = false;
  for (const step of plan) {
    if (step.tests.length === 0) continue;
    tested = true;
    const stop = deps.metrics.testDuration.startTimer({ protocol: step.ne.protocol });
    try {
      await deps.sessions.use(step.ne, (adapter) => runTests(deps, step, adapter));
    } catch (error) {
      await undoAndThrow(error, step);
    } finally {
      stop();
    }
  }
  const unconfirmed = plan.some((step) => deps.ledger.entry(step.name)?.state === 'unconfirmed');
  return { activatedAt, tested, unconfirmed };
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
      const entry = deps.ledger.entry(step.name);
      if (entry?.persistId !== undefined && entry.state !== 'done') {
        // A confirmed commit of the window: cancel-commit takes it back, no undo template.
        await cancelPending(deps, step, pendingPersistId(deps, step));
      } else if (step.undo) {
        await deps.ledger.undoing(step.name);
        await sendUndo(deps, step, step.undo);
        crashPoint('item.after-undo-sent');
      }
      deps.ledger.clear(step.name);
    } catch (error) {
      if (error instanceof StaleExecutionError) throw error;
      // The NE is at its budget, or refuses changes for now: the whole rollback waits (parked) and runs again.
      if (parksJob(error)) throw error;
      deps.log.error({ err: error, neId: step.ne.id, step: step.name }, 'undo failed');
      remnants.push({ step: step.name, neId: step.ne.id, error: (error as Error).message });
    }
  }
  return remnants;
}

/**
 * The rollback of a completed item: the undo of each of its steps, last first, under the
 * compensation ledger (a re-run skips the undos already done and sends a pending one again).
 * A step whose confirmed commit is still pending in the order's window (`pendingCommits`, step
 * -> persist-id) is cancelled instead.
 */
export async function compensateSteps(deps: StepExecutionDeps, steps: ResolvedStep[], pendingCommits: Record<string, string> = {}): Promise<Remnant[]> {
  const remnants: Remnant[] = [];
  for (const step of [...steps].reverse()) {
    const persistId = pendingCommits[step.name];
    if (!step.undo && persistId === undefined) continue;
    try {
      if (deps.ledger.entry(step.name)?.state === 'done') continue;
      if (!deps.ledger.ownsPending(step.name)) await deps.ledger.pending(step.name);
      // Still pending in the order's window: cancel-commit, and the NE is back as it was.
      if (persistId !== undefined) await cancelPending(deps, step, persistId);
      else if (step.undo) await sendUndo(deps, step, step.undo);
      crashPoint('compensate.after-undo-sent');
      deps.ledger.done(step.name);
    } catch (error) {
      if (error instanceof StaleExecutionError) throw error;
      if (parksJob(error)) throw error;
      deps.log.error({ err: error, neId: step.ne.id, step: step.name }, 'undo failed');
      remnants.push({ step: step.name, neId: step.ne.id, error: (error as Error).message });
    }
  }
  return remnants;
}
