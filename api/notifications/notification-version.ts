import type { ServiceOrder } from '../../orders/service-order.js';
import type { ApiName } from '../api-paths.js';
import { serviceOrderToV3 } from '../v3/service-order-v3.js';
import type { TmfNotification } from './tmf-notification.js';

/** A notification in the version of the API its listener registered with: a v3 hub hears v3 orders. */
export function notificationFor(api: ApiName, notification: TmfNotification): TmfNotification {
  const order = notification.event.serviceOrder as ServiceOrder | undefined;
  if (api !== 'serviceOrderingV3' || order === undefined || !Array.isArray(order.serviceOrderItem)) return notification;
  return { ...notification, event: { ...notification.event, serviceOrder: serviceOrderToV3(order) } };
}
