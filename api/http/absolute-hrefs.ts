import { absolute } from './public-url.js';

/** Attributes that hold a link to a resource of this API (TMF630: absolute everywhere). */
const LINK_ATTRIBUTES = new Set(['href', 'sourceHref', 'serviceOrderHref']);

/**
 * The document with every stored path link (`/tmf-api/...`) made absolute against `base`, at any
 * depth: hrefs of references, of items, of monitors. Links a client gave stay as they were.
 */
export function withAbsoluteHrefs<T>(document: T, base: string): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node as Record<string, unknown>).map(([key, value]) => [
        key,
        LINK_ATTRIBUTES.has(key) && typeof value === 'string' && value.startsWith('/') ? absolute(base, value) : walk(value),
      ]),
    );
  };
  return walk(document) as T;
}
