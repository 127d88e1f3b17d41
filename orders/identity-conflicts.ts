import type { ServiceSpecification } from '../catalog/service-specification.js';
import { activeSuspensions, type ServiceInstance } from '../inventory/service-instance.js';
import type { RejectionReason } from '../errors/index.js';
import type { ValidatedItem } from './order-validation.js';
import type { ClaimHolder, ResourceClaim } from './resource-claims.js';
import type { IdentityInUse, ServiceOrderInput } from './service-order.js';

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

/** What the order's identities decide: refusals, and the adds carried out as modifies (item id -> the service they modify). */
export interface IdentityDecision {
  reasons: RejectionReason[];
  asModify: Map<string, ServiceInstance>;
}

export interface IdentityDecisionOptions {
  /** The order's `onIdentityInUse` (refuse when absent). */
  policy: IdentityInUse | undefined;
  /** Whether the specification offers a modify action. */
  canModify: (specId: string) => boolean;
  /** The item of the order (other than `itemId`) that already changes service `serviceId`, if any. */
  changedByItem: (serviceId: string, itemId: string) => string | undefined;
}

/**
 * identityConflicts, with the order's opt-in: under `onIdentityInUse: modify`, an add whose
 * identities are all held by one and the same active service of its specification is carried out
 * as a modify of that service. Anything else still refuses, saying why it could not be a modify
 * (held by several, suspended or only recorded, the add names a service id of its own, no modify
 * action, another item of the order changes that service). Two adds of one identity in one order
 * refuse as without the opt-in. Pure.
 */
export function identityDecisions(claims: IdentityClaim[], holders: (claim: IdentityClaim) => ServiceInstance[], options: IdentityDecisionOptions): IdentityDecision {
  if (options.policy !== 'modify') return { reasons: identityConflicts(claims, holders), asModify: new Map() };
  // A modify moving its service onto an identity another holds is refused as without the opt-in.
  const reasons: RejectionReason[] = identityConflicts(claims.filter((c) => c.modify), holders);
  claims = claims.filter((c) => !c.modify);
  const asModify = new Map<string, ServiceInstance>();
  const firstClaim = new Map<string, string>();
  const itemIds = [...new Set(claims.map((c) => c.itemId))];
  for (const itemId of itemIds) {
    const own = claims.filter((c) => c.itemId === itemId);
    const held = new Map<string, ServiceInstance>();
    const heldClaims: Array<{ claim: IdentityClaim; by: ServiceInstance[] }> = [];
    let repeated = false;
    for (const claim of own) {
      const key = `${claim.specId}\u0000${claim.name}\u0000${claim.value}`;
      const earlier = firstClaim.get(key);
      if (earlier !== undefined) {
        reasons.push({ code: 'ORDER_IDENTITY_IN_USE', message: `serviceOrderItem ${claim.itemId}: ${claim.name} ${claim.value} is also added by item ${earlier} of this order`, itemId: claim.itemId });
        repeated = true;
        continue;
      }
      firstClaim.set(key, claim.itemId);
      const by = holders(claim).filter((s) => s.id !== claim.serviceId);
      for (const s of by) held.set(s.id, s);
      if (by.length > 0) heldClaims.push({ claim, by });
    }
    if (repeated || held.size === 0) continue;
    const [first] = heldClaims;
    if (!first) continue;
    const only = held.size === 1 ? [...held.values()][0] : undefined;
    const converted = only ? [...asModify.entries()].find(([, service]) => service.id === only.id)?.[0] : undefined;
    const why = whyNotModify(first.claim, only, [...held.values()], { ...options, changedByItem: (serviceId, id) => converted ?? options.changedByItem(serviceId, id) });
    if (why === undefined && only) {
      asModify.set(itemId, only);
      continue;
    }
    const { claim, by } = first;
    const names = by.map((s) => `${s.id} (${s.state})`).join(', ');
    reasons.push({
      code: 'ORDER_IDENTITY_IN_USE',
      message: `serviceOrderItem ${claim.itemId}: ${claim.name} ${claim.value} is already held by ${claim.specId} service ${names}; onIdentityInUse modify does not apply: ${why ?? 'no single holder'}`,
      itemId: claim.itemId,
    });
  }
  return { reasons, asModify };
}

/** Why an opted-in add cannot be a modify of the service holding its identity; undefined when it can. */
function whyNotModify(claim: IdentityClaim, only: ServiceInstance | undefined, all: ServiceInstance[], options: IdentityDecisionOptions): string | undefined {
  if (!only) return `its identities are held by ${all.length} services (${all.map((s) => s.id).join(', ')}), so there is no one service to modify`;
  if (claim.serviceId !== undefined) return `the item names service.id ${claim.serviceId} of its own, not ${only.id}; leave service.id out, or modify ${only.id} by its id`;
  if (only.state === 'suspended' || activeSuspensions(only).length > 0) return `service ${only.id} is suspended; resume it first, or modify it by its id`;
  if (only.state !== 'active') return `service ${only.id} is ${only.state}, not active; only an active service is modified in place of an add`;
  if (!options.canModify(claim.specId)) return `${claim.specId} offers no modify action`;
  const other = options.changedByItem(only.id, claim.itemId);
  if (other !== undefined) return `item ${other} of this order already changes service ${only.id}`;
  return undefined;
}

