import type { Logger } from 'pino';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { assessJeopardy } from '../orders/order-tracking.js';
import type { OrderStore } from '../stores/order-store.js';

export interface JeopardyTrackerOptions {
  /** How often open orders are checked. */
  checkIntervalMs: number;
  /** An order is at risk once less than this share of its time is left. */
  atRiskFraction: number;
  /** How far ahead of their expected completion open orders are looked at (JEOPARDY_LOOKAHEAD_MS). */
  lookaheadMs: number;
}

/**
 * Watches open orders against their expected completion date: raises a TMF641 jeopardyAlert
 * (and a ServiceOrderJeopardyEvent) when one is at risk, and escalates with a second alert and
 * event when it has missed it. Runs in every orchestrator; the phase-version check and the
 * raise-once rule make concurrent trackers harmless. One order's error is logged and skipped:
 * it never stops the tracker for the others.
 */
export function startJeopardyTracker(deps: { store: OrderStore; metrics: FleetMetrics; log: Logger }, options: JeopardyTrackerOptions): { stop(): void; check(): Promise<number> } {
  let running = false;
  const check = async (): Promise<number> => {
    if (running) return 0;
    running = true;
    let raised = 0;
    try {
      const now = Date.now();
      // An order comes into view once it is within its at-risk window; look far enough ahead
      // for the longest order (JEOPARDY_LOOKAHEAD_MS, a day) and let assessJeopardy decide.
      const due = await deps.store.openOrdersDueBefore(now + options.lookaheadMs);
      for (const orderId of due) {
        try {
          const result = await deps.store.transition(orderId, (snap) => {
            const next = assessJeopardy(snap.progress, { id: orderId, orderDate: snap.ctx.orderDate, ...(snap.ctx.expectedCompletionDate ? { expectedCompletionDate: snap.ctx.expectedCompletionDate } : {}) }, new Date(now).toISOString(), options.atRiskFraction);
            return next === snap.progress ? undefined : { progress: next };
          });
          if (result.status !== 'applied') continue;
          const alert = result.after.jeopardy.at(-1);
          raised += 1;
          deps.metrics.jeopardyAlerts.inc({ type: alert?.jeopardyType ?? 'unknown' });
          deps.log.warn({ orderId, jeopardyType: alert?.jeopardyType }, alert?.message ?? 'order in jeopardy');
        } catch (error) {
          deps.log.error({ err: error, orderId }, 'jeopardy check of one order failed; going on with the others');
        }
      }
    } catch (error) {
      deps.log.error({ err: error }, 'jeopardy check failed');
    } finally {
      running = false;
    }
    return raised;
  };
  const timer = setInterval(() => void check(), options.checkIntervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), check };
}
