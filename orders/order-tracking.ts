import type { OrderProgress } from './order-progress.js';
import { itemTmfState } from './order-progress.js';
import { isFinalState } from './order-states.js';
import type { JeopardyAlert, Milestone } from './service-order.js';

/**
 * Tracking: milestones derived from the items' progress (not stored on their own), and jeopardy
 * alerts when an order is at risk of missing (or has missed) its expected completion. Pure.
 */

export type MilestoneName = 'decomposed' | 'itemActivated' | 'itemTested' | 'committed-unconfirmed';

const MILESTONE_TEXT: Record<MilestoneName, string> = {
  decomposed: 'The order was decomposed into activation steps per item and NE',
  itemActivated: 'Every activation step of the item was applied on its NEs',
  itemTested: 'The post-activation tests of the item passed',
  'committed-unconfirmed': "The item's NETCONF changes are confirmed commits pending on their NEs: confirmed once the whole order passed, cancelled (the NEs revert) if it fails",
};

function milestone(name: MilestoneName, date: string, itemId?: string): Milestone {
  return {
    id: `${name}${itemId ? `-${itemId}` : ''}`,
    name,
    description: MILESTONE_TEXT[name],
    milestoneDate: date,
    status: 'reached',
    ...(itemId ? { serviceOrderItem: [{ itemId }] } : {}),
  };
}

/** The milestones an order has reached, oldest first. */
export function milestonesOf(p: OrderProgress): Milestone[] {
  const reached: Milestone[] = [];
  if (p.startDate && p.state !== 'rejected') reached.push(milestone('decomposed', p.startDate));
  for (const id of p.itemIds) {
    const item = p.items[id];
    if (!item || item.noChange) continue;
    if (item.activatedAt) reached.push(milestone('itemActivated', item.activatedAt, id));
    if (item.testedAt) reached.push(milestone('itemTested', item.testedAt, id));
    if (item.unconfirmedAt) reached.push(milestone('committed-unconfirmed', item.unconfirmedAt, id));
  }
  return reached.sort((a, b) => a.milestoneDate.localeCompare(b.milestoneDate));
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
export function assessJeopardy(
  p: OrderProgress,
  order: { id: string; orderDate: string; expectedCompletionDate?: string },
  now: string,
  atRiskFraction = 0.2,
): OrderProgress {
  if (isFinalState(p.state) || !order.expectedCompletionDate) return p;
  const due = Date.parse(order.expectedCompletionDate);
  const from = Date.parse(p.startDate ?? order.orderDate);
  const at = Date.parse(now);
  const raised = new Set(p.jeopardy.map((a) => a.jeopardyType));
  const pending = p.itemIds.filter((id) => !isFinalState(itemTmfState(p.items[id]?.phase ?? 'waiting'))).map((itemId) => ({ itemId }));
  let type: JeopardyAlert['jeopardyType'] | undefined;
  if (at >= due && !raised.has('missed')) type = 'missed';
  else if (at >= due - (due - from) * atRiskFraction && !raised.has('atRisk') && !raised.has('missed')) type = 'atRisk';
  if (!type) return p;
  const late = Math.round((at - due) / 1000);
  const notDone = pending.map((x) => x.itemId).join(', ') || 'none';
  const alert: JeopardyAlert = {
    id: `${type}-${order.id}`,
    alertDate: now,
    jeopardyType: type,
    name: type === 'missed' ? 'Expected completion missed' : 'Expected completion at risk',
    message:
      type === 'missed'
        ? `order ${order.id} missed its expected completion ${order.expectedCompletionDate} by ${late} s; items not done: ${notDone}`
        : `order ${order.id} is at risk of missing its expected completion ${order.expectedCompletionDate}; items not done: ${notDone}`,
    serviceOrderItem: pending,
  };
  return { ...p, jeopardy: [...p.jeopardy, alert] };
}
