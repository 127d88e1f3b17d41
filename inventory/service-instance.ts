import type { CharacteristicValue, CharacteristicValues } from './characteristic-value.js';

/**
 * A service instance in the service inventory, in the TMF638 Service shape (v4, with the v5
 * `suspended` state and `operatingStatus`). Suspensions are records of their own, so several can
 * hold at once and lifting one does not lift another. Attributes the ordering client set
 * (place, note, feature, dates, polymorphic @ attributes...) are kept as posted.
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

/** A TMF entity reference (RelatedParty, Place, ServiceRef, ResourceRef...): an id, maybe an href, and whatever else was given. */
export interface EntityRef {
  id: string;
  href?: string;
  name?: string;
  role?: string;
  '@referredType'?: string;
  [key: string]: unknown;
}

/**
 * A supportingResource the fleet writes for each NE a service is configured on. TMF638 has no
 * role field on a ResourceRef, so its `name` carries the NE's role (the catalog's `neRole`, e.g.
 * `pcrf`): later actions on the service go back to the NE of that role. Build and read it only
 * through neResourceRef and neRoleOf, so that meaning stays in one place.
 */
export interface NeResourceRef extends EntityRef {
  /** The NE's role. */
  name: string;
  '@referredType': 'PhysicalResource';
}

export function neResourceRef(ne: { id: string; role: string }): NeResourceRef {
  return { id: ne.id, name: ne.role, '@referredType': 'PhysicalResource' };
}

/** The NE role a supportingResource carries (in its TMF `name`); undefined for a reference without one. */
export function neRoleOf(ref: EntityRef): string | undefined {
  return ref.name;
}

/** A characteristic with its TMF valueType; an object-typed value is kept as given. */
export interface ServiceCharacteristic {
  name: string;
  valueType: string;
  value: CharacteristicValue;
  [key: string]: unknown;
}

export interface ServiceInstance {
  id: string;
  href: string;
  name: string;
  description?: string;
  /** CFS or RFS, from the catalog unless the client gave one. */
  category?: string;
  state: ServiceState;
  operatingStatus: OperatingStatus;
  serviceSpecification: { id: string; name: string; version: string; href?: string; [key: string]: unknown };
  serviceCharacteristic: ServiceCharacteristic[];
  /** The NEs the service is configured on (and any resources the client named). */
  supportingResource: EntityRef[];
  /** Services this one is built on: the order's related items, the catalog's composition, the client's. */
  supportingService?: EntityRef[];
  serviceRelationship: Array<{ relationshipType: string; service: EntityRef; [key: string]: unknown }>;
  /** The parties the service is for: the item's and the order's relatedParty. */
  relatedParty: EntityRef[];
  place?: EntityRef[];
  /** Every order item that changed the service, the last one last. */
  serviceOrderItem: RelatedOrderItem[];
  /** Suspensions in force (no endDate) and past ones. */
  suspension: Suspension[];
  startDate: string;
  endDate?: string;
  '@type': string;
  /** Further attributes the client set, as posted (note, feature, serviceType, isStateful, ...). */
  [attribute: string]: unknown;
}

export function characteristicValues(service: ServiceInstance): CharacteristicValues {
  return Object.fromEntries(service.serviceCharacteristic.map((c) => [c.name, c.value]));
}

export function activeSuspensions(service: ServiceInstance): Suspension[] {
  return service.suspension.filter((s) => s.endDate === undefined);
}

/** States before active: the service is recorded (TMF640 feasibilityChecked, designed, reserved, inactive), not live. */
const BEFORE_ACTIVE: ReadonlySet<ServiceState> = new Set(['feasibilityChecked', 'designed', 'reserved', 'inactive']);

/** A service shows `suspended` while any suspension holds, and its own state otherwise (terminated, a state before active, or active). */
export function effectiveState(service: ServiceInstance): ServiceState {
  if (service.state === 'terminated' || BEFORE_ACTIVE.has(service.state)) return service.state;
  return activeSuspensions(service).length > 0 ? 'suspended' : 'active';
}
