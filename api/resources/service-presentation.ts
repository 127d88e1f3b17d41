import type { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { EntityRef, ServiceInstance } from '../../inventory/service-instance.js';
import { PATHS, REFERENCE_PATHS } from '../api-paths.js';

/** Which API shows the service: its own href and those of the services it refers to point there. */
export type ServiceApi = 'activation' | 'inventory';

const servicePath = (api: ServiceApi) => (api === 'activation' ? PATHS.activationService : PATHS.inventoryService);

function withHref<T extends { id?: unknown; href?: unknown }>(ref: T, path: (id: string) => string): T {
  return typeof ref.href === 'string' || typeof ref.id !== 'string' ? ref : { ...ref, href: path(ref.id) };
}

const list = (value: unknown): EntityRef[] => (Array.isArray(value) ? (value as EntityRef[]) : []);

function valueTypeOf(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (Array.isArray(value)) return 'array';
  return value === null ? 'string' : typeof value;
}

/**
 * A service as TMF638 and TMF640 show it: every reference with an href (TMF638 conformance
 * profile), every characteristic with a valueType, description and category from the catalog
 * when the order gave none. Records written before these attributes existed are shown complete too.
 */
export function presentService(service: ServiceInstance, api: ServiceApi, catalog?: ServiceCatalog): ServiceInstance {
  const spec = catalog?.get(service.serviceSpecification.id);
  const toService = servicePath(api);
  return {
    ...service,
    href: toService(service.id),
    description: service.description ?? spec?.description ?? service.serviceSpecification.name,
    category: service.category ?? spec?.category ?? 'CFS',
    serviceSpecification: withHref(service.serviceSpecification, REFERENCE_PATHS.serviceSpecification),
    serviceCharacteristic: service.serviceCharacteristic.map((c) => ({ ...c, valueType: c.valueType ?? valueTypeOf(c.value) })),
    supportingService: list(service.supportingService).map((r) => withHref(r, toService)),
    supportingResource: list(service.supportingResource).map((r) => withHref(r, REFERENCE_PATHS.resource)),
    relatedParty: list(service.relatedParty).map((r) => withHref(r, REFERENCE_PATHS.party)),
    place: list(service.place).map((r) => withHref(r, REFERENCE_PATHS.place)),
    serviceRelationship: service.serviceRelationship.map((r) => ({ ...r, service: withHref(r.service, toService) })),
    serviceOrderItem: service.serviceOrderItem.map((i) => ({ ...i, serviceOrderHref: (i as { serviceOrderHref?: string }).serviceOrderHref ?? PATHS.serviceOrder(i.serviceOrderId) })),
  };
}

/** A service as TMF640 shows it. */
export function presentActivationService(service: ServiceInstance, catalog?: ServiceCatalog): ServiceInstance {
  return presentService(service, 'activation', catalog);
}

/** A service as TMF638 shows it. */
export function presentInventoryService(service: ServiceInstance, catalog?: ServiceCatalog): ServiceInstance {
  return presentService(service, 'inventory', catalog);
}
