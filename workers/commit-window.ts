import { commitWindowModeOf } from '../adapters/registry.js';
import { FleetError, NeError } from '../errors/index.js';
import { StaleExecutionError } from './item-ledger.js';
import { neBlocked } from './ne-wait.js';
import { CONFIRM_TIMEOUT_S, context, persistIdOf, sendUndo, testsPass, timed, type ResolvedStep, type StepExecutionDeps } from './step-operations.js';

/**
 * The order's window on its NETCONF NEs (RFC 6241 8.4, confirmed commit with persist-id): each
 * such step is committed `confirmed` with a persist-id of its own, recorded in the item's ledger
 * before it is sent; the NE reverts it by itself unless it is confirmed in time. The order
 * confirms every one of them last, once all its items passed; a failure cancels every one still
 * pending (the NE is back in one round trip, with no undo template). A worker that dies at any
 * point leaves the persist-ids in the ledger for the next run, and the devices to revert alone.
 */

/**
 * Whether the step goes into the order's window: an NE whose driver offers confirmed commits
 * (NETCONF) and whose inventory entry does not turn them off, in an order (and specification)
 * with a window. With `auto` the NE's
 * hello decides, when the commit is sent: a device without :confirmed-commit:1.1 is committed plainly.
 */
export function inWindow(deps: StepExecutionDeps, step: ResolvedStep): boolean {
  return deps.window !== undefined && commitWindowModeOf(step.ne) !== false;
}

/** The persist-id of a step's pending commit, from its ledger entry (or, for an entry written without one, derived). */
export function pendingPersistId(deps: StepExecutionDeps, step: ResolvedStep): string {
  return deps.ledger.entry(step.name)?.persistId ?? persistIdOf(deps, step);
}

/** Whether the step's pending commit is one it joined (another step's persist-id) rather than its own. */
export function joinedCommit(deps: StepExecutionDeps, step: ResolvedStep, persistId: string): boolean {
  return persistId !== persistIdOf(deps, step);
}

/** The persist-id the step's confirmed commit carries: the order's commit already pending on its NE, or its own. */
export function windowPersistId(deps: StepExecutionDeps, step: ResolvedStep): string {
  return deps.window?.openOn.get(step.ne.id) ?? persistIdOf(deps, step);
}

/**
 * Commits the step as a confirmed commit of the window. Returns false when the adapter or the
 * device offers no confirmed commit: the caller applies plainly (and undoes by template). A
 * persist-id another step of the order holds pending on the NE is joined by a follow-up
 * confirmed commit (RFC 6241 8.4.5.1): the device has one pending commit, so the two changes
 * are confirmed, or cancelled, together.
 */
export async function commitUnconfirmed(deps: StepExecutionDeps, step: ResolvedStep, persistId: string): Promise<boolean> {
  const timeoutS = deps.window?.timeoutS ?? deps.confirmTimeoutS ?? CONFIRM_TIMEOUT_S;
  const followUp = joinedCommit(deps, step, persistId);
  const committed = await deps.sessions.use(step.ne, async (adapter) => {
    if (!adapter.applyConfirmed || !adapter.confirm || !adapter.cancel) return false;
    try {
      await timed(deps, step, 'apply', () => adapter.applyConfirmed!(step.apply, persistId, timeoutS, context(deps, step), { followUp }));
      deps.metrics.confirmedCommits.inc({ outcome: followUp ? 'joined' : 'opened' });
      return true;
    } catch (error) {
      if (error instanceof FleetError && error.code === 'NE_UNSUPPORTED') return false;
      throw error;
    }
  });
  if (committed) deps.window?.openOn.set(step.ne.id, persistId);
  else if (commitWindowModeOf(step.ne) === true) deps.log.warn({ neId: step.ne.id, step: step.name }, 'inventory puts the NE in the window, but its server offers no :confirmed-commit:1.1: committed plainly');
  return committed;
}

/**
 * Sends a further confirmed commit of the pending `persistId` with a new timeout (RFC 6241
 * 8.4.5.1), so a long order's window does not revert while items are still running. False
 * when nothing by that id is pending any more (confirmed, cancelled, or reverted by the device):
 * the order's confirmation finds out which.
 */
export async function extendPending(deps: StepExecutionDeps, step: ResolvedStep, persistId: string, timeoutS: number): Promise<boolean> {
  try {
    await deps.sessions.use(step.ne, (adapter) => {
      if (!adapter.extendConfirmed) throw new NeError('NE_UNSUPPORTED', step.ne.id, 'the adapter offers no follow-up confirmed commit');
      return timed(deps, step, 'extend', () => adapter.extendConfirmed!(persistId, timeoutS, context(deps, step)));
    });
  } catch (error) {
    if (error instanceof StaleExecutionError || neBlocked(error) || !nothingPending(error)) throw error;
    return false;
  }
  deps.metrics.confirmedCommits.inc({ outcome: 'extended' });
  return true;
}

