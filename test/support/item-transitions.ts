import type { StoredEvent } from '../../stores/order-store.js';

/**
 * Every item state change of one order, in the order the events were stored, as a listener sees
 * them: `item <id>: <from> -> <to>`, followed from the items each event carries.
 */
export function itemTransitions(events: StoredEvent[], orderId: string): string[] {
  const last = new Map<string, string>();
  const out: string[] = [];
  for (const e of events) {
    if (e.orderId !== orderId) continue;
    for (const item of e.event.event.serviceOrder.serviceOrderItem) {
      const was = last.get(item.id);
      if (was !== undefined && was !== item.state) out.push(`item ${item.id}: ${was} -> ${item.state}`);
      last.set(item.id, item.state);
    }
  }
  return out;
}

/** The order's own state changes, in order. */
export function orderStates(events: StoredEvent[], orderId: string): string[] {
  return events.filter((e) => e.orderId === orderId && e.event.eventType === 'ServiceOrderStateChangeEvent').map((e) => e.event.event.serviceOrder.state);
}
