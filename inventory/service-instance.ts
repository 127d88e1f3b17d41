import type { CharacteristicValues } from '../catalog/characteristic-validator.js';

/**
 * A service instance in the service inventory, in the TMF638 Service shape (v4, with the v5
 * `suspended` state and `operatingStatus`). Suspensions are records of their own, so several can
 * hold at once and lifting one does not lift another.
 */
export const SERVICE_STATES = ['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active', 'terminated', 'suspended'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];
export type OperatingStatus = 'pending' | 'configured' | 'starting' | 'running' | 'degraded' | 'failed' | 'limited' | 'stopping' | 'stopped' | 'unknown';

export interface Suspension {
  id: string;
  /** Why, e.g. nonPayment, voluntary, fraud. */
  reason: string;
  /** Who asked: customer or operator. */
  initiator: string;
  startDate: string;
  endDate?: string;
  /** The order item that started it. */
  serviceOrderItem: { serviceOrderId: string; itemId: string };
}

export interface RelatedOrderItem {
  serviceOrderId: string;
  itemId: string;
  itemAction: string;
  role?: string;
}

export interface ServiceInstance {
  id: string;
  href: string;
  name: string;
  state: ServiceState;
  operatingStatus: OperatingStatus;
  serviceSpecification: { id: string; name: string; version: string };
  serviceCharacteristic: Array<{ name: string; value: string | number | boolean }>;
  /** The NEs the service is configured on. */
  supportingResource: Array<{ id: string; name: string; '@referredType': 'PhysicalResource' }>;
  serviceRelationship: Array<{ relationshipType: string; service: { id: string } }>;
  /** The customer the service is for, from the order's relatedParty. */
  relatedParty: Array<{ id: string; role: string }>;
  /** Every order item that changed the service, the last one last. */
  serviceOrderItem: RelatedOrderItem[];
  /** Suspensions in force (no endDate) and past ones. */
  suspension: Suspension[];
  startDate: string;
  endDate?: string;
  '@type': 'Service';
}

export function characteristicValues(service: ServiceInstance): CharacteristicValues {
  return Object.fromEntries(service.serviceCharacteristic.map((c) => [c.name, c.value]));
}

export function activeSuspensions(service: ServiceInstance): Suspension[] {
  return service.suspension.filter((s) => s.endDate === undefined);
}

/** A service shows `suspended` while any suspension holds, and its own state otherwise. */
export function effectiveState(service: ServiceInstance): ServiceState {
  if (service.state === 'terminated') return 'terminated';
  return activeSuspensions(service).length > 0 ? 'suspended' : 'active';
}
