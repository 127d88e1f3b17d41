/**
 * Why a server refused a lock, read from its rpc-errors. The adapter acts differently on each:
 * another session's lock is worth a retry later (NE_LOCKED, transient), an abandoned candidate is
 * discarded, and an outstanding confirmed commit lets only its own confirmation through.
 */
import { NetconfRpcError } from '../../errors/index.js';

/** The session-id a lock-denied error-info names (RFC 6241 7.5), or undefined when it names none. */
export function lockHolder(error: NetconfRpcError): number | undefined {
  for (const e of error.rpcErrors) {
    const match = /<(?:\w+:)?session-id[^>]*>\s*(\d+)\s*</.exec(e.errorInfo ?? '');
    if (match) return Number(match[1]);
  }
  return undefined;
}

/**
 * The candidate cannot be locked because it holds uncommitted changes nobody has locked (RFC 6241
 * 7.5): lock-denied naming session 0, or, as yuma123 netconfd says it, resource-denied
 * ("discard-changes needed"). Waiting will not help; discarding will.
 */
export function candidateIsDirty(error: unknown): boolean {
  if (!(error instanceof NetconfRpcError)) return false;
  const holder = lockHolder(error);
  return error.rpcErrors.some((e) => e.errorTag === 'resource-denied' || (e.errorTag === 'lock-denied' && holder === 0));
}

/** The datastore cannot be locked while a confirmed commit is outstanding (yuma123 netconfd refuses it). */
export function confirmedCommitPending(error: unknown): boolean {
  return error instanceof NetconfRpcError && error.code === 'NE_COMMIT_PENDING';
}
