import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { BASES, expectTmfError, startApiHarness, TOKENS, type ApiHarness } from './support/api-harness.js';
import { TestListener } from './support/test-listener.js';

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness();
});
afterAll(async () => {
  await t?.stop();
});

const orders = `${BASES.ordering}/serviceOrder`;

/**
 * Every change an order went through, as a listener follows it from the slim events: each item
 * whose state an event moves, then the order's own state when the event is a state change.
 */
function transitions(received: any[], orderId: string): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const e of received.filter((x) => x.event?.serviceOrder?.id === orderId)) {
    if (e.eventType === 'ServiceOrderCreateEvent') {
      for (const item of e.event.serviceOrder.serviceOrderItem) seen.set(item.id, item.state);
      out.push(`${e.eventType}:${e.event.serviceOrder.state}`);
      continue;
    }
    for (const item of e.event.serviceOrder.serviceOrderItem) {
      if (seen.get(item.id) !== item.state) out.push(`${item.id}:${item.state}`);
      seen.set(item.id, item.state);
    }
    if (e.eventType === 'ServiceOrderStateChangeEvent') out.push(`${e.eventType}:${e.event.serviceOrder.state}`);
  }
  return out;
}

const EXPECTED = [
  'ServiceOrderCreateEvent:acknowledged',
  'number-porting:inProgress',
  'ServiceOrderStateChangeEvent:inProgress',
  'number-porting:completed',
  'mobile-plan:inProgress',
  'mobile-plan:completed',
  'voicemail:inProgress',
  'voicemail:completed',
  'ServiceOrderStateChangeEvent:completed',
];

async function register(listener: TestListener, query?: string, base: string = BASES.ordering): Promise<string> {
  const response = await t.call('POST', `${base}/hub`, { body: { callback: listener.url, ...(query ? { query } : {}) } });
  expect(response.status).toBe(201);
  expect(response.body).toMatchObject({ id: expect.any(String), callback: listener.url });
  expect(response.headers.get('location')).toBe(`${t.baseUrl}${base}/hub/${response.body.id}`);
  return response.body.id as string;
}

describe('notifications to listeners', () => {
  it('delivers every state change of an order, in order', async () => {
    const listener = new TestListener();
    await listener.start();
    const hubId = await register(listener);
    const created = (await t.call('POST', orders, { body: mobileBundle().order })).body;
    await t.fleet.waitForFinal(created.id);
    await listener.waitFor((r) => transitions(r, created.id).includes('ServiceOrderStateChangeEvent:completed'));
    expect(transitions(listener.received, created.id)).toEqual(EXPECTED);
    const times = listener.received.map((e) => Date.parse(e.eventTime));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(listener.received.every((e) => typeof e.eventId === 'string' && e.domain === 'serviceOrdering')).toBe(true);
    expect((await t.call('DELETE', `${BASES.ordering}/hub/${hubId}`)).status).toBe(204);
    await listener.stop();
  });

  it('misses nothing while the listener is down, and keeps the order once it is back on the same port', async () => {
    const listener = new TestListener();
    await listener.start();
    const hubId = await register(listener);
    const first = (await t.call('POST', orders, { body: mobileBundle().order })).body;
    await listener.waitFor((r) => transitions(r, first.id).length >= 1);
    await listener.stop();

    // Down: a whole order runs and a second one starts meanwhile.
    await t.fleet.waitForFinal(first.id);
    const second = (await t.call('POST', orders, { body: mobileBundle().order })).body;
    await t.fleet.waitForFinal(second.id);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const whileDown = listener.received.length;

    await listener.start();
    await listener.waitFor((r) => transitions(r, second.id).includes('ServiceOrderStateChangeEvent:completed'));
    expect(listener.received.length).toBeGreaterThan(whileDown);
    expect(t.fleet.logs.some((line) => line.includes('listener delivery failed; retrying with backoff'))).toBe(true);
    expect(transitions(listener.received, first.id)).toEqual(EXPECTED);
    expect(transitions(listener.received, second.id)).toEqual(EXPECTED);
    // Each notification once (retries resend only what was not taken), and in stream order overall.
    const ids = listener.received.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    const firstDone = listener.received.findIndex((e) => e.event?.serviceOrder?.id === first.id && e.eventType === 'ServiceOrderStateChangeEvent' && e.event.serviceOrder.state === 'completed');
    const secondCreated = listener.received.findIndex((e) => e.event?.serviceOrder?.id === second.id && e.eventType === 'ServiceOrderCreateEvent');
    expect(firstDone).toBeLessThan(secondCreated);
    await t.call('DELETE', `${BASES.ordering}/hub/${hubId}`);
    await listener.stop();
  });

  it('applies the listener query, and stops after DELETE /hub/{id}', async () => {
    const listener = new TestListener();
    await listener.start();
    const hubId = await register(listener, 'eventType = ServiceOrderStateChangeEvent & event.serviceOrder.state = completed');
    const created = (await t.call('POST', orders, { body: mobileBundle().order })).body;
    await t.fleet.waitForFinal(created.id);
    await listener.waitFor((r) => r.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(listener.received.map((e) => [e.eventType, e.event.serviceOrder.id, e.event.serviceOrder.state])).toEqual([
      ['ServiceOrderStateChangeEvent', created.id, 'completed'],
    ]);

    expect((await t.call('DELETE', `${BASES.ordering}/hub/${hubId}`)).status).toBe(204);
    expectTmfError(await t.call('DELETE', `${BASES.ordering}/hub/${hubId}`), 404, hubId);
    const after = (await t.call('POST', orders, { body: mobileBundle().order })).body;
    await t.fleet.waitForFinal(after.id);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(listener.received).toHaveLength(1);
    await listener.stop();
  });

  it('refuses bad registrations with 400 naming the field, and needs a token', async () => {
    expectTmfError(await t.call('POST', `${BASES.ordering}/hub`, { body: { callback: 'not a url' } }), 400, 'callback');
    expectTmfError(await t.call('POST', `${BASES.ordering}/hub`, { body: { callback: 'ftp://127.0.0.1/x' } }), 400, 'callback');
    expectTmfError(await t.call('POST', `${BASES.ordering}/hub`, { body: {} }), 400, 'callback: is required');
    expectTmfError(await t.call('POST', `${BASES.ordering}/hub`, { body: { callback: 'http://127.0.0.1:1/x', query: 'eventType=MonitorStateChangeEvent' } }), 400, 'query: eventType MonitorStateChangeEvent');
    expectTmfError(await t.call('POST', `${BASES.ordering}/hub`, { body: { callback: 'http://127.0.0.1:1/x' }, token: null }), 401);
    const viewer = await t.call('POST', `${BASES.inventory}/hub`, { body: { callback: 'http://127.0.0.1:1/x' }, token: TOKENS.read });
    expect(viewer.status).toBe(201);
    // A hub belongs to the API it was registered with.
    expectTmfError(await t.call('DELETE', `${BASES.ordering}/hub/${viewer.body.id}`), 404);
    expect((await t.call('DELETE', `${BASES.inventory}/hub/${viewer.body.id}`, { token: TOKENS.read })).status).toBe(204);
  });
});
