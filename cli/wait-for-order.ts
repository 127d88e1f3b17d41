import { isFinalState } from '../orders/order-states.js';
import type { ServiceOrder } from '../orders/service-order.js';
import type { OrderStore } from '../stores/order-store.js';

/** How long one wait for a new event lasts before the order is read again anyway. */
const WAKE_UP_MS = 1000;

/**
 * Follows an order until it is final, writing one line per change of the order's state or an
 * item's (with the item's errors when it fails). The order as stored is the truth; the events
 * stream only wakes the loop up, so a missed or slimmed event costs at most a second, never a
 * state.
 */
export async function waitForOrder(store: Pick<OrderStore, 'get' | 'readEvents'>, orderId: string, write: (line: string) => void): Promise<ServiceOrder> {
  const startedAt = Date.now();
  const seen = new Map<string, string>();
  const stamp = (): string => `+${String(Date.now() - startedAt).padStart(6)} ms`;
  /** The order's state line; the first state seen is the starting point, not a change. */
  const orderState = (state: string): void => {
    if (seen.get('') === state) return;
    if (seen.has('')) write(`  ${stamp()}  order ${state}`);
    seen.set('', state);
  };
  for (;;) {
    const record = await store.get(orderId);
    if (!record) throw new Error(`order ${orderId} disappeared while it was followed (deleted?)`);
    const { order } = record;
    // inProgress comes before the items it started; every later state after the items that led to it.
    if (order.state === 'inProgress') orderState(order.state);
    for (const item of order.serviceOrderItem) {
      if (seen.get(item.id) === item.state) continue;
      seen.set(item.id, item.state);
      write(`  ${stamp()}  item ${item.id.padEnd(16)} ${item.state}`);
      if (item.state === 'failed' || item.state === 'cancelled') for (const e of item.errorMessage ?? []) write(`      ${e.code}: ${e.message}`);
    }
    orderState(order.state);
    if (isFinalState(order.state)) return order;
    await store.readEvents('$', { blockMs: WAKE_UP_MS, count: 1 });
  }
}
