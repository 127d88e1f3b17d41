import type { ServiceInstance } from '../../inventory/service-instance.js';
import { PATHS } from '../api-paths.js';

/** A service as TMF640 shows it: the inventory's record under the activation API's own href. */
export function presentActivationService(service: ServiceInstance): ServiceInstance {
  return { ...service, href: PATHS.activationService(service.id) };
}

/** A service as TMF638 shows it. */
export function presentInventoryService(service: ServiceInstance): ServiceInstance {
  return { ...service, href: PATHS.inventoryService(service.id) };
}
