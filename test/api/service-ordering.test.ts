import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { BASES, eventually, expectTmfError, startApiHarness, type ApiHarness } from './support/api-harness.js';

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness();
});
afterAll(async () => {
  await t?.stop();
});

const orders = `${BASES.ordering}/serviceOrder`;

async function completedOrder(extra: Parameters<typeof mobileBundle>[0] = {}): Promise<any> {
  const { order } = mobileBundle(extra);
  const created = await t.call('POST', orders, { body: order });
  expect(created.status).toBe(201);
  await t.fleet.waitForFinal(created.body.id);
  return (await t.call('GET', `${orders}/${created.body.id}`)).body;
}

describe('TMF641 POST /serviceOrder', () => {
  it('creates the order: 201, an absolute Location, id, href, state and orderDate', async () => {
    const { order } = mobileBundle({ externalId: `ext-${Date.now()}` });
    const response = await t.call('POST', orders, { body: order });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ state: 'acknowledged', externalId: order.externalId, '@type': 'ServiceOrder' });
    expect(response.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.href).toBe(`${t.baseUrl}${orders}/${response.body.id}`);
    expect(response.headers.get('location')).toBe(response.body.href);
    expect(Date.parse(response.body.orderDate)).toBeGreaterThan(Date.now() - 60_000);
    expect(response.body.serviceOrderItem.map((i: any) => i.state)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    const final = await t.fleet.waitForFinal(response.body.id);
    expect(final.state).toBe('completed');
  });

  it('answers a replay (same externalId) with 200 and the order already held', async () => {
    const externalId = `replay-${Date.now()}`;
    const first = await t.call('POST', orders, { body: mobileBundle({ externalId }).order });
    const again = await t.call('POST', orders, { body: mobileBundle({ externalId }).order });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('location')).toBe(first.body.href);
  });

  it('creates a business rejection in state rejected (201), one errorMessage per reason naming the item and field', async () => {
    const { order } = mobileBundle({ plan: 'platinum' });
    const response = await t.call('POST', orders, { body: order });
    expect(response.status).toBe(201);
    expect(response.body.state).toBe('rejected');
    expect(response.body.errorMessage).toEqual([
      expect.objectContaining({ code: 'ORDER_INVALID_CHARACTERISTIC', message: expect.stringContaining('serviceOrderItem[1] (id mobile-plan): characteristic plan must be one of bronze, silver, gold') }),
    ]);
    expect((await t.call('GET', `${orders}/${response.body.id}`)).body.state).toBe('rejected');
  });

  it('refuses a malformed body with 400 naming each field, and stores nothing', async () => {
    const before = Number((await t.call('GET', `${orders}?limit=0`)).headers.get('x-total-count'));
    const { order } = mobileBundle();
    const bad: any = structuredClone(order);
    bad.serviceOrderItem[0].action = 'replace';
    bad.serviceOrderItem[1].servce = {};
    delete bad.serviceOrderItem[2].service;
    bad.priority = 7;
    const response = await t.call('POST', orders, { body: bad });
    expectTmfError(response, 400, 'serviceOrderItem[0].action: must be one of add, modify, delete, noChange');
    expect(response.body.code).toBe('API_INVALID_REQUEST');
    expect(response.body.message).toContain('serviceOrderItem[1].servce: is not accepted here');
    expect(response.body.message).toContain('serviceOrderItem[2].service: is required');
    expect(response.body.message).toContain('priority: must be string');
    expectTmfError(await t.call('POST', orders, { rawBody: '{"serviceOrderItem": [' }), 400, 'body');
    expectTmfError(await t.call('POST', orders, { body: [] }), 400, '(root)');
    expect(Number((await t.call('GET', `${orders}?limit=0`)).headers.get('x-total-count'))).toBe(before);
  });
});

