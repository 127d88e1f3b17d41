import type { CharacteristicValue, CharacteristicValues } from '../inventory/characteristic-value.js';
import { FleetError } from '../errors/index.js';
import type { ItemRun, ItemSpec } from './order-record.js';
import { activeSuspensions, characteristicValues, neResourceRef, type EntityRef, type ServiceCharacteristic, type ServiceInstance } from '../inventory/service-instance.js';
import { isRecordedOnlyState } from '../inventory/service-request.js';

/**
 * How an order item changes its service in the service inventory, and how a rollback takes the
 * change back. Pure: the worker reads the service, calls these, and stores the result in the
 * same transition as the item's completion.
 */
export interface ServiceChange {
  orderId: string;
  itemId: string;
  /** The TMF action of the item (add, modify, delete). */
  itemAction: string;
  spec: ItemSpec;
  run: ItemRun;
  specification: { id: string; name: string; version: string };
  /** The catalog entry's text the record carries: the one the item was validated against. */
  catalogText?: { category: string; description?: string };
  /** The NEs the steps ran on, with their roles. */
  nes: Array<{ id: string; role: string }>;
  now: string;
  href: string;
}

export type NetworkAction = ItemRun['networkAction'];

/** The suspension a resume lifts: the latest active one with the reason (and initiator, when given). */
export function suspensionToLift(service: ServiceInstance, reason: string, initiator?: string) {
  return activeSuspensions(service)
    .filter((s) => s.reason === reason && (initiator === undefined || s.initiator === initiator))
    .at(-1);
}

function lastChangeOf(service: ServiceInstance): string {
  const last = service.serviceOrderItem.at(-1);
  return last ? ` (by order ${last.serviceOrderId}, item ${last.itemId})` : '';
}

/**
 * What the item does, decided when it runs, from the service as the inventory holds it then:
 * the values to configure (a modify's given values over the service's current ones), the
 * values a rollback restores, and the catalog action to run. A second suspension changes
 * nothing on the network (the service is already suspended), and neither does lifting one of
 * several. Throws when the service moved on since the order was accepted so that the item no
 * longer makes sense (deleted meanwhile, the suspension already lifted).
 */
export function resolveRun(spec: ItemSpec, service: ServiceInstance | undefined, newSuspensionId: string): Omit<ItemRun, 'steps'> {
  if (spec.lifecycle === 'noChange') {
    const current = service ? characteristicValues(service) : {};
    return { networkAction: 'none', values: Object.keys(spec.values).length > 0 ? spec.values : current, ...(service ? { previousValues: current } : {}) };
  }
  if (spec.lifecycle === 'add') {
    // A service recorded without a device (designed, reserved...) is configured by an add.
    if (service && isRecordedOnlyState(service.state)) return { networkAction: 'add', values: spec.values, previousValues: characteristicValues(service) };
    if (service && service.state !== 'terminated') {
      throw new FleetError('ORDER_SERVICE_EXISTS', `service ${spec.serviceId} was created${lastChangeOf(service)} after this order was accepted; use action modify to change it`);
    }
    return { networkAction: 'add', values: spec.values };
  }
  if (!service) throw new FleetError('ORDER_UNKNOWN_SERVICE', `service ${spec.serviceId} is no longer in the service inventory`);
  if (service.state === 'terminated') {
    throw new FleetError('ORDER_SERVICE_TERMINATED', `service ${spec.serviceId} was terminated${lastChangeOf(service)} before this item ran`);
  }
  const current = characteristicValues(service);
  switch (spec.lifecycle) {
    case 'modify':
      return { networkAction: 'modify', values: { ...current, ...spec.values } as CharacteristicValues, previousValues: current };
    case 'delete':
      return { networkAction: 'delete', values: current };
    case 'suspend':
      return { networkAction: activeSuspensions(service).length === 0 ? 'suspend' : 'none', values: current, suspensionId: newSuspensionId };
    case 'resume': {
      const lifted = suspensionToLift(service, spec.suspension?.reason ?? '', spec.suspension?.initiator);
      if (!lifted) {
        const held = activeSuspensions(service).map((s) => `${s.reason} by ${s.initiator}`).join(', ') || 'none';
        throw new FleetError('ORDER_NO_SUCH_SUSPENSION', `service ${service.id} no longer has an active ${spec.suspension?.reason ?? '?'} suspension to lift (active: ${held})`);
      }
      return { networkAction: activeSuspensions(service).length === 1 ? 'resume' : 'none', values: current, suspensionId: lifted.id };
    }
  }
}

