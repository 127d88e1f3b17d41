import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

let h: FleetHarness;

beforeAll(async () => {
  h = await startFleetHarness({ env: { JEOPARDY_CHECK_MS: '100', JEOPARDY_AT_RISK_PERCENT: '50' } });
});
afterAll(async () => {
  await h?.stop();
});

describe('order tracking', () => {
  it('records milestones and an expected completion date from the catalog', async () => {
    const { order } = mobileBundle();
    const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
    // Three items at the catalog's typical duration each.
    const expected = Date.parse(submitted.expectedCompletionDate ?? '') - Date.parse(submitted.orderDate);
    expect(expected).toBeGreaterThanOrEqual(3 * 30_000);
    const done = await h.waitForFinal(submitted.id);
    const names = (done.milestone ?? []).map((m) => `${m.name}${m.serviceOrderItem ? `:${m.serviceOrderItem[0]?.itemId}` : ''}`);
    expect(names).toEqual([
      'decomposed',
      'itemActivated:number-porting',
      'itemTested:number-porting',
      'itemActivated:mobile-plan',
      'itemTested:mobile-plan',
      'itemActivated:voicemail',
      'itemTested:voicemail',
    ]);
    expect(done.jeopardyAlert ?? []).toEqual([]);
    const events = (await h.fleet.store.readEvents('0', { count: 100_000 })).filter((e) => e.orderId === submitted.id);
    // Milestones reach listeners in the events of the transitions that reached them; number-porting
    // (npdb-1 advertises confirmed-commit) waited in the order's window, confirmed at the end.
    expect(events.flatMap((e) => e.event.event.serviceOrder.milestone ?? []).map((m) => m.name)).toEqual(['decomposed', 'itemActivated', 'itemTested', 'committed-unconfirmed', 'itemActivated', 'itemTested', 'itemActivated', 'itemTested']);
  });

  it('raises a jeopardy alert for an order held up by a slow NE, then escalates when it misses its date', async () => {
    const { order } = mobileBundle({ extra: { requestedCompletionDate: new Date(Date.now() + 1200).toISOString() } });
    h.lab.pcrf.setLatencyMs(250);
    try {
      const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
      expect(submitted.expectedCompletionDate).toBe(order.requestedCompletionDate);
      const atRisk = await h.waitFor(submitted.id, (o) => (o.jeopardyAlert ?? []).length >= 1, 10_000);
      expect(atRisk.state).toBe('inProgress');
      expect(atRisk.jeopardyAlert?.[0]).toMatchObject({ jeopardyType: 'atRisk', name: 'Expected completion at risk' });
      const missed = await h.waitFor(submitted.id, (o) => (o.jeopardyAlert ?? []).length >= 2, 10_000);
      expect(missed.jeopardyAlert?.[1]).toMatchObject({ jeopardyType: 'missed', name: 'Expected completion missed' });
      expect(missed.jeopardyAlert?.[1]?.message).toMatch(/missed its expected completion .* by \d+ s; items not done: .*mobile-plan/);
      const done = await h.waitForFinal(submitted.id, 30_000);
      expect(done.state).toBe('completed');
      expect(done.jeopardyAlert).toHaveLength(2);

      const events = (await h.fleet.store.readEvents('0', { count: 100_000 })).filter((e) => e.orderId === submitted.id && e.event.eventType === 'ServiceOrderJeopardyEvent');
      expect(events.map((e) => e.event.title)).toEqual(['Expected completion at risk', 'Expected completion missed']);
      const metrics = await h.fleet.metrics.registry.getSingleMetricAsString('activation_order_jeopardy_alerts_total');
      expect(metrics).toContain('activation_order_jeopardy_alerts_total{type="atRisk"} 1');
      expect(metrics).toContain('activation_order_jeopardy_alerts_total{type="missed"} 1');
    } finally {
      h.lab.pcrf.setLatencyMs(0);
    }
  });
});
