import type { ServiceOrderUpdate } from '../schemas/service-ordering-schemas.js';

/**
 * RFC 7396 merge patch of the fields ServiceOrder_Update lets a caller change (the schema has
 * already refused every other field): a value replaces, null removes. Returns the fields that
 * really changed, so a patch that changes nothing announces nothing.
 */
export function mergeOrderPatch<T extends object>(order: T, patch: ServiceOrderUpdate): { order: T; changed: string[] } {
  const next = { ...order } as Record<string, unknown>;
  const changed: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const before = JSON.stringify(next[field]);
    if (value === null) delete next[field];
    else next[field] = value;
    if (JSON.stringify(next[field]) !== before) changed.push(field);
  }
  return { order: next as unknown as T, changed };
}
