import type { CharacteristicValues } from '../catalog/characteristic-validator.js';
import { FleetError } from '../errors/index.js';
import type { ItemRun, ItemSpec } from '../orders/order-record.js';
import { activeSuspensions, characteristicValues, type ServiceInstance } from './service-instance.js';

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
  if (spec.lifecycle === 'noChange') return { networkAction: 'none', values: service ? characteristicValues(service) : spec.values };
  if (spec.lifecycle === 'add') {
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

const characteristics = (values: CharacteristicValues) => Object.entries(values).map(([name, value]) => ({ name, value }));

export function serviceAfterCompletion(service: ServiceInstance | undefined, change: ServiceChange): ServiceInstance {
  const { spec, run } = change;
  const orderItem = { serviceOrderId: change.orderId, itemId: change.itemId, itemAction: change.itemAction };
  if (!service || spec.lifecycle === 'add') {
    return {
      id: spec.serviceId,
      href: change.href,
      name: `${change.specification.name} ${spec.serviceId}`,
      state: 'active',
      operatingStatus: 'running',
      serviceSpecification: change.specification,
      serviceCharacteristic: characteristics(run.values),
      supportingResource: change.nes.map((ne) => ({ id: ne.id, name: ne.role, '@referredType': 'PhysicalResource' as const })),
      serviceRelationship: spec.reliesOn.map((id) => ({ relationshipType: 'reliesOn', service: { id } })),
      relatedParty: spec.customerId ? [{ id: spec.customerId, role: 'customer' }] : [],
      serviceOrderItem: [orderItem],
      suspension: [],
      startDate: change.now,
      '@type': 'Service',
    };
  }
  const next: ServiceInstance = { ...structuredClone(service), serviceOrderItem: [...service.serviceOrderItem, orderItem] };
  switch (spec.lifecycle) {
    case 'modify':
      next.serviceCharacteristic = characteristics(run.values);
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

/** Takes back what `serviceAfterCompletion` recorded, when the bundle is rolled back. */
export function serviceAfterRollback(service: ServiceInstance, change: ServiceChange): ServiceInstance {
  const { spec, run } = change;
  const next = structuredClone(service);
  next.serviceOrderItem = [...next.serviceOrderItem, { serviceOrderId: change.orderId, itemId: change.itemId, itemAction: change.itemAction, role: 'rolledBack' }];
  switch (spec.lifecycle) {
    case 'add':
      // The service never reached the customer: it ends, it does not show active.
      next.state = 'terminated';
      next.operatingStatus = 'stopped';
      next.endDate = change.now;
      break;
    case 'modify':
      if (run.previousValues) next.serviceCharacteristic = characteristics(run.previousValues);
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
