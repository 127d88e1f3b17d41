import type { CharacteristicValue } from '../catalog/characteristic-validator.js';
import type { ItemRuntime } from '../orders/order-record.js';
import { activeSuspensions, type EntityRef, type ServiceCharacteristic, type ServiceInstance } from './service-instance.js';
import { isRecordedOnlyState } from './service-request.js';

/**
 * How an order item changes its service in the service inventory, and how a rollback takes the
 * change back. Pure: the worker reads the service, calls these, and stores the result.
 */
export interface ServiceChange {
  orderId: string;
  itemId: string;
  /** The TMF action of the item (add, modify, delete). */
  itemAction: string;
  runtime: ItemRuntime;
  specification: { id: string; name: string; version: string };
  /** The NEs the steps ran on, with their roles. */
  nes: Array<{ id: string; role: string }>;
  /** Services of the items this one relies on, in the same order. */
  reliesOn: string[];
  customerId?: string;
  now: string;
  href: string;
}

export type NetworkAction = NonNullable<ItemRuntime['networkAction']>;

/**
 * What the item must do on the network. A second suspension changes nothing there (the service
 * is already suspended), and neither does lifting one of several. A service created in a state
 * before active (feasibilityChecked, designed, reserved, inactive) is recorded without touching
 * a device: validation gives such an item the noChange lifecycle.
 */
export function networkActionFor(rt: ItemRuntime, service: ServiceInstance | undefined): NetworkAction {
  const active = service ? activeSuspensions(service) : [];
  switch (rt.lifecycle) {
    case 'noChange':
      return 'none';
    case 'suspend':
      return active.length === 0 ? 'suspend' : 'none';
    case 'resume':
      return active.length === 1 ? 'resume' : 'none';
    default:
      return rt.lifecycle;
  }
}

/** The suspension a resume lifts: the latest active one with the reason (and initiator, when given). */
export function suspensionToLift(service: ServiceInstance, reason: string, initiator?: string) {
  return activeSuspensions(service)
    .filter((s) => s.reason === reason && (initiator === undefined || s.initiator === initiator))
    .at(-1);
}

/** TMF valueType of a value the client gave none for. */
function valueTypeOf(value: CharacteristicValue): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

type CharacteristicAttributes = Record<string, Record<string, unknown>>;

/** The record's characteristics: each value with what the client gave besides it (valueType, id, @type...). */
function characteristics(values: ItemRuntime['values'], given: CharacteristicAttributes = {}): ServiceCharacteristic[] {
  return Object.entries(values).map(([name, value]) => {
    const attributes = given[name] ?? {};
    return { ...attributes, name, valueType: typeof attributes.valueType === 'string' ? attributes.valueType : valueTypeOf(value), value };
  });
}

/** What a record's characteristics carry besides name and value, by name. */
function attributesOf(service: ServiceInstance): CharacteristicAttributes {
  return Object.fromEntries(service.serviceCharacteristic.map(({ name, value: _value, ...rest }) => [name, rest]));
}

const refs = (value: unknown): EntityRef[] =>
  Array.isArray(value) ? value.filter((v): v is EntityRef => v !== null && typeof v === 'object' && typeof (v as EntityRef).id === 'string') : [];

