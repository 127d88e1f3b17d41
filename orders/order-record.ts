import type { CharacteristicValues } from '../catalog/characteristic-validator.js';
import { isRecordedOnlyState, requestedAttributes, requestedCharacteristicAttributes, type ServiceRequest } from '../inventory/service-request.js';
import type { ErrorCode, RejectionReason } from '../errors/index.js';
import { DependencyGraph } from './dependency-graph.js';
import type { ItemLifecycle, ValidatedItem } from './order-validation.js';
import type { ActivationPolicy, ServiceOrder, ServiceOrderInput, TmfErrorMessage } from './service-order.js';

/**
 * Where an item is in the fleet's own execution, finer than its TMF state: a completed item
 * being rolled back is still `completed` to TMF until its undo steps have run.
 */
export type ItemPhase =
  | 'waiting'
  | 'activating'
  | 'activated'
  | 'failed'
  | 'compensating'
  | 'compensated'
  | 'compensationFailed'
  | 'cancelled';

export interface ItemRuntime {
  specId: string;
  values: CharacteristicValues;
  /** What the item does to its service (add, modify, delete, suspend, resume, noChange). */
  lifecycle: ItemLifecycle;
  /** The service in the service inventory the item creates or changes. */
  serviceId: string;
  /** For modify: the values before the change, which a rollback restores. */
  previousValues?: CharacteristicValues;
  /** For suspend and resume: which suspension, and its record id once it exists. */
  suspension?: { reason: string; initiator?: string; id?: string };
  /**
   * The catalog action the worker ran (or 'none': a second suspension, or lifting one of
   * several, changes nothing on the network). Rollback runs the undo of the same action.
   */
  networkAction?: 'add' | 'modify' | 'delete' | 'suspend' | 'resume' | 'none';
  phase: ItemPhase;
  dependsOn: string[];
  /** Activation attempts started (retries included). */
  attempts: number;
  /** Position in the order's completion sequence: compensation runs in reverse of it. */
  completedSeq?: number;
  /**
   * What the item asked of its service (the attributes as posted, the state asked for, the
   * order's parties, the supporting services): the service record carries it once the item completes.
   */
  service?: ServiceRequest;
  /** Step name -> NE id, kept so that undo reaches the NE the step ran on. */
  neIds?: Record<string, string>;
  startedAt?: string;
  finishedAt?: string;
}

/** What the fleet stores per order: the TMF641 view plus the execution state behind it. */
export interface OrderRecord {
  order: ServiceOrder;
  policy: ActivationPolicy;
  items: Record<string, ItemRuntime>;
  seq: number;
  cancelRequestedAt?: string;
  cancellationReason?: string;
}

export interface NewOrderContext {
  id: string;
  href: string;
  now: string;
  /** Policy from the catalog when the order names none: partial only if every item allows it. */
  defaultPolicy: ActivationPolicy;
  /** Id for the service an add item creates when the order names none. */
  newServiceId: (itemId: string) => string;
  /** When the order should be done (requested, or the catalog's estimate). */
  expectedCompletionDate?: string;
}

/** A TMF error message; `level` says whether it sits on the order or on an item. */
export function errorMessage(level: 'order' | 'item', code: ErrorCode | string, message: string, now: string, itemIds: string[] = []): TmfErrorMessage {
  return {
    code,
    message,
    reason: code,
    timestamp: now,
    ...(itemIds.length > 0 ? { serviceOrderItem: itemIds.map((itemId) => ({ itemId })) } : {}),
    '@type': level === 'order' ? 'ServiceOrderErrorMessage' : 'ServiceOrderItemErrorMessage',
  };
}

/** The supporting services of each item: the items it relies on, and the items whose specification the catalog lists in its composition. */
function supportingServices(input: ServiceOrderInput, items: ValidatedItem[], serviceIdOf: (itemId: string) => string): Map<string, string[]> {
  const specOf = new Map(items.map((i) => [i.itemId, i.specId]));
  const out = new Map<string, string[]>();
  for (const item of input.serviceOrderItem) {
    const validated = items.find((i) => i.itemId === item.id);
    const related = (item.serviceOrderItemRelationship ?? []).map((r) => r.orderItem.itemId);
    const composed = input.serviceOrderItem
      .filter((other) => other.id !== item.id && (validated?.catalog?.composedOf ?? []).includes(specOf.get(other.id) ?? ''))
      .map((other) => other.id);
    out.set(item.id, [...new Set([...related, ...composed])].filter((id) => specOf.has(id)).map(serviceIdOf));
  }
  return out;
}

