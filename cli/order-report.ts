import type { ItemRuntime } from '../orders/order-record.js';
import type { AuditRecord } from '../stores/audit-trail.js';
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
    const rt = runtime[item.id];
    // A modify or delete names its service, not its specification: the item's spec says which.
    const spec = item.service.serviceSpecification?.id ?? rt?.specId ?? '?';
    const deps = (item.serviceOrderItemRelationship ?? []).map((r) => `${r.relationshipType} ${r.orderItem.itemId}`).join(', ');
    const times = rt?.startedAt ? ` ${time(rt.startedAt)}-${time(rt.finishedAt)}${rt.attempts > 1 ? ` (${rt.attempts} attempts)` : ''}` : '';
    lines.push(`  item ${item.id.padEnd(16)} ${item.action.padEnd(7)} ${spec.padEnd(18)} ${item.state.padEnd(12)}${deps ? ` ${deps}` : ''}${times}`);
    for (const error of item.errorMessage ?? []) lines.push(`      ${error.code}: ${error.message}`);
  }
  return lines.join('\n');
}

/** One audit line: when, where, for which order item, what was sent, how it went, what came back. */
export function formatAuditRecord(r: AuditRecord): string {
  const reply = r.reply.replace(/\s+/g, ' ').trim();
  return [
    // A session record (a logout by the pool) belongs to no order.
    `${r.startedAt} ${r.neId} ${r.protocol} ${r.operation} ${r.outcome}${r.errorCode ? ` ${r.errorCode}` : ''} ${r.durationMs}ms ${r.kind === 'session' ? '(session, no order item)' : `order ${r.orderId} item ${r.itemId} (${r.kind} ${r.step})`}`,
    `  > ${r.request.replace(/\s+/g, ' ').trim()}`,
    ...(reply ? [`  < ${reply.length > 200 ? `${reply.slice(0, 200)}...` : reply}`] : []),
  ].join('\n');
}
