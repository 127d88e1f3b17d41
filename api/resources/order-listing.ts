import type { OrderRecord } from '../../orders/order-record.js';
import type { ServiceOrder } from '../../orders/service-order.js';
import type { OrderStore } from '../../queues/order-store.js';

const FETCH_BATCH = 200;

/**
 * Orders for the collection GET, newest first. Without filters only the page is read; with
 * filters every order is read in batches (there is no secondary index on arbitrary
 * attributes), which the X-Total-Count of a filtered query needs anyway.
 */
export class OrderListing {
  constructor(private readonly store: OrderStore) {}

  async ids(): Promise<string[]> {
    return this.store.list(0, Number.MAX_SAFE_INTEGER);
  }

  async orders(ids: readonly string[]): Promise<ServiceOrder[]> {
    const out: ServiceOrder[] = [];
    for (let i = 0; i < ids.length; i += FETCH_BATCH) {
      const records = await Promise.all(ids.slice(i, i + FETCH_BATCH).map((id) => this.store.get(id)));
      out.push(...records.filter((r): r is OrderRecord => r !== undefined).map((r) => r.order));
    }
    return out;
  }
}
