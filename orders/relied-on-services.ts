import type { RejectionReason } from '../errors/index.js';
import type { ServiceInstance } from '../inventory/service-instance.js';
import type { ValidatedItem } from './order-validation.js';

/**
 * The ids of the services `service` relies on, as TMF638 records them: a `reliesOn`
 * serviceRelationship, or a supportingService (the fleet writes both for an order's reliesOn
 * items; a client may post either).
 */
export function reliedOnIds(service: ServiceInstance): string[] {
  const related = service.serviceRelationship.filter((r) => r.relationshipType.toLowerCase() === 'relieson').map((r) => r.service.id);
  const supporting = (service.supportingService ?? []).map((r) => r.id);
  return [...new Set([...related, ...supporting])].filter((id) => id !== service.id);
}

/**
 * Whether `dependent` stops a `lifecycle` of what it relies on. A delete leaves it without what
 * it runs on whether it is live or suspended. A suspend matters only to a live dependent, and
 * only one its catalog entry can suspend: the refusal's way out is to suspend it first, and a
 * dependent with no `suspend` action (voicemail under a mobile plan) could then never let what
 * it relies on be suspended short of deleting it. A suspension is undone by a resume; a delete
 * is not, which is why only the delete insists.
 */
function blocks(lifecycle: 'delete' | 'suspend', dependent: ServiceInstance, canSuspend: (specId: string) => boolean): boolean {
  if (lifecycle === 'delete') return dependent.state === 'active' || dependent.state === 'suspended';
  return dependent.state === 'active' && canSuspend(dependent.serviceSpecification.id);
}

/** What the order does to a dependent, such that a change of what it relies on may follow. */
function covers(lifecycle: 'delete' | 'suspend', dependentItem: ValidatedItem): boolean {
  return lifecycle === 'delete' ? dependentItem.lifecycle === 'delete' : dependentItem.lifecycle === 'delete' || dependentItem.lifecycle === 'suspend';
}

export interface ReliedOnInput {
  items: ValidatedItem[];
  /** Each item's position in the order, for the field name. */
  indexOf: (itemId: string) => number;
  /** itemId -> the items it waits for (the order's dependsOn / reliesOn graph). */
  dependsOn: ReadonlyMap<string, readonly string[]>;
  /** The services that rely on `serviceId`, from the service inventory's index. */
  dependentsOf: (serviceId: string) => ServiceInstance[];
  /** Whether the catalog entry of a specification has a `suspend` action. */
  canSuspend: (specId: string) => boolean;
}

/**
 * Deletes and suspends of a service that other live services rely on: refused, naming them,
 * unless the order itself deletes (or, for a suspend, suspends or deletes) each of them in an
 * item the relied-on item waits for, so that the dependent is down before what it runs on. Pure.
 */
export function reliedOnConflicts({ items, indexOf, dependsOn, dependentsOf, canSuspend }: ReliedOnInput): RejectionReason[] {
  const itemOfService = new Map(items.filter((i) => i.serviceId !== undefined).map((i) => [i.serviceId as string, i]));
  const waitsFor = (from: string, target: string): boolean => {
    const seen = new Set<string>();
    const stack = [...(dependsOn.get(from) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (next === target) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(dependsOn.get(next) ?? []));
    }
    return false;
  };
  const reasons: RejectionReason[] = [];
  for (const item of items) {
    if ((item.lifecycle !== 'delete' && item.lifecycle !== 'suspend') || item.serviceId === undefined) continue;
    const lifecycle = item.lifecycle;
    const open: string[] = [];
    for (const dependent of dependentsOf(item.serviceId)) {
      if (dependent.id === item.serviceId || !blocks(lifecycle, dependent, canSuspend)) continue;
      const changed = itemOfService.get(dependent.id);
      const name = `${dependent.id} (${dependent.serviceSpecification.id}, ${dependent.state})`;
      if (!changed || !covers(lifecycle, changed)) open.push(name);
      else if (!waitsFor(item.itemId, changed.itemId)) open.push(`${name}, which item ${changed.itemId} ${changed.lifecycle}s but not before this item (give this item a reliesOn relationship to ${changed.itemId})`);
    }
    if (open.length === 0) continue;
    const verb = lifecycle === 'delete' ? 'delete' : 'suspend';
    reasons.push({
      code: 'ORDER_SERVICE_RELIED_ON',
      message: `serviceOrderItem[${indexOf(item.itemId)}].service.id: service ${item.serviceId} is relied on by ${open.join('; ')}; ${verb} ${open.length === 1 ? 'it' : 'them'} first, in this order or an earlier one`,
      itemId: item.itemId,
    });
  }
  return reasons;
}
