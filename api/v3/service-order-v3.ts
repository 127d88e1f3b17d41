import type { ServiceOrder } from '../../orders/service-order.js';
import { PATHS } from '../api-paths.js';

/**
 * TMF641 v3 (R18.0) ServiceOrder, as many BSS still send it, onto the v4.1 order the fleet
 * runs, and back. The two versions differ in names, not in meaning: `orderItem` is
 * `serviceOrderItem`, a relationship has `type` and `id` where v4.1 has `relationshipType` and
 * `orderItem.itemId`, and v3 knows no cancellation states. One store and one lifecycle serve both.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What a v3 POST may carry that the server sets: ignored, as the v3 specification says. */
const SERVER_OWNED_V3 = ['href', 'state', 'orderDate', 'startDate', 'completionDate', 'expectedCompletionDate'];

function itemFromV3(item: unknown): unknown {
  if (!isObject(item)) return item;
  const { state: _state, orderItemRelationship, ...rest } = item;
  return {
    ...rest,
    ...(Array.isArray(orderItemRelationship)
      ? {
          serviceOrderItemRelationship: orderItemRelationship.map((r: unknown) => {
            if (!isObject(r)) return r;
            const { type, id, ...other } = r;
            return { ...other, relationshipType: type, orderItem: { itemId: id } };
          }),
        }
      : {}),
  };
}

/** A v3 ServiceOrder create body as the v4.1 ServiceOrder_Create the fleet validates (shapes it cannot read are left for validation to name). */
export function serviceOrderFromV3(body: unknown): unknown {
  if (!isObject(body)) return body;
  const { orderItem, orderRelationship, ...rest } = body;
  for (const key of SERVER_OWNED_V3) delete rest[key];
  return {
    ...rest,
    ...(Array.isArray(orderRelationship) ? { orderRelationship: orderRelationship.map(relationshipFromV3) } : {}),
    ...(orderItem !== undefined ? { serviceOrderItem: Array.isArray(orderItem) ? orderItem.map(itemFromV3) : orderItem } : {}),
  };
}

function relationshipFromV3(r: unknown): unknown {
  if (!isObject(r)) return r;
  const { type, ...rest } = r;
  return { ...rest, ...(type !== undefined ? { relationshipType: type } : {}) };
}

function relationshipToV3(r: unknown): unknown {
  if (!isObject(r)) return r;
  const { relationshipType, ...rest } = r;
  return { ...rest, ...(relationshipType !== undefined ? { type: relationshipType } : {}) };
}

/** v3 has no cancellation states: an order being cancelled is still in progress there. */
export function stateToV3(state: string): string {
  return state === 'assessingCancellation' || state === 'pendingCancellation' ? 'inProgress' : state;
}

/** v4.1 field names in a message (a rejection reason) as a v3 client knows them. */
export function textToV3(text: string): string {
  return text.replace(/serviceOrderItemRelationship/g, 'orderItemRelationship').replace(/serviceOrderItem/g, 'orderItem');
}

function messageToV3(e: unknown): unknown {
  if (!isObject(e)) return e;
  const { serviceOrderItem, message, ...rest } = e;
  return { ...rest, ...(typeof message === 'string' ? { message: textToV3(message) } : {}), ...(serviceOrderItem !== undefined ? { orderItem: serviceOrderItem } : {}) };
}

const messagesToV3 = (list: unknown): unknown => (Array.isArray(list) ? list.map(messageToV3) : list);

/** An order as a v3 client reads it. */
export function serviceOrderToV3(order: ServiceOrder): Json {
  const { serviceOrderItem, orderRelationship, state, errorMessage, ...rest } = order;
  return {
    ...rest,
    href: PATHS.serviceOrderV3(order.id),
    state: stateToV3(state),
    // v3's conformance profile wants a startDate in every answer: until the orchestrator starts
    // the order, it is the moment the fleet accepted the order for processing.
    startDate: order.startDate ?? order.orderDate,
    ...(errorMessage !== undefined ? { errorMessage: messagesToV3(errorMessage) } : {}),
    ...(Array.isArray(orderRelationship) ? { orderRelationship: orderRelationship.map(relationshipToV3) } : {}),
    orderItem: serviceOrderItem.map((item) => {
      const { serviceOrderItemRelationship, state: itemState, errorMessage: itemErrors, ...itemRest } = item;
      return {
        ...itemRest,
        state: stateToV3(itemState),
        ...(itemErrors !== undefined ? { errorMessage: messagesToV3(itemErrors) } : {}),
        ...(serviceOrderItemRelationship
          ? {
              orderItemRelationship: serviceOrderItemRelationship.map(({ relationshipType, orderItem, ...other }) => ({ ...other, type: relationshipType, id: orderItem.itemId })),
            }
          : {}),
      };
    }),
  };
}

/** A v3 ServiceOrder update (merge patch) in v4.1 names. */
export function serviceOrderUpdateFromV3(patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const { orderRelationship, ...rest } = patch;
  return { ...rest, ...(Array.isArray(orderRelationship) ? { orderRelationship: orderRelationship.map(relationshipFromV3) } : orderRelationship !== undefined ? { orderRelationship } : {}) };
}
