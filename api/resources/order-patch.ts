import type { OrderRecord } from '../../orders/order-record.js';
import type { ApiEventStream } from '../notifications/api-event-stream.js';
import { tmfNotification } from '../notifications/tmf-notification.js';
import type { OrderStore } from '../../stores/order-store.js';
import type { ServiceOrderUpdate } from '../schemas/service-ordering-schemas.js';

/**
 * RFC 7396 merge patch of the fields ServiceOrder_Update lets a caller change (the schema has
 * already refused every other field): a value replaces, null removes. Returns the fields that
 * really changed, so a patch that changes nothing announces nothing.
 */
export function mergeOrderPatch<T extends object>(order: T, patch: ServiceOrderUpdate): { order: T; changed: string[] } {
  const next = { ...order } as Record<string, unknown>;
  const changed: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const before = JSON.stringify(next[field]);
    if (value === null) delete next[field];
    else next[field] = value;
    if (JSON.stringify(next[field]) !== before) changed.push(field);
  }
  return { order: next as unknown as T, changed };
}

/**
 * A PATCH of an order (v4.1 and v3 alike): the merge stored as a compare-and-set on the order as
 * posted, and one AttributeValueChange notification when something changed. Undefined when the
 * order does not exist.
 */
export async function patchOrder(store: OrderStore, events: ApiEventStream, id: string, patch: ServiceOrderUpdate): Promise<OrderRecord | undefined> {
  let changed: string[] = [];
  const doc = await store.patchDoc(id, (current) => {
    const merged = mergeOrderPatch(current, patch);
    changed = merged.changed;
    return merged.changed.length > 0 ? { doc: merged.order } : undefined;
  });
  if (!doc) return undefined;
  const record = await store.get(id);
  if (record && changed.length > 0) {
    await events.publish([
      tmfNotification('ServiceOrderAttributeValueChangeEvent', { serviceOrder: record.order }, {
        correlationId: record.order.id,
        title: 'Service order changed',
        description: `order ${record.order.id}: ${changed.join(', ')} changed`,
        fieldPath: changed.join(','),
      }),
    ]);
  }
  return record;
}
