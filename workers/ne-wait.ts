import { FleetError, NeError } from '../errors/index.js';

/**
 * The NE refuses changes for now, and will take them again by itself: a confirmed commit is
 * pending on it (until confirmed, cancelled or its confirm timeout), or another session holds
 * its lock. Work for that NE waits (parked) instead of failing or retrying at once.
 */
export function neBlocked(error: unknown): error is NeError {
  return error instanceof NeError && (error.code === 'NE_COMMIT_PENDING' || error.code === 'NE_LOCKED');
}

/** Errors after which the whole job waits (parked, the attempt not counted) rather than giving up a step. */
export function parksJob(error: unknown): boolean {
  return (error instanceof FleetError && error.code === 'NE_BUDGET_EXHAUSTED') || neBlocked(error);
}

/**
 * What is left of a job's wait for a blocked NE: `boundMs` (its confirm timeout plus a margin)
 * from the job's first refusal or, when later, from when the NE last took a change again (the
 * window ahead of it closed and the next one opened). Orders queued behind one window after
 * another wait each one out; only an NE stuck for the whole bound makes the refusal a failure.
 */
export function blockedWaitLeftMs(wait: { firstRefusedAt: number; neProgressAt: number; now: number; boundMs: number }): number {
  return wait.boundMs - (wait.now - Math.max(wait.firstRefusedAt, wait.neProgressAt));
}
