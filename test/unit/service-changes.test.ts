import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../../inventory/service-instance.js';
import { resolveRun, serviceAfterCompletion, serviceAfterRollback, type ServiceChange } from '../../orders/service-changes.js';
import type { ServiceRequest } from '../../inventory/service-request.js';
import type { ItemRun, ItemSpec } from '../../orders/order-record.js';

const request = (extra: Partial<ServiceRequest> = {}): ServiceRequest => ({
  attributes: { name: 'My plan', place: [{ id: 'site-1', role: 'installation' }], '@type': 'MobilePlan' },
  characteristicAttributes: { plan: { valueType: 'string', id: 'c1', '@type': 'StringCharacteristic' } },
  orderRelatedParty: [{ id: 'cust-1', role: 'customer' }],
  supportingServiceIds: ['port-1'],
  catalog: { version: '1.0', hash: 'h1' },
  ...extra,
});

const spec = (lifecycle: ItemSpec['lifecycle'], extra: Partial<ItemSpec> = {}): ItemSpec => ({
  specId: 'mobile-plan',
  values: { plan: 'gold', dataCapGb: 20 },
  lifecycle,
  serviceId: 's1',
  dependsOn: [],
  reliesOn: [],
  customerId: 'cust-1',
  ...extra,
});

/** The item's run as the worker resolves it from the service it reads. */
const runOf = (s: ItemSpec, service: ServiceInstance | undefined): ItemRun => ({ ...resolveRun(s, service, 'susp-1'), steps: [] });

const change = (s: ItemSpec, run: ItemRun, itemAction = 'add'): ServiceChange => ({
  orderId: 'o1',
  itemId: 'i1',
  itemAction,
  spec: s,
  run,
  specification: { id: 'mobile-plan', name: 'Mobile plan', version: '1.0' },
  // The catalog entry's text, read by the worker where the item's reference matched it.
  catalogText: { category: 'CFS', description: 'A plan' },
  nes: [{ id: 'pcrf-1', role: 'pcrf' }],
  now: '2030-01-01T00:00:00.000Z',
  href: '/tmf-api/serviceInventory/v4/service/s1',
});

describe('service records from order items', () => {
  it('creates a record with what was posted, the catalog, the order and the network', () => {
    const s = spec('add', { service: request() });
    const created = serviceAfterCompletion(undefined, change(s, runOf(s, undefined)));
    expect(created).toMatchObject({
      id: 's1',
      name: 'My plan',
      description: 'A plan',
      category: 'CFS',
      state: 'active',
      '@type': 'MobilePlan',
      place: [{ id: 'site-1', role: 'installation' }],
      relatedParty: [{ id: 'cust-1', role: 'customer' }],
      supportingService: [{ id: 'port-1', '@referredType': 'Service' }],
      supportingResource: [{ id: 'pcrf-1', name: 'pcrf', '@referredType': 'PhysicalResource' }],
    });
    expect(created.serviceCharacteristic).toEqual([
      { name: 'plan', valueType: 'string', value: 'gold', id: 'c1', '@type': 'StringCharacteristic' },
      { name: 'dataCapGb', valueType: 'integer', value: 20 },
    ]);
  });

  it('records a designed service without a device, activates it later from its record, and rolls that back', () => {
    const designedSpec = spec('noChange', { service: request({ recordedState: 'designed' }) });
    expect(resolveRun(designedSpec, undefined, 'x').networkAction).toBe('none');
    const designed = serviceAfterCompletion(undefined, change(designedSpec, runOf(designedSpec, undefined)));
    expect(designed).toMatchObject({ state: 'designed', operatingStatus: 'pending' });

    // Activating reads the record as the inventory holds it when the item runs.
    const activateSpec = spec('add', { values: { plan: 'silver', dataCapGb: 20 }, service: request({ attributes: {}, characteristicAttributes: {}, previousState: 'designed' }) });
    const activateRun = runOf(activateSpec, designed);
    expect(activateRun.networkAction).toBe('add');
    expect(activateRun.previousValues).toEqual({ plan: 'gold', dataCapGb: 20 });
    const active = serviceAfterCompletion(designed, change(activateSpec, activateRun, 'modify'));
    expect(active).toMatchObject({ id: 's1', name: 'My plan', state: 'active', operatingStatus: 'running', place: designed.place });
    expect(active.serviceCharacteristic[0]).toEqual({ name: 'plan', valueType: 'string', value: 'silver', id: 'c1', '@type': 'StringCharacteristic' });
    expect(active.serviceOrderItem).toHaveLength(2);

    const back = serviceAfterRollback(active, change(activateSpec, activateRun, 'modify'));
    expect(back).toMatchObject({ state: 'designed', operatingStatus: 'pending' });
    expect(back.serviceCharacteristic.map((c) => c.value)).toEqual(['gold', 20]);
  });

  it("ends a recorded service without a device, and keeps a modify's references beside the fleet's own", () => {
    const reservedSpec = spec('noChange', { service: request({ recordedState: 'reserved' }) });
    const reserved = serviceAfterCompletion(undefined, change(reservedSpec, runOf(reservedSpec, undefined)));
    const endSpec = spec('noChange', { values: {}, service: request({ attributes: {}, previousState: 'reserved' }) });
    const ended = serviceAfterCompletion(reserved, change(endSpec, runOf(endSpec, reserved), 'delete'));
    expect(ended).toMatchObject({ state: 'terminated', operatingStatus: 'stopped', endDate: '2030-01-01T00:00:00.000Z' });

    const addSpec = spec('add', { service: request() });
    const active: ServiceInstance = serviceAfterCompletion(undefined, change(addSpec, runOf(addSpec, undefined)));
    const describeSpec = spec('noChange', { values: {}, service: request({ attributes: { supportingResource: [{ id: 'rack-1' }], description: 'New' } }) });
    const described = serviceAfterCompletion(active, change(describeSpec, runOf(describeSpec, active), 'modify'));
    expect(described.description).toBe('New');
    expect(described.supportingResource.map((r) => r.id)).toEqual(['rack-1', 'pcrf-1']);
  });

  it('decides a modify from the inventory when it runs: the given values over the current ones', () => {
    const current = serviceAfterCompletion(undefined, change(spec('add'), runOf(spec('add'), undefined)));
    const later = { ...current, serviceCharacteristic: [...current.serviceCharacteristic.filter((c) => c.name !== 'dataCapGb'), { name: 'dataCapGb', valueType: 'integer', value: 50 }] };
    const modify = spec('modify', { values: { plan: 'silver' } });
    // Another order raised the cap after this one was accepted: the cap it finds is kept.
    expect(runOf(modify, later)).toMatchObject({ networkAction: 'modify', values: { plan: 'silver', dataCapGb: 50 }, previousValues: { plan: 'gold', dataCapGb: 50 } });
  });

  it('refuses a run whose service moved on: terminated meanwhile, or its suspension already lifted', () => {
    const current = serviceAfterCompletion(undefined, change(spec('add'), runOf(spec('add'), undefined)));
    const terminated: ServiceInstance = { ...current, state: 'terminated' };
    expect(() => resolveRun(spec('modify', { values: { plan: 'silver' } }), terminated, 'x')).toThrow(/terminated/);
    expect(() => resolveRun(spec('resume', { suspension: { reason: 'nonPayment' } }), current, 'x')).toThrow(/no longer has an active nonPayment suspension/);
  });
});
