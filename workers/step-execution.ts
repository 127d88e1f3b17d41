import type { ChangeSet } from '../adapters/change-set.js';
import { capabilitiesOf } from '../adapters/registry.js';
import { FleetError, NeError } from '../errors/index.js';
import { crashPoint } from '../observability/crash-points.js';
import { cancelPending, commitUnconfirmed, inWindow, joinedCommit, resumePending, windowPersistId } from './commit-window.js';
import { StaleExecutionError } from './item-ledger.js';
import { parksJob } from './ne-wait.js';
import { context, runTests, sendUndo, testsPass, timed, type Remnant, type ResolvedStep, type StepExecutionDeps } from './step-operations.js';

export type { Remnant, ResolvedStep, StepExecutionDeps } from './step-operations.js';

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
  // Taken back with the commit it had joined: sent afresh.
  if (entry.state === 'cancelled') {
    deps.ledger.clear(step.name);
    return false;
  }
  if (entry.state === 'done') {
    deps.log.info({ neId: step.ne.id, step: step.name, fence: entry.fence }, 'step already applied by an earlier run; not sent again');
    return true;
  }
  // Marked by this execution's own start and not sent yet.
  if (deps.ledger.ownsPending(step.name)) return false;
  if (entry.state === 'undoing') {
    const undo = undoOf(deps, step);
    if (undo) await takeBack(deps, step, undo);
    else deps.ledger.clear(step.name);
    return false;
  }
  if (entry.state === 'unconfirmed') {
    deps.log.info({ neId: step.ne.id, step: step.name, persistId: entry.persistId }, 'step committed unconfirmed by an earlier run; kept in the window');
    return true;
  }
  // The run died around a confirmed commit: the device says whether it is in place.
  if (entry.persistId !== undefined || inWindow(deps, step)) return resumePending(deps, step);
  const undo = undoOf(deps, step);
  // A change the device takes piece by piece (CLI lines) may be half there: tests cannot tell.
  if (!capabilitiesOf(step.ne.protocol).atomicApply && undo) {
    await takeBack(deps, step, undo);
    return false;
  }
  if (!(await testsPass(deps, step))) return false;
  deps.ledger.done(step.name);
  deps.log.info({ neId: step.ne.id, step: step.name }, 'step an earlier run left pending is in place on the device; not sent again');
  return true;
}

/**
 * A step that a dead run left pending, on a driver without `atomicApply` (the CLI: its lines are
 * taken one at a time), may be half on the device: the run may have died after `subscriber X`
 * and before `plan gold`, and post-tests that check two of four lines cannot tell. Sending the
 * lines again on top would apply the block twice, and trusting the tests could leave it
 * half-configured. So its undo first takes back whatever part got in (recorded `undoing`, so a
 * crash here finishes it), and the step is then sent whole. An atomic change (a NETCONF commit,
 * an SNMP SET): its tests say whether it is in place. A device refusing the undo's first line
 * holds nothing of the step.
 */
async function takeBack(deps: StepExecutionDeps, step: ResolvedStep, undo: ChangeSet): Promise<void> {
  await deps.ledger.undoing(step.name);
  try {
    await sendUndo(deps, step, undo);
  } catch (error) {
    if (!(error instanceof NeError && error.code === 'NE_COMMAND_REJECTED' && error.details.appliedLines === 0)) throw error;
  }
  deps.log.info({ neId: step.ne.id, step: step.name }, 'took back what a dead run may have left of a step applied piece by piece before sending it whole');
  deps.ledger.clear(step.name);
}

/**
 * Whether a failed step left anything on its NE that an undo must take back. Adapters say
 * `applied: 'none'` when the device's answer proves it took nothing: a CLI refusing the first
 * line, an SNMP SET refused with an error status (all or nothing), a NETCONF change refused
 * through the candidate or with rollback-on-error.
 */
