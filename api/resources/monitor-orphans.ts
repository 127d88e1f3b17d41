import type { Logger } from 'pino';
import type { OrderStore } from '../../stores/order-store.js';
import { orphanedMonitorOutcome } from './monitor-outcome.js';
import type { MonitorStore } from './monitor-store.js';

/**
 * Ends the TMF640 monitors whose order vanished. A monitor is stored before its order, so only
 * monitors older than `orphanAfterMs` count: by then their order exists, unless it was lost
 * with Redis state or its submission failed. Without this they would stay inProgress forever.
 * Settling is a compare-and-set, so several api processes may sweep at once.
 */
export async function settleOrphanedMonitors(deps: { monitors: MonitorStore; store: Pick<OrderStore, 'get'>; log: Logger }, orphanAfterMs: number, nowMs = Date.now()): Promise<number> {
  let settled = 0;
  for (const stored of await deps.monitors.inProgressSince(nowMs - orphanAfterMs)) {
    if ((await deps.store.get(stored.orderId)) !== undefined) continue;
    const outcome = orphanedMonitorOutcome(stored.orderId, stored.serviceId);
    if (await deps.monitors.settle(stored, outcome.state, outcome.response)) {
      settled += 1;
      deps.log.error({ code: 'MONITOR_ORDER_LOST', monitorId: stored.id, orderId: stored.orderId, serviceId: stored.serviceId }, 'TMF640 monitor ended inError: its service order no longer exists');
    }
  }
  return settled;
}
