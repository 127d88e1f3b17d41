import { badRequest } from './tmf-http-error.js';

/**
 * TMF630 attribute filtering: `state=active`, `serviceSpecification.id=mobile-plan`,
 * `state=active,suspended` (any of), and the comparison suffixes `.gt .gte .lt .lte .ne .eq`
 * (`orderDate.gte=2024-01-01T00:00:00Z`). A path through an array matches when any element
 * matches, so `serviceOrderItem.state=failed` finds orders with a failed item.
 */
export type FilterOperator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';

export interface AttributeFilter {
  path: string[];
  operator: FilterOperator;
  /** Any of these (for eq); all of these must differ (for ne); the bound (for comparisons). */
  values: string[];
}

const OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']);
const PATH_PART = /^[A-Za-z@_][A-Za-z0-9@_-]*$/;

export function parseAttributeFilter(key: string, raw: string | string[]): AttributeFilter {
  const parts = key.trim().split('.');
  const last = parts.at(-1) ?? '';
  const operator = parts.length > 1 && OPERATORS.has(last) ? (last as FilterOperator) : 'eq';
  const path = operator === 'eq' && last !== 'eq' ? parts : parts.slice(0, -1);
  if (path.length === 0 || !path.every((p) => PATH_PART.test(p))) throw badRequest(`${key}: is not an attribute path (e.g. state or serviceSpecification.id)`);
  // A value in double quotes (`priority="1"`, as some clients send) is the text inside them.
  const values = (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .map((v) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v));
  if (values.length === 0 || values.some((v) => v === '')) throw badRequest(`${key}: needs a value`);
  if (operator !== 'eq' && operator !== 'ne' && values.length > 1) throw badRequest(`${key}: takes one value`);
  return { path, operator, values };
}

/** Every leaf value at `path`, stepping into arrays on the way. */
export function valuesAt(resource: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [resource];
  for (const part of path) {
    current = current
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object')
      .map((v) => v[part])
      .filter((v) => v !== undefined);
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

/** Numbers compare as numbers, ISO dates as instants, everything else as text. */
function compare(actual: string, bound: string): number {
  const a = Number(actual);
  const b = Number(bound);
  if (actual.trim() !== '' && bound.trim() !== '' && Number.isFinite(a) && Number.isFinite(b)) return a - b;
  const da = Date.parse(actual);
  const db = Date.parse(bound);
  if (/^\d{4}-\d\d-\d\d/.test(actual) && /^\d{4}-\d\d-\d\d/.test(bound) && Number.isFinite(da) && Number.isFinite(db)) return da - db;
  return actual < bound ? -1 : actual > bound ? 1 : 0;
}

export function matchesFilter(resource: unknown, filter: AttributeFilter): boolean {
  const found = valuesAt(resource, filter.path)
    .filter((v) => v === null || typeof v !== 'object')
    .map((v) => String(v));
  const bound = filter.values[0] ?? '';
  switch (filter.operator) {
    case 'eq':
      return found.some((v) => filter.values.includes(v));
    case 'ne':
      return !found.some((v) => filter.values.includes(v));
    case 'gt':
      return found.some((v) => compare(v, bound) > 0);
    case 'gte':
      return found.some((v) => compare(v, bound) >= 0);
    case 'lt':
      return found.some((v) => compare(v, bound) < 0);
    case 'lte':
      return found.some((v) => compare(v, bound) <= 0);
  }
}

export function matchesAll(resource: unknown, filters: readonly AttributeFilter[]): boolean {
  return filters.every((f) => matchesFilter(resource, f));
}
