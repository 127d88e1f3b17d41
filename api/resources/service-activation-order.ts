import { activeSuspensions, type ServiceInstance } from '../../inventory/service-instance.js';
import { isRecordedOnlyState } from '../../inventory/service-request.js';
import { SUSPENSION_CHARACTERISTICS } from '../../orders/order-validation.js';
import type { Characteristic, ServiceOrderInput } from '../../orders/service-order.js';
import { badRequest } from '../http/tmf-http-error.js';
import type { ServiceCreate, ServiceUpdate } from '../schemas/service-schemas.js';
import type { MonitoredOperation } from './monitor-outcome.js';

/**
 * TMF640 requests as the one-item TMF641 orders that carry them out: every activation goes
 * through the same validation, qualification, execution and rollback as any order.
 */
export interface LifecycleOrder {
  order: ServiceOrderInput;
  operation: MonitoredOperation;
}

/** Suspensions the API asks for when the caller names no reason. */
export const DEFAULT_SUSPENSION = { reason: 'voluntary', initiator: 'customer' } as const;

/**
 * The order of a Service_Create: one add item whose service is what was posted, under the id
 * the API chose. A state before active (feasibilityChecked, designed, reserved, inactive) makes
 * the item record the service without touching a device.
 */
export function activationOrder(body: ServiceCreate, ids: { orderId: string; serviceId: string }): LifecycleOrder {
  const service = { ...body, id: ids.serviceId } as ServiceOrderInput['serviceOrderItem'][number]['service'];
  return {
    operation: 'create',
    order: {
      id: ids.orderId,
      description: `TMF640 ${body.state === 'active' ? 'activation' : `creation (${body.state})`} of service ${ids.serviceId}`,
      ...(body.relatedParty ? { relatedParty: body.relatedParty } : {}),
      serviceOrderItem: [{ id: 'activate', action: 'add', service }],
    },
  };
}

function split(characteristics: readonly Characteristic[] = []): { suspension: Map<string, Characteristic>; values: Characteristic[] } {
  const names: readonly string[] = SUSPENSION_CHARACTERISTICS;
  return {
    suspension: new Map(characteristics.filter((c) => names.includes(c.name)).map((c) => [c.name, c])),
    values: characteristics.filter((c) => !names.includes(c.name)),
  };
}

const item = (id: string, action: 'modify' | 'delete', service: Record<string, unknown>): ServiceOrderInput['serviceOrderItem'][number] => ({
  id,
  action,
  service: service as ServiceOrderInput['serviceOrderItem'][number]['service'],
});

/**
 * The order a PATCH (or DELETE) of a service needs, or undefined when it changes nothing.
 * State and characteristic values cannot change in one request: they are different lifecycle
 * operations with different rollbacks.
 */
export function lifecycleOrder(service: ServiceInstance, change: ServiceUpdate | 'terminate', orderId: string): LifecycleOrder | undefined {
  const order = (operation: MonitoredOperation, i: ServiceOrderInput['serviceOrderItem'][number]): LifecycleOrder => ({
    operation,
    order: { id: orderId, description: `TMF640 ${i.id} of service ${service.id}`, serviceOrderItem: [i] },
  });
  if (change === 'terminate') return order('terminate', item('terminate', 'delete', { id: service.id }));
  const { state, serviceCharacteristic, serviceSpecification, ...attributes } = change;
  if (serviceSpecification !== undefined && serviceSpecification.id !== service.serviceSpecification.id) {
    throw badRequest(`serviceSpecification: service ${service.id} is a ${service.serviceSpecification.id}; a service cannot change specification`);
  }
  const described = Object.keys(attributes).length > 0;
  const { suspension, values } = split(serviceCharacteristic);
  if (state !== undefined && values.length > 0 && !isRecordedOnlyState(service.state)) throw badRequest('serviceCharacteristic: change state and characteristic values in separate requests');
  if ((state !== undefined || values.length > 0) && described) {
    throw badRequest(`${Object.keys(attributes).join(', ')}: change the record's attributes and its state or values in separate requests`);
  }
  if (isRecordedOnlyState(service.state) && state !== undefined) {
    // Not yet on a device: active configures it (with any values given), a state before
    // active only records it, terminated ends the record.
    if (suspension.size > 0 || state === 'suspended') throw badRequest(`state: service ${service.id} is ${service.state}, not active: it cannot be suspended or resumed`);
    if (state === 'terminated') return order('terminate', item('terminate', 'delete', { id: service.id }));
    if (state !== 'active' && !isRecordedOnlyState(state)) throw badRequest(`state: ${state} cannot be requested of a ${service.state} service`);
    return order('modify', item(state === 'active' ? 'activate' : 'record', 'modify', { id: service.id, state, ...(values.length > 0 ? { serviceCharacteristic: values } : {}) }));
  }
  if (state === undefined || (state === 'active' && service.state === 'active' && suspension.size === 0)) {
    if (suspension.size > 0) throw badRequest('serviceCharacteristic: suspensionReason and suspensionInitiator go with state suspended or active');
    if (described) return order('modify', item('describe', 'modify', { id: service.id, ...attributes }));
    return values.length === 0 ? undefined : order('modify', item('modify', 'modify', { id: service.id, serviceCharacteristic: values }));
  }
  switch (state) {
    case 'terminated':
      return order('terminate', item('terminate', 'delete', { id: service.id }));
    case 'suspended': {
      const characteristics = [
        suspension.get('suspensionReason') ?? { name: 'suspensionReason', value: DEFAULT_SUSPENSION.reason },
        suspension.get('suspensionInitiator') ?? { name: 'suspensionInitiator', value: DEFAULT_SUSPENSION.initiator },
      ];
      return order('modify', item('suspend', 'modify', { id: service.id, state: 'suspended', serviceCharacteristic: characteristics }));
    }
    case 'active': {
      const held = activeSuspensions(service);
      const reason = suspension.get('suspensionReason');
      if (!reason && held.length !== 1) {
        throw badRequest(`serviceCharacteristic: name the suspension to lift with suspensionReason (active: ${held.map((s) => `${s.reason} by ${s.initiator}`).join(', ') || 'none'})`);
      }
      const characteristics = reason ? [...suspension.values()] : [{ name: 'suspensionReason', value: held[0]?.reason ?? '' }];
      return order('modify', item('resume', 'modify', { id: service.id, state: 'active', serviceCharacteristic: characteristics }));
    }
    default:
      throw badRequest(`state: ${state} cannot be requested; use suspended, active or terminated`);
  }
}
