import type { ServiceOrder } from './service-order.js';

/** A TMF641 notification as the fleet publishes it on the events stream. */
export interface OrderEvent {
  eventId: string;
  eventTime: string;
  eventType:
    | 'ServiceOrderCreateEvent'
    | 'ServiceOrderStateChangeEvent'
    | 'ServiceOrderAttributeValueChangeEvent'
    | 'ServiceOrderJeopardyEvent'
    | 'ServiceOrderMilestoneEvent';
  correlationId: string;
  domain: 'serviceOrdering';
  title: string;
  description: string;
  timeOcurred: string;
  /** For attribute changes: which field changed (TMF630 JSONPath-like). */
  fieldPath?: string;
  event: { serviceOrder: ServiceOrder };
}

/**
 * The events that one stored change produces, derived from the before and after views: no
 * code path can change a state and forget to tell upstream.
 */
export function orderEvents(before: ServiceOrder | undefined, after: ServiceOrder, now: string, newId: () => string): OrderEvent[] {
  const base = (eventType: OrderEvent['eventType'], title: string, description: string, fieldPath?: string): OrderEvent => ({
    eventId: newId(),
    eventTime: now,
    eventType,
    correlationId: after.id,
    domain: 'serviceOrdering',
    title,
    description,
    timeOcurred: now,
    ...(fieldPath ? { fieldPath } : {}),
    event: { serviceOrder: after },
  });
  if (!before) {
    return [base('ServiceOrderCreateEvent', 'Service order created', `order ${after.id} is ${after.state}`)];
  }
  const events: OrderEvent[] = [];
  const previous = new Map(before.serviceOrderItem.map((i) => [i.id, i.state]));
  for (const item of after.serviceOrderItem) {
    const was = previous.get(item.id);
    if (was !== item.state) {
      events.push(
        base(
          'ServiceOrderAttributeValueChangeEvent',
          'Service order item state changed',
          `item ${item.id} of order ${after.id}: ${was ?? 'none'} -> ${item.state}`,
          `serviceOrderItem[?(@.id=='${item.id}')].state`,
        ),
      );
    }
  }
  for (const alert of (after.jeopardyAlert ?? []).slice(before.jeopardyAlert?.length ?? 0)) {
    events.push(base('ServiceOrderJeopardyEvent', alert.name, alert.message, 'jeopardyAlert'));
  }
  for (const milestone of (after.milestone ?? []).slice(before.milestone?.length ?? 0)) {
    const item = milestone.serviceOrderItem?.[0]?.itemId;
    events.push(base('ServiceOrderMilestoneEvent', `Milestone ${milestone.name}`, `order ${after.id}${item ? ` item ${item}` : ''}: ${milestone.name}`, 'milestone'));
  }
  if (before.state !== after.state) {
    events.push(base('ServiceOrderStateChangeEvent', 'Service order state changed', `order ${after.id}: ${before.state} -> ${after.state}`, 'state'));
  }
  return events;
}
