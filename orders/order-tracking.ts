import type { OrderRecord } from './order-record.js';
import { isFinalState } from './order-states.js';
import type { JeopardyAlert, Milestone } from './service-order.js';

/**
 * Tracking: milestones recorded on the order as it progresses, and jeopardy alerts when it is
 * at risk of missing (or has missed) its expected completion date. Pure, like order-progress.
 */

export type MilestoneName = 'decomposed' | 'itemActivated' | 'itemTested';

const MILESTONE_TEXT: Record<MilestoneName, string> = {
  decomposed: 'The order was decomposed into activation steps per item and NE',
  itemActivated: 'Every activation step of the item was applied on its NEs',
  itemTested: 'The post-activation tests of the item passed',
};

/** Adds a milestone once (the same name for the same item is not recorded twice). */
export function addMilestone(record: OrderRecord, name: MilestoneName, now: string, itemId?: string): OrderRecord {
  const existing = record.order.milestone ?? [];
  if (existing.some((m) => m.name === name && (m.serviceOrderItem?.[0]?.itemId ?? undefined) === itemId)) return record;
  const next = structuredClone(record);
  const milestone: Milestone = {
    id: `${name}${itemId ? `-${itemId}` : ''}`,
    name,
    description: MILESTONE_TEXT[name],
    milestoneDate: now,
    status: 'reached',
    ...(itemId ? { serviceOrderItem: [{ itemId }] } : {}),
  };
  next.order.milestone = [...existing, milestone];
  return next;
}

/** When the order is expected to complete: what the customer asked for, or the catalog's estimate. */
export function expectedCompletion(requestedCompletionDate: string | undefined, start: Date, typicalItemSeconds: number[]): string {
  if (requestedCompletionDate) return requestedCompletionDate;
  // Items may run in parallel, but a bundle's chain runs in sequence: the sum is a safe bound.
  const seconds = typicalItemSeconds.reduce((a, b) => a + b, 0);
  return new Date(start.getTime() + seconds * 1000).toISOString();
}

/**
 * Raises `atRisk` once the order has used `1 - atRiskFraction` of its time, and `missed`
 * (the escalation) once the expected completion has passed. Each is raised once per order.
 */
export function assessJeopardy(record: OrderRecord, now: string, atRiskFraction = 0.2): OrderRecord {
  const { order } = record;
  if (isFinalState(order.state) || !order.expectedCompletionDate) return record;
  const due = Date.parse(order.expectedCompletionDate);
  const from = Date.parse(order.startDate ?? order.orderDate);
  const at = Date.parse(now);
  const raised = new Set((order.jeopardyAlert ?? []).map((a) => a.jeopardyType));
  const pending = order.serviceOrderItem.filter((i) => !isFinalState(i.state)).map((i) => ({ itemId: i.id }));
  let type: JeopardyAlert['jeopardyType'] | undefined;
  if (at >= due && !raised.has('missed')) type = 'missed';
  else if (at >= due - (due - from) * atRiskFraction && !raised.has('atRisk') && !raised.has('missed')) type = 'atRisk';
  if (!type) return record;
  const next = structuredClone(record);
  const late = Math.round((at - due) / 1000);
  next.order.jeopardyAlert = [
    ...(order.jeopardyAlert ?? []),
    {
      id: `${type}-${order.id}`,
      alertDate: now,
      jeopardyType: type,
      name: type === 'missed' ? 'Expected completion missed' : 'Expected completion at risk',
      message:
        type === 'missed'
          ? `order ${order.id} missed its expected completion ${order.expectedCompletionDate} by ${late} s; items not done: ${pending.map((p) => p.itemId).join(', ') || 'none'}`
          : `order ${order.id} is at risk of missing its expected completion ${order.expectedCompletionDate}; items not done: ${pending.map((p) => p.itemId).join(', ') || 'none'}`,
      serviceOrderItem: pending,
    },
  ];
  return next;
}
