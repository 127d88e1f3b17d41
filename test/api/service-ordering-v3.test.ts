import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { BASES, startApiHarness, type ApiHarness } from './support/api-harness.js';
import { TestListener } from './support/test-listener.js';

const V3 = '/tmf-api/serviceOrdering/v3';

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness();
});
afterAll(async () => {
  await t?.stop();
});

/** The field example in v3 (R18.0) names: orderItem, orderItemRelationship with type and id. */
function v3Order(plan = 'gold'): Record<string, any> {
  const { order } = mobileBundle({ plan, extra: { category: 'v3-test' } });
  return {
    ...order,
    serviceOrderItem: undefined,
    orderItem: order.serviceOrderItem.map(({ serviceOrderItemRelationship, ...item }) => ({
      ...item,
      ...(serviceOrderItemRelationship ? { orderItemRelationship: serviceOrderItemRelationship.map((r) => ({ type: r.relationshipType, id: r.orderItem.itemId, '@type': 'OrderItemRelationship' })) } : {}),
    })),
    orderRelationship: [{ type: 'bundled', id: 'upstream-1', href: 'https://bss.example/order/upstream-1' }],
  };
}

describe('TMF641 v3 under /tmf-api/serviceOrdering/v3', () => {
  it('takes a v3 order, ignores what the server owns, answers and finds it in v3 shape; v4 sees the same order', async () => {
    const body: Record<string, any> = { ...v3Order(), state: 'completed', orderDate: '2020-01-01T00:00:00Z', href: '/elsewhere' };
    const created = await t.call('POST', `${V3}/serviceOrder`, { body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ state: 'acknowledged', href: `${t.baseUrl}${V3}/serviceOrder/${created.body.id}`, category: 'v3-test' });
    expect(created.body.orderDate).not.toBe(body.orderDate);
    expect(created.body.orderItem.map((i: any) => i.orderItemRelationship)).toEqual(body.orderItem.map((i: any) => i.orderItemRelationship));
    expect(created.body.orderRelationship).toEqual(body.orderRelationship);
    expect(created.body).not.toHaveProperty('serviceOrderItem');

    await t.fleet.waitForFinal(created.body.id);
    const got = await t.call('GET', `${V3}/serviceOrder/${created.body.id}`);
    expect(got.body).toMatchObject({ state: 'completed', orderItem: [{ state: 'completed' }, { state: 'completed' }, { state: 'completed' }] });
    const v4 = await t.call('GET', `${BASES.ordering}/serviceOrder/${created.body.id}`);
    expect(v4.body.serviceOrderItem[1].serviceOrderItemRelationship).toEqual([{ relationshipType: 'reliesOn', orderItem: { itemId: 'number-porting' }, '@type': 'OrderItemRelationship' }]);
    expect(v4.body.orderRelationship).toEqual([{ relationshipType: 'bundled', id: 'upstream-1', href: 'https://bss.example/order/upstream-1' }]);

    const listed = await t.call('GET', `${V3}/serviceOrder?category=v3-test&fields=state`);
    expect(listed.body).toContainEqual({ id: created.body.id, state: 'completed' });
  });

  it('keeps a rejected v3 order as posted, reasons in v3 names', async () => {
    const body = v3Order('platinum');
    const rejected = await t.call('POST', `${V3}/serviceOrder`, { body });
    expect(rejected.status).toBe(201);
    expect(rejected.body).toMatchObject({ state: 'rejected', category: 'v3-test', orderRelationship: body.orderRelationship });
    expect(rejected.body.orderItem.map((i: any) => i.service)).toEqual(body.orderItem.map((i: any) => expect.objectContaining(i.service)));
    expect(JSON.stringify(rejected.body.errorMessage)).not.toContain('serviceOrderItem');
  });

  it('lets a v3 hub hear v3 orders and a v4 hub v4 orders, for the same order', async () => {
    const v3Listener = new TestListener();
    const v4Listener = new TestListener();
    await v3Listener.start();
    await v4Listener.start();
    try {
      expect((await t.call('POST', `${V3}/hub`, { body: { callback: v3Listener.url } })).status).toBe(201);
      expect((await t.call('POST', `${BASES.ordering}/hub`, { body: { callback: v4Listener.url } })).status).toBe(201);
      const created = (await t.call('POST', `${V3}/serviceOrder`, { body: v3Order() })).body;
      const v3Events = await v3Listener.waitFor((r) => r.some((e) => e.event?.serviceOrder?.id === created.id));
      const v4Events = await v4Listener.waitFor((r) => r.some((e) => e.event?.serviceOrder?.id === created.id));
      const v3Created = v3Events.find((e) => e.event.serviceOrder.id === created.id).event.serviceOrder;
      const v4Created = v4Events.find((e) => e.event.serviceOrder.id === created.id).event.serviceOrder;
      expect(v3Created).toHaveProperty('orderItem');
      expect(v3Created).not.toHaveProperty('serviceOrderItem');
      expect(v4Created).toHaveProperty('serviceOrderItem');
      expect(v4Created).not.toHaveProperty('orderItem');
      // Absolute hrefs, against the base the listener registered through.
      expect(v3Created.href).toBe(`${t.baseUrl}${V3}/serviceOrder/${created.id}`);
      expect(v4Created.href).toBe(`${t.baseUrl}${BASES.ordering}/serviceOrder/${created.id}`);
    } finally {
      await v3Listener.stop();
      await v4Listener.stop();
    }
  });
});
