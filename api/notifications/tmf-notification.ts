import { randomUUID } from 'node:crypto';
import { API_BASES, type ApiName } from '../api-paths.js';

/** A TMF notification as POSTed to listeners (the common shape of every TMF v4 *Event). */
export interface TmfNotification {
  eventId: string;
  eventTime: string;
  eventType: string;
  correlationId: string;
  domain: string;
  title: string;
  description: string;
  timeOcurred: string;
  fieldPath?: string;
  event: Record<string, unknown>;
}

export function tmfNotification(
  eventType: string,
  payload: Record<string, unknown>,
  options: { correlationId: string; title: string; description: string; fieldPath?: string; now?: string },
): TmfNotification {
  const now = options.now ?? new Date().toISOString();
  return {
    eventId: randomUUID(),
    eventTime: now,
    eventType,
    correlationId: options.correlationId,
    domain: domainOf(eventType),
    title: options.title,
    description: options.description,
    timeOcurred: now,
    ...(options.fieldPath ? { fieldPath: options.fieldPath } : {}),
    event: payload,
  };
}

const TITLES: Record<string, string> = {
  ServiceOrderCreateEvent: 'Service order created',
  ServiceOrderStateChangeEvent: 'Service order state changed',
  ServiceOrderAttributeValueChangeEvent: 'Service order changed',
  ServiceOrderJeopardyEvent: 'Service order in jeopardy',
};

/**
 * A notification as listeners get it, from an entry of a stream. The order events stream keeps
 * them slim (what changed, not how to say it); the fields every TMF event carries are filled in
 * here, off the workers' path: the correlation id (the resource's id), the domain, a title, the
 * time it occurred.
 */
export function completeNotification(stored: Partial<TmfNotification> & Pick<TmfNotification, 'eventId' | 'eventTime' | 'eventType' | 'event'>): TmfNotification {
  const resource = Object.values(stored.event)[0] as { id?: unknown; href?: unknown } | undefined;
  const order = stored.event.serviceOrder as { id?: unknown; href?: unknown } | undefined;
  const event = order && order.href === undefined && typeof order.id === 'string' ? { ...stored.event, serviceOrder: { ...order, href: `${API_BASES.serviceOrdering}/serviceOrder/${order.id}` } } : stored.event;
  return {
    ...stored,
    event,
    correlationId: stored.correlationId ?? (typeof resource?.id === 'string' ? resource.id : stored.eventId),
    domain: stored.domain ?? domainOf(stored.eventType),
    title: stored.title ?? TITLES[stored.eventType] ?? stored.eventType,
    description: stored.description ?? stored.eventType,
    timeOcurred: stored.timeOcurred ?? stored.eventTime,
  };
}

/** Which API's hub a notification belongs to: a listener registers with one API and hears its events. */
export function apisOf(eventType: string): ApiName[] {
  if (eventType.startsWith('ServiceOrder')) return ['serviceOrdering', 'serviceOrderingV3'];
  if (eventType.startsWith('CancelServiceOrder')) return ['serviceOrdering'];
  if (eventType.startsWith('Monitor')) return ['serviceActivation'];
  if (eventType.startsWith('Service')) return ['serviceActivation', 'serviceInventory'];
  return [];
}

function domainOf(eventType: string): string {
  return apisOf(eventType)[0] ?? 'tmf';
}

/** The event types each API's hub can deliver; a query filter naming another is refused. */
export const EVENT_TYPES: Record<ApiName, readonly string[]> = {
  serviceOrdering: [
    'ServiceOrderCreateEvent',
    'ServiceOrderStateChangeEvent',
    'ServiceOrderAttributeValueChangeEvent',
    'ServiceOrderDeleteEvent',
    'ServiceOrderJeopardyEvent',
    'ServiceOrderMilestoneEvent',
    'CancelServiceOrderCreateEvent',
    'CancelServiceOrderStateChangeEvent',
  ],
  serviceOrderingV3: ['ServiceOrderCreateEvent', 'ServiceOrderStateChangeEvent', 'ServiceOrderAttributeValueChangeEvent', 'ServiceOrderDeleteEvent', 'ServiceOrderJeopardyEvent', 'ServiceOrderMilestoneEvent'],
  serviceActivation: [
    'ServiceCreateEvent',
    'ServiceStateChangeEvent',
    'ServiceAttributeValueChangeEvent',
    'MonitorCreateEvent',
    'MonitorStateChangeEvent',
  ],
  serviceInventory: ['ServiceCreateEvent', 'ServiceStateChangeEvent', 'ServiceAttributeValueChangeEvent'],
};
