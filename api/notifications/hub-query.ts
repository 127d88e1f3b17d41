import { matchesAll, parseAttributeFilter, type AttributeFilter } from '../http/attribute-filter.js';
import { badRequest, TmfHttpError } from '../http/tmf-http-error.js';
import type { ApiName } from '../api-paths.js';
import { EVENT_TYPES, type TmfNotification } from './tmf-notification.js';

/**
 * A listener's `query` (TMF630): `eventType=ServiceOrderStateChangeEvent,ServiceOrderCreateEvent`
 * picks event types, any other `path=value` filters on the notification itself
 * (`event.serviceOrder.state=completed`). Spaces around names and values are ignored, as in
 * the TMF user guides' `eventType = ServiceOrderCreateEvent`.
 */
export interface HubQuery {
  eventTypes?: string[];
  filters: AttributeFilter[];
}

export function parseHubQuery(api: ApiName, query: string | undefined): HubQuery {
  if (query === undefined || query.trim() === '') return { filters: [] };
  const filters: AttributeFilter[] = [];
  let eventTypes: string[] | undefined;
  for (const part of query.trim().replace(/^\?/, '').split('&')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw badRequest(`query: "${part.trim()}" is not name=value`);
    const name = decodeURIComponent(part.slice(0, eq)).trim();
    const value = decodeURIComponent(part.slice(eq + 1)).trim();
    if (name === 'eventType') {
      eventTypes = value.split(',').map((v) => v.trim());
      const unknown = eventTypes.filter((t) => !EVENT_TYPES[api].includes(t));
      if (unknown.length > 0) throw badRequest(`query: eventType ${unknown.join(', ')} is not an event of this API (${EVENT_TYPES[api].join(', ')})`);
      continue;
    }
    try {
      filters.push(parseAttributeFilter(name, value));
    } catch (error) {
      throw error instanceof TmfHttpError ? badRequest(`query: ${error.message}`) : error;
    }
  }
  return { ...(eventTypes ? { eventTypes } : {}), filters };
}

export function matchesHubQuery(query: HubQuery, notification: TmfNotification): boolean {
  if (query.eventTypes && !query.eventTypes.includes(notification.eventType)) return false;
  return matchesAll(notification, query.filters);
}
