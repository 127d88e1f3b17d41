import { parseAttributeFilter, type AttributeFilter } from './attribute-filter.js';
import { parseFields } from './field-projection.js';
import { badRequest } from './tmf-http-error.js';

/** What a TMF630 collection GET asks for: projection, filters and one page. */
export interface CollectionQuery {
  fields?: string[];
  /** `sort=-orderDate,id`: attribute paths, `-` for descending. */
  sort: Array<{ path: string[]; descending: boolean }>;
  filters: AttributeFilter[];
  offset: number;
  limit: number;
}

/** Parameters that steer the query itself, never attribute filters. */
const RESERVED = new Set(['fields', 'offset', 'limit', 'sort']);

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

function parseSort(raw: string | string[] | undefined): CollectionQuery['sort'] {
  if (raw === undefined) return [];
  if (Array.isArray(raw)) throw badRequest('sort: give it once, as a comma-separated list');
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const descending = s.startsWith('-');
      const path = s.replace(/^[-+]/, '').split('.');
      if (!path.every((p) => /^[A-Za-z@_][A-Za-z0-9@_-]*$/.test(p))) throw badRequest(`sort: ${s} is not an attribute path`);
      return { path, descending };
    });
}

function integer(name: string, raw: string | string[] | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Array.isArray(raw) ? undefined : raw.trim();
  if (value === undefined || !/^\d+$/.test(value) || Number(value) > max) throw badRequest(`${name}: must be an integer from 0 to ${max}`);
  return Number(value);
}

export function parseCollectionQuery(query: Record<string, string | string[] | undefined>): CollectionQuery {
  const fields = parseFields(query.fields);
  const filters = Object.entries(query)
    .filter(([key, value]) => !RESERVED.has(key.trim()) && value !== undefined)
    .map(([key, value]) => parseAttributeFilter(key, value as string | string[]));
  return {
    ...(fields ? { fields } : {}),
    filters,
    sort: parseSort(query.sort),
    offset: integer('offset', query.offset, 0, Number.MAX_SAFE_INTEGER),
    limit: integer('limit', query.limit, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT),
  };
}

/** `fields=` on a single-resource GET: the only query parameter it takes. */
export function parseSingleQuery(query: Record<string, string | string[] | undefined>): string[] | undefined {
  return parseFields(query.fields);
}
