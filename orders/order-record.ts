import type { ActivationPolicy } from '../catalog/activation-policy.js';
import type { StoredStep } from '../catalog/activation-plan.js';
import type { CharacteristicValues } from '../inventory/characteristic-value.js';
import type { RejectionReason } from '../errors/index.js';
import { isRecordedOnlyState, requestedAttributes, requestedCharacteristicAttributes, type ServiceRequest } from '../inventory/service-request.js';
import { DependencyGraph } from './dependency-graph.js';
import { errorMessage, initialProgress, type ItemProgress, type OrderProgress } from './order-progress.js';
import type { ItemLifecycle, ValidatedItem } from './order-validation.js';
import type { ServiceOrder, ServiceOrderInput, ServiceOrderItem } from './service-order.js';

/**
 * What the fleet stores of an order, in three parts with three lifetimes:
 * - the order as posted (StoredOrder) and each item's spec (ItemSpec), written once at intake;
 * - the progress (order-progress.ts), changed field by field as items move;
 * - each item's run (ItemRun): what its worker decided from the inventory when it ran.
 * The TMF641 view is derived from the three (order-view.ts).
 */

/** The order as posted, with the fleet's id, href and order date; no state, no errors. */
export interface StoredOrder extends Omit<ServiceOrder, 'state' | 'serviceOrderItem' | 'startDate' | 'completionDate' | 'errorMessage' | 'milestone' | 'jeopardyAlert' | 'cancellationDate' | 'cancellationReason'> {
  serviceOrderItem: Array<Omit<ServiceOrderItem, 'state' | 'errorMessage'>>;
}

export type { StoredStep };

/** What an item does, fixed at intake. */
export interface ItemSpec {
  specId: string;
  lifecycle: ItemLifecycle;
  /** The service the item creates or changes. */
  serviceId: string;
  /**
   * add: the new service's values. modify: only the values the order gives; the rest comes from
   * the inventory when the item runs, so two modifies in a row compose instead of overwriting.
   * delete, suspend, resume: none (the inventory's, when the item runs).
   */
  values: CharacteristicValues;
  /** For suspend and resume: which suspension. */
  suspension?: { reason: string; initiator?: string };
  dependsOn: string[];
  /** The services of the items this one relies on. */
  reliesOn: string[];
  /** The customer, from the order's relatedParty. */
  customerId?: string;
  /** The steps rendered at intake, for an add: what the worker sends, as validated. */
  plan?: StoredStep[];
  /** Set (false) when the order has no window (turned off, or too few NEs for one): the item's NETCONF changes commit plainly. */
  commitWindow?: false;
  /**
   * What the item asked of its service record (the attributes as posted, the state asked for, the
   * order's parties, the supporting services, the catalog's view): the record carries it once
   * the item completes.
   */
  service?: ServiceRequest;
}

/**
 * What an item's run decided when it ran: kept so its rollback undoes exactly that. As stored,
 * an add leaves out what its spec already holds (its values and the plan rendered at intake).
 */
export interface ItemRun {
  /** The catalog action run ('none': a second suspension, or lifting one of several). */
  networkAction: 'add' | 'modify' | 'delete' | 'suspend' | 'resume' | 'none';
  values: CharacteristicValues;
  previousValues?: CharacteristicValues;
  /** The suspension record this run created (suspend) or lifts (resume). */
  suspensionId?: string;
  steps: StoredStep[];
}

/** An item's run as stored: an add leaves out what its spec already holds. */
export type StoredRun = Partial<ItemRun> & Pick<ItemRun, 'networkAction'>;

export function storedRun(run: ItemRun, spec: ItemSpec): StoredRun {
  const { values, steps, ...rest } = run;
  return { ...rest, ...(spec.lifecycle === 'add' ? {} : { values }), ...(steps === spec.plan ? {} : { steps }) };
}

