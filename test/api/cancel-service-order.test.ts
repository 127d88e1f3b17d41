import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { BASES, eventually, expectTmfError, startApiHarness, type ApiHarness } from './support/api-harness.js';
import { TestListener } from './support/test-listener.js';

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness();
});
afterAll(async () => {
  await t?.stop();
});

const orders = `${BASES.ordering}/serviceOrder`;
const cancels = `${BASES.ordering}/cancelServiceOrder`;
const later = () => new Date(Date.now() + 3_600_000).toISOString();

describe('TMF641 cancelServiceOrder', () => {
  it('is a task that drives the cancel and follows the order to cancelled, announcing each TaskStateType', async () => {
    const listener = new TestListener();
    await listener.start();
    const hub = await t.call('POST', `${BASES.ordering}/hub`, { body: { callback: listener.url, query: 'eventType=CancelServiceOrderCreateEvent,CancelServiceOrderStateChangeEvent' } });
    expect(hub.status).toBe(201);

    const order = (await t.call('POST', orders, { body: mobileBundle({ extra: { requestedStartDate: later() } }).order })).body;
    const response = await t.call('POST', cancels, { body: { serviceOrder: { id: order.id }, cancellationReason: 'customer changed their mind' } });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      cancellationReason: 'customer changed their mind',
      serviceOrder: { id: order.id, href: `${t.baseUrl}${orders}/${order.id}` },
      '@type': 'CancelServiceOrder',
    });
    expect(['accepted', 'inProgress', 'done']).toContain(response.body.state);
    expect(response.body.href).toBe(`${t.baseUrl}${cancels}/${response.body.id}`);
    expect(response.headers.get('location')).toBe(response.body.href);

    const done = await eventually(
      () => t.call('GET', `${cancels}/${response.body.id}`),
      (r) => r.body.state === 'done',
    );
    expect(done.body.effectiveCancellationDate).toEqual(expect.any(String));
    expect((await t.call('GET', `${orders}/${order.id}?fields=state,cancellationReason`)).body).toMatchObject({ id: order.id, state: 'cancelled' });

    await listener.waitFor((r) => r.some((e) => e.event.cancelServiceOrder.state === 'done'));
    expect(listener.received.map((e) => [e.eventType, e.event.cancelServiceOrder.state])).toEqual([
      ['CancelServiceOrderCreateEvent', 'accepted'],
      ['CancelServiceOrderStateChangeEvent', 'inProgress'],
      ['CancelServiceOrderStateChangeEvent', 'done'],
    ]);
    await t.call('DELETE', `${BASES.ordering}/hub/${hub.body.id}`);
    await listener.stop();
  });

  it('ends terminatedWithError at once for an order that is already final', async () => {
    const order = (await t.call('POST', orders, { body: mobileBundle().order })).body;
    await t.fleet.waitForFinal(order.id);
    const response = await t.call('POST', cancels, { body: { serviceOrder: { id: order.id } } });
    expect(response.status).toBe(201);
    expect(response.body.state).toBe('terminatedWithError');
    expect(response.body.errorMessage).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE' });
    expect(response.body.completionMessage).toContain('completed and cannot be cancelled');
    expect((await t.call('GET', `${orders}/${order.id}?fields=state`)).body.state).toBe('completed');
  });

  it('lists the tasks with filters and fields, and finds one by id', async () => {
    const order = (await t.call('POST', orders, { body: mobileBundle({ extra: { requestedStartDate: later() } }).order })).body;
    const task = (await t.call('POST', cancels, { body: { serviceOrder: { id: order.id } } })).body;
    await eventually(
      () => t.call('GET', `${cancels}/${task.id}?fields=state`),
      (r) => r.body.state === 'done',
    );
    const list = await t.call('GET', `${cancels}?serviceOrder.id=${order.id}&fields=state,serviceOrder.id`);
    expect(list.headers.get('x-total-count')).toBe('1');
    expect(list.body).toEqual([{ id: task.id, href: `${t.baseUrl}${cancels}/${task.id}`, state: 'done', serviceOrder: { id: order.id } }]);
    const failed = await t.call('GET', `${cancels}?state=terminatedWithError&fields=id`);
    expect(failed.status).toBe(200);
    expect(failed.body.every((x: any) => Object.keys(x).join() === 'id,href')).toBe(true);
    expectTmfError(await t.call('GET', `${cancels}/no-such-task`), 404, 'no-such-task');
  });

  it('refuses bad requests with 400 naming the field', async () => {
    expectTmfError(await t.call('POST', cancels, { body: {} }), 400, 'serviceOrder: is required');
    expectTmfError(await t.call('POST', cancels, { body: { serviceOrder: { id: 'no-such-order' } } }), 400, 'serviceOrder.id: no service order with id no-such-order');
    expectTmfError(await t.call('POST', cancels, { body: { serviceOrder: { id: 'x' }, state: 'done' } }), 400, 'state: is not accepted here');
    expectTmfError(await t.call('POST', cancels, { body: { serviceOrder: { id: 'x' }, requestedCancellationDate: 'tomorrow' } }), 400, 'requestedCancellationDate');
    expectTmfError(await t.call('POST', cancels, { body: { serviceOrder: { id: 'x' }, requestedCancellationDate: later() } }), 400, 'requestedCancellationDate: cancellation at a future date');
  });
});
