import { NeError } from './ne-error.js';

/** Every field of an RFC 6241 rpc-error, as the server sent it. */
export interface RpcErrorFields {
  errorType: string;
  errorTag: string;
  errorSeverity: string;
  errorAppTag?: string;
  errorPath?: string;
  errorMessage?: string;
  errorInfo?: string;
}

/** Tags for which another attempt later can succeed (RFC 6241 appendix A). */
const TRANSIENT_TAGS = new Set(['lock-denied', 'in-use', 'resource-denied']);

/**
 * A refusal because a confirmed commit is outstanding (RFC 6241 8.4). yuma123 netconfd 2.13 answers
 * every lock and commit of other sessions meanwhile with in-use, app-tag
 * outstanding-confirmed-commit, "cannot perform the operation with confirmed-commit pending".
 * Servers without that app-tag say it in words, so the message is read too.
 */
function confirmedCommitPending(e: RpcErrorFields): boolean {
  return e.errorAppTag === 'outstanding-confirmed-commit' || (e.errorTag === 'in-use' && /confirmed[- ]commit/i.test(e.errorMessage ?? ''));
}

/** What a set of rpc-errors means to the retry policy: wait for a pending commit, wait for a lock, or fail. */
function classify(rpcErrors: RpcErrorFields[]): { code: 'NE_COMMIT_PENDING' | 'NE_LOCKED' | 'NE_RPC_ERROR'; why: string } {
  const waitable = rpcErrors.length > 0 && rpcErrors.every((e) => TRANSIENT_TAGS.has(e.errorTag));
  if (waitable && rpcErrors.some(confirmedCommitPending)) {
    return { code: 'NE_COMMIT_PENDING', why: 'a confirmed commit is pending on the device and holds off other changes until it is confirmed, cancelled or rolled back: ' };
  }
  if (waitable) return { code: 'NE_LOCKED', why: 'another session holds the configuration: ' };
  return { code: 'NE_RPC_ERROR', why: '' };
}

/** A NETCONF rpc-reply carrying one or more rpc-error elements; the message holds the device's own words. */
export class NetconfRpcError extends NeError {
  readonly rpcErrors: RpcErrorFields[];

  constructor(neId: string, rpcErrors: RpcErrorFields[]) {
    const text = rpcErrors
      .map((e) => `${e.errorTag}${e.errorPath ? ` at ${e.errorPath}` : ''}${e.errorMessage ? `: ${e.errorMessage}` : ''}`)
      .join('; ');
    const { code, why } = classify(rpcErrors);
    super(code, neId, `${why}rpc-error ${text}`, { details: { rpcErrors } });
    this.name = 'NetconfRpcError';
    this.rpcErrors = rpcErrors;
  }
}