/** Nothing by that persist-id is pending on the device (it answered an rpc-error, not a transient refusal). */
function nothingPending(error: unknown): boolean {
  return error instanceof NeError && error.code === 'NE_RPC_ERROR';
}

/**
 * Takes the step's pending commit back: cancel-commit with its persist-id. When nothing is
 * pending by that id, the device tells what happened: the change is gone (it reverted by itself,
 * or never landed) and nothing is left to do, or it is in place (confirmed after all), and the
 * step's undo takes it out.
 */
export async function cancelPending(deps: StepExecutionDeps, step: ResolvedStep, persistId: string): Promise<'cancelled' | 'reverted' | 'undone'> {
  try {
    await deps.sessions.use(step.ne, (adapter) => {
      if (!adapter.cancel) throw new NeError('NE_UNSUPPORTED', step.ne.id, 'the adapter offers no cancel-commit');
      return timed(deps, step, 'cancel', () => adapter.cancel!(persistId, context(deps, step)));
    });
    deps.metrics.confirmedCommits.inc({ outcome: 'cancelled' });
    return 'cancelled';
  } catch (error) {
    if (error instanceof StaleExecutionError || neBlocked(error) || !nothingPending(error)) throw error;
  }
  const joined = joinedCommit(deps, step, persistId);
  if (step.tests.length > 0 && !(await testsPass(deps, step))) {
    // A commit shared with another step of the order went with that step's cancel-commit: this
    // one's, or (the joiner failing first) the joiner's, counted there.
    if (joined || deps.ledger.cancelledByAnother(persistId)) return 'cancelled';
    deps.metrics.confirmedCommits.inc({ outcome: 'reverted' });
    deps.log.info({ neId: step.ne.id, step: step.name, persistId }, 'nothing to cancel: the device had reverted the confirmed commit by itself');
    return 'reverted';
  }
  if (step.undo) await sendUndo(deps, step, step.undo);
  return 'undone';
}

/**
 * Confirms the step's pending commit: a confirming commit with its persist-id. When nothing is
 * pending by that id, the step's tests tell whether its change is in place (an earlier run
 * confirmed it and died before recording so) or the device reverted it: then the order cannot
 * complete (NE_CONFIRMED_COMMIT_LOST).
 */
export async function confirmPending(deps: StepExecutionDeps, step: ResolvedStep, persistId: string): Promise<void> {
  let refused = false;
  try {
    await deps.sessions.use(step.ne, (adapter) => {
      if (!adapter.confirm) throw new NeError('NE_UNSUPPORTED', step.ne.id, 'the adapter offers no confirmed commit');
      return timed(deps, step, 'confirm', () => adapter.confirm!(persistId, context(deps, step)));
    });
  } catch (error) {
    if (error instanceof StaleExecutionError || neBlocked(error) || !nothingPending(error)) throw error;
    refused = true;
  }
  // yuma123 netconfd answers <ok/> to a confirming commit whose persist-id is no longer pending (it
  // commits the unchanged candidate), so only the device's configuration tells a confirmation
  // from a commit that had reverted: the step's tests run again, after the confirm.
  // A commit joined by a follow-up is one commit on the device: counted once, by its own step.
  const joined = joinedCommit(deps, step, persistId);
  if (step.tests.length === 0 || (await testsPass(deps, step))) {
    if (!joined) deps.metrics.confirmedCommits.inc({ outcome: 'confirmed' });
    if (refused) deps.log.info({ neId: step.ne.id, step: step.name, persistId }, 'nothing pending to confirm: the change is in place (confirmed by an earlier run)');
    return;
  }
  if (!joined) deps.metrics.confirmedCommits.inc({ outcome: 'reverted' });
  throw new NeError(
    'NE_CONFIRMED_COMMIT_LOST',
    step.ne.id,
    `step ${step.name}: the confirmed commit ${persistId} was no longer pending when the order came to confirm it, and its change is not on the device: the device rolled it back (confirm timeout passed)`,
  );
}

/**
 * A step an earlier run of the item left `pending` with a persist-id (it died around its
 * confirmed commit): its tests ask the device. Passing, the commit is there and stays in the
 * window; failing, whatever is pending is cancelled and the step is sent afresh.
 */
export async function resumePending(deps: StepExecutionDeps, step: ResolvedStep): Promise<boolean> {
  const persistId = pendingPersistId(deps, step);
  if (await testsPass(deps, step)) {
    deps.ledger.unconfirmed(step.name, persistId);
    deps.log.info({ neId: step.ne.id, step: step.name, persistId }, 'the confirmed commit an earlier run left is in place: kept in the window');
    return true;
  }
  // A commit this step joined holds other steps' changes too: only its own is cancelled here.
  if (!joinedCommit(deps, step, persistId)) {
    await deps.sessions.use(step.ne, async (adapter) => adapter.cancel?.(persistId, context(deps, step))).catch((error: unknown) => {
      if (error instanceof StaleExecutionError || neBlocked(error)) throw error;
    });
  }
  deps.ledger.clear(step.name);
  return false;
}
