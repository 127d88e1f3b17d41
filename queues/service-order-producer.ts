import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { planActivation, type NeDirectory } from '../catalog/activation-plan.js';
import type { ServiceCatalog } from '../catalog/service-catalog.js';
import { requestCancel } from '../orders/order-progress.js';
import { newOrderRecord, rejectedOrderRecord, type OrderRecord } from '../orders/order-record.js';
import { isFinalState } from '../orders/order-states.js';
import { ID_PATTERN, type ServiceOrder } from '../orders/service-order.js';
import { validateServiceOrder, type OrderValidation } from '../orders/order-validation.js';
import { FleetError, type RejectionReason } from '../errors/index.js';
import type { OrderStore } from './order-store.js';
import { jobPriority, type OrchestrationJob } from './queue-names.js';

export interface SubmitResult {
  /** The order as stored: `acknowledged`, or `rejected` with an errorMessage per reason. */
  order: ServiceOrder;
  /** False when the id or externalId was already known: the existing order is returned. */
  created: boolean;
}

export interface ServiceOrderProducerOptions {
  store: OrderStore;
  catalog: ServiceCatalog;
  orchestration: Queue<OrchestrationJob>;
  /** When given, every item is dry-run planned at intake: a missing NE role or a template that cannot render rejects the order before anything is queued. */
  inventory?: NeDirectory;
  /** Base of each order's href, e.g. `https://fleet.example/tmf-api/serviceOrdering/v4/serviceOrder`. */
  hrefBase?: string;
  now?: () => Date;
}

/**
 * What upstream order systems call: submit, look up and cancel TMF641 service orders.
 * Submission validates everything that can be known before touching the network (schema,
 * catalog, dependency graph, characteristics) and is idempotent on the order id and externalId.
 */
export class ServiceOrderProducer {
  private readonly store: OrderStore;
  private readonly catalog: ServiceCatalog;
  private readonly orchestration: Queue<OrchestrationJob>;
  private readonly hrefBase: string;
  private readonly inventory: NeDirectory | undefined;
  private readonly now: () => Date;

  constructor(options: ServiceOrderProducerOptions) {
    this.store = options.store;
    this.catalog = options.catalog;
    this.orchestration = options.orchestration;
    this.inventory = options.inventory;
    this.hrefBase = options.hrefBase ?? '/tmf-api/serviceOrdering/v4/serviceOrder';
    this.now = options.now ?? (() => new Date());
  }

  async submitServiceOrder(input: unknown): Promise<SubmitResult> {
    const now = this.now().toISOString();
    const raw = (input !== null && typeof input === 'object' ? input : {}) as Record<string, unknown>;
    const givenId = typeof raw.id === 'string' && ID_PATTERN.test(raw.id) ? raw.id : undefined;
    const externalId = typeof raw.externalId === 'string' && raw.externalId.length <= 128 ? raw.externalId : undefined;
    const id = givenId ?? randomUUID();
    const href = `${this.hrefBase}/${id}`;
    const keys = externalId === undefined ? [] : [`external:${externalId}`];

    const validation = this.dryRun(validateServiceOrder(input, (specId) => this.catalog.get(specId)));
    let record: OrderRecord;
    if (validation.ok) {
      const partialEverywhere = validation.items.every((i) => this.catalog.get(i.specId)?.onFailure === 'partial');
      record = newOrderRecord(validation.order, validation.items, { id, href, now, defaultPolicy: partialEverywhere ? 'partial' : 'atomic' });
    } else {
      record = rejectedOrderRecord(input, validation.reasons, { id, href, now });
    }
    const { created, orderId } = await this.store.create(record, keys, now);
    const stored = created ? record : await this.store.require(orderId);
    if (stored.order.state === 'acknowledged') await this.scheduleStart(stored);
    return { order: stored.order, created };
  }

  /** Renders every item's steps without touching a device; a failure becomes a rejection reason. */
  private dryRun(validation: OrderValidation): OrderValidation {
    if (!validation.ok || !this.inventory) return validation;
    const reasons: RejectionReason[] = [];
    for (const item of validation.items) {
      const orderItem = validation.order.serviceOrderItem.find((i) => i.id === item.itemId);
      const spec = this.catalog.get(item.specId);
      if (!orderItem || !spec || orderItem.action === 'noChange') continue;
      try {
        planActivation({ spec, action: orderItem.action, values: item.values, directory: this.inventory, context: { order: { id: 'dry-run' }, item: { id: item.itemId } } });
      } catch (error) {
        const { code, message } = error instanceof FleetError ? error : new FleetError('TEMPLATE_RENDER_FAILED', String(error));
        reasons.push({ code, message: `serviceOrderItem ${item.itemId}: ${message}`, itemId: item.itemId });
      }
    }
    return reasons.length > 0 ? { ok: false, reasons, order: validation.order } : validation;
  }

  /** Adds the order's start job, delayed to its requestedStartDate; adding it twice is harmless. */
  private async scheduleStart(record: OrderRecord): Promise<void> {
    const start = record.order.requestedStartDate ? Date.parse(record.order.requestedStartDate) : 0;
    await this.orchestration.add(
      'start',
      { orderId: record.order.id },
      {
        jobId: `${record.order.id}~start`,
        delay: Math.max(0, start - this.now().getTime()),
        priority: jobPriority(record.order.priority),
      },
    );
  }

  /** The order with its items; throws ORDER_NOT_FOUND for unknown ids. */
  async getServiceOrder(id: string): Promise<ServiceOrder> {
    return (await this.store.require(id)).order;
  }

  /**
   * Cancels an order in flight: items not started are cancelled, running ones finish, completed
   * ones are rolled back, and the order ends `cancelled`. Final orders refuse with ORDER_NOT_CANCELLABLE.
   */
  async cancelServiceOrder(id: string, reason?: string): Promise<ServiceOrder> {
    const record = await this.store.update(id, (r) => requestCancel(r, this.now().toISOString(), reason));
    if (!isFinalState(record.order.state)) {
      await this.orchestration.add('advance', { orderId: id }, { priority: 1 });
    }
    return record.order;
  }
}
