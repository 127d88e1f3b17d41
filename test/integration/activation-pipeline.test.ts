import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidIndexFromString } from '../../adapters/snmp/oid-index.js';
import type { ServiceOrder } from '../../orders/service-order.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { itemTransitions as transitionsOf } from '../support/item-transitions.js';
import { mobileBundle } from '../support/mobile-bundle.js';

let h: FleetHarness;

beforeAll(async () => {
  h = await startFleetHarness();
});
afterAll(async () => {
  await h?.stop();
});

const states = (order: ServiceOrder) => Object.fromEntries(order.serviceOrderItem.map((i) => [i.id, i.state]));

/** Item state changes from the events stream, in the order they were stored. */
async function itemTransitions(orderId: string): Promise<string[]> {
  return transitionsOf(await h.fleet.store.readEvents('0', { count: 100_000 }), orderId);
}

function networkState(msisdn: string) {
  return {
    npdb: h.lab.npdb.runningXml().includes(msisdn),
    pcrf: h.lab.pcrf.runningConfig().includes(`subscriber ${msisdn}`),
    vms: h.lab.vms.mailboxes().some((m) => m.msisdn === msisdn),
  };
}

describe('the mobile bundle end to end', () => {
  it('activates the three items in dependency order and configures every NE', async () => {
    const { order, msisdn } = mobileBundle();
    const { order: submitted, created } = await h.fleet.producer.submitServiceOrder(order);
    expect(created).toBe(true);
    expect(submitted.state).toBe('acknowledged');

    const done = await h.waitForFinal(submitted.id);
    expect(done.state).toBe('completed');
    expect(states(done)).toEqual({ 'number-porting': 'completed', 'mobile-plan': 'completed', voicemail: 'completed' });
    expect(done.startDate).toBeDefined();
    expect(done.completionDate).toBeDefined();

    const transitions = await itemTransitions(submitted.id);
    const at = (t: string) => transitions.indexOf(t);
    expect(at('item number-porting: inProgress -> completed')).toBeGreaterThanOrEqual(0);
    expect(at('item number-porting: acknowledged -> inProgress')).toBeLessThan(at('item mobile-plan: acknowledged -> inProgress'));
    expect(at('item mobile-plan: inProgress -> completed')).toBeLessThan(at('item voicemail: acknowledged -> inProgress'));
    // npdb-1 advertises :confirmed-commit:1.1, so number-porting is in the order's window: it is
    // completed only once the whole order passed and its commit was confirmed, last.
    expect(at('item voicemail: inProgress -> completed')).toBeLessThan(at('item number-porting: inProgress -> completed'));

    expect(networkState(msisdn)).toEqual({ npdb: true, pcrf: true, vms: true });
    expect(h.lab.pcrf.runningConfig()).toContain('plan gold');
    expect(h.lab.vms.mailboxes().find((m) => m.msisdn === msisdn)).toMatchObject({ quotaMinutes: 60, language: 'fr' });
    expect(h.lab.vms.get(`1.3.6.1.4.1.99999.2.1.1.2.${oidIndexFromString(msisdn)}`)).toBe(1);

    const orderEvents = (await h.fleet.store.readEvents('0', { count: 100_000 })).filter((e) => e.orderId === submitted.id);
    expect(orderEvents[0]?.event.eventType).toBe('ServiceOrderCreateEvent');
    expect(orderEvents.filter((e) => e.event.eventType === 'ServiceOrderStateChangeEvent').map((e) => e.event.event.serviceOrder.state)).toEqual([
      'inProgress',
      'completed',
    ]);
  });

  it('compensates the completed item when the middle one fails, leaving the network as it was', async () => {
    const { order, msisdn } = mobileBundle();
    const pcrfBefore = h.lab.pcrf.runningConfig();
    const npdbBefore = h.lab.npdb.runningXml();
    const vmsBefore = h.lab.vms.mailboxes();
    h.lab.pcrf.failOn(new RegExp(`^data-cap-gb`), 'policy table full');
    try {
      const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
      const done = await h.waitForFinal(submitted.id);
      expect(done.state).toBe('failed');
      expect(states(done)).toEqual({ 'number-porting': 'cancelled', 'mobile-plan': 'failed', voicemail: 'cancelled' });
      const plan = done.serviceOrderItem.find((i) => i.id === 'mobile-plan');
      expect(plan?.errorMessage?.[0]?.code).toBe('NE_COMMAND_REJECTED');
      expect(plan?.errorMessage?.[0]?.message).toContain('policy table full');
      expect(done.serviceOrderItem.find((i) => i.id === 'number-porting')?.errorMessage?.[0]).toMatchObject({ code: 'ORDER_ITEM_ROLLED_BACK' });
      expect(done.serviceOrderItem.find((i) => i.id === 'voicemail')?.errorMessage?.[0]).toMatchObject({ code: 'ORDER_ITEM_NOT_STARTED' });
      expect(done.errorMessage?.[0]).toMatchObject({ code: 'ORDER_ITEM_FAILED', serviceOrderItem: [{ itemId: 'mobile-plan' }] });
      expect(done.errorMessage?.[0]?.message).toContain('policy table full');

      expect(networkState(msisdn)).toEqual({ npdb: false, pcrf: false, vms: false });
      expect(h.lab.pcrf.runningConfig()).toBe(pcrfBefore);
      expect(h.lab.npdb.runningXml()).toBe(npdbBefore);
      expect(h.lab.vms.mailboxes()).toEqual(vmsBefore);
    } finally {
      h.lab.pcrf.failOn(null);
    }
  });

  it('retries a transient NE error with backoff and completes the order', async () => {
    const { order } = mobileBundle();
    h.lab.npdb.dropSessionOnRpc('edit-config');
    const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
    const done = await h.waitForFinal(submitted.id);
    expect(done.state).toBe('completed');
    const record = await h.fleet.store.require(submitted.id);
    expect(record.items['number-porting']?.attempts).toBe(2);
    expect(record.items['mobile-plan']?.attempts).toBe(1);
  });

  it('waits for a lock another session holds (parked, no attempt spent) and completes the order', async () => {
    const { order } = mobileBundle();
    h.lab.npdb.failNextRpc('edit-config', { tag: 'lock-denied', type: 'protocol', message: 'datastore locked by session 77' });
    const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
    const done = await h.waitForFinal(submitted.id);
    expect(done.state).toBe('completed');
    const record = await h.fleet.store.require(submitted.id);
    expect(record.items['number-porting']?.attempts).toBe(1);
  });

  it('fails a permanent NE error at once, with every rpc-error field in the cause', async () => {
    const { order, msisdn } = mobileBundle();
    h.lab.npdb.failNextRpc('edit-config', { tag: 'invalid-value', type: 'application', message: 'routing number D042 unknown', path: '/porting/ported-number/routing-number' });
    const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
    const done = await h.waitForFinal(submitted.id);
    expect(done.state).toBe('failed');
    expect(states(done)).toEqual({ 'number-porting': 'failed', 'mobile-plan': 'cancelled', voicemail: 'cancelled' });
    const cause = done.serviceOrderItem[0]?.errorMessage?.[0];
    expect(cause?.code).toBe('NE_RPC_ERROR');
    expect(cause?.message).toContain('invalid-value at /porting/ported-number/routing-number: routing number D042 unknown');
    expect((await h.fleet.store.require(submitted.id)).items['number-porting']?.attempts).toBe(1);
    expect(networkState(msisdn)).toEqual({ npdb: false, pcrf: false, vms: false });
  });

  it('keeps what completed under the partial policy', async () => {
    const { order, msisdn } = mobileBundle({ extra: { activationPolicy: 'partial' } });
    // Make voicemail independent so the plan can complete while voicemail fails.
    order.serviceOrderItem[2]!.serviceOrderItemRelationship = [];
    h.lab.vms.failSetsWith('notWritable');
    try {
      const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
      const done = await h.waitForFinal(submitted.id);
      expect(done.state).toBe('partial');
      expect(states(done)).toEqual({ 'number-porting': 'completed', 'mobile-plan': 'completed', voicemail: 'failed' });
      expect(done.serviceOrderItem.find((i) => i.id === 'voicemail')?.errorMessage?.[0]?.code).toBe('NE_SNMP_ERROR');
      expect(networkState(msisdn)).toEqual({ npdb: true, pcrf: true, vms: false });
    } finally {
      h.lab.vms.failSetsWith(null);
    }
  });

  it('under the partial policy, cancels the items that rely on a failed one', async () => {
    const { order } = mobileBundle({ extra: { activationPolicy: 'partial' } });
    h.lab.pcrf.failOn(/^plan /, 'unknown plan');
    try {
      const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
      const done = await h.waitForFinal(submitted.id);
      expect(done.state).toBe('partial');
      expect(states(done)).toEqual({ 'number-porting': 'completed', 'mobile-plan': 'failed', voicemail: 'cancelled' });
      expect(done.serviceOrderItem.find((i) => i.id === 'voicemail')?.errorMessage?.[0]?.code).toBe('ORDER_DEPENDENCY_FAILED');
    } finally {
      h.lab.pcrf.failOn(null);
    }
  });

  it('cancels in flight: the running item finishes, completed items are rolled back, the rest never starts', async () => {
    const { order, msisdn } = mobileBundle();
    h.lab.pcrf.setLatencyMs(150);
    try {
      const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
      await h.waitFor(submitted.id, (o) => o.serviceOrderItem.find((i) => i.id === 'mobile-plan')?.state === 'inProgress');
      const cancelling = await h.fleet.producer.cancelServiceOrder(submitted.id, 'customer changed their mind');
      expect(cancelling.state).toBe('assessingCancellation');
      const done = await h.waitForFinal(submitted.id);
      expect(done.state).toBe('cancelled');
      expect(done.cancellationReason).toBe('customer changed their mind');
      expect(states(done)).toEqual({ 'number-porting': 'cancelled', 'mobile-plan': 'cancelled', voicemail: 'cancelled' });
      const transitions = await itemTransitions(submitted.id);
      expect(transitions).toContain('item mobile-plan: inProgress -> completed');
      expect(transitions).toContain('item mobile-plan: completed -> cancelled');
      expect(transitions).toContain('item voicemail: acknowledged -> cancelled');
      // Reverse order of completion: the plan is rolled back before the porting.
      expect(transitions.indexOf('item mobile-plan: completed -> cancelled')).toBeLessThan(transitions.indexOf('item number-porting: completed -> cancelled'));
      expect(networkState(msisdn)).toEqual({ npdb: false, pcrf: false, vms: false });
      await expect(h.fleet.producer.cancelServiceOrder(submitted.id)).rejects.toMatchObject({ code: 'ORDER_NOT_CANCELLABLE' });
    } finally {
      h.lab.pcrf.setLatencyMs(0);
    }
  });

  it('yields one order for the same id or externalId submitted twice', async () => {
    const id = `dup-${Date.now()}`;
    const first = await h.fleet.producer.submitServiceOrder(mobileBundle({ id }).order);
    const second = await h.fleet.producer.submitServiceOrder(mobileBundle({ id }).order);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.order.id).toBe(id);

    const externalId = `BSS-${Date.now()}`;
    const a = await h.fleet.producer.submitServiceOrder(mobileBundle({ externalId }).order);
    const b = await h.fleet.producer.submitServiceOrder(mobileBundle({ externalId }).order);
    expect(b.created).toBe(false);
    expect(b.order.id).toBe(a.order.id);
    await h.waitForFinal(id);
    await h.waitForFinal(a.order.id);
    const { ids } = await h.fleet.store.list({ limit: 10_000 });
    expect(ids.filter((x) => x === id)).toHaveLength(1);
    expect(ids.filter((x) => x === a.order.id)).toHaveLength(1);
    // Each item was activated once.
    const transitions = await itemTransitions(id);
    expect(transitions.filter((t) => t === 'item voicemail: inProgress -> completed')).toHaveLength(1);
  });

  it('holds an order with a future requestedStartDate until then', async () => {
    const startAt = new Date(Date.now() + 1500).toISOString();
    const { order } = mobileBundle({ extra: { requestedStartDate: startAt } });
    const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
    await new Promise((r) => setTimeout(r, 700));
    expect((await h.fleet.producer.getServiceOrder(submitted.id)).state).toBe('acknowledged');
    const done = await h.waitForFinal(submitted.id);
    expect(done.state).toBe('completed');
    expect(Date.parse(done.startDate ?? '')).toBeGreaterThanOrEqual(Date.parse(startAt) - 5);
  });

  it('cancels an order that has not started yet without touching the network', async () => {
    const { order, msisdn } = mobileBundle({ extra: { requestedStartDate: new Date(Date.now() + 60_000).toISOString() } });
    const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
    await h.fleet.producer.cancelServiceOrder(submitted.id);
    const done = await h.waitForFinal(submitted.id);
    expect(done.state).toBe('cancelled');
    expect(states(done)).toEqual({ 'number-porting': 'cancelled', 'mobile-plan': 'cancelled', voicemail: 'cancelled' });
    expect(networkState(msisdn)).toEqual({ npdb: false, pcrf: false, vms: false });
  });
});
