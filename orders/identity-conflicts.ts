import type { ServiceSpecification } from '../catalog/service-specification.js';
import type { ServiceInstance } from '../inventory/service-instance.js';
import type { RejectionReason } from '../errors/index.js';
import type { ValidatedItem } from './order-validation.js';
import type { ClaimHolder, ResourceClaim } from './resource-claims.js';

/** One identity an add item claims: its specification, the characteristic and its value. */
export interface IdentityClaim {
  itemId: string;
  specId: string;
  name: string;
  value: string;
  /** The service id the add asks for, or the one the modify changes (its own record is no conflict). */
  serviceId?: string;
  /** A modify moving its service to this identity. */
  modify?: boolean;
}

/** The identities the order's adds claim, and those its modifies move their services to, as their specifications declare them. */
export function identityClaims(items: ValidatedItem[], specOf: (id: string) => ServiceSpecification | undefined): IdentityClaim[] {
  return items.flatMap((item) => {
    if (item.lifecycle !== 'add' && item.lifecycle !== 'modify') return [];
    return (specOf(item.specId)?.identity ?? []).flatMap((name) => {
      const value = item.values[name];
      if (value === undefined || value === null || typeof value === 'object') return [];
      // A modify that keeps the identity claims nothing new: its service holds it already.
      if (item.lifecycle === 'modify' && String(item.previousValues?.[name]) === String(value)) return [];
      return [{ itemId: item.itemId, specId: item.specId, name, value: String(value), ...(item.serviceId ? { serviceId: item.serviceId } : {}), ...(item.lifecycle === 'modify' ? { modify: true } : {}) }];
    });
  });
}

/** Whether a service's values still name an identity claim (`<name>=<value>` in its scope): a modify that changed the MSISDN leaves the old one free. */
export function identityStillNamed(service: ServiceInstance, resource: string): boolean {
  const [name, ...rest] = resource.split('=');
  const value = rest.join('=');
  return service.serviceCharacteristic.some((c) => c.name === name && (typeof c.value === 'string' || typeof c.value === 'number' || typeof c.value === 'boolean') && String(c.value) === value);
}

/**
 * Rejections for claims a live service already holds (`holders` per claim, as the service
 * inventory's index gives them), or that two adds of the order make. Pure.
 */
export function identityConflicts(claims: IdentityClaim[], holders: (claim: IdentityClaim) => ServiceInstance[]): RejectionReason[] {
  const reasons: RejectionReason[] = [];
  const firstClaim = new Map<string, string>();
  for (const claim of claims) {
    const key = `${claim.specId}\u0000${claim.name}\u0000${claim.value}`;
    const earlier = firstClaim.get(key);
    if (earlier !== undefined) {
      reasons.push({ code: 'ORDER_IDENTITY_IN_USE', message: `serviceOrderItem ${claim.itemId}: ${claim.name} ${claim.value} is also added by item ${earlier} of this order`, itemId: claim.itemId });
      continue;
    }
    firstClaim.set(key, claim.itemId);
    const held = holders(claim).filter((s) => s.id !== claim.serviceId);
    if (held.length > 0) {
      const names = held.map((s) => `${s.id} (${s.state})`).join(', ');
      reasons.push({
        code: 'ORDER_IDENTITY_IN_USE',
        message: claim.modify
          ? `serviceOrderItem ${claim.itemId}: ${claim.name} ${claim.value} is already held by ${claim.specId} service ${names}; a modify cannot move service ${claim.serviceId ?? ''} onto it`
          : `serviceOrderItem ${claim.itemId}: ${claim.name} ${claim.value} is already held by ${claim.specId} service ${names}; modify that service, or delete it first`,
        itemId: claim.itemId,
      });
    }
  }
  return reasons;
}

/**
 * Identity claims taken as resource claims (orders/resource-claims.ts), so that two orders adding
 * the same identity at the same time cannot both be accepted: the index check above reads the
 * service inventory, which only a completed add writes. Each specification's identities live in
 * a scope of their own, `identity:<specId>`, beside the NEs' (NE ids carry no colon).
 */
export const IDENTITY_SCOPE = 'identity:';

export function identityResourceClaims(claims: IdentityClaim[], serviceIdOf: (itemId: string) => string): ResourceClaim[] {
  return claims.map((c) => ({ itemId: c.itemId, specId: c.specId, serviceId: serviceIdOf(c.itemId), neId: `${IDENTITY_SCOPE}${c.specId}`, resource: `${c.name}=${c.value}` }));
}

/** The refusal of an identity claim another service (or an order still adding it) holds, in the identity's words. */
export function identityClaimRejection(claim: ResourceClaim, holder: ClaimHolder): RejectionReason | undefined {
  if (!claim.neId.startsWith(IDENTITY_SCOPE)) return undefined;
  const [name, ...rest] = claim.resource.split('=');
  return {
    code: 'ORDER_IDENTITY_IN_USE',
    message: `serviceOrderItem ${claim.itemId}: ${name} ${rest.join('=')} is already held by ${holder.specId} service ${holder.serviceId} (added by order ${holder.orderId}); modify that service, or delete it first`,
    itemId: claim.itemId,
  };
}
