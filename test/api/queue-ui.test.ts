import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { startApiHarness, TOKENS, type ApiHarness } from './support/api-harness.js';

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

const basic = (user: string, token: string) => `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;

describe('the queue UI (bull-board) for operators', () => {
  it('refuses requests without a valid token, and tokens without the read scope', async () => {
    expect((await fetch(`${h.baseUrl}/queues`)).status).toBe(401);
    expect((await fetch(`${h.baseUrl}/queues`, { headers: { authorization: basic('viewer', 'not-a-known-token-at-all') } })).status).toBe(401);
    expect((await fetch(`${h.baseUrl}/queues`, { headers: { authorization: basic('robot', TOKENS.orderOnly) } })).status).toBe(403);
  });

  it('shows the fleet queues read-only to a reader', async () => {
    const { order } = await h.fleet.fleet.producer.submitServiceOrder(mobileBundle().order);
    await h.fleet.waitForFinal(order.id);
    const page = await fetch(`${h.baseUrl}/queues`, { headers: { authorization: basic('viewer', TOKENS.read) } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const api = await fetch(`${h.baseUrl}/queues/api/queues?activeQueue=item-activation&status=completed&page=1`, { headers: { authorization: `Bearer ${TOKENS.read}` } });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['item-activation', 'order-orchestration', 'service-order-intake']);
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
    // The TMF APIs and ops endpoints on the same port are unaffected.
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
  });
});
