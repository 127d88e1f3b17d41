import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOrder } from '../../cli/order-report.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { nextMsisdn } from '../support/mobile-bundle.js';

/** Messages that name the right thing: the characteristic and its own limit, the spec of every item. */
let h: FleetHarness;
beforeAll(async () => {
  h = await startFleetHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('order messages', () => {
  it("refuses a too-long value naming the characteristic and the specification's own limit", async () => {
    const { order } = await h.fleet.producer.submitServiceOrder({
      serviceOrderItem: [
        {
          id: 'port',
          action: 'add',
          service: {
            serviceSpecification: { id: 'number-porting' },
            serviceCharacteristic: [
              { name: 'msisdn', value: nextMsisdn() },
              { name: 'routingNumber', value: 'D042' },
              { name: 'donorOperator', value: 'x'.repeat(5000) },
            ],
          },
        },
      ],
    });
    const messages = (order.errorMessage ?? []).map((e) => e.message).join('\n');
    expect(order.state).toBe('rejected');
    expect(messages).toContain('characteristic donorOperator must be at most 256 characters (maxLength in number-porting), got 5000');
    expect(messages).not.toContain('4096');
  });

  it('status names the specification of a modify and a delete item, not ?', async () => {
    const msisdn = nextMsisdn();
    const serviceId = `plan-${msisdn}`;
    const characteristics = [
      { name: 'msisdn', value: msisdn },
      { name: 'plan', value: 'gold' },
    ];
    const run = async (action: 'add' | 'modify' | 'delete', service: Record<string, unknown>) => {
      const { order } = await h.fleet.producer.submitServiceOrder({ serviceOrderItem: [{ id: 'port', action, service: { id: serviceId, ...service } }] });
      const done = await h.waitForFinal(order.id);
      expect(done.state, JSON.stringify(done.serviceOrderItem)).toBe('completed');
      const record = await h.fleet.store.require(order.id);
      return formatOrder(record.order, record.items);
    };
    expect(await run('add', { serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: characteristics })).toMatch(/item port\s+add\s+mobile-plan/);
    expect(await run('modify', { serviceCharacteristic: [{ name: 'plan', value: 'silver' }] })).toMatch(/item port\s+modify\s+mobile-plan/);
    expect(await run('delete', {})).toMatch(/item port\s+delete\s+mobile-plan/);
  });
});
