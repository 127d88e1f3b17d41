/**
 * TMF641 v4.1 states for ServiceOrder and ServiceOrderItem, and the transitions the fleet
 * allows (the lifecycle diagram in shared/tmf/TMF641_Lifecycle_ServiceOrder.png).
 */
export const ORDER_STATES = [
  'acknowledged',
  'rejected',
  'pending',
  'held',
  'inProgress',
  'cancelled',
  'completed',
  'failed',
  'partial',
  'assessingCancellation',
  'pendingCancellation',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** Items share the order's state names. */
export type ItemState = OrderState;

export const FINAL_STATES: ReadonlySet<OrderState> = new Set(['rejected', 'cancelled', 'completed', 'failed', 'partial']);

export function isFinalState(state: OrderState): boolean {
  return FINAL_STATES.has(state);
}

const ORDER_TRANSITIONS: Record<OrderState, readonly OrderState[]> = {
  acknowledged: ['inProgress', 'pending', 'held', 'assessingCancellation', 'failed', 'rejected'],
  pending: ['inProgress', 'held', 'assessingCancellation', 'failed'],
  held: ['inProgress', 'pending', 'assessingCancellation', 'failed'],
  inProgress: ['completed', 'failed', 'partial', 'pending', 'held', 'assessingCancellation'],
  assessingCancellation: ['pendingCancellation', 'inProgress', 'completed', 'failed', 'partial'],
  pendingCancellation: ['cancelled', 'failed'],
  rejected: [],
  cancelled: [],
  completed: [],
  failed: [],
  partial: [],
};

const ITEM_TRANSITIONS: Record<ItemState, readonly ItemState[]> = {
  acknowledged: ['inProgress', 'pending', 'held', 'cancelled', 'failed'],
  pending: ['inProgress', 'held', 'cancelled', 'failed'],
  held: ['inProgress', 'pending', 'cancelled', 'failed'],
  inProgress: ['completed', 'failed', 'partial', 'cancelled'],
  // A completed item is rolled back (compensated) when its bundle fails or is cancelled; a
  // rollback that fails leaves it failed, so the order shows the NE may hold a remnant.
  completed: ['cancelled', 'failed'],
  assessingCancellation: ['pendingCancellation', 'inProgress', 'completed'],
  pendingCancellation: ['cancelled'],
  rejected: [],
  cancelled: [],
  failed: [],
  partial: [],
};

export function canOrderMove(from: OrderState, to: OrderState): boolean {
  return from === to || ORDER_TRANSITIONS[from].includes(to);
}

export function canItemMove(from: ItemState, to: ItemState): boolean {
  return from === to || ITEM_TRANSITIONS[from].includes(to);
}
