export { ERROR_CODES, type ErrorCode } from './error-codes.js';
export { FleetError, isFleetError, isTransient, type FleetErrorOptions } from './fleet-error.js';
export { NeError } from './ne-error.js';
export { NetconfRpcError, type RpcErrorFields } from './netconf-rpc-error.js';
export { OrderRejectedError, type RejectionReason } from './order-rejected-error.js';
