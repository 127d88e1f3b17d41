import type { ItemRuntime } from '../orders/order-record.js';
import type { ServiceOrder } from '../orders/service-order.js';

const time = (iso: string | undefined): string => (iso ? iso.slice(11, 23) : '');

/** A human view of an order: one line for the order, one per item (with its times when known), errors under each. */
export function formatOrder(order: ServiceOrder, runtime: Record<string, ItemRuntime> = {}): string {
  const lines = [
    `order ${order.id}${order.externalId ? ` (externalId ${order.externalId})` : ''}: ${order.state}`,
    `  ordered ${order.orderDate}${order.startDate ? `, started ${order.startDate}` : ''}${order.completionDate ? `, finished ${order.completionDate}` : ''}`,
  ];
  for (const error of order.errorMessage ?? []) lines.push(`  ! ${error.code}: ${error.message}`);
  for (const item of order.serviceOrderItem) {
    const spec = item.service.serviceSpecification?.id ?? '?';
    const deps = (item.serviceOrderItemRelationship ?? []).map((r) => `${r.relationshipType} ${r.orderItem.itemId}`).join(', ');
    const rt = runtime[item.id];
    const times = rt?.startedAt ? ` ${time(rt.startedAt)}-${time(rt.finishedAt)}${rt.attempts > 1 ? ` (${rt.attempts} attempts)` : ''}` : '';
    lines.push(`  item ${item.id.padEnd(16)} ${item.action.padEnd(7)} ${spec.padEnd(18)} ${item.state.padEnd(12)}${deps ? ` ${deps}` : ''}${times}`);
    for (const error of item.errorMessage ?? []) lines.push(`      ${error.code}: ${error.message}`);
  }
  return lines.join('\n');
}
