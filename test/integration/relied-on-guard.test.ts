import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from '../../queues/redis-connection.js';
import { SERVICE_INDEX_VERSION } from '../../stores/service-inventory-store.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

/**
 * The mobile bundle: the plan relies on the number porting, voicemail on the plan. Taking away
 * what a live service relies on is refused at intake, in the dry run as in a submission, unless
 * the order takes the dependents away first.
 */
let h: FleetHarness;
beforeAll(async () => {
  h = await startFleetHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function bundle(): Promise<{ porting: string; plan: string; voicemail: string }> {
  const { order } = await h.fleet.producer.submitServiceOrder(mobileBundle().order);
  expect((await h.waitForFinal(order.id)).state).toBe('completed');
  const items = (await h.fleet.store.require(order.id)).items;
  return { porting: items['number-porting']?.serviceId ?? '', plan: items['mobile-plan']?.serviceId ?? '', voicemail: items['voicemail']?.serviceId ?? '' };
}

describe('relied-on guard', () => {
  it('refuses a delete of the porting while the plan relies on it, naming the plan; the dry run says the same; nothing reaches a device', async () => {
    const s = await bundle();
    const expected = [
      [
        'ORDER_SERVICE_RELIED_ON',
        `serviceOrderItem[0].service.id: service ${s.porting} is relied on by ${s.plan} (mobile-plan, active); delete it first, in this order or an earlier one`,
      ],
    ];
    const order = { serviceOrderItem: [{ id: 'rm', action: 'delete' as const, service: { id: s.porting } }] };
    const dry = await h.fleet.producer.dryRunServiceOrder(order);
    expect(dry.valid).toBe(false);
    expect(dry.reasons.map((r) => [r.code, r.message])).toEqual(expected);
    const npdb = h.lab.npdb.runningXml();
    const { order: refused } = await h.fleet.producer.submitServiceOrder(order);
    expect(refused.state).toBe('rejected');
    expect(refused.errorMessage?.map((e) => [e.code, e.message])).toEqual(expected);
    expect(h.lab.npdb.runningXml()).toBe(npdb);
    expect((await h.fleet.services.get(s.porting))?.state).toBe('active');
  });

  it('accepts a suspend of the plan although voicemail relies on it: voicemail has no suspend action, so nothing could suspend it first', async () => {
    const s = await bundle();
    const { order } = await h.fleet.producer.submitServiceOrder({
      serviceOrderItem: [{ id: 's', action: 'modify', service: { id: s.plan, state: 'suspended', serviceCharacteristic: [{ name: 'suspensionReason', value: 'nonPayment' }] } }],
    });
    expect((await h.waitForFinal(order.id)).state).toBe('completed');
  });

  it('accepts a suspend of the plan once voicemail is gone, and then still refuses a delete of the porting under the suspended plan', async () => {
    const s = await bundle();
    const { order: vm } = await h.fleet.producer.submitServiceOrder({ serviceOrderItem: [{ id: 'rm', action: 'delete', service: { id: s.voicemail } }] });
    expect((await h.waitForFinal(vm.id)).state).toBe('completed');
    const { order: plan } = await h.fleet.producer.submitServiceOrder({
      serviceOrderItem: [{ id: 's', action: 'modify', service: { id: s.plan, state: 'suspended', serviceCharacteristic: [{ name: 'suspensionReason', value: 'nonPayment' }] } }],
    });
    expect((await h.waitForFinal(plan.id)).state).toBe('completed');
    // A suspended plan still relies on the porting: deleting it would leave nothing to resume onto.
    const dry = await h.fleet.producer.dryRunServiceOrder({ serviceOrderItem: [{ id: 'rm', action: 'delete', service: { id: s.porting } }] });
    expect(dry.reasons.map((r) => r.message)).toEqual([
      `serviceOrderItem[0].service.id: service ${s.porting} is relied on by ${s.plan} (mobile-plan, suspended); delete it first, in this order or an earlier one`,
    ]);
  });

  it('refuses the whole bundle deleted in the wrong order, and accepts and completes it deleted dependents first', async () => {
    const s = await bundle();
    const rm = (id: string, service: string, after?: string) => ({
      id,
      action: 'delete' as const,
      service: { id: service },
      ...(after ? { serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: after } }] } : {}),
    });
    const wrong = await h.fleet.producer.dryRunServiceOrder({ serviceOrderItem: [rm('port', s.porting), rm('plan', s.plan, 'port'), rm('vm', s.voicemail, 'plan')] });
    expect(wrong.valid).toBe(false);
    expect(wrong.reasons.map((r) => r.itemId)).toEqual(['port', 'plan']);
    expect(wrong.reasons[0]?.message).toContain(`which item plan deletes but not before this item (give this item a reliesOn relationship to plan)`);

    const right = { serviceOrderItem: [rm('vm', s.voicemail), rm('plan', s.plan, 'vm'), rm('port', s.porting, 'plan')] };
    expect((await h.fleet.producer.dryRunServiceOrder(right)).valid).toBe(true);
    const { order } = await h.fleet.producer.submitServiceOrder(right);
    expect((await h.waitForFinal(order.id)).state).toBe('completed');
    for (const id of [s.porting, s.plan, s.voicemail]) expect((await h.fleet.services.get(id))?.state).toBe('terminated');
  });

  it('guards services an older fleet wrote without the reliesOn index once the index is backfilled', async () => {
    const s = await bundle();
    const redis = createRedisConnection(h.redis.url, 'relied-on-test:older-fleet');
    try {
      // As an older fleet left them: no reverse index, no recorded index version.
      const keys = h.fleet.keys;
      await redis.srem(keys.servicesRelyingOn(keys.shardOf(s.plan), s.porting), s.plan);
      await redis.del(keys.serviceIndexVersion);
      const order = { serviceOrderItem: [{ id: 'rm', action: 'delete' as const, service: { id: s.porting } }] };
      expect((await h.fleet.producer.dryRunServiceOrder(order)).valid).toBe(true);

      const walked = await h.fleet.services.ensureLookupIndexes();
      expect(walked).toBeGreaterThanOrEqual(3);
      expect(await redis.get(keys.serviceIndexVersion)).toBe(String(SERVICE_INDEX_VERSION));
      const dry = await h.fleet.producer.dryRunServiceOrder(order);
      expect(dry.reasons.map((r) => r.code)).toEqual(['ORDER_SERVICE_RELIED_ON']);
      expect(dry.reasons[0]?.message).toContain(`is relied on by ${s.plan}`);
      // Current now: a second call walks nothing.
      expect(await h.fleet.services.ensureLookupIndexes()).toBeUndefined();
    } finally {
      redis.disconnect();
    }
  });
});
