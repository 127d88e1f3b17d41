import type { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { ServiceCharacteristic, ServiceInstance } from '../../inventory/service-instance.js';
import { isRecordedOnlyState } from '../../inventory/service-request.js';
import { PATHS } from '../api-paths.js';
import type { ServiceCreate } from '../schemas/service-schemas.js';

function valueTypeOf(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return value === null ? 'string' : Array.isArray(value) ? 'array' : typeof value;
}

/**
 * The Service a TMF640 POST answers with before its order has run: what was posted, under the
 * new id, `inactive` and `starting` while the activation goes on (a state asked for before
 * active is the state itself). The inventory's record replaces it once the order completes.
 */
export function provisionalService(body: ServiceCreate, ids: { serviceId: string; orderId: string }, now: string, catalog?: ServiceCatalog): ServiceInstance {
  const { state, serviceCharacteristic, serviceSpecification, ...attributes } = body;
  const spec = catalog?.get(serviceSpecification);
  const recorded = isRecordedOnlyState(state);
  return {
    ...attributes,
    id: ids.serviceId,
    href: PATHS.inventoryService(ids.serviceId),
    name: body.name ?? `${spec?.name ?? serviceSpecification.id} ${ids.serviceId}`,
    ...(spec?.description !== undefined && body.description === undefined ? { description: spec.description } : {}),
    category: body.category ?? spec?.category ?? 'CFS',
    state: recorded ? state : 'inactive',
    operatingStatus: recorded ? 'pending' : 'starting',
    serviceSpecification: { ...serviceSpecification, name: serviceSpecification.name ?? spec?.name ?? serviceSpecification.id, version: serviceSpecification.version ?? spec?.version ?? '' },
    serviceCharacteristic: (serviceCharacteristic ?? []).map((c) => ({ ...c, valueType: c.valueType ?? valueTypeOf(c.value) }) as ServiceCharacteristic),
    supportingResource: (body.supportingResource ?? []) as ServiceInstance['supportingResource'],
    supportingService: (body.supportingService ?? []) as ServiceInstance['supportingResource'],
    serviceRelationship: (body.serviceRelationship ?? []) as ServiceInstance['serviceRelationship'],
    relatedParty: (body.relatedParty ?? []) as ServiceInstance['relatedParty'],
    place: (body.place ?? []) as ServiceInstance['supportingResource'],
    serviceOrderItem: [{ serviceOrderId: ids.orderId, itemId: 'activate', itemAction: 'add' }],
    suspension: [],
    startDate: body.startDate ?? now,
    '@type': body['@type'] ?? 'Service',
  };
}