/** The fleet's note on an order whose add was carried out as a modify: what the client reads back beside the item's service.id. */
export function asModifyNote(itemId: string, service: ServiceInstance, identity: IdentityClaim[], now: string): Record<string, unknown> {
  const named = identity.map((c) => `${c.name} ${c.value}`).join(', ');
  return {
    id: `identity-in-use-${itemId}`,
    author: 'activation-fleet',
    date: now,
    text: `serviceOrderItem ${itemId}: ${named} is held by active ${service.serviceSpecification.id} service ${service.id}; as the order asks (onIdentityInUse: modify), the add is carried out as a modify of that service (service.id ${service.id}): its characteristics are applied over the service's`,
    '@type': 'Note',
  };
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

/**
 * The order with its adds carried out as modifies written as the modifies they become (action
 * modify, service.id of the service they modify), to validate them as a modify posted by id is;
 * `asPosted` gives those items their posted action back (TMF: the client's add), keeping the
 * service.id filled in. Pure.
 */
export function asModifyOrder<T extends ServiceOrderInput>(order: T, asModify: ReadonlyMap<string, ServiceInstance>): T {
  return {
    ...order,
    serviceOrderItem: order.serviceOrderItem.map((item) => {
      const service = asModify.get(item.id);
      return service ? { ...item, action: 'modify' as const, service: { ...item.service, id: service.id } } : item;
    }),
  };
}

export function asPosted<T extends ServiceOrderInput>(order: T, asModify: ReadonlyMap<string, ServiceInstance>): T {
  return { ...order, serviceOrderItem: order.serviceOrderItem.map((item) => (asModify.has(item.id) ? { ...item, action: 'add' as const } : item)) };
}

/** The identities of the adds carried out as modifies: their posted values are the modify's changes. */
export function modifiedIdentityClaims(items: ValidatedItem[], asModify: ReadonlyMap<string, ServiceInstance>, specOf: (id: string) => ServiceSpecification | undefined): IdentityClaim[] {
  const posted = items.filter((i) => asModify.has(i.itemId)).map(({ serviceId: _own, ...i }): ValidatedItem => ({ ...i, lifecycle: 'add', values: i.changes ?? i.values }));
  return identityClaims(posted, specOf);
}

/**
 * The identities of adds carried out as modifies, checked (not taken) in the same script as the
 * order's claims: each must still be held by the service the item modifies, or by nobody. Between
 * the inventory read and the script that service may have been deleted and another add may have
 * taken its identity; then the item is refused instead of modifying a service that is gone.
 */
export function identityVerifyClaims(claims: IdentityClaim[], asModify: ReadonlyMap<string, ServiceInstance>): ResourceClaim[] {
  return claims.flatMap((c) => {
    const service = asModify.get(c.itemId);
    return service ? [{ itemId: c.itemId, specId: c.specId, serviceId: service.id, neId: `${IDENTITY_SCOPE}${c.specId}`, resource: `${c.name}=${c.value}`, verify: true }] : [];
  });
}

/**
 * The refusal of an identity claim another service (or an order still adding it) holds, in the
 * identity's words. Under `onIdentityInUse: modify` it says why the add was not made a modify:
 * the holder was not live when the order was validated (`live` false: its add still running).
 */
export function identityClaimRejection(claim: ResourceClaim, holder: ClaimHolder, optIn?: { live: boolean }): RejectionReason | undefined {
  if (!claim.neId.startsWith(IDENTITY_SCOPE)) return undefined;
  const [name, ...rest] = claim.resource.split('=');
  const advice = !optIn
    ? 'modify that service, or delete it first'
    : optIn.live
      ? 'onIdentityInUse modify does not apply: that service became the holder while this order was validated; submit the order again (under a new id) to have it carried out as a modify'
      : `onIdentityInUse modify does not apply: service ${holder.serviceId} is not live yet (order ${holder.orderId} is still adding it); submit the order again (under a new id) once that order has ended`;
  return {
    code: 'ORDER_IDENTITY_IN_USE',
    message: `serviceOrderItem ${claim.itemId}: ${name} ${rest.join('=')} is already held by ${holder.specId} service ${holder.serviceId} (added by order ${holder.orderId}); ${advice}`,
    itemId: claim.itemId,
  };
}
