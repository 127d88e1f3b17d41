import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { BASES, startApiHarness, TOKENS, type ApiHarness } from './support/api-harness.js';
import { TestListener } from './support/test-listener.js';

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness();
});
afterAll(async () => {
  await t?.stop();
});

describe('several api processes', () => {
  it('share the work and still deliver each notification once, in order', async () => {
    const second = await t.startAnotherApi();
    const third = await t.startAnotherApi();
    const listener = new TestListener();
    await listener.start();
    const hub = await t.call('POST', `${BASES.ordering}/hub`, { body: { callback: listener.url } });
    expect(hub.status).toBe(201);

    // Orders come in through every process; each process's consumer takes a share of the stream.
    const ids: string[] = [];
    for (const base of [t.baseUrl, second.baseUrl, third.baseUrl, t.baseUrl]) {
      const response = await fetch(`${base}${BASES.ordering}/serviceOrder`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.order}`, 'content-type': 'application/json' },
        body: JSON.stringify(mobileBundle().order),
      });
      expect(response.status).toBe(201);
      ids.push(((await response.json()) as { id: string }).id);
    }
    // Concurrent bundles may meet a locked NETCONF datastore and fail: whatever the outcome,
    // every listener sees each state once and in order.
    const finals = new Map<string, string>();
    for (const id of ids) finals.set(id, (await t.fleet.waitForFinal(id)).state);
    await listener.waitFor((r) => ids.every((id) => r.some((e) => e.event.serviceOrder.id === id && e.eventType === 'ServiceOrderStateChangeEvent' && e.event.serviceOrder.state === finals.get(id))));
    await new Promise((resolve) => setTimeout(resolve, 500));

    const eventIds = listener.received.map((e) => e.eventId);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    for (const id of ids) {
      const states = listener.received.filter((e) => e.event.serviceOrder.id === id && e.eventType !== 'ServiceOrderAttributeValueChangeEvent');
      expect(states.map((e) => e.event.serviceOrder.state)).toEqual(['acknowledged', 'inProgress', finals.get(id)]);
    }
    // Every process reads the order events in the one consumer group.
    const redis = new Redis(t.fleet.redis.url);
    const consumers = (await redis.call('XINFO', 'CONSUMERS', t.fleet.fleet.store.eventStreams[0] as string, 'tmf-api')) as unknown[];
    await redis.quit();
    expect(consumers).toHaveLength(3);
    await listener.stop();
  });
});
