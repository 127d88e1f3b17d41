import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../../inventory/service-instance.js';
import { identityClaims, identityDecisions, identityStillNamed, type IdentityClaim, type IdentityDecisionOptions } from '../../orders/identity-conflicts.js';
import type { ValidatedItem } from '../../orders/order-validation.js';
import type { ServiceSpecification } from '../../catalog/service-specification.js';

const service = (id: string, state: ServiceInstance['state'], extra: Partial<ServiceInstance> = {}): ServiceInstance => ({
  id,
  href: `/s/${id}`,
  name: id,
  state,
  operatingStatus: 'running',
  serviceSpecification: { id: 'mobile-plan', name: 'Mobile plan', version: '1' },
  serviceCharacteristic: [],
  supportingResource: [],
  serviceRelationship: [],
  relatedParty: [],
  serviceOrderItem: [],
  suspension: [],
  startDate: '2026-01-01T00:00:00Z',
  '@type': 'Service',
  ...extra,
});
const claim = (itemId: string, value: string, extra: Partial<IdentityClaim> = {}): IdentityClaim => ({ itemId, specId: 'mobile-plan', name: 'msisdn', value, ...extra });
const options = (extra: Partial<IdentityDecisionOptions> = {}): IdentityDecisionOptions => ({ policy: 'modify', canModify: () => true, changedByItem: () => undefined, ...extra });

describe('identity decisions (onIdentityInUse)', () => {
  const live = service('svc-1', 'active');
  const held = (by: Record<string, ServiceInstance[]>) => (c: IdentityClaim) => by[c.value] ?? [];

  it('without the opt-in (or with refuse) refuses as before, naming the holder', () => {
    for (const policy of [undefined, 'refuse'] as const) {
      const d = identityDecisions([claim('a', '4477')], held({ '4477': [live] }), options({ policy }));
      expect(d.asModify.size).toBe(0);
      expect(d.reasons.map((r) => r.message)).toEqual(['serviceOrderItem a: msisdn 4477 is already held by mobile-plan service svc-1 (active); modify that service, or delete it first']);
    }
  });

  it('makes an add whose identity one active service holds a modify of it, and leaves an add of a free identity an add', () => {
    const d = identityDecisions([claim('a', '4477'), claim('b', '4478')], held({ '4477': [live] }), options());
    expect(d.reasons).toEqual([]);
    expect([...d.asModify.entries()].map(([item, s]) => [item, s.id])).toEqual([['a', 'svc-1']]);
  });

  it('refuses, saying why it is no modify: suspended, only recorded, several holders, an id of its own, no modify action, changed by another item', () => {
    const why = (claims: IdentityClaim[], holders: Record<string, ServiceInstance[]>, extra: Partial<IdentityDecisionOptions> = {}) => {
      const d = identityDecisions(claims, held(holders), options(extra));
      expect(d.asModify.size).toBe(0);
      return d.reasons.map((r) => [r.code, r.message.split('; onIdentityInUse modify does not apply: ')[1]]);
    };
    expect(why([claim('a', '1')], { '1': [service('svc-s', 'suspended')] })).toEqual([['ORDER_IDENTITY_IN_USE', 'service svc-s is suspended; resume it first, or modify it by its id']]);
    expect(why([claim('a', '1')], { '1': [service('svc-r', 'reserved')] })[0]?.[1]).toBe('service svc-r is reserved, not active; only an active service is modified in place of an add');
    expect(why([claim('a', '1')], { '1': [live, service('svc-2', 'active')] })[0]?.[1]).toBe('its identities are held by 2 services (svc-1, svc-2), so there is no one service to modify');
    expect(why([claim('a', '1', { serviceId: 'mine' })], { '1': [live] })[0]?.[1]).toBe('the item names service.id mine of its own, not svc-1; leave service.id out, or modify svc-1 by its id');
    expect(why([claim('a', '1')], { '1': [live] }, { canModify: () => false })[0]?.[1]).toBe('mobile-plan offers no modify action');
    expect(why([claim('a', '1')], { '1': [live] }, { changedByItem: () => 'rm' })[0]?.[1]).toBe('item rm of this order already changes service svc-1');
  });

  it('refuses a second add of one identity in the same order as without the opt-in, and two adds that would modify one service', () => {
    const twice = identityDecisions([claim('a', '1'), claim('b', '1')], held({ '1': [live] }), options());
    expect(twice.reasons.map((r) => r.message)).toEqual(['serviceOrderItem b: msisdn 1 is also added by item a of this order']);
    // Two identities of one spec (msisdn and imsi, say), each held by the same service, in two items.
    const both = identityDecisions([claim('a', '1'), claim('b', '2', { name: 'imsi' })], held({ '1': [live], '2': [live] }), options());
    expect(both.reasons.map((r) => r.message.split('does not apply: ')[1])).toEqual(['item a of this order already changes service svc-1']);
  });

  it('a modify moving its service onto an identity another holds is refused under either policy (a catalog that leaves the identity mutable)', () => {
    const spec = { identity: ['msisdn'] } as unknown as ServiceSpecification;
    const item = (values: Record<string, string>, previous: Record<string, string>): ValidatedItem => ({ itemId: 'mv', specId: 'mobile-plan', lifecycle: 'modify', serviceId: 'svc-2', values, previousValues: previous }) as unknown as ValidatedItem;
    // Keeping the identity claims nothing; changing it claims the new value.
    expect(identityClaims([item({ msisdn: '4400' }, { msisdn: '4400' })], () => spec)).toEqual([]);
    const claims = identityClaims([item({ msisdn: '4477' }, { msisdn: '4400' })], () => spec);
    expect(claims).toEqual([{ itemId: 'mv', specId: 'mobile-plan', name: 'msisdn', value: '4477', serviceId: 'svc-2', modify: true }]);
    for (const policy of [undefined, 'modify'] as const) {
      const d = identityDecisions(claims, held({ '4477': [live] }), options({ policy }));
      expect(d.asModify.size).toBe(0);
      expect(d.reasons.map((r) => r.message)).toEqual(['serviceOrderItem mv: msisdn 4477 is already held by mobile-plan service svc-1 (active); a modify cannot move service svc-2 onto it']);
    }
  });

  it('tells whether a service still names an identity claim', () => {
    const s = service('svc-1', 'active', { serviceCharacteristic: [{ name: 'msisdn', valueType: 'string', value: '4477' }] });
    expect(identityStillNamed(s, 'msisdn=4477')).toBe(true);
    expect(identityStillNamed(s, 'msisdn=4400')).toBe(false);
  });
});
