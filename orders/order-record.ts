import type { CharacteristicValues } from '../catalog/characteristic-validator.js';
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

export function newOrderRecord(input: ServiceOrderInput, items: ValidatedItem[], ctx: NewOrderContext): OrderRecord {
  const graph = DependencyGraph.fromItems(input.serviceOrderItem.map((i) => ({ id: i.id, relationships: i.serviceOrderItemRelationship })));
  const byId = new Map(items.map((i) => [i.itemId, i]));
  // Dates, state and cancellation are the fleet's to set, whatever the caller sent.
  const { activationPolicy, state: _state, cancellationDate: _cd, cancellationReason: _cr, orderDate: _od, href: _href, expectedCompletionDate: _ecd, ...rest } = input;
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
  const runtime: Record<string, ItemRuntime> = {};
  for (const item of input.serviceOrderItem) {
    const validated = byId.get(item.id);
    runtime[item.id] = {
      specId: validated?.specId ?? '',
      values: validated?.values ?? {},
      lifecycle: validated?.lifecycle ?? item.action,
      serviceId: validated?.serviceId ?? ctx.newServiceId(item.id),
      ...(validated?.previousValues ? { previousValues: validated.previousValues } : {}),
      ...(validated?.suspension ? { suspension: validated.suspension } : {}),
      phase: 'waiting',
      dependsOn: [...(graph.dependsOn.get(item.id) ?? [])],
      attempts: 0,
    };
  }
  return { order, policy: activationPolicy ?? ctx.defaultPolicy, items: runtime, seq: 0 };
}

/** A rejected order is stored too, so `status` and events explain the rejection. */
export function rejectedOrderRecord(input: unknown, reasons: RejectionReason[], ctx: Pick<NewOrderContext, 'id' | 'href' | 'now'>): OrderRecord {
  const raw = (input !== null && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 256 ? v : undefined);
  const itemIds = (Array.isArray(raw.serviceOrderItem) ? raw.serviceOrderItem : []).map((i: unknown) =>
    text((i as Record<string, unknown> | null)?.id),
  );
  const order: ServiceOrder = {
    id: ctx.id,
    href: ctx.href,
    ...(text(raw.externalId) ? { externalId: text(raw.externalId) } : {}),
    state: 'rejected',
    orderDate: ctx.now,
    completionDate: ctx.now,
    errorMessage: reasons.map((r) => errorMessage('order', r.code, r.message, ctx.now, r.itemId ? [r.itemId] : [])),
    serviceOrderItem: itemIds
      .filter((id): id is string => id !== undefined)
      .map((id) => ({
        id,
        action: 'add' as const,
        service: {},
        state: 'rejected' as const,
        errorMessage: reasons.filter((r) => r.itemId === id).map((r) => errorMessage('item', r.code, r.message, ctx.now)),
      })),
    '@type': 'ServiceOrder',
  };
  return { order, policy: 'atomic', items: {}, seq: 0 };
}
