import { errorMessage, itemTmfState, type OrderProgress } from './order-progress.js';
import type { ItemSpec, StoredOrder } from './order-record.js';
import { milestonesOf } from './order-tracking.js';
import type { ItemState } from './order-states.js';
import type { ServiceOrder, ServiceOrderItem, TmfErrorMessage } from './service-order.js';

/**
 * The TMF641 ServiceOrder, derived from the order as posted and its progress: item states come
 * from item phases, milestones from item timestamps, the order's errors from its failed items.
 * Nothing here is stored, so the view cannot disagree with the execution behind it.
 */
export function serviceOrderView(doc: StoredOrder, p: OrderProgress, specs: Record<string, ItemSpec> = {}): ServiceOrder {
  const waiting = p.state === 'pending' && p.heldBy ? p.heldBy : undefined;
  const waitingMessage = waiting
    ? `waiting for order ${waiting.orderId}, which is changing service ${waiting.serviceId}; this order starts when that one ends`
    : undefined;
  const states = itemStatesOf(p, (id) => specs[id]?.serviceId);
  const serviceOrderItem: ServiceOrderItem[] = doc.serviceOrderItem.map((item) => {
    const progress = p.items[item.id];
    const state = states[item.id] ?? 'acknowledged';
    const heldHere = state === 'pending';
    const errors: TmfErrorMessage[] = [...(progress?.errors ?? [])];
    if (heldHere && waiting && waitingMessage) errors.push({ ...errorMessage('item', 'ORDER_WAITING_FOR_SERVICE', waitingMessage, waiting.since), status: 'pending' });
    return { ...item, state, ...(errors.length > 0 ? { errorMessage: errors } : {}) };
  });
  const orderErrors = orderErrorMessages(p, specs, waitingMessage);
  const milestones = milestonesOf(p);
  return {
    ...doc,
    state: p.state,
    ...(p.startDate ? { startDate: p.startDate } : {}),
    ...(p.completionDate ? { completionDate: p.completionDate } : {}),
    ...(p.cancellationDate ? { cancellationDate: p.cancellationDate } : {}),
    ...(p.state === 'cancelled' && p.cancellationReason ? { cancellationReason: p.cancellationReason } : {}),
    ...(orderErrors.length > 0 ? { errorMessage: orderErrors } : {}),
    ...(milestones.length > 0 ? { milestone: milestones } : {}),
    ...(p.jeopardy.length > 0 ? { jeopardyAlert: p.jeopardy } : {}),
    serviceOrderItem,
    '@type': doc['@type'] ?? 'ServiceOrder',
  };
}

/**
 * Each item's TMF641 state: from its phase, `rejected` in a rejected order, and `pending` for an
 * item of a waiting order whose service another order is changing.
 */
export function itemStatesOf(p: OrderProgress, serviceOf: (itemId: string) => string | undefined): Record<string, ItemState> {
  const waiting = p.state === 'pending' ? p.heldBy : undefined;
  const states: Record<string, ItemState> = {};
  for (const id of p.itemIds) {
    const phase = p.items[id]?.phase ?? 'waiting';
    if (p.state === 'rejected') states[id] = 'rejected';
    else if (waiting && phase === 'waiting' && serviceOf(id) === waiting.serviceId) states[id] = 'pending';
    // Its changes wait for the order's window to close (confirmed commits pending): not completed yet.
    else if (phase === 'activated' && p.items[id]?.unconfirmedAt) states[id] = 'inProgress';
    else states[id] = itemTmfState(phase);
  }
  return states;
}

function orderErrorMessages(p: OrderProgress, specs: Record<string, ItemSpec>, waitingMessage: string | undefined): TmfErrorMessage[] {
  if (p.state === 'rejected') return p.errors ?? [];
  if (p.state === 'pending' && waitingMessage && p.heldBy) {
    return [{ ...errorMessage('order', 'ORDER_WAITING_FOR_SERVICE', waitingMessage, p.heldBy.since), status: 'pending' }];
  }
  if (p.state !== 'failed' && p.state !== 'partial') return p.errors ?? [];
  const at = p.completionDate ?? '';
  return [...(p.errors ?? []), ...p.itemIds
    .filter((id) => p.items[id]?.phase === 'failed' || p.items[id]?.phase === 'compensationFailed')
    .map((id) => {
      const cause = p.items[id]?.errors.at(-1)?.message ?? 'failed';
      return errorMessage('order', 'ORDER_ITEM_FAILED', `item ${id} (${specs[id]?.specId ?? '?'}) failed: ${cause}`, at, [id]);
    })];
}
