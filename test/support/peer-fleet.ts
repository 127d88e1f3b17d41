import type { NeCredentials, NetworkElementInput } from '../../inventory/network-element.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import type { OrderRecord } from '../../orders/order-record.js';
import type { ServiceOrder } from '../../orders/service-order.js';
import { ROLES } from '../../runtime/fleet-config.js';
import { startFleetProcess, type FleetProcess, type FleetProcessOptions } from '../../workers/fleet-process.js';

const FINAL = ['completed', 'failed', 'partial', 'cancelled', 'rejected'];

/** The order once it is final (rejected counts), read from the store every 50 ms; fails past the deadline with what it last read. */
export async function finalState(store: { get(orderId: string): Promise<OrderRecord | undefined> }, orderId: string, timeoutMs = 60_000): Promise<ServiceOrder> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await store.get(orderId);
    if (record && FINAL.includes(record.order.state)) return record.order;
    if (Date.now() > deadline) throw new Error(`order ${orderId} not final in ${timeoutMs} ms: ${JSON.stringify(record?.order)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every role in this process, without HTTP, for an inventory of one real peer that logs in with the peer's own credentials. */
export function startOnePeerFleet(peer: { ne: NetworkElementInput; credentials: NeCredentials }, options: Pick<FleetProcessOptions, 'config' | 'log' | 'catalog'>): Promise<FleetProcess> {
  return startFleetProcess({
    ...options,
    roles: ROLES,
    inventory: ResourceInventory.fromInputs([peer.ne]),
    credentials: () => peer.credentials,
    http: false,
  });
}
