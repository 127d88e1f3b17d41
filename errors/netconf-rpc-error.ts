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

/** A NETCONF rpc-reply carrying one or more rpc-error elements. */
export class NetconfRpcError extends NeError {
  readonly rpcErrors: RpcErrorFields[];

  constructor(neId: string, rpcErrors: RpcErrorFields[]) {
    const text = rpcErrors
      .map((e) => `${e.errorTag}${e.errorPath ? ` at ${e.errorPath}` : ''}${e.errorMessage ? `: ${e.errorMessage}` : ''}`)
      .join('; ');
    const transient = rpcErrors.length > 0 && rpcErrors.every((e) => TRANSIENT_TAGS.has(e.errorTag));
    super(transient ? 'NE_LOCKED' : 'NE_RPC_ERROR', neId, `rpc-error ${text}`, { transient, details: { rpcErrors } });
    this.name = 'NetconfRpcError';
    this.rpcErrors = rpcErrors;
  }
}
