import type { OrderProgress } from './order-progress.js';
import { milestonesOf } from './order-tracking.js';
import { itemStatesOf } from './order-view.js';
import type { JeopardyAlert, Milestone, ServiceOrderItemInput, TmfErrorMessage } from './service-order.js';
import type { OrderState } from './order-states.js';

/**
 * The TMF641 notifications one stored change produces, derived from the progress before and
 * after it, so no code path can change a state and forget to tell upstream. They are slim: the
 * order's id, href and state, and only the items (and milestones) the change moved. The whole
 * order is one GET away (`status`, the TMF641 API).
 */

export interface EventItem {
  id: string;
  action: ServiceOrderItemInput['action'];
  state: string;
  /** The item's latest error, when the change made it fail or roll back. */
  errorMessage?: TmfErrorMessage[];
}

/** The order in an event: enough to follow every item's state. */
export interface EventOrder {
  id: string;
  href: string;
  state: OrderState;
  externalId?: string;
  startDate?: string;
  completionDate?: string;
  serviceOrderItem: EventItem[];
  milestone?: Milestone[];
  jeopardyAlert?: JeopardyAlert[];
  '@type': 'ServiceOrder';
}

export interface OrderEvent {
  eventId: string;
  eventTime: string;
  eventType: 'ServiceOrderCreateEvent' | 'ServiceOrderStateChangeEvent' | 'ServiceOrderAttributeValueChangeEvent' | 'ServiceOrderJeopardyEvent';
  correlationId: string;
  domain: 'serviceOrdering';
  title: string;
  description: string;
  timeOcurred: string;
  /** Which fields changed (TMF630 JSONPath-like), comma-separated. */
  fieldPath?: string;
  event: { serviceOrder: EventOrder };
}

/** What an event needs to know of the order beyond its progress. */
export interface EventContext {
  id: string;
  href: string;
  externalId?: string;
  actions: Record<string, ServiceOrderItemInput['action']>;
  serviceOf: (itemId: string) => string | undefined;
}

export function orderEvents(ctx: EventContext, before: OrderProgress | undefined, after: OrderProgress, now: string, newId: () => string): OrderEvent[] {
  const states = itemStatesOf(after, ctx.serviceOf);
  const was = before ? itemStatesOf(before, ctx.serviceOf) : {};
  const moved = after.itemIds.filter((id) => !before || was[id] !== states[id]);
  const newMilestones = before ? milestonesOf(after).filter((m) => !milestonesOf(before).some((b) => b.id === m.id)) : [];
  const item = (id: string): EventItem => {
    const fresh = (after.items[id]?.errors ?? []).slice(before?.items[id]?.errors.length ?? 0);
    return { id, action: ctx.actions[id] ?? 'add', state: states[id] ?? 'acknowledged', ...(fresh.length > 0 ? { errorMessage: fresh } : {}) };
  };
  const order = (items: string[], extra: Partial<EventOrder> = {}): EventOrder => ({
    id: ctx.id,
    href: ctx.href,
    state: after.state,
    ...(ctx.externalId ? { externalId: ctx.externalId } : {}),
    ...(after.startDate ? { startDate: after.startDate } : {}),
    ...(after.completionDate ? { completionDate: after.completionDate } : {}),
    serviceOrderItem: items.map(item),
    ...extra,
    '@type': 'ServiceOrder',
  });
  const base = (eventType: OrderEvent['eventType'], title: string, description: string, serviceOrder: EventOrder, fieldPath?: string): OrderEvent => ({
    eventId: newId(),
    eventTime: now,
    eventType,
    correlationId: ctx.id,
    domain: 'serviceOrdering',
    title,
    description,
    timeOcurred: now,
    ...(fieldPath ? { fieldPath } : {}),
    event: { serviceOrder },
  });
  if (!before) return [base('ServiceOrderCreateEvent', 'Service order created', `order ${ctx.id} is ${after.state}`, order(after.itemIds))];

  const events: OrderEvent[] = [];
  const milestones = newMilestones.length > 0 ? { milestone: newMilestones } : {};
  const itemText = moved.map((id) => `item ${id}: ${was[id] ?? 'none'} -> ${states[id]}`).join('; ');
  const paths = [...moved.map((id) => `serviceOrderItem[?(@.id=='${id}')].state`), ...(newMilestones.length > 0 ? ['milestone'] : [])];
  if (before.state !== after.state) {
    const description = `order ${ctx.id}: ${before.state} -> ${after.state}${itemText ? `; ${itemText}` : ''}`;
    events.push(base('ServiceOrderStateChangeEvent', 'Service order state changed', description, order(moved, milestones), ['state', ...paths].join(',')));
  } else if (paths.length > 0) {
    const description = `order ${ctx.id}: ${itemText || newMilestones.map((m) => `milestone ${m.name}`).join(', ')}`;
    events.push(base('ServiceOrderAttributeValueChangeEvent', 'Service order item state changed', description, order(moved, milestones), paths.join(',')));
  }
  for (const alert of after.jeopardy.slice(before.jeopardy.length)) {
    events.push(base('ServiceOrderJeopardyEvent', alert.name, alert.message, order([], { jeopardyAlert: [alert] }), 'jeopardyAlert'));
  }
  return events;
}
