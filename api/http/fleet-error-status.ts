import type { ErrorCode } from '../../errors/index.js';

/**
 * The HTTP status of a fleet error surfacing through the API. Order rejections are the
 * caller's to fix (400); those that depend on the current state of a resource are conflicts.
 */
const CONFLICTS: ReadonlySet<ErrorCode> = new Set([
  'ORDER_NOT_CANCELLABLE',
  'ORDER_CONCURRENT_UPDATE',
  'ORDER_SERVICE_EXISTS',
  'ORDER_SERVICE_TERMINATED',
  'ORDER_NO_SUCH_SUSPENSION',
  'API_CONFLICT',
]);

export function statusOfFleetError(code: ErrorCode): number {
  if (code === 'ORDER_NOT_FOUND' || code === 'API_NOT_FOUND') return 404;
  if (code === 'REDIS_UNAVAILABLE') return 503;
  if (CONFLICTS.has(code)) return 409;
  if (code.startsWith('ORDER_') || code === 'API_INVALID_REQUEST') return 400;
  return 500;
}
