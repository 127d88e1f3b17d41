import type { ServiceOrder } from '../orders/service-order.js';

/** A human view of an order: one line for the order, one per item, with errors under each. */
export function formatOrder(order: ServiceOrder): string {
  const lines = [
    `order ${order.id}${order.externalId ? ` (externalId ${order.externalId})` : ''}: ${order.state}`,
    `  ordered ${order.orderDate}${order.startDate ? `, started ${order.startDate}` : ''}${order.completionDate ? `, finished ${order.completionDate}` : ''}`,
  ];
  for (const error of order.errorMessage ?? []) lines.push(`  ! ${error.code}: ${error.message}`);
  for (const item of order.serviceOrderItem) {
    const spec = item.service.serviceSpecification?.id ?? '?';
    const deps = (item.serviceOrderItemRelationship ?? []).map((r) => `${r.relationshipType} ${r.orderItem.itemId}`).join(', ');
    lines.push(`  item ${item.id.padEnd(16)} ${item.action.padEnd(7)} ${spec.padEnd(18)} ${item.state.padEnd(12)}${deps ? ` (${deps})` : ''}`);
    for (const error of item.errorMessage ?? []) lines.push(`      ${error.code}: ${error.message}`);
  }
  return lines.join('\n');
}
