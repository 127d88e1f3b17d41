import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { ChangeSet, Check } from '../adapters/change-set.js';
import type { NeDirectory } from '../catalog/activation-plan.js';
import { planItem } from '../catalog/item-plan.js';
import type { ServiceInstance } from '../inventory/service-instance.js';
import type { ServiceInventoryStore } from './service-inventory-store.js';
import type { ServiceCatalog } from '../catalog/service-catalog.js';
import { requestCancel } from '../orders/order-progress.js';
import { newOrderRecord, rejectedOrderRecord, type OrderRecord } from '../orders/order-record.js';
import { isFinalState } from '../orders/order-states.js';
import { expectedCompletion } from '../orders/order-tracking.js';
import { evaluateQualification, customerOf, type QualificationRule } from '../orders/qualification-rules.js';
import { ID_PATTERN, type ServiceOrder, type ServiceOrderInput } from '../orders/service-order.js';
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

/** One item of a dry run: what it does and exactly what it would send where. */
export interface DryRunItem {
  itemId: string;
  lifecycle: string;
  action: string;
  serviceId?: string;
  steps: Array<{ name: string; neId: string; protocol: string; apply: ChangeSet; undo?: ChangeSet; tests: Check[] }>;
}

export interface DryRunResult {
  valid: boolean;
  reasons: RejectionReason[];
  items: DryRunItem[];
}

export interface ServiceOrderProducerOptions {
  store: OrderStore;
  catalog: ServiceCatalog;
  orchestration: Queue<OrchestrationJob>;
  /** When given, every item is dry-run planned at intake: a missing NE role or a template that cannot render rejects the order before anything is queued. */
  inventory?: NeDirectory;
  /** The service inventory that modify, delete, suspend and resume items are checked against. */
  services?: ServiceInventoryStore;
  /** Feasibility and qualification rules (config/policies.yaml). */
  rules?: QualificationRule[];
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
  private readonly services: ServiceInventoryStore | undefined;
  private readonly rules: QualificationRule[];
  private readonly now: () => Date;

  constructor(options: ServiceOrderProducerOptions) {
    this.store = options.store;
    this.catalog = options.catalog;
    this.orchestration = options.orchestration;
    this.inventory = options.inventory;
    this.services = options.services;
    this.rules = options.rules ?? [];
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

    const { validation } = await this.validate(input);
    let record: OrderRecord;
    if (validation.ok) {
      const partialEverywhere = validation.items.every((i) => this.catalog.get(i.specId)?.onFailure === 'partial');
      const start = new Date(Math.max(this.now().getTime(), Date.parse(validation.order.requestedStartDate ?? '') || 0));
      const typical = validation.items.map((i) => this.catalog.get(i.specId)?.typicalDurationSeconds ?? 60);
      record = newOrderRecord(validation.order, validation.items, {
        id,
        href,
        now,
        defaultPolicy: partialEverywhere ? 'partial' : 'atomic',
        newServiceId: () => randomUUID(),
        expectedCompletionDate: expectedCompletion(validation.order.requestedCompletionDate, start, typical),
      });
    } else {
      record = rejectedOrderRecord(input, validation.reasons, { id, href, now });
    }
    const { created, orderId } = await this.store.create(record, keys, now);
    const stored = created ? record : await this.store.require(orderId);
    if (stored.order.state === 'acknowledged') await this.scheduleStart(stored);
    return { order: stored.order, created };
  }

  /** The services that the order's items name, from the service inventory. */
  private async existingServices(input: unknown): Promise<Map<string, ServiceInstance>> {
    if (!this.services || input === null || typeof input !== 'object') return new Map();
    const items = (input as { serviceOrderItem?: unknown }).serviceOrderItem;
    const ids = (Array.isArray(items) ? items : [])
      .map((i: unknown) => (i as { service?: { id?: unknown } } | null)?.service?.id)
      .filter((id): id is string => typeof id === 'string' && id.length <= 128);
    return this.services.getMany([...new Set(ids)]);
  }

  /**
   * Everything that can be known before anything is queued: the order itself, then every
   * item's steps rendered for its NEs (a missing role or a template that cannot render is a
   * rejection reason, not a failure on the network later).
   */
  private async validate(input: unknown): Promise<{ validation: OrderValidation; plans: DryRunItem[] }> {
    const services = await this.existingServices(input);
    const validation = validateServiceOrder(input, (specId) => this.catalog.get(specId), (id) => services.get(id));
    if (!validation.ok || !this.inventory) return { validation, plans: [] };
    const reasons: RejectionReason[] = [];
    const plans: DryRunItem[] = [];
    for (const item of validation.items) {
      const service = item.serviceId === undefined ? undefined : services.get(item.serviceId);
      try {
        const { action, steps } = planItem({ catalog: this.catalog, directory: this.inventory, item, ...(service ? { service } : {}), orderId: 'dry-run' });
        plans.push({
          itemId: item.itemId,
          lifecycle: item.lifecycle,
          action,
          ...(item.serviceId ? { serviceId: item.serviceId } : {}),
          steps: steps.map((s) => ({ name: s.name, neId: s.ne.id, protocol: s.ne.protocol, apply: s.apply, ...(s.undo ? { undo: s.undo } : {}), tests: s.tests })),
        });
      } catch (error) {
        const { code, message } = error instanceof FleetError ? error : new FleetError('TEMPLATE_RENDER_FAILED', String(error));
        reasons.push({ code, message: `serviceOrderItem ${item.itemId}: ${message}`, itemId: item.itemId });
      }
    }
    if (reasons.length === 0) {
      const neRoles = new Map(plans.map((p) => [p.itemId, p.steps.map((s) => this.inventory?.get(s.neId)?.role ?? '')]));
      const counts = await this.customerServiceCounts(validation.order);
      reasons.push(
        ...evaluateQualification(this.rules, {
          order: validation.order,
          items: validation.items,
          neRoles,
          services: (id) => services.get(id),
          liveServicesOfCustomer: (spec, customer) => counts.get(`${spec}\u0000${customer}`) ?? 0,
        }),
      );
    }
    return { validation: reasons.length > 0 ? { ok: false, reasons, order: validation.order } : validation, plans };
  }

  /** Live services per (specification, customer) for the rules that limit them. */
  private async customerServiceCounts(order: ServiceOrderInput): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const customer = customerOf(order);
    if (!customer || !this.services) return counts;
    for (const rule of this.rules) {
      if (rule.kind !== 'maxServicesPerCustomer' || rule.specification === undefined) continue;
      const live = (await this.services.query({ specification: rule.specification })).filter(
        (s) => s.state !== 'terminated' && s.relatedParty.some((p) => p.id === customer),
      );
      counts.set(`${rule.specification}\u0000${customer}`, live.length);
    }
    return counts;
  }

  /**
   * A dry run: validates the order and renders every step for every NE, returning the exact
   * commands, SNMP sets and NETCONF configs that a real run would send. Touches no device and
   * stores nothing. (For suspend and resume it shows the network action as if it runs; the
   * worker skips it when another suspension still holds.)
   */
  async dryRunServiceOrder(input: unknown): Promise<DryRunResult> {
    const { validation, plans } = await this.validate(input);
    if (!validation.ok) return { valid: false, reasons: validation.reasons, items: [] };
    return { valid: true, reasons: [], items: plans };
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