export function newOrderRecord(input: ServiceOrderInput, items: ValidatedItem[], ctx: NewOrderContext): OrderRecord {
  const graph = DependencyGraph.fromItems(input.serviceOrderItem.map((i) => ({ id: i.id, relationships: i.serviceOrderItemRelationship })));
  const byId = new Map(items.map((i) => [i.itemId, i]));
  // Everything ServiceOrder_Create lets a client set is kept as posted; state, dates and href are the fleet's.
  const { activationPolicy, state: _state, orderDate: _od, href: _href, expectedCompletionDate: _ecd, ...rest } = input;
  const order: ServiceOrder = {
    ...rest,
    id: ctx.id,
    href: ctx.href,
    state: 'acknowledged',
    orderDate: ctx.now,
    ...(ctx.expectedCompletionDate ? { expectedCompletionDate: ctx.expectedCompletionDate } : {}),
    // State and errors are the fleet's to set, whatever the caller sent.
    serviceOrderItem: input.serviceOrderItem.map(({ state: _state, errorMessage: _errors, ...item }) => ({ ...item, state: 'acknowledged' })),
    '@type': input['@type'] ?? 'ServiceOrder',
  };
  const serviceIds = new Map(input.serviceOrderItem.map((item) => [item.id, byId.get(item.id)?.serviceId ?? ctx.newServiceId(item.id)]));
  const supporting = supportingServices(input, items, (itemId) => serviceIds.get(itemId) ?? '');
  const runtime: Record<string, ItemRuntime> = {};
  for (const item of input.serviceOrderItem) {
    const validated = byId.get(item.id);
    const service = item.service as Record<string, unknown>;
    const recordedState = validated?.lifecycle === 'noChange' && isRecordedOnlyState(item.service.state) ? item.service.state : undefined;
    const request: ServiceRequest = {
      attributes: requestedAttributes(service),
      ...(recordedState ? { recordedState } : {}),
      ...(validated?.previousState ? { previousState: validated.previousState } : {}),
      ...(validated?.recordedService ? { recordedService: validated.recordedService } : {}),
      characteristicAttributes: requestedCharacteristicAttributes(item.service.serviceCharacteristic),
      orderRelatedParty: input.relatedParty ?? [],
      supportingServiceIds: supporting.get(item.id) ?? [],
      ...(validated?.catalog ? { catalog: { name: validated.catalog.name, version: validated.catalog.version, category: validated.catalog.category, ...(validated.catalog.description !== undefined ? { description: validated.catalog.description } : {}) } } : {}),
    };
    runtime[item.id] = {
      specId: validated?.specId ?? '',
      values: validated?.values ?? {},
      lifecycle: validated?.lifecycle ?? item.action,
      serviceId: serviceIds.get(item.id) ?? ctx.newServiceId(item.id),
      ...(validated?.previousValues ? { previousValues: validated.previousValues } : {}),
      ...(validated?.suspension ? { suspension: validated.suspension } : {}),
      service: request,
      phase: 'waiting',
      dependsOn: [...(graph.dependsOn.get(item.id) ?? [])],
      attempts: 0,
    };
  }
  return { order, policy: activationPolicy ?? ctx.defaultPolicy, items: runtime, seq: 0 };
}

/** Attributes of a posted order the fleet sets itself: a rejected order shows the fleet's values, not these. */
const FLEET_OWNED_ORDER = new Set(['id', 'href', 'state', 'orderDate', 'startDate', 'completionDate', 'expectedCompletionDate', 'errorMessage', 'milestone', 'jeopardyAlert', 'serviceOrderItem']);
const FLEET_OWNED_ITEM = new Set(['state', 'errorMessage']);
const ITEM_ACTIONS = new Set(['add', 'modify', 'delete', 'noChange']);

/** A JSON value as posted, only if it stays within what a stored order may hold. */
const bounded = (value: unknown, maxJson = 64 * 1024): boolean => {
  try {
    return JSON.stringify(value).length <= maxJson;
  } catch {
    return false;
  }
};

/**
 * A rejected order is stored too, so `status` and events explain the rejection. It keeps what
 * was posted (within size bounds), so the caller finds its own order: priority, dates,
 * category, relatedParty, each item with its action and service. Only what the fleet owns
 * (state, dates of processing, errors) is the fleet's.
 */
export function rejectedOrderRecord(input: unknown, reasons: RejectionReason[], ctx: Pick<NewOrderContext, 'id' | 'href' | 'now'>): OrderRecord {
  const raw = (input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
  const kept = Object.fromEntries(Object.entries(raw).filter(([key, value]) => !FLEET_OWNED_ORDER.has(key) && value !== undefined && bounded(value)));
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 256 ? v : undefined);
  const items = (Array.isArray(raw.serviceOrderItem) ? raw.serviceOrderItem : []).filter(
    (i: unknown): i is Record<string, unknown> => i !== null && typeof i === 'object' && !Array.isArray(i) && text((i as Record<string, unknown>).id) !== undefined,
  );
  const order = {
    ...kept,
    id: ctx.id,
    href: ctx.href,
    state: 'rejected',
    orderDate: ctx.now,
    startDate: ctx.now,
    completionDate: ctx.now,
    errorMessage: reasons.map((r) => errorMessage('order', r.code, r.message, ctx.now, r.itemId ? [r.itemId] : [])),
    serviceOrderItem: items.map((item) => {
      const id = text(item.id) ?? '';
      const rest = Object.fromEntries(Object.entries(item).filter(([key, value]) => !FLEET_OWNED_ITEM.has(key) && bounded(value)));
      return {
        ...rest,
        id,
        // What was posted, even when it is not a valid action: the rejection names it.
        action: typeof item.action === 'string' && ITEM_ACTIONS.has(item.action) ? item.action : String(item.action ?? ''),
        service: item.service !== null && typeof item.service === 'object' && bounded(item.service) ? item.service : {},
        state: 'rejected',
        errorMessage: reasons.filter((r) => r.itemId === id).map((r) => errorMessage('item', r.code, r.message, ctx.now)),
      };
    }),
    '@type': text(raw['@type']) ?? 'ServiceOrder',
  } as unknown as ServiceOrder;
  return { order, policy: 'atomic', items: {}, seq: 0 };
}
