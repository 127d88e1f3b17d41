import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../../inventory/service-instance.js';
import type { ValidatedItem } from '../../orders/order-validation.js';
import { reliedOnConflicts, reliedOnIds } from '../../orders/relied-on-services.js';

const service = (id: string, spec: string, state: ServiceInstance['state'], reliesOn: string[] = []): ServiceInstance => ({
  id,
  href: `/s/${id}`,
  name: id,
  state,
  operatingStatus: 'running',
  serviceSpecification: { id: spec, name: spec, version: '1' },
  serviceCharacteristic: [],
  supportingResource: [],
  serviceRelationship: reliesOn.map((r) => ({ relationshipType: 'reliesOn', service: { id: r } })),
  relatedParty: [],
  serviceOrderItem: [],
  suspension: [],
  startDate: '2026-01-01T00:00:00Z',
  '@type': 'Service',
});
const item = (itemId: string, lifecycle: ValidatedItem['lifecycle'], serviceId: string): ValidatedItem => ({ itemId, specId: 'x', values: {}, lifecycle, serviceId });

const porting = service('svc-port', 'number-porting', 'active');
const plan = service('svc-plan', 'mobile-plan', 'active', ['svc-port']);
const inventory = [porting, plan];
const dependentsOf = (id: string) => inventory.filter((s) => reliedOnIds(s).includes(id));
const check = (items: ValidatedItem[], dependsOn: Record<string, string[]> = {}, canSuspend = (_spec: string) => true) =>
  reliedOnConflicts({ items, indexOf: (id) => items.findIndex((i) => i.itemId === id), dependsOn: new Map(Object.entries(dependsOn)), dependentsOf, canSuspend });

describe('relied-on services', () => {
  it('reads what a service relies on from reliesOn relationships and supportingService', () => {
    expect(reliedOnIds({ ...service('a', 's', 'active', ['b']), supportingService: [{ id: 'c' }, { id: 'b' }] })).toEqual(['b', 'c']);
  });

  it('refuses a delete of a service a live one relies on, naming the field, the dependent and its specification', () => {
    expect(check([item('rm', 'delete', 'svc-port')])).toEqual([
      {
        code: 'ORDER_SERVICE_RELIED_ON',
        message: 'serviceOrderItem[0].service.id: service svc-port is relied on by svc-plan (mobile-plan, active); delete it first, in this order or an earlier one',
        itemId: 'rm',
      },
    ]);
  });

  it('refuses a suspend of it too, and a delete while the dependent is suspended, but not a suspend under a suspended dependent', () => {
    expect(check([item('s', 'suspend', 'svc-port')]).map((r) => r.code)).toEqual(['ORDER_SERVICE_RELIED_ON']);
    inventory[1] = { ...plan, state: 'suspended' };
    try {
      expect(check([item('s', 'suspend', 'svc-port')])).toEqual([]);
      expect(check([item('rm', 'delete', 'svc-port')])[0]?.message).toContain('svc-plan (mobile-plan, suspended)');
    } finally {
      inventory[1] = plan;
    }
  });

  it('lets a suspend pass over a dependent its catalog entry cannot suspend (nothing could suspend it first), but never a delete', () => {
    expect(check([item('s', 'suspend', 'svc-port')], {}, () => false)).toEqual([]);
    expect(check([item('rm', 'delete', 'svc-port')], {}, () => false)).toHaveLength(1);
  });

  it('ignores terminated dependents', () => {
    inventory[1] = { ...plan, state: 'terminated' };
    try {
      expect(check([item('rm', 'delete', 'svc-port')])).toEqual([]);
    } finally {
      inventory[1] = plan;
    }
  });

  it('accepts the order that deletes the dependent first (the relied-on item relies on it), directly or through another item', () => {
    expect(check([item('rm-plan', 'delete', 'svc-plan'), item('rm-port', 'delete', 'svc-port')], { 'rm-port': ['rm-plan'] })).toEqual([]);
    expect(check([item('rm-plan', 'delete', 'svc-plan'), item('mid', 'modify', 'svc-other'), item('rm-port', 'delete', 'svc-port')], { 'rm-port': ['mid'], mid: ['rm-plan'] })).toEqual([]);
    expect(check([item('s-plan', 'suspend', 'svc-plan'), item('s-port', 'suspend', 'svc-port')], { 's-port': ['s-plan'] })).toEqual([]);
  });

  it('refuses the dependent deleted in the wrong order or concurrently, saying which relationship is missing', () => {
    const [reason] = check([item('rm-plan', 'delete', 'svc-plan'), item('rm-port', 'delete', 'svc-port')], { 'rm-plan': ['rm-port'] });
    expect(reason?.message).toBe(
      'serviceOrderItem[1].service.id: service svc-port is relied on by svc-plan (mobile-plan, active), which item rm-plan deletes but not before this item (give this item a reliesOn relationship to rm-plan); delete it first, in this order or an earlier one',
    );
    expect(check([item('rm-plan', 'delete', 'svc-plan'), item('rm-port', 'delete', 'svc-port')])).toHaveLength(1);
  });

  it('does not take a suspend of the dependent as enough for a delete, nor a modify for either', () => {
    expect(check([item('s-plan', 'suspend', 'svc-plan'), item('rm-port', 'delete', 'svc-port')], { 'rm-port': ['s-plan'] })).toHaveLength(1);
    expect(check([item('m-plan', 'modify', 'svc-plan'), item('s-port', 'suspend', 'svc-port')], { 's-port': ['m-plan'] })).toHaveLength(1);
  });
});
