import { describe, expect, it } from 'vitest';
import { cancelTaskStateFor, isTaskProgress } from '../../api/resources/cancel-task-state.js';
import { monitorOutcome } from '../../api/resources/monitor-outcome.js';
import { activationOrder, lifecycleOrder } from '../../api/resources/service-activation-order.js';
import type { ServiceInstance } from '../../inventory/service-instance.js';
import type { ServiceOrder } from '../../orders/service-order.js';

function service(overrides: Partial<ServiceInstance> = {}): ServiceInstance {
  return {
    id: 's1',
    href: '/s1',
    name: 'plan s1',
    state: 'active',
    operatingStatus: 'running',
    serviceSpecification: { id: 'mobile-plan', name: 'Mobile plan', version: '1' },
    serviceCharacteristic: [{ name: 'plan', valueType: 'string', value: 'gold' }],
    supportingResource: [],
    serviceRelationship: [],
    relatedParty: [],
    serviceOrderItem: [],
    suspension: [],
    startDate: '2024-01-01T00:00:00Z',
    '@type': 'Service',
    ...overrides,
  };
}

const suspension = (reason: string, initiator: string) => ({ id: reason, reason, initiator, startDate: 'x', serviceOrderItem: { serviceOrderId: 'o', itemId: 'i' } });
const order = (state: ServiceOrder['state'], extra: Partial<ServiceOrder> = {}): ServiceOrder =>
  ({ id: 'o1', href: '/o1', state, orderDate: 'x', serviceOrderItem: [], '@type': 'ServiceOrder', ...extra }) as ServiceOrder;

describe('TMF640 requests as orders', () => {
  it('creates with an add of the new service id carrying what was posted, the customer on the order', () => {
    const { order: built, operation } = activationOrder(
      { state: 'active', serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: [{ name: 'plan', value: 'gold' }], relatedParty: [{ id: 'c1' }], '@type': 'Service' },
      { orderId: 'o1', serviceId: 's1' },
    );
    expect(operation).toBe('create');
    expect(built).toMatchObject({ id: 'o1', relatedParty: [{ id: 'c1' }], serviceOrderItem: [{ id: 'activate', action: 'add', service: { id: 's1', serviceSpecification: { id: 'mobile-plan' } } }] });
    expect(built.serviceOrderItem[0]?.service).toMatchObject({ '@type': 'Service', state: 'active' });
    const designed = activationOrder({ state: 'designed', serviceSpecification: { id: 'x' } }, { orderId: 'o', serviceId: 's' });
    expect(designed.order.serviceOrderItem[0]).toMatchObject({ action: 'add', service: { id: 's', state: 'designed' } });
  });

  it('maps state changes onto suspend, resume, modify and delete items', () => {
    expect(lifecycleOrder(service(), { state: 'suspended' }, 'o')?.order.serviceOrderItem[0]).toEqual({
      id: 'suspend',
      action: 'modify',
      service: { id: 's1', state: 'suspended', serviceCharacteristic: [{ name: 'suspensionReason', value: 'voluntary' }, { name: 'suspensionInitiator', value: 'customer' }] },
    });
    const held = service({ state: 'suspended', suspension: [suspension('fraud', 'operator')] });
    expect(lifecycleOrder(held, { state: 'active' }, 'o')?.order.serviceOrderItem[0]?.service.serviceCharacteristic).toEqual([{ name: 'suspensionReason', value: 'fraud' }]);
    const twice = service({ state: 'suspended', suspension: [suspension('fraud', 'operator'), suspension('voluntary', 'customer')] });
    expect(() => lifecycleOrder(twice, { state: 'active' }, 'o')).toThrow(/name the suspension to lift .*fraud by operator, voluntary by customer/);
    expect(lifecycleOrder(service(), { serviceCharacteristic: [{ name: 'plan', value: 'silver' }] }, 'o')?.order.serviceOrderItem[0]).toMatchObject({ action: 'modify', service: { id: 's1', serviceCharacteristic: [{ name: 'plan', value: 'silver' }] } });
    expect(lifecycleOrder(service(), { state: 'terminated' }, 'o')).toMatchObject({ operation: 'terminate', order: { serviceOrderItem: [{ action: 'delete', service: { id: 's1' } }] } });
    expect(lifecycleOrder(service(), 'terminate', 'o')?.operation).toBe('terminate');
    expect(lifecycleOrder(service(), { state: 'active' }, 'o')).toBeUndefined();
    expect(() => lifecycleOrder(service(), { state: 'suspended', serviceCharacteristic: [{ name: 'plan', value: 'x' }] }, 'o')).toThrow(/separate requests/);
    expect(() => lifecycleOrder(service(), { state: 'reserved' }, 'o')).toThrow(/state: reserved cannot be requested/);
  });
});

describe('monitor and cancel task states', () => {
  it('settle the monitor from the order, with the service or a TMF Error as the response', () => {
    expect(monitorOutcome(order('inProgress'), undefined, 'create')).toEqual({ state: 'inProgress' });
    const done = monitorOutcome(order('completed'), service(), 'create');
    expect(done.state).toBe('completed');
    expect(done.response?.statusCode).toBe('201');
    expect(JSON.parse(done.response?.body ?? '{}')).toMatchObject({ id: 's1', href: '/tmf-api/ServiceActivationAndConfiguration/v4/service/s1' });
    expect(monitorOutcome(order('completed'), service(), 'modify').response?.statusCode).toBe('200');
    const rejected = monitorOutcome(order('rejected', { errorMessage: [{ code: 'ORDER_SERVICE_EXISTS', message: 'exists', reason: 'r', timestamp: 't' }] }), undefined, 'create');
    expect(rejected.state).toBe('inError');
    expect(JSON.parse(rejected.response?.body ?? '{}')).toMatchObject({ code: 'ORDER_SERVICE_EXISTS', status: '400', message: 'ORDER_SERVICE_EXISTS: exists' });
    expect(monitorOutcome(order('failed'), undefined, 'create').response?.statusCode).toBe('500');
  });

  it('move a cancel task only forward through its TaskStateType lifecycle', () => {
    expect(cancelTaskStateFor(order('acknowledged')).state).toBe('accepted');
    expect(cancelTaskStateFor(order('assessingCancellation')).state).toBe('inProgress');
    expect(cancelTaskStateFor(order('pendingCancellation')).state).toBe('inProgress');
    expect(cancelTaskStateFor(order('cancelled', { completionDate: 'when' }))).toMatchObject({ state: 'done', effectiveCancellationDate: 'when' });
    expect(cancelTaskStateFor(order('completed'))).toMatchObject({ state: 'terminatedWithError', completionMessage: expect.stringContaining('ended completed') });
    expect(isTaskProgress('accepted', 'inProgress')).toBe(true);
    expect(isTaskProgress('inProgress', 'accepted')).toBe(false);
    expect(isTaskProgress('done', 'terminatedWithError')).toBe(false);
  });
});
