import type { FastifyReply } from 'fastify';
import { matchesAll, valuesAt } from './attribute-filter.js';
import type { CollectionQuery } from './collection-query.js';
import { projectFields } from './field-projection.js';

function sortKey(resource: unknown, path: readonly string[]): string {
  const first = valuesAt(resource, path)[0];
  return first === undefined || first === null ? '' : String(first);
}

/** Sorted copy; ties keep the source order (newest first for every fleet collection). */
export function sortResources<T>(resources: readonly T[], sort: CollectionQuery['sort']): T[] {
  if (sort.length === 0) return [...resources];
  return [...resources].sort((a, b) => {
    for (const { path, descending } of sort) {
      const x = sortKey(a, path);
      const y = sortKey(b, path);
      const order = x.localeCompare(y, 'en', { numeric: true });
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}

/** X-Total-Count (all that match) and X-Result-Count (this page), then the page itself. */
export function sendPage(reply: FastifyReply, page: unknown[], total: number, query: CollectionQuery, always?: readonly string[]): FastifyReply {
  return reply
    .header('x-total-count', String(total))
    .header('x-result-count', String(page.length))
    .send(page.map((r) => projectFields(r, query.fields, always)));
}

/** The whole TMF630 pipeline over resources already in memory: filter, sort, page, project. */
export function sendCollection<T>(reply: FastifyReply, resources: readonly T[], query: CollectionQuery, present: (r: T) => unknown, always?: readonly string[]): FastifyReply {
  const presented = resources.map(present).filter((r) => matchesAll(r, query.filters));
  const sorted = sortResources(presented, query.sort);
  return sendPage(reply, sorted.slice(query.offset, query.offset + query.limit), sorted.length, query, always);
}
