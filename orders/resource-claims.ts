import type { RejectionReason } from '../errors/index.js';
import type { ServiceState } from '../inventory/service-instance.js';
import type { OrderState } from './order-states.js';
import { isFinalState } from './order-states.js';

/**
 * Resource claims: the device resources (an OID instance, a config path, an interface name) a
 * service owns on one NE, as its specification's add steps declare them (`claims:`). Two
 * services owning one value would undo each other's work (a rolled-back add restoring the
 * value another live service set), so a second claim of the same resource on the same NE is
 * refused at intake, naming the holder. Pure: the store (stores/resource-claim-store.ts) takes
 * them atomically in Redis.
 */

/** One resource one add item claims on one NE for the service it creates. */
export interface ResourceClaim {
  itemId: string;
  specId: string;
  serviceId: string;
  neId: string;
  resource: string;
  /**
   * Checked, not taken: the resource must be held by `serviceId` or by nobody, and is left as it
   * is (the identity of a service an add modifies instead of creating one).
   */
  verify?: boolean;
}

/** Who holds a claim, as stored with it. */
export interface ClaimHolder {
  serviceId: string;
  orderId: string;
  itemId: string;
  specId: string;
}

/**
 * An item's claiming steps, as the intake's dry run renders them: an add's own steps; for a
 * modify, the add action's steps rendered with the values the service will have after it (a
 * modify that changes what a claim names moves the service onto another resource).
 */
export interface PlannedClaims {
  itemId: string;
  specId: string;
  lifecycle: string;
  serviceId: string;
  steps: Array<{ neId: string; claims?: string[] }>;
}

/** The claims of the order's add and modify items, one per (item, NE, resource). */
export function resourceClaims(items: PlannedClaims[]): ResourceClaim[] {
  const out: ResourceClaim[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (item.lifecycle !== 'add' && item.lifecycle !== 'modify') continue;
    for (const step of item.steps) {
      for (const resource of step.claims ?? []) {
        const key = `${item.itemId}\u0000${step.neId}\u0000${resource}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ itemId: item.itemId, specId: item.specId, serviceId: item.serviceId, neId: step.neId, resource });
      }
    }
  }
  return out;
}

/** Two adds of one order claiming the same resource on the same NE: the later one is refused. */
export function claimConflictsWithinOrder(claims: ResourceClaim[]): RejectionReason[] {
  const first = new Map<string, ResourceClaim>();
  const reasons: RejectionReason[] = [];
  for (const claim of claims) {
    const key = `${claim.neId}\u0000${claim.resource}`;
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, claim);
    } else if (earlier.serviceId !== claim.serviceId) {
      reasons.push({
        code: 'ORDER_RESOURCE_CLAIMED',
        message: `serviceOrderItem ${claim.itemId}: resource ${claim.resource} on network element ${claim.neId} is also claimed by item ${earlier.itemId} of this order`,
        itemId: claim.itemId,
      });
    }
  }
  return reasons;
}

/**
 * Whether a stored claim still holds. A claim is taken with the order that adds (or modifies)
 * its service and is never released by a process that may crash half-way, so its holder is
 * checked instead. It holds while the order that took it has not ended, or when neither that
 * order nor the service can be found (an intake that stopped between claiming and storing it:
 * kept, never handed out twice). Once that
 * order ended, it holds while its service is live (any state but terminated) and the service's
 * values still name the resource (`stillNamed`: a completed modify that moved the service to
 * another interface or MSISDN leaves the old one free, a failed one leaves the new one free).
 * It lapses when the service was deleted, its add ended without creating it (failed, rolled
 * back, cancelled), or its values no longer name the resource.
 */
export function claimStillHeld(service: { state: ServiceState } | undefined, order: { state: OrderState } | undefined, stillNamed: () => boolean): boolean {
  // No order and no service: an intake that stopped before storing the order.
  if (order === undefined && service === undefined) return true;
  if (order !== undefined && !isFinalState(order.state)) return true;
  if (service === undefined || service.state === 'terminated') return false;
  return stillNamed();
}

/** The refusal of a claim another service holds, naming it and the resource. */
export function claimRejection(claim: ResourceClaim, holder: ClaimHolder): RejectionReason {
  return {
    code: 'ORDER_RESOURCE_CLAIMED',
    message: `serviceOrderItem ${claim.itemId}: resource ${claim.resource} on network element ${claim.neId} is already claimed by ${holder.specId} service ${holder.serviceId} (order ${holder.orderId}); delete that service first, or claim another resource`,
    itemId: claim.itemId,
  };
}
