import type { ServiceOrder } from '../../orders/service-order.js';
import type { OrderStore } from '../../stores/order-store.js';
import { matchesAll, type AttributeFilter } from '../http/attribute-filter.js';
import type { CollectionQuery } from '../http/collection-query.js';
import { sortResources } from '../http/collection-response.js';

const FETCH_BATCH = 200;

const pathOf = (f: AttributeFilter): string => f.path.join('.');

/**
 * Orders for the collection GET. The indexes answer what they can without reading orders: the
 * date order (and a date range), the state, the externalId; a page is cut in Redis and only its
 * orders are read. Any other filter or sort reads the candidates in batches, keeping only the
 * page in memory (X-Total-Count needs every match counted).
 */
export class OrderListing {
  constructor(private readonly store: OrderStore) {}

  async page(query: CollectionQuery): Promise<{ orders: ServiceOrder[]; total: number }> {
    const external = query.filters.find((f) => pathOf(f) === 'externalId' && f.operator === 'eq');
    if (external) {
      const ids = (await Promise.all(external.values.map((v) => this.store.findByExternalId(v)))).filter((id): id is string => id !== undefined);
      const matches = sortResources((await this.orders(ids)).filter((o) => matchesAll(o, query.filters)), query.sort);
      return { orders: matches.slice(query.offset, query.offset + query.limit), total: matches.length };
    }
    const state = query.filters.find((f) => pathOf(f) === 'state' && f.operator === 'eq');
    const range = dateRange(query.filters);
    const indexed = new Set<AttributeFilter>([...(state ? [state] : []), ...range.used]);
    const rest = query.filters.filter((f) => !indexed.has(f));
    const byDate = query.sort.length === 0 || (query.sort.length === 1 && query.sort[0]?.path.join('.') === 'orderDate');
    const ascending = query.sort[0]?.descending === false;
    const listing = { ...(state ? { states: state.values } : {}), ...(range.fromMs !== undefined ? { fromMs: range.fromMs } : {}), ...(range.toMs !== undefined ? { toMs: range.toMs } : {}), ascending };
    if (rest.length === 0 && byDate) {
      const { ids, total } = await this.store.list({ ...listing, offset: query.offset, limit: query.limit });
      return { orders: await this.orders(ids), total };
    }
    // Unindexed: walk the candidates in date order, batch by batch.
    const kept: ServiceOrder[] = [];
    let total = 0;
    for (let offset = 0; ; offset += FETCH_BATCH) {
      const { ids } = await this.store.list({ ...listing, offset, limit: FETCH_BATCH });
      if (ids.length === 0) break;
      for (const order of await this.orders(ids)) {
        if (!matchesAll(order, rest)) continue;
        total += 1;
        kept.push(order);
        // Sorted by something else: every match must be seen, but only a page's worth kept.
        if (!byDate && kept.length > query.offset + query.limit) kept.splice(0, kept.length, ...sortResources(kept, query.sort).slice(0, query.offset + query.limit));
      }
      if (ids.length < FETCH_BATCH) break;
    }
    const sorted = byDate ? kept : sortResources(kept, query.sort);
    return { orders: sorted.slice(query.offset, query.offset + query.limit), total };
  }

  /** Every order, newest first, read in batches (for queries no index answers). */
  async all(): Promise<ServiceOrder[]> {
    const out: ServiceOrder[] = [];
    for (let offset = 0; ; offset += FETCH_BATCH) {
      const { ids } = await this.store.list({ offset, limit: FETCH_BATCH });
      out.push(...(await this.orders(ids)));
      if (ids.length < FETCH_BATCH) return out;
    }
  }

  async orders(ids: readonly string[]): Promise<ServiceOrder[]> {
    const out: ServiceOrder[] = [];
    for (let i = 0; i < ids.length; i += FETCH_BATCH) {
      const records = await Promise.all(ids.slice(i, i + FETCH_BATCH).map((id) => this.store.getOrder(id)));
      out.push(...records.filter((o): o is ServiceOrder => o !== undefined));
    }
    return out;
  }
}

/** The orderDate comparisons the date index answers, as a score range. */
function dateRange(filters: readonly AttributeFilter[]): { fromMs?: number; toMs?: number; used: AttributeFilter[] } {
  const out: { fromMs?: number; toMs?: number; used: AttributeFilter[] } = { used: [] };
  for (const f of filters) {
    if (pathOf(f) !== 'orderDate' || f.values.length !== 1) continue;
    const ms = Date.parse(f.values[0] ?? '');
    if (!Number.isFinite(ms)) continue;
    if (f.operator === 'gte') out.fromMs = Math.max(out.fromMs ?? -Infinity, ms);
    else if (f.operator === 'gt') out.fromMs = Math.max(out.fromMs ?? -Infinity, ms + 1);
    else if (f.operator === 'lte') out.toMs = Math.min(out.toMs ?? Infinity, ms);
    else if (f.operator === 'lt') out.toMs = Math.min(out.toMs ?? Infinity, ms - 1);
    else continue;
    out.used.push(f);
  }
  return out;
}