/** TMF valueType of a value the client gave none for. */
function valueTypeOf(value: CharacteristicValue): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

type CharacteristicAttributes = Record<string, Record<string, unknown>>;

/** The record's characteristics: each value with what the client gave besides it (valueType, id, @type...). */
function characteristics(values: CharacteristicValues, given: CharacteristicAttributes = {}): ServiceCharacteristic[] {
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
  const { spec, run } = change;
  const request = spec.service;
  const attributes = request?.attributes ?? {};
  const postedSpec = (attributes.serviceSpecification ?? {}) as Record<string, unknown>;
  const recorded = request?.recordedState;
  const reliesOn = spec.reliesOn.map((id) => ({ id, '@referredType': 'Service' }));
  const supporting = (request?.supportingServiceIds ?? []).map((id) => ({ id, '@referredType': 'Service' }));
  const postedRelationships = Array.isArray(attributes.serviceRelationship) ? (attributes.serviceRelationship as ServiceInstance['serviceRelationship']) : [];
  return {
    ...attributes,
    id: spec.serviceId,
    href: change.href,
    name: typeof attributes.name === 'string' ? attributes.name : `${change.specification.name} ${spec.serviceId}`,
    description: typeof attributes.description === 'string' ? attributes.description : (change.catalogText?.description ?? change.specification.name),
    category: typeof attributes.category === 'string' ? attributes.category : (change.catalogText?.category ?? 'CFS'),
    state: recorded ?? 'active',
    operatingStatus: recorded ? 'pending' : 'running',
    serviceSpecification: {
      ...postedSpec,
      id: typeof postedSpec.id === 'string' ? postedSpec.id : change.specification.id,
      name: typeof postedSpec.name === 'string' ? postedSpec.name : change.specification.name,
      version: typeof postedSpec.version === 'string' ? postedSpec.version : change.specification.version,
    },
    serviceCharacteristic: characteristics(run.values, request?.characteristicAttributes),
    // The NEs last: where a name repeats, the fleet's own role-to-NE record is the one kept.
    supportingResource: [...refs(attributes.supportingResource), ...change.nes.map(neResourceRef)],
    supportingService: mergeRefs(refs(attributes.supportingService), supporting, reliesOn),
    serviceRelationship: [...postedRelationships, ...spec.reliesOn.map((id) => ({ relationshipType: 'reliesOn', service: { id } }))],
    relatedParty: mergeRefs(
      refs(attributes.relatedParty),
      refs(request?.orderRelatedParty),
      spec.customerId ? [{ id: spec.customerId, role: 'customer' }] : [],
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
  const { serviceSpecification: _spec, supportingResource, serviceRelationship, ...attributes } = change.spec.service?.attributes ?? {};
  const next: ServiceInstance = { ...service, ...attributes };
  if (supportingResource !== undefined) next.supportingResource = mergeRefs(refs(supportingResource), service.supportingResource);
  if (Array.isArray(serviceRelationship)) {
    const given = serviceRelationship as ServiceInstance['serviceRelationship'];
    const fleetOwn = service.serviceRelationship.filter((r) => r.relationshipType === 'reliesOn' && !given.some((g) => JSON.stringify(g) === JSON.stringify(r)));
    next.serviceRelationship = [...given, ...fleetOwn];
  }
  return next;
}

export function serviceAfterCompletion(service: ServiceInstance | undefined, change: ServiceChange): ServiceInstance {
  const { spec } = change;
  // An add creates the record, unless the service was recorded without a device: it activates that one.
  if (!service || (spec.lifecycle === 'add' && !isRecordedOnlyState(service.state))) return createdService(change);
  return changedService(service, change);
}

function changedService(service: ServiceInstance, change: ServiceChange): ServiceInstance {
  const { spec, run } = change;
  const orderItem = { serviceOrderId: change.orderId, itemId: change.itemId, itemAction: change.itemAction };
  const next: ServiceInstance = { ...withUpdatedAttributes(structuredClone(service), change), serviceOrderItem: [...service.serviceOrderItem, orderItem] };
  const given = { ...attributesOf(service), ...spec.service?.characteristicAttributes };
  switch (spec.lifecycle) {
    case 'add':
      // A service recorded without a device, now configured: active, on the NEs it runs on.
      next.state = 'active';
      next.operatingStatus = 'running';
      next.serviceCharacteristic = characteristics(run.values, given);
      next.supportingResource = mergeRefs(service.supportingResource, change.nes.map(neResourceRef));
      break;
    case 'noChange':
      if (!isRecordedOnlyState(service.state)) break;
      // Still only a record: its new state (or its end), its new values.
      if (change.itemAction === 'delete') {
        next.state = 'terminated';
        next.operatingStatus = 'stopped';
        next.endDate = change.now;
      } else if (spec.service?.recordedState) {
        next.state = spec.service.recordedState;
      }
      if (Object.keys(spec.values).length > 0) next.serviceCharacteristic = characteristics(run.values, given);
      break;
    case 'modify':
      next.serviceCharacteristic = characteristics(run.values, given);
      break;
    case 'delete':
      next.state = 'terminated';
      next.operatingStatus = 'stopped';
      next.endDate = change.now;
      break;
    case 'suspend':
      next.suspension.push({
        id: run.suspensionId ?? `${change.orderId}-${change.itemId}`,
        reason: spec.suspension?.reason ?? 'unspecified',
        initiator: spec.suspension?.initiator ?? 'customer',
        startDate: change.now,
        serviceOrderItem: { serviceOrderId: change.orderId, itemId: change.itemId },
      });
      next.operatingStatus = 'limited';
      break;
    case 'resume': {
      const lifted = next.suspension.find((s) => s.id === run.suspensionId);
      if (lifted) lifted.endDate = change.now;
      if (activeSuspensions(next).length === 0) next.operatingStatus = 'running';
      break;
    }
  }
  return next;
}

/** A recorded service as it was before an item of a rolled-back bundle changed it. */
function restoreRecorded(service: ServiceInstance, state: string, values: CharacteristicValues | undefined): void {
  service.state = state as ServiceInstance['state'];
  service.operatingStatus = 'pending';
  delete service.endDate;
  if (values) service.serviceCharacteristic = characteristics(values, attributesOf(service));
}

/** Takes back what `serviceAfterCompletion` recorded, when the bundle is rolled back. */
export function serviceAfterRollback(service: ServiceInstance, change: ServiceChange): ServiceInstance {
  const { spec, run } = change;
  const next = structuredClone(service);
  next.serviceOrderItem = [...next.serviceOrderItem, { serviceOrderId: change.orderId, itemId: change.itemId, itemAction: change.itemAction, role: 'rolledBack' }];
  switch (spec.lifecycle) {
    case 'add':
      if (spec.service?.previousState) {
        // A recorded service the bundle was activating: back to what it was.
        restoreRecorded(next, spec.service.previousState, run.previousValues);
        break;
      }
      // The service never reached the customer: it ends, it does not show active.
      next.state = 'terminated';
      next.operatingStatus = 'stopped';
      next.endDate = change.now;
      break;
    case 'noChange':
      if (spec.service?.previousState) {
        restoreRecorded(next, spec.service.previousState, run.previousValues);
        break;
      }
      // A service this item only recorded (designed, reserved...) ends with its bundle.
      if (isRecordedOnlyState(spec.service?.recordedState) && service.serviceOrderItem[0]?.serviceOrderId === change.orderId) {
        next.state = 'terminated';
        next.operatingStatus = 'stopped';
        next.endDate = change.now;
      }
      break;
    case 'modify':
      if (run.previousValues) next.serviceCharacteristic = characteristics(run.previousValues, attributesOf(service));
      break;
    case 'delete':
      next.state = 'active';
      next.operatingStatus = activeSuspensions(next).length > 0 ? 'limited' : 'running';
      delete next.endDate;
      break;
    case 'suspend':
      next.suspension = next.suspension.filter((s) => s.id !== run.suspensionId);
      if (activeSuspensions(next).length === 0) next.operatingStatus = 'running';
      break;
    case 'resume': {
      const lifted = next.suspension.find((s) => s.id === run.suspensionId);
      if (lifted) delete lifted.endDate;
      next.operatingStatus = 'limited';
      break;
    }
  }
  return next;
}