/** The run as it was decided, from what was stored and the item's spec. */
export function fullRun(stored: StoredRun, spec: ItemSpec): ItemRun {
  return { ...stored, values: stored.values ?? spec.values, steps: stored.steps ?? spec.plan ?? [] };
}

/** An item as `status` and tests read it: its spec, its progress and its run. */
export interface ItemRuntime extends ItemSpec, ItemProgress {
  run?: ItemRun;
  /** Attempts started for this item (every start, parked ones included): the item's fence. */
  fence: number;
}

/** The order as the fleet reports it: the TMF641 view and the execution behind it. */
export interface OrderRecord {
  order: ServiceOrder;
  progress: OrderProgress;
  items: Record<string, ItemRuntime>;
  policy: ActivationPolicy;
}

/** A new order ready to store: what was posted, each item's spec, the initial progress. */
export interface NewOrder {
  doc: StoredOrder;
  specs: Record<string, ItemSpec>;
  progress: OrderProgress;
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
  /** The steps each add item sends, rendered at intake. */
  plans?: Record<string, StoredStep[]>;
  customerId?: string;
  /** False when the order has no window: turned off, or its NETCONF changes span none (orders/window-scope.ts). */
  commitWindow?: false;
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

export function newOrder(input: ServiceOrderInput, items: ValidatedItem[], ctx: NewOrderContext): NewOrder {
  const graph = DependencyGraph.fromItems(input.serviceOrderItem.map((i) => ({ id: i.id, relationships: i.serviceOrderItemRelationship })));
  const byId = new Map(items.map((i) => [i.itemId, i]));
  // Everything ServiceOrder_Create lets a client set is kept as posted; state, dates and href are the fleet's.
  const { activationPolicy, state: _state, orderDate: _od, href: _href, expectedCompletionDate: _ecd, ...rest } = input;
  const doc: StoredOrder = {
    ...rest,
    id: ctx.id,
    href: ctx.href,
    orderDate: ctx.now,
    ...(ctx.expectedCompletionDate ? { expectedCompletionDate: ctx.expectedCompletionDate } : {}),
    serviceOrderItem: input.serviceOrderItem.map(({ state: _s, errorMessage: _e, ...item }) => item),
    '@type': input['@type'] ?? 'ServiceOrder',
  };
  const serviceIds = new Map<string, string>();
  for (const item of input.serviceOrderItem) serviceIds.set(item.id, byId.get(item.id)?.serviceId ?? ctx.newServiceId(item.id));
  const supporting = supportingServices(input, items, (itemId) => serviceIds.get(itemId) ?? '');
  const specs: Record<string, ItemSpec> = {};
  for (const item of input.serviceOrderItem) {
    const validated = byId.get(item.id);
    const dependsOn = [...(graph.dependsOn.get(item.id) ?? [])];
    const plan = ctx.plans?.[item.id];
    const recordedState = validated?.lifecycle === 'noChange' && isRecordedOnlyState(item.service.state) ? item.service.state : undefined;
    // Only what says something: the request is stored with every item.
    const attributes = requestedAttributes(item.service as Record<string, unknown>);
    const characteristicAttributes = requestedCharacteristicAttributes(item.service.serviceCharacteristic);
    const supportingServiceIds = supporting.get(item.id) ?? [];
    const request: ServiceRequest = {
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      ...(recordedState ? { recordedState } : {}),
      ...(validated?.previousState ? { previousState: validated.previousState } : {}),
      ...(Object.keys(characteristicAttributes).length > 0 ? { characteristicAttributes } : {}),
      ...(input.relatedParty && input.relatedParty.length > 0 ? { orderRelatedParty: input.relatedParty } : {}),
      ...(supportingServiceIds.length > 0 ? { supportingServiceIds } : {}),
      // By reference, not a copy of the entry's text: the worker reads it from the catalog.
      ...(validated?.catalog ? { catalog: { version: validated.catalog.version, hash: validated.catalog.hash } } : {}),
    };
    specs[item.id] = {
      specId: validated?.specId ?? '',
      lifecycle: validated?.lifecycle ?? item.action,
      serviceId: serviceIds.get(item.id) ?? '',
      // Values from the inventory are taken when the item runs, not frozen here: a modify keeps
      // only what it gives; a delete, suspend or resume nothing.
      values: (validated?.lifecycle === 'modify' ? validated.changes : validated?.lifecycle === 'add' || validated?.lifecycle === 'noChange' ? validated.values : {}) ?? {},
      ...(validated?.suspension ? { suspension: validated.suspension } : {}),
      dependsOn,
      reliesOn: dependsOn.map((dep) => serviceIds.get(dep)).filter((id): id is string => id !== undefined),
      ...(ctx.customerId ? { customerId: ctx.customerId } : {}),
      ...(plan ? { plan } : {}),
      ...(input.commitWindow === false || ctx.commitWindow === false ? { commitWindow: false as const } : {}),
      service: request,
    };
  }
  const shapes = input.serviceOrderItem.map((i) => ({ id: i.id, dependsOn: specs[i.id]?.dependsOn ?? [], noChange: i.action === 'noChange' }));
  return { doc, specs, progress: initialProgress(shapes, activationPolicy ?? ctx.defaultPolicy) };
}

/** Attributes of a posted order the fleet sets itself: a rejected order shows the fleet's values, not these. */
const FLEET_OWNED_ORDER = new Set(['id', 'href', 'state', 'orderDate', 'startDate', 'completionDate', 'expectedCompletionDate', 'errorMessage', 'milestone', 'jeopardyAlert', 'serviceOrderItem']);
const FLEET_OWNED_ITEM = new Set(['state', 'errorMessage']);

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
export function rejectedOrder(input: unknown, reasons: RejectionReason[], ctx: Pick<NewOrderContext, 'id' | 'href' | 'now'>): NewOrder {
  const raw = (input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
  const kept = Object.fromEntries(Object.entries(raw).filter(([key, value]) => !FLEET_OWNED_ORDER.has(key) && value !== undefined && bounded(value)));
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 256 ? v : undefined);
  const seen = new Set<string>();
  const items = (Array.isArray(raw.serviceOrderItem) ? raw.serviceOrderItem : []).filter((i: unknown): i is Record<string, unknown> => {
    const id = i !== null && typeof i === 'object' && !Array.isArray(i) ? text((i as Record<string, unknown>).id) : undefined;
    if (id === undefined || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  const doc = {
    ...kept,
    id: ctx.id,
    href: ctx.href,
    orderDate: ctx.now,
    serviceOrderItem: items.map((item) => {
      const rest = Object.fromEntries(Object.entries(item).filter(([key, value]) => !FLEET_OWNED_ITEM.has(key) && bounded(value)));
      // What was posted, even when it is not a valid action: the rejection names it.
      return { ...rest, id: text(item.id) ?? '', action: String(item.action ?? ''), service: item.service !== null && typeof item.service === 'object' && bounded(item.service) ? item.service : {} };
    }),
    '@type': text(raw['@type']) ?? 'ServiceOrder',
  } as unknown as StoredOrder;
  const ids = doc.serviceOrderItem.map((i) => i.id);
  const progress: OrderProgress = {
    ...initialProgress(ids.map((id) => ({ id, dependsOn: [], noChange: false })), 'atomic'),
    state: 'rejected',
    startDate: ctx.now,
    completionDate: ctx.now,
    errors: reasons.map((r) => errorMessage('order', r.code, r.message, ctx.now, r.itemId ? [r.itemId] : [])),
  };
  for (const id of ids) {
    const own = reasons.filter((r) => r.itemId === id).map((r) => errorMessage('item', r.code, r.message, ctx.now));
    progress.items[id] = { ...(progress.items[id] as ItemProgress), errors: own };
  }
  return { doc, specs: {}, progress };
}
