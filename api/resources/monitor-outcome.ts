import type { ServiceInstance } from '../../inventory/service-instance.js';
import { isFinalState } from '../../orders/order-states.js';
import type { ServiceOrder } from '../../orders/service-order.js';
import { tmfErrorBody } from '../../errors/tmf-error-body.js';
import type { Monitor, MonitorState } from '../schemas/service-schemas.js';
import { presentActivationService } from './service-presentation.js';

/** What a TMF640 request asked for; it decides the status code the monitor reports on success. */
export type MonitoredOperation = 'create' | 'modify' | 'terminate';

const JSON_HEADER = [{ name: 'Content-Type', value: 'application/json' }];

/** The errors of the order and its items, one line each: what the caller needs to act on. */
function failureMessage(order: ServiceOrder): string {
  const messages = [...(order.errorMessage ?? []), ...order.serviceOrderItem.flatMap((i) => i.errorMessage ?? [])].map((e) => `${e.code}: ${e.message}`);
  return messages.length > 0 ? [...new Set(messages)].join('; ') : `service order ${order.id} ended ${order.state}`;
}

/**
 * The monitor of a TMF640 request, from the order that carries it out: in progress while the
 * order runs; completed with the service as the response body; in error with a TMF Error body
 * (400 for a rejected request, 500 when the network work failed or was cancelled).
 */
export function monitorOutcome(order: ServiceOrder, service: ServiceInstance | undefined, operation: MonitoredOperation): Pick<Monitor, 'state' | 'response'> & { state: MonitorState } {
  if (!isFinalState(order.state)) return { state: 'inProgress' };
  if (order.state === 'completed') {
    return {
      state: 'completed',
      response: { statusCode: operation === 'create' ? '201' : '200', body: service ? JSON.stringify(presentActivationService(service)) : '', header: JSON_HEADER },
    };
  }
  const status = order.state === 'rejected' ? 400 : 500;
  const code = order.state === 'rejected' ? (order.errorMessage?.[0]?.code ?? 'ORDER_INVALID') : 'ORDER_ITEM_FAILED';
  return { state: 'inError', response: { statusCode: String(status), body: JSON.stringify(tmfErrorBody(status, code, failureMessage(order))), header: JSON_HEADER } };
}

/**
 * The outcome of a monitor whose order no longer exists (lost with the fleet's Redis state, or
 * never stored because its submission failed): in error, since nobody can tell any more what
 * the network work did.
 */
export function orphanedMonitorOutcome(orderId: string, serviceId: string): Pick<Monitor, 'response'> & { state: 'inError' } {
  const message =
    `service order ${orderId}, which carried out this request, no longer exists: it was lost with the fleet's Redis state, or never stored when its submission failed. ` +
    `What the network holds for service ${serviceId} is unknown until its NEs are reconciled with the inventory (activation-fleet reconcile --ne ID).`;
  return { state: 'inError', response: { statusCode: '500', body: JSON.stringify(tmfErrorBody(500, 'MONITOR_ORDER_LOST', message)), header: JSON_HEADER } };
}
