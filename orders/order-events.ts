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
  /** In the create event: what each item does. */
  action?: ServiceOrderItemInput['action'];
  state: string;
  /** The item's latest error, when the change made it fail or roll back. */
  errorMessage?: TmfErrorMessage[];
}

/** The order in an event: enough to follow every item's state (its href is added on delivery). */
export interface EventOrder {
  id: string;
  href?: string;
  state: OrderState;
  externalId?: string;
  startDate?: string;
  completionDate?: string;
  serviceOrderItem: EventItem[];
  milestone?: Array<Omit<Milestone, 'description'>>;
  jeopardyAlert?: JeopardyAlert[];
  '@type': 'ServiceOrder';
}

/**
 * A TMF641 event as stored: what changed. The fields every TMF event carries beside
 * (correlationId, domain, title, timeOcurred) follow from these, and are filled in where the
 * event is delivered (api/notifications), not stored with every change.
 */
export interface OrderEvent {
  eventId: string;
  eventTime: string;
  eventType: 'ServiceOrderCreateEvent' | 'ServiceOrderStateChangeEvent' | 'ServiceOrderAttributeValueChangeEvent' | 'ServiceOrderJeopardyEvent';
  description: string;
  /** Which fields changed (TMF630 JSONPath-like), comma-separated. */
  fieldPath?: string;
  event: { serviceOrder: EventOrder };
  correlationId?: string;
  domain?: string;
  title?: string;
  timeOcurred?: string;
}

/** What an event needs to know of the order beyond its progress. */
export interface EventContext {
  id: string;
  externalId?: string;
  actions: Record<string, ServiceOrderItemInput['action']>;
  serviceOf: (itemId: string) => string | undefined;
}

export function orderEvents(ctx: EventContext, before: OrderProgress | undefined, after: OrderProgress, now: string, newId: () => string): OrderEvent[] {
  const states = itemStatesOf(after, ctx.serviceOf);
  const was = before ? itemStatesOf(before, ctx.serviceOf) : {};
  const moved = after.itemIds.filter((id) => !before || was[id] !== states[id]);
  const reached = before ? new Set(milestonesOf(before).map((b) => b.id)) : undefined;
  const newMilestones = reached ? milestonesOf(after).filter((m) => !reached.has(m.id)) : [];
  const item = (id: string): EventItem => {
    const fresh = (after.items[id]?.errors ?? []).slice(before?.items[id]?.errors.length ?? 0);
    return { id, ...(before ? {} : { action: ctx.actions[id] ?? 'add' }), state: states[id] ?? 'acknowledged', ...(fresh.length > 0 ? { errorMessage: fresh } : {}) };
  };
  const order = (items: string[], extra: Partial<EventOrder> = {}): EventOrder => ({
    id: ctx.id,
    state: after.state,
    ...(ctx.externalId && !before ? { externalId: ctx.externalId } : {}),
    ...(after.startDate && before?.startDate !== after.startDate ? { startDate: after.startDate } : {}),
    ...(after.completionDate && before?.completionDate !== after.completionDate ? { completionDate: after.completionDate } : {}),
    serviceOrderItem: items.map(item),
    ...extra,
    '@type': 'ServiceOrder',
  });
  const base = (eventType: OrderEvent['eventType'], description: string, serviceOrder: EventOrder, fieldPath?: string): OrderEvent => ({
    eventId: newId(),
    eventTime: now,
    eventType,
    description,
    ...(fieldPath ? { fieldPath } : {}),
    event: { serviceOrder },
  });
  if (!before) return [base('ServiceOrderCreateEvent', after.state, order(after.itemIds))];

  const events: OrderEvent[] = [];
  // Milestones in an event name what was reached; their descriptions are in the order itself.
  const milestones = newMilestones.length > 0 ? { milestone: newMilestones.map(({ description: _d, ...m }) => m) } : {};
  const itemText = moved.map((id) => `item ${id}: ${was[id] ?? 'none'} -> ${states[id]}`).join('; ');
  const paths = [...moved.map((id) => `serviceOrderItem[?(@.id=='${id}')].state`), ...(newMilestones.length > 0 ? ['milestone'] : [])];
  if (before.state !== after.state) {
    const description = `${before.state} -> ${after.state}${itemText ? `; ${itemText}` : ''}`;
    events.push(base('ServiceOrderStateChangeEvent', description, order(moved, milestones), ['state', ...paths].join(',')));
  } else if (paths.length > 0) {
    const description = itemText || newMilestones.map((m) => `milestone ${m.name}`).join(', ');
    events.push(base('ServiceOrderAttributeValueChangeEvent', description, order(moved, milestones), paths.join(',')));
  }
  for (const alert of after.jeopardy.slice(before.jeopardy.length)) {
    events.push({ ...base('ServiceOrderJeopardyEvent', alert.message, order([], { jeopardyAlert: [alert] }), 'jeopardyAlert'), title: alert.name });
  }
  return events;
}
