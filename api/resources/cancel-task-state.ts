import type { ServiceOrder } from '../../orders/service-order.js';
import type { CancelServiceOrder, CancelTaskState } from '../schemas/service-ordering-schemas.js';

/**
 * The TaskStateType of a cancel request, read off its order: accepted until the order starts
 * assessing the cancellation, inProgress while it is being cancelled, done once cancelled, and
 * terminatedWithError when the order ended any other way first.
 */
export function cancelTaskStateFor(order: ServiceOrder): Pick<CancelServiceOrder, 'completionMessage' | 'effectiveCancellationDate'> & { state: CancelTaskState } {
  switch (order.state) {
    case 'assessingCancellation':
    case 'pendingCancellation':
      return { state: 'inProgress' };
    case 'cancelled':
      return { state: 'done', completionMessage: `service order ${order.id} is cancelled`, effectiveCancellationDate: order.completionDate ?? new Date().toISOString() };
    case 'completed':
    case 'failed':
    case 'partial':
    case 'rejected':
      return { state: 'terminatedWithError', completionMessage: `service order ${order.id} ended ${order.state} before the cancellation took effect` };
    default:
      return { state: 'accepted' };
  }
}

const RANK: Record<CancelTaskState, number> = { accepted: 0, inProgress: 1, done: 2, terminatedWithError: 2 };

/** Tasks only move forward: a later event read out of order never takes one back. */
export function isTaskProgress(from: CancelTaskState, to: CancelTaskState): boolean {
  return RANK[to] > RANK[from];
}