function leftSomething(deps: StepExecutionDeps, step: ResolvedStep, error: unknown): boolean {
  if (!deps.ledger.wrote(step.name)) return false;
  // A window commit the device refused: the adapter discarded the candidate, nothing is pending.
  if (inWindow(deps, step) && error instanceof NeError && ['NE_RPC_ERROR', 'NE_COMMIT_PENDING', 'NE_LOCKED'].includes(error.code)) return false;
  // The device refused the very first line: it took nothing.
  if (error instanceof NeError && error.code === 'NE_COMMAND_REJECTED' && error.details.appliedLines === 0) return false;
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
  const undoAndThrow = async (error: unknown, failed: ResolvedStep, failedLeft: boolean): Promise<never> => {
    if (error instanceof StaleExecutionError) throw error;
    deps.log.warn({ err: error, neId: failed.ne.id, step: failed.name }, 'step failed; undoing what this attempt applied');
    const undoable = applied.filter((s) => undoOf(deps, s) !== undefined || deps.ledger.entry(s.name)?.persistId !== undefined).map((s) => s.name);
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
      if (inWindow(deps, step)) {
        // The persist-id is in the ledger, fenced, before the commit reaches the NE.
        const persistId = windowPersistId(deps, step);
        await deps.ledger.pending(step.name, { persistId });
        if (await commitUnconfirmed(deps, step, persistId)) {
          crashPoint('item.after-confirmed-commit');
          applied.push(step);
          deps.ledger.unconfirmed(step.name, persistId);
          continue;
        }
        // The device offers no confirmed commit: a plain change, undone by its template.
        deps.ledger.clear(step.name);
        await deps.ledger.pending(step.name);
      } else {
        // Read before the step is recorded pending, and recorded with it: an undo after a crash has it.
        const prior = deps.ledger.priorOf(step.name) ?? (await readPrior(deps, step));
        if (!deps.ledger.ownsPending(step.name) || prior) await deps.ledger.pending(step.name, prior ? { prior } : {});
      }
      await deps.sessions.use(step.ne, (adapter) => timed(deps, step, 'apply', () => adapter.apply(step.apply, context(deps, step))));
      crashPoint('item.after-step-sent');
      applied.push(step);
      deps.ledger.done(step.name);
    } catch (error) {
      if (error instanceof StaleExecutionError) throw error;
      const left = leftSomething(deps, step, error);
      if (left) applied.push(step);
      // Only this execution's own unsent record goes: an earlier run's `pending` or a takeover's
      // `undoing` says the device may hold part of the step, and must outlive a failure that came
      // before this execution sent anything (the NE unreachable or at its budget for the takeover).
      else if (deps.ledger.ownsPending(step.name)) deps.ledger.clear(step.name);
      await undoAndThrow(error, step, left);
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
      await undoAndThrow(error, step, true);
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
    const undo = undoOf(deps, step);
    try {
      const entry = deps.ledger.entry(step.name);
      const persistId = entry?.persistId;
      if (persistId !== undefined && entry?.state !== 'done' && joinedCommit(deps, step, persistId) && steps.some((s) => s !== step && deps.ledger.entry(s.name)?.persistId === persistId && !joinedCommit(deps, s, persistId))) {
        // Joined the commit of an earlier step of this attempt: its cancel-commit, next, takes both back.
      } else if (persistId !== undefined && entry?.state !== 'done' && entry?.state !== 'cancelled') {
        // A confirmed commit of the window: cancel-commit takes it back, no undo template. One this
        // step joined from an earlier item goes back with that item's change (one pending commit
        // per NE), and the entry says so, for that item's own cancel later.
        const outcome = await cancelPending(deps, step, persistId);
        if (outcome === 'cancelled' && joinedCommit(deps, step, persistId)) {
          deps.ledger.cancelled(step.name, persistId);
          continue;
        }
      } else if (undo && (entry?.state === 'pending' || entry?.state === 'undoing') && capabilitiesOf(step.ne.protocol).atomicApply && step.tests.length > 0 && !(await testsPass(deps, step))) {
        // Not known to have landed (a run died around it, or its commit went unanswered), and the
        // change is taken whole or not at all: tests that ran and do not see it say it never got
        // in (or its undo did). Nothing to take back, and the undo (a NETCONF delete, say) would
        // be refused for data that is not there.
        deps.log.info({ neId: step.ne.id, step: step.name, state: entry.state }, 'step recorded as possibly sent is not on the device: nothing to undo');
      } else if (undo && entry?.state !== 'cancelled') {
        await deps.ledger.undoing(step.name);
        await sendUndo(deps, step, undo);
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
    const undo = undoOf(deps, step);
    if (!undo && persistId === undefined) continue;
    try {
      const entry = deps.ledger.entry(step.name);
      if (entry?.state === 'done') continue;
      // An earlier rollback recorded this undo pending, then died: it may have landed.
      const resent = entry?.state === 'pending' && !deps.ledger.ownsPending(step.name);
      if (!deps.ledger.ownsPending(step.name)) await deps.ledger.pending(step.name);
      // Still pending in the order's window: cancel-commit, and the NE is back as it was. A step
      // that joined an earlier step's commit goes back with that step's cancel (an earlier item of
      // the order, or an earlier step of this one: both are rolled back after this one).
      if (persistId !== undefined && joinedCommit(deps, step, persistId)) deps.log.info({ neId: step.ne.id, step: step.name, persistId }, 'joined a commit of an earlier step: taken back by its cancel-commit');
      else if (persistId !== undefined) await cancelPending(deps, step, persistId);
      else if (undo && resent && capabilitiesOf(step.ne.protocol).atomicApply && step.tests.length > 0 && !(await testsPass(deps, step))) {
        // The change is taken whole or not at all, and its tests no longer see it: the earlier
        // undo landed. Sent again, a NETCONF delete is refused for data that is not there.
        deps.log.info({ neId: step.ne.id, step: step.name }, 'undo recorded as possibly sent has landed: not sent again');
      } else if (undo) await sendUndo(deps, step, undo);
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