/** Refs by id (and role, for parties): the first one given wins, so the client's own stay as posted. */
function mergeRefs(...lists: EntityRef[][]): EntityRef[] {
  const seen = new Set<string>();
  return lists.flat().filter((r) => {
    const key = `${r.id}\u0000${r.role ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A new service record: what the item asked for, what the order and the catalog add, what the network did. */
function createdService(change: ServiceChange): ServiceInstance {
  const rt = change.runtime;
  const request = rt.service;
  const attributes = request?.attributes ?? {};
  const postedSpec = (attributes.serviceSpecification ?? {}) as Record<string, unknown>;
  const recorded = request?.recordedState;
  const reliesOn = change.reliesOn.map((id) => ({ id, '@referredType': 'Service' }));
  const supporting = (request?.supportingServiceIds ?? []).map((id) => ({ id, '@referredType': 'Service' }));
  const postedRelationships = Array.isArray(attributes.serviceRelationship) ? (attributes.serviceRelationship as ServiceInstance['serviceRelationship']) : [];
  return {
    ...attributes,
    id: rt.serviceId,
    href: change.href,
    name: typeof attributes.name === 'string' ? attributes.name : `${change.specification.name} ${rt.serviceId}`,
    description: typeof attributes.description === 'string' ? attributes.description : (request?.catalog?.description ?? change.specification.name),
    category: typeof attributes.category === 'string' ? attributes.category : (request?.catalog?.category ?? 'CFS'),
    state: recorded ?? 'active',
    operatingStatus: recorded ? 'pending' : 'running',
    serviceSpecification: {
      ...postedSpec,
      id: typeof postedSpec.id === 'string' ? postedSpec.id : change.specification.id,
      name: typeof postedSpec.name === 'string' ? postedSpec.name : change.specification.name,
      version: typeof postedSpec.version === 'string' ? postedSpec.version : change.specification.version,
    },
    serviceCharacteristic: characteristics(rt.values, request?.characteristicAttributes),
    // The NEs last: where a name repeats, the fleet's own role-to-NE record is the one kept.
    supportingResource: [...refs(attributes.supportingResource), ...change.nes.map((ne) => ({ id: ne.id, name: ne.role, '@referredType': 'PhysicalResource' }))],
    supportingService: mergeRefs(refs(attributes.supportingService), supporting, reliesOn),
    serviceRelationship: [...postedRelationships, ...change.reliesOn.map((id) => ({ relationshipType: 'reliesOn', service: { id } }))],
    relatedParty: mergeRefs(
      refs(attributes.relatedParty),
      refs(request?.orderRelatedParty),
      change.customerId ? [{ id: change.customerId, role: 'customer' }] : [],
    ),
    place: refs(attributes.place),
    serviceOrderItem: [{ serviceOrderId: change.orderId, itemId: change.itemId, itemAction: change.itemAction }],
    suspension: [],
    startDate: typeof attributes.startDate === 'string' ? attributes.startDate : change.now,
    '@type': typeof attributes['@type'] === 'string' ? attributes['@type'] : 'Service',
  };
}

/**
 * What a modify item sets on the record besides values: the attributes it gives. References
 * the fleet adds itself (the NEs it configured, the services relied on) stay beside the ones
 * given; the specification never changes.
 */
function withUpdatedAttributes(service: ServiceInstance, change: ServiceChange): ServiceInstance {
  if (change.itemAction !== 'modify') return service;
  const { serviceSpecification: _spec, supportingResource, serviceRelationship, ...attributes } = change.runtime.service?.attributes ?? {};
  const next: ServiceInstance = { ...service, ...attributes };
  if (supportingResource !== undefined) next.supportingResource = mergeRefs(refs(supportingResource), service.supportingResource);
  if (Array.isArray(serviceRelationship)) {
    const given = serviceRelationship as ServiceInstance['serviceRelationship'];
    const fleetOwn = service.serviceRelationship.filter((r) => r.relationshipType === 'reliesOn' && !given.some((g) => JSON.stringify(g) === JSON.stringify(r)));
    next.serviceRelationship = [...given, ...fleetOwn];
  }
  return next;
}

export function serviceAfterCompletion(service: ServiceInstance | undefined, change: ServiceChange, newSuspensionId: string): ServiceInstance {
  const rt = change.runtime;
  // An add on a service recorded without a device activates that record (the worker reads none for an add).
  const current = service ?? (rt.lifecycle === 'add' ? rt.service?.recordedService : undefined);
  if (!current || (rt.lifecycle === 'add' && !isRecordedOnlyState(current.state))) return createdService(change);
  return changedService(current, change, newSuspensionId);
}

function changedService(service: ServiceInstance, change: ServiceChange, newSuspensionId: string): ServiceInstance {
  const rt = change.runtime;
  const orderItem = { serviceOrderId: change.orderId, itemId: change.itemId, itemAction: change.itemAction };
  const next: ServiceInstance = { ...withUpdatedAttributes(structuredClone(service), change), serviceOrderItem: [...service.serviceOrderItem, orderItem] };
  const given = { ...attributesOf(service), ...rt.service?.characteristicAttributes };
  switch (rt.lifecycle) {
    case 'add':
      // A service recorded without a device, now configured: active, on the NEs it runs on.
      next.state = 'active';
      next.operatingStatus = 'running';
      next.serviceCharacteristic = characteristics(rt.values, given);
      next.supportingResource = mergeRefs(service.supportingResource, change.nes.map((ne) => ({ id: ne.id, name: ne.role, '@referredType': 'PhysicalResource' })));
      break;
    case 'noChange':
      if (!isRecordedOnlyState(service.state)) break;
      // Still only a record: its new state (or its end), its new values.
      if (change.itemAction === 'delete') {
        next.state = 'terminated';
        next.operatingStatus = 'stopped';
        next.endDate = change.now;
      } else if (rt.service?.recordedState) {
        next.state = rt.service.recordedState;
      }
      if (Object.keys(rt.values).length > 0) next.serviceCharacteristic = characteristics(rt.values, given);
      break;
    case 'modify':
      next.serviceCharacteristic = characteristics(rt.values, given);
      break;
    case 'delete':
      next.state = 'terminated';
      next.operatingStatus = 'stopped';
      next.endDate = change.now;
      break;
    case 'suspend':
      next.suspension.push({
        id: newSuspensionId,
        reason: rt.suspension?.reason ?? 'unspecified',
        initiator: rt.suspension?.initiator ?? 'customer',
        startDate: change.now,
        serviceOrderItem: { serviceOrderId: change.orderId, itemId: change.itemId },
      });
      next.operatingStatus = 'limited';
      break;
    case 'resume': {
      const lifted = suspensionToLift(next, rt.suspension?.reason ?? '', rt.suspension?.initiator);
      if (lifted) lifted.endDate = change.now;
      if (activeSuspensions(next).length === 0) next.operatingStatus = 'running';
      break;
    }
  }
  return next;
}

/** A recorded service as it was before an item of a rolled-back bundle changed it. */
function restoreRecorded(service: ServiceInstance, state: string, values: ItemRuntime['values'] | undefined): void {
  service.state = state as ServiceInstance['state'];
  service.operatingStatus = 'pending';
  delete service.endDate;
  if (values) service.serviceCharacteristic = characteristics(values, attributesOf(service));
}

/** Takes back what `serviceAfterCompletion` recorded, when the bundle is rolled back. */
export function serviceAfterRollback(service: ServiceInstance, change: ServiceChange): ServiceInstance {
  const rt = change.runtime;
  const next = structuredClone(service);
  next.serviceOrderItem = [...next.serviceOrderItem, { serviceOrderId: change.orderId, itemId: change.itemId, itemAction: change.itemAction, role: 'rolledBack' }];
  switch (rt.lifecycle) {
    case 'add':
      if (rt.service?.previousState) {
        // A recorded service the bundle was activating: back to what it was.
        restoreRecorded(next, rt.service.previousState, rt.previousValues);
        break;
      }
      // The service never reached the customer: it ends, it does not show active.
      next.state = 'terminated';
      next.operatingStatus = 'stopped';
      next.endDate = change.now;
      break;
    case 'noChange':
      if (rt.service?.previousState) {
        restoreRecorded(next, rt.service.previousState, rt.previousValues);
        break;
      }
      // A service this item only recorded (designed, reserved...) ends with its bundle.
      if (isRecordedOnlyState(rt.service?.recordedState) && service.serviceOrderItem[0]?.serviceOrderId === change.orderId) {
        next.state = 'terminated';
        next.operatingStatus = 'stopped';
        next.endDate = change.now;
      }
      break;
    case 'modify':
      if (rt.previousValues) next.serviceCharacteristic = characteristics(rt.previousValues, attributesOf(service));
      break;
    case 'delete':
      next.state = 'active';
      next.operatingStatus = activeSuspensions(next).length > 0 ? 'limited' : 'running';
      delete next.endDate;
      break;
    case 'suspend':
      next.suspension = next.suspension.filter((s) => s.id !== rt.suspension?.id);
      if (activeSuspensions(next).length === 0) next.operatingStatus = 'running';
      break;
    case 'resume': {
      const lifted = next.suspension.find((s) => s.id === rt.suspension?.id);
      if (lifted) delete lifted.endDate;
      next.operatingStatus = 'limited';
      break;
    }
  }
  return next;
}
