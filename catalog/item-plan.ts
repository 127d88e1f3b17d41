import type { CharacteristicValues } from '../inventory/characteristic-value.js';
import { neRoleOf, type ServiceInstance } from '../inventory/service-instance.js';
import { planActivation, type PlannedStep } from './activation-plan.js';
import type { NeDirectory } from '../inventory/ne-directory.js';
import type { ServiceCatalog } from './service-catalog.js';
import type { ServiceAction } from './service-specification.js';
import { FleetError } from '../errors/index.js';

export interface ItemToPlan {
  itemId: string;
  specId: string;
  values: CharacteristicValues;
  /** add, modify, delete, suspend, resume or noChange. */
  lifecycle: string;
  previousValues?: CharacteristicValues;
}

export interface ItemPlanRequest {
  catalog: ServiceCatalog;
  directory: NeDirectory;
  item: ItemToPlan;
  /** The existing service, whose NEs later actions go back to. */
  service?: ServiceInstance;
  /** Overrides the action derived from the lifecycle ('none': nothing to send). */
  action?: ServiceAction | 'none';
  pinnedNeIds?: Record<string, string>;
  orderId: string;
}

/** The NE id per role a service is built on (see NeResourceRef). */
export function serviceNeIds(service: ServiceInstance | undefined): Record<string, string> {
  const byRole: Record<string, string> = {};
  for (const ref of service?.supportingResource ?? []) {
    const role = neRoleOf(ref);
    if (role !== undefined) byRole[role] = ref.id;
  }
  return byRole;
}

/**
 * The exact steps one order item sends, shared by the intake's dry run and the worker: the
 * catalog action of the item's lifecycle, rendered for the NEs of its service.
 */
export function planItem(req: ItemPlanRequest): { action: ServiceAction | 'none'; steps: PlannedStep[] } {
  const action = req.action ?? (req.item.lifecycle === 'noChange' ? 'none' : (req.item.lifecycle as ServiceAction));
  if (action === 'none') return { action, steps: [] };
  const spec = req.catalog.get(req.item.specId);
  if (!spec) throw new FleetError('ORDER_UNKNOWN_SPECIFICATION', `item ${req.item.itemId}: specification ${req.item.specId} is not in the catalog`);
  const steps = planActivation({
    spec,
    action,
    values: req.item.values,
    directory: req.directory,
    serviceNeIds: serviceNeIds(req.service),
    ...(req.item.previousValues ? { previousValues: req.item.previousValues } : {}),
    ...(req.pinnedNeIds ? { pinnedNeIds: req.pinnedNeIds } : {}),
    context: { order: { id: req.orderId }, item: { id: req.item.itemId } },
  });
  return { action, steps };
}
