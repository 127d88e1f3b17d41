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
