import type { ItemRuntime } from '../orders/order-record.js';
import { activeSuspensions, type ServiceInstance } from './service-instance.js';

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
 * is already suspended), and neither does lifting one of several.
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

const characteristics = (values: ItemRuntime['values']) => Object.entries(values).map(([name, value]) => ({ name, value }));

export function serviceAfterCompletion(service: ServiceInstance | undefined, change: ServiceChange, newSuspensionId: string): ServiceInstance {
  const rt = change.runtime;
  const orderItem = { serviceOrderId: change.orderId, itemId: change.itemId, itemAction: change.itemAction };
  if (!service || rt.lifecycle === 'add') {
    return {
      id: rt.serviceId,
      href: change.href,
      name: `${change.specification.name} ${rt.serviceId}`,
      state: 'active',
      operatingStatus: 'running',
      serviceSpecification: change.specification,
      serviceCharacteristic: characteristics(rt.values),
      supportingResource: change.nes.map((ne) => ({ id: ne.id, name: ne.role, '@referredType': 'PhysicalResource' as const })),
      serviceRelationship: change.reliesOn.map((id) => ({ relationshipType: 'reliesOn', service: { id } })),
      relatedParty: change.customerId ? [{ id: change.customerId, role: 'customer' }] : [],
      serviceOrderItem: [orderItem],
      suspension: [],
      startDate: change.now,
      '@type': 'Service',
    };
  }
  const next: ServiceInstance = { ...structuredClone(service), serviceOrderItem: [...service.serviceOrderItem, orderItem] };
  switch (rt.lifecycle) {
    case 'modify':
      next.serviceCharacteristic = characteristics(rt.values);
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

/** Takes back what `serviceAfterCompletion` recorded, when the bundle is rolled back. */
export function serviceAfterRollback(service: ServiceInstance, change: ServiceChange): ServiceInstance {
  const rt = change.runtime;
  const next = structuredClone(service);
  next.serviceOrderItem = [...next.serviceOrderItem, { serviceOrderId: change.orderId, itemId: change.itemId, itemAction: change.itemAction, role: 'rolledBack' }];
  switch (rt.lifecycle) {
    case 'add':
      // The service never reached the customer: it ends, it does not show active.
      next.state = 'terminated';
      next.operatingStatus = 'stopped';
      next.endDate = change.now;
      break;
    case 'modify':
      if (rt.previousValues) next.serviceCharacteristic = characteristics(rt.previousValues);
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
