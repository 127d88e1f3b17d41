import { isFinalState } from '../orders/order-states.js';
import type { ServiceOrder } from '../orders/service-order.js';
import type { OrderStore } from '../queues/order-store.js';

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
  for (;;) {
    const record = await store.get(orderId);
    if (!record) throw new Error(`order ${orderId} disappeared while it was followed (deleted?)`);
    const { order } = record;
    if (seen.get('') !== order.state) {
      if (seen.has('')) write(`  ${stamp()}  order ${order.state}`);
      seen.set('', order.state);
    }
    for (const item of order.serviceOrderItem) {
      if (seen.get(item.id) === item.state) continue;
      seen.set(item.id, item.state);
      write(`  ${stamp()}  item ${item.id.padEnd(16)} ${item.state}`);
      if (item.state === 'failed' || item.state === 'cancelled') for (const e of item.errorMessage ?? []) write(`      ${e.code}: ${e.message}`);
    }
    if (isFinalState(order.state)) return order;
    await store.readEvents('$', { blockMs: WAKE_UP_MS, count: 1 });
  }
}