describe('TMF641 GET /serviceOrder', () => {
  it('finds one by id, with fields= projecting exactly those fields plus id and href', async () => {
    const order = await completedOrder();
    const href = `${t.baseUrl}${orders}/${order.id}`;
    expect(order).toMatchObject({ state: 'completed', href });
    const projected = await t.call('GET', `${orders}/${order.id}?fields= state , orderDate`);
    expect(projected.body).toEqual({ id: order.id, href, state: 'completed', orderDate: order.orderDate });
    const nested = await t.call('GET', `${orders}/${order.id}?fields=serviceOrderItem.state`);
    expect(nested.body).toEqual({ id: order.id, href, serviceOrderItem: order.serviceOrderItem.map((i: any) => ({ id: i.id, state: 'completed' })) });
  });

  it('answers 404 with a TMF Error for an unknown id, and accepts trailing slashes', async () => {
    const missing = await t.call('GET', `${orders}/no-such-order`);
    expectTmfError(missing, 404, 'no-such-order');
    expect(missing.body.code).toBe('ORDER_NOT_FOUND');
    expect((await t.call('GET', `${orders}/`)).status).toBe(200);
  });

  it('lists newest first, pages with offset/limit and X-Total-Count/X-Result-Count, and filters by attribute', async () => {
    const a = await completedOrder({ extra: { category: 'api-list-test' } });
    const b = await completedOrder({ extra: { category: 'api-list-test' } });
    const rejected = (await t.call('POST', orders, { body: mobileBundle({ plan: 'platinum', extra: { category: 'api-list-test' } }).order })).body;
    const ref = (o: { id: string }) => ({ id: o.id, href: `${t.baseUrl}${orders}/${o.id}` });

    // A rejected order keeps what was posted (its category too): the filter finds all three.
    const all = await t.call('GET', `${orders}?category=api-list-test`);
    expect(all.status).toBe(200);
    expect(all.headers.get('x-total-count')).toBe('3');
    expect(all.headers.get('x-result-count')).toBe('3');
    expect(all.body.map((o: any) => o.id)).toEqual([rejected.id, b.id, a.id]);

    const page = await t.call('GET', `${orders}?category=api-list-test&offset=2&limit=1&fields=state`);
    expect(page.headers.get('x-total-count')).toBe('3');
    expect(page.headers.get('x-result-count')).toBe('1');
    expect(page.body).toEqual([{ ...ref(a), state: 'completed' }]);

    const byItem = await t.call('GET', `${orders}?category=api-list-test&serviceOrderItem.service.serviceSpecification.id=voicemail&state=completed,failed&fields=id`);
    expect(byItem.body).toEqual([ref(b), ref(a)]);
    const none = await t.call('GET', `${orders}?category=api-list-test&state=failed`);
    expect(none.body).toEqual([]);
    expect(none.headers.get('x-total-count')).toBe('0');
    const since = await t.call('GET', `${orders}?category=api-list-test&state=completed&orderDate.gte=${encodeURIComponent(b.orderDate)}&fields=id`);
    expect(since.body).toEqual([ref(b)]);
    const sorted = await t.call('GET', `${orders}?category=api-list-test&state=completed&sort=orderDate&fields=id`);
    expect(sorted.body).toEqual([ref(a), ref(b)]);

    const unfiltered = await t.call('GET', `${orders}?limit=2&fields=id`);
    expect(unfiltered.headers.get('x-result-count')).toBe('2');
    expect(Number(unfiltered.headers.get('x-total-count'))).toBeGreaterThanOrEqual(3);
    expect(unfiltered.body[0]).toEqual(ref(rejected));
  });

  it('refuses bad paging parameters with 400 naming them', async () => {
    expectTmfError(await t.call('GET', `${orders}?limit=-1`), 400, 'limit');
    expectTmfError(await t.call('GET', `${orders}?limit=5000`), 400, 'limit');
    expectTmfError(await t.call('GET', `${orders}?offset=abc`), 400, 'offset');
    expectTmfError(await t.call('GET', `${orders}?fields=`), 400, 'fields');
  });
});

describe('TMF641 PATCH /serviceOrder/{id}', () => {
  it('merges the fields the fleet lets change and refuses state, dates and items', async () => {
    const order = await completedOrder();
    const patched = await t.call('PATCH', `${orders}/${order.id}`, {
      body: { description: 'renamed', note: [{ text: 'called the customer' }] },
      contentType: 'application/merge-patch+json',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: order.id, description: 'renamed', note: [{ text: 'called the customer' }], state: 'completed' });
    const removed = await t.call('PATCH', `${orders}/${order.id}`, { body: { description: null } });
    expect(removed.status).toBe(200);
    expect(removed.body.description).toBeUndefined();

    for (const field of ['state', 'requestedStartDate', 'serviceOrderItem', 'priority', 'id']) {
      const refused = await t.call('PATCH', `${orders}/${order.id}`, { body: { [field]: field === 'serviceOrderItem' ? [] : 'x' } });
      expectTmfError(refused, 400, `${field}: is not accepted here`);
    }
    expect((await t.call('GET', `${orders}/${order.id}?fields=state`)).body.state).toBe('completed');
    expectTmfError(await t.call('PATCH', `${orders}/nope`, { body: { description: 'x' } }), 404, 'nope');
    expectTmfError(await t.call('PATCH', `${orders}/${order.id}`, { rawBody: 'description=x', contentType: 'text/plain' }), 415, 'content type');
  });
});

describe('TMF641 DELETE /serviceOrder/{id}', () => {
  it('deletes a final order (204, then 404) and refuses one in flight with 409', async () => {
    const done = await completedOrder();
    expect((await t.call('DELETE', `${orders}/${done.id}`)).status).toBe(204);
    expectTmfError(await t.call('GET', `${orders}/${done.id}`), 404, done.id);
    expectTmfError(await t.call('DELETE', `${orders}/${done.id}`), 404, done.id);

    const later = new Date(Date.now() + 3_600_000).toISOString();
    const waiting = (await t.call('POST', orders, { body: mobileBundle({ extra: { requestedStartDate: later } }).order })).body;
    const refused = await t.call('DELETE', `${orders}/${waiting.id}`);
    expectTmfError(refused, 409, 'cancelServiceOrder');
    expect((await t.call('GET', `${orders}/${waiting.id}`)).body.state).toBe('acknowledged');
    await t.fleet.fleet.producer.cancelServiceOrder(waiting.id);
    await eventually(
      () => t.call('GET', `${orders}/${waiting.id}?fields=state`),
      (r) => r.body.state === 'cancelled',
    );
  });
});
