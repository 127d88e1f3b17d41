import type { ServiceInstance } from '../../inventory/service-instance.js';
import type { OrderRecord } from '../../orders/order-record.js';
import type { OrderStore } from '../../stores/order-store.js';
import type { ServiceInventoryStore } from '../../stores/service-inventory-store.js';
import { cancelTaskStateFor, isTaskProgress } from '../resources/cancel-task-state.js';
import type { CancelTaskStore } from '../resources/cancel-task-store.js';
import { monitorOutcome } from '../resources/monitor-outcome.js';
import type { MonitorStore } from '../resources/monitor-store.js';
import type { PendingServiceStore } from '../resources/pending-service-store.js';
import type { ServiceEventTracker } from './service-event-tracker.js';

/** Item states after which the item's service may have changed in the inventory. */
const SERVICE_TOUCHED = new Set(['completed', 'cancelled', 'failed']);

/**
 * Brings what the API derives from an order up to date with the order as it is now: its TMF640
 * monitor, its TMF641 cancel tasks, and the services its items changed. Reading the current
 * order (not the event that woke us) keeps this idempotent and safe to run in any order, by
 * any api process.
 */
export class OrderFollower {
  constructor(
    private readonly deps: {
      store: OrderStore;
      services: ServiceInventoryStore;
      monitors: MonitorStore;
      cancelTasks: CancelTaskStore;
      pendingServices: PendingServiceStore;
      serviceEvents: ServiceEventTracker;
    },
  ) {}

  async follow(orderId: string): Promise<void> {
    const record = await this.deps.store.get(orderId);
    if (!record) return;
    // Services first: a monitor's response carries the service as it ended up.
    const services = await this.touchedServices(record);
    for (const service of services.values()) await this.deps.serviceEvents.observe(service);
    await this.followMonitor(record, services);
    await this.followCancelTasks(record);
  }

  private async touchedServices(record: OrderRecord): Promise<Map<string, ServiceInstance>> {
    const ids = record.order.serviceOrderItem
      .filter((item) => SERVICE_TOUCHED.has(item.state))
      .map((item) => record.items[item.id]?.serviceId)
      .filter((id): id is string => id !== undefined);
    return this.deps.services.getMany([...new Set(ids)]);
  }

  private async followMonitor(record: OrderRecord, services: Map<string, ServiceInstance>): Promise<void> {
    const stored = await this.deps.monitors.ofOrder(record.order.id);
    if (!stored || stored.monitor.state !== 'inProgress') return;
    const service = services.get(stored.serviceId) ?? (await this.deps.services.get(stored.serviceId));
    const outcome = monitorOutcome(record.order, service, stored.operation);
    if (outcome.state === 'inProgress') return;
    await this.deps.monitors.settle(stored, outcome.state, outcome.response);
    // The order is over: the inventory holds the service now, or the creation failed and there is none.
    await this.deps.pendingServices.remove(stored.serviceId);
  }

  private async followCancelTasks(record: OrderRecord): Promise<void> {
    const target = cancelTaskStateFor(record.order);
    for (const task of await this.deps.cancelTasks.ofOrder(record.order.id)) {
      let current = task.state ?? 'accepted';
      if (!isTaskProgress(current, target.state)) continue;
      // Listeners see the whole TaskStateType lifecycle even when the order ran through it
      // faster than we looked: accepted, inProgress, then done or terminatedWithError.
      if (current === 'accepted' && target.state !== 'inProgress') {
        if (!(await this.deps.cancelTasks.transition(task, current, 'inProgress', {}))) continue;
        current = 'inProgress';
      }
      const { state, ...changes } = target;
      await this.deps.cancelTasks.transition({ ...task, state: current }, current, state, changes);
    }
  }
}
