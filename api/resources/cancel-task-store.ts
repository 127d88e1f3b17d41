import type { Redis } from 'ioredis';
import type { ApiEventStream } from '../notifications/api-event-stream.js';
import { tmfNotification } from '../notifications/tmf-notification.js';
import type { CancelServiceOrder, CancelTaskState } from '../schemas/service-ordering-schemas.js';
import { TrackedResourceStore } from './tracked-resource-store.js';

const event = (type: 'CancelServiceOrderCreateEvent' | 'CancelServiceOrderStateChangeEvent', task: CancelServiceOrder) =>
  tmfNotification(type, { cancelServiceOrder: task }, {
    correlationId: task.id,
    title: type === 'CancelServiceOrderCreateEvent' ? 'Cancel service order created' : 'Cancel service order state changed',
    description: `cancelServiceOrder ${task.id} for order ${task.serviceOrder?.id ?? '?'} is ${task.state}`,
  });

/** TMF641 CancelServiceOrder tasks, and the tasks of each order. */
export class CancelTaskStore {
  private readonly resources: TrackedResourceStore<CancelServiceOrder>;

  constructor(
    private readonly redis: Redis,
    events: ApiEventStream,
    private readonly prefix: string,
  ) {
    this.resources = new TrackedResourceStore(redis, events, prefix, 'cancel-task');
  }

  private byOrderKey(orderId: string): string {
    return `${this.prefix}:api:cancel-tasks-of:${orderId}`;
  }

  /** Stored (and announced) before the cancel reaches the order, so no order event can miss it. */
  async create(task: CancelServiceOrder & { serviceOrder: { id: string } }): Promise<void> {
    await this.redis.sadd(this.byOrderKey(task.serviceOrder.id), task.id);
    await this.resources.create(task, task.state ?? 'accepted', [event('CancelServiceOrderCreateEvent', task)]);
  }

  get(id: string): Promise<CancelServiceOrder | undefined> {
    return this.resources.get(id);
  }

  all(): Promise<CancelServiceOrder[]> {
    return this.resources.all();
  }

  async ofOrder(orderId: string): Promise<CancelServiceOrder[]> {
    const ids = await this.redis.smembers(this.byOrderKey(orderId));
    const tasks = await Promise.all(ids.map((id) => this.get(id)));
    return tasks.filter((t): t is CancelServiceOrder => t !== undefined);
  }

  /** False when the task was no longer in `from` (another process moved it first). */
  async transition(task: CancelServiceOrder, from: CancelTaskState, to: CancelTaskState, changes: Partial<CancelServiceOrder>): Promise<boolean> {
    const next: CancelServiceOrder = { ...task, ...changes, state: to };
    return this.resources.transition(next, from, to, [event('CancelServiceOrderStateChangeEvent', next)]);
  }
}
