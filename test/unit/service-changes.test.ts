import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../../inventory/service-instance.js';
import { networkActionFor, serviceAfterCompletion, serviceAfterRollback, type ServiceChange } from '../../inventory/service-changes.js';
import type { ServiceRequest } from '../../inventory/service-request.js';
import type { ItemRuntime } from '../../orders/order-record.js';

const request = (extra: Partial<ServiceRequest> = {}): ServiceRequest => ({
  attributes: { name: 'My plan', place: [{ id: 'site-1', role: 'installation' }], '@type': 'MobilePlan' },
  characteristicAttributes: { plan: { valueType: 'string', id: 'c1', '@type': 'StringCharacteristic' } },
  orderRelatedParty: [{ id: 'cust-1', role: 'customer' }],
  supportingServiceIds: ['port-1'],
  catalog: { name: 'Mobile plan', version: '1.0', category: 'CFS', description: 'A plan' },
  ...extra,
});

const runtime = (lifecycle: ItemRuntime['lifecycle'], extra: Partial<ItemRuntime> = {}): ItemRuntime => ({
  specId: 'mobile-plan',
  values: { plan: 'gold', dataCapGb: 20 },
  lifecycle,
  serviceId: 's1',
  phase: 'activating',
  dependsOn: [],
  attempts: 1,
  ...extra,
});

const change = (rt: ItemRuntime, itemAction = 'add'): ServiceChange => ({
  orderId: 'o1',
  itemId: 'i1',
  itemAction,
  runtime: rt,
  specification: { id: 'mobile-plan', name: 'Mobile plan', version: '1.0' },
  nes: [{ id: 'pcrf-1', role: 'pcrf' }],
  reliesOn: [],
  customerId: 'cust-1',
  now: '2030-01-01T00:00:00.000Z',
  href: '/tmf-api/serviceInventory/v4/service/s1',
});

describe('service records from order items', () => {
  it('creates a record with what was posted, the catalog, the order and the network', () => {
    const created = serviceAfterCompletion(undefined, change(runtime('add', { service: request() })), 'x');
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
    const designedRt = runtime('noChange', { service: request({ recordedState: 'designed' }) });
    expect(networkActionFor(designedRt, undefined)).toBe('none');
    const designed = serviceAfterCompletion(undefined, change(designedRt), 'x');
    expect(designed).toMatchObject({ state: 'designed', operatingStatus: 'pending' });

    const activateRt = runtime('add', { values: { plan: 'silver', dataCapGb: 20 }, previousValues: { plan: 'gold', dataCapGb: 20 }, service: request({ attributes: {}, characteristicAttributes: {}, previousState: 'designed', recordedService: designed }) });
    expect(networkActionFor(activateRt, undefined)).toBe('add');
    const active = serviceAfterCompletion(undefined, change(activateRt, 'modify'), 'x');
    expect(active).toMatchObject({ id: 's1', name: 'My plan', state: 'active', operatingStatus: 'running', place: designed.place });
    expect(active.serviceCharacteristic[0]).toEqual({ name: 'plan', valueType: 'string', value: 'silver', id: 'c1', '@type': 'StringCharacteristic' });
    expect(active.serviceOrderItem).toHaveLength(2);

    const back = serviceAfterRollback(active, change(activateRt, 'modify'));
    expect(back).toMatchObject({ state: 'designed', operatingStatus: 'pending' });
    expect(back.serviceCharacteristic.map((c) => c.value)).toEqual(['gold', 20]);
  });

  it('ends a recorded service without a device, and keeps a modify\'s references beside the fleet\'s own', () => {
    const designed = serviceAfterCompletion(undefined, change(runtime('noChange', { service: request({ recordedState: 'reserved' }) })), 'x');
    const ended = serviceAfterCompletion(designed, change(runtime('noChange', { service: request({ attributes: {}, previousState: 'reserved' }) }), 'delete'), 'x');
    expect(ended).toMatchObject({ state: 'terminated', operatingStatus: 'stopped', endDate: '2030-01-01T00:00:00.000Z' });

    const active: ServiceInstance = serviceAfterCompletion(undefined, change(runtime('add', { service: request() })), 'x');
    const described = serviceAfterCompletion(active, change(runtime('noChange', { service: request({ attributes: { supportingResource: [{ id: 'rack-1' }], description: 'New' } }) }), 'modify'), 'x');
    expect(described.description).toBe('New');
    expect(described.supportingResource.map((r) => r.id)).toEqual(['rack-1', 'pcrf-1']);
  });
});
