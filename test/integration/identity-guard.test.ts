import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceOrderInput } from '../../orders/service-order.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { nextMsisdn } from '../support/mobile-bundle.js';

/** mobile-plan declares identity [msisdn]: one live plan per subscriber, whatever externalId or service id an add carries. */
let h: FleetHarness;
beforeAll(async () => {
  h = await startFleetHarness();
});
afterAll(async () => {
  await h?.stop();
});

const planItem = (id: string, msisdn: string, plan = 'gold') => ({
  id,
  action: 'add' as const,
  service: { serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: [{ name: 'msisdn', value: msisdn }, { name: 'plan', value: plan }] },
});

describe('identity guard', () => {
  it('refuses a second add of a live MSISDN naming the service that holds it, and allows it again once that service is deleted', async () => {
    const msisdn = nextMsisdn();
    const { order: first } = await h.fleet.producer.submitServiceOrder({ externalId: `crm-${msisdn}-1`, serviceOrderItem: [planItem('plan', msisdn)] });
    expect((await h.waitForFinal(first.id)).state).toBe('completed');
    const holder = (await h.fleet.store.require(first.id)).items['plan']?.serviceId ?? '';
    const configBefore = h.lab.pcrf.runningConfig();

    const again: ServiceOrderInput = { externalId: `crm-${msisdn}-2`, serviceOrderItem: [planItem('plan', msisdn, 'silver')] };
    const { order: refused } = await h.fleet.producer.submitServiceOrder(again);
    expect(refused.state).toBe('rejected');
    expect(refused.errorMessage?.map((e) => [e.code, e.message])).toEqual([
      ['ORDER_IDENTITY_IN_USE', `serviceOrderItem plan: msisdn ${msisdn} is already held by mobile-plan service ${holder} (active); modify that service, or delete it first`],
    ]);
    expect(h.lab.pcrf.runningConfig()).toBe(configBefore);
    expect((await h.fleet.services.query({ specification: 'mobile-plan' })).filter((s) => s.serviceCharacteristic.some((c) => c.value === msisdn) && s.state === 'active').map((s) => s.id)).toEqual([holder]);

    const { order: removed } = await h.fleet.producer.submitServiceOrder({ serviceOrderItem: [{ id: 'rm', action: 'delete', service: { id: holder } }] });
    expect((await h.waitForFinal(removed.id)).state).toBe('completed');
    const { order: readded } = await h.fleet.producer.submitServiceOrder({ ...again, externalId: `crm-${msisdn}-3` });
    expect((await h.waitForFinal(readded.id)).state).toBe('completed');
  });

  it('refuses two adds of one MSISDN in the same order', async () => {
    const msisdn = nextMsisdn();
    const { order } = await h.fleet.producer.submitServiceOrder({ serviceOrderItem: [planItem('a', msisdn), planItem('b', msisdn, 'bronze')] });
    expect(order.state).toBe('rejected');
    expect(order.errorMessage?.map((e) => e.message)).toEqual([`serviceOrderItem b: msisdn ${msisdn} is also added by item a of this order`]);
  });

  it('accepts exactly one of several orders adding one MSISDN at the same time, and the device gets one subscriber block', async () => {
    const msisdn = nextMsisdn();
    // Submitted together: none of them is in the service inventory yet, so only the atomic claim can refuse.
    const results = await Promise.all([1, 2, 3, 4].map((n) => h.fleet.producer.submitServiceOrder({ externalId: `crm-${msisdn}-race-${n}`, serviceOrderItem: [planItem('plan', msisdn)] })));
    const accepted = results.filter((r) => r.order.state !== 'rejected');
    const refused = results.filter((r) => r.order.state === 'rejected');
    expect(accepted).toHaveLength(1);
    const winner = accepted[0]!.order.id;
    for (const r of refused) {
      expect(r.order.errorMessage?.map((e) => e.code)).toEqual(['ORDER_IDENTITY_IN_USE']);
      expect(r.order.errorMessage?.[0]?.message).toContain(`msisdn ${msisdn} is already held by mobile-plan service`);
      expect(r.order.errorMessage?.[0]?.message).toContain(`(added by order ${winner})`);
    }
    expect((await h.waitForFinal(winner)).state).toBe('completed');
    expect(h.lab.pcrf.configHistory().filter((l) => l === `subscriber ${msisdn}`)).toHaveLength(1);

    // A failed add gives the identity back: the claim lapses with the order that held it.
    const other = nextMsisdn();
    h.lab.pcrf.failOn(new RegExp(`^subscriber ${other}$`), 'refused');
    const { order: failing } = await h.fleet.producer.submitServiceOrder({ externalId: `crm-${other}-1`, serviceOrderItem: [planItem('plan', other)] });
    expect((await h.waitForFinal(failing.id)).state).toBe('failed');
    h.lab.pcrf.failOn(null);
    const { order: retried } = await h.fleet.producer.submitServiceOrder({ externalId: `crm-${other}-2`, serviceOrderItem: [planItem('plan', other)] });
    expect((await h.waitForFinal(retried.id)).state).toBe('completed');
  });

  it('refuses a modify changing a plan\'s MSISDN (immutable: the PCRF keys the subscriber by it), naming the field; a modify keeping it passes', async () => {
    const [a, b] = [nextMsisdn(), nextMsisdn()];
    const added = await Promise.all([a, b].map((m) => h.fleet.producer.submitServiceOrder({ serviceOrderItem: [planItem('plan', m)] })));
    for (const { order } of added) expect((await h.waitForFinal(order.id)).state).toBe('completed');
    const planA = (await h.fleet.store.require(added[0]?.order.id ?? '')).items['plan']?.serviceId ?? '';
    const modify = (values: Array<{ name: string; value: string }>) => ({ serviceOrderItem: [{ id: 'mv', action: 'modify' as const, service: { id: planA, serviceCharacteristic: values } }] });
    const configBefore = h.lab.pcrf.runningConfig();
    const { order: refused } = await h.fleet.producer.submitServiceOrder(modify([{ name: 'msisdn', value: b }]));
    expect(refused.errorMessage?.map((e) => [e.code, e.message])).toEqual([
      [
        'ORDER_INVALID_CHARACTERISTIC',
        `serviceOrderItem[0] (id mv): characteristic msisdn is set by the add of mobile-plan and not changed by a modify (service ${planA} has ${a}); delete the service and add it again with msisdn ${b}`,
      ],
    ]);
    expect(h.lab.pcrf.runningConfig()).toBe(configBefore);
    expect((await h.fleet.producer.dryRunServiceOrder(modify([{ name: 'msisdn', value: a }, { name: 'plan', value: 'silver' }]))).valid).toBe(true);
  });
});
