import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceOrderInput } from '../../orders/service-order.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

let h: FleetHarness;

beforeAll(async () => {
  h = await startFleetHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function run(order: ServiceOrderInput) {
  const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
  if (submitted.state === 'rejected') return submitted;
  return h.waitForFinal(submitted.id);
}

function serviceIdOf(orderId: string, itemId: string): Promise<string> {
  return h.fleet.store.require(orderId).then((r) => r.items[itemId]!.serviceId);
}

/** The subscriber block of the simulated PCRF, as lines. */
function pcrfBlock(msisdn: string): string[] {
  const lines = h.lab.pcrf.configLines();
  const start = lines.indexOf(`subscriber ${msisdn}`);
  if (start < 0) return [];
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => !l.startsWith(' '));
  return rest.slice(0, end < 0 ? undefined : end).map((l) => l.trim());
}

const modifyPlan = (serviceId: string, characteristics: Array<{ name: string; value: string | number }>, state?: string): ServiceOrderInput => ({
  serviceOrderItem: [{ id: 'change', action: 'modify', service: { id: serviceId, ...(state ? { state } : {}), serviceCharacteristic: characteristics } }],
});

describe('service inventory and lifecycle', () => {
  let msisdn: string;
  let planService: string;
  let orderId: string;

  beforeAll(async () => {
    const bundle = mobileBundle();
    msisdn = bundle.msisdn;
    const done = await run(bundle.order);
    expect(done.state).toBe('completed');
    orderId = done.id;
    planService = await serviceIdOf(orderId, 'mobile-plan');
  });

  it('records every activated service with its characteristics, NEs, relationships and order item', async () => {
    const plan = await h.fleet.services.get(planService);
    expect(plan).toMatchObject({
      id: planService,
      state: 'active',
      operatingStatus: 'running',
      serviceSpecification: { id: 'mobile-plan', name: 'Mobile plan' },
      supportingResource: [{ id: 'pcrf-1', name: 'pcrf', '@referredType': 'PhysicalResource' }],
      serviceOrderItem: [{ serviceOrderId: orderId, itemId: 'mobile-plan', itemAction: 'add' }],
      '@type': 'Service',
    });
    expect(plan?.serviceCharacteristic).toEqual(expect.arrayContaining([{ name: 'plan', valueType: 'string', value: 'gold' }, { name: 'dataCapGb', valueType: 'integer', value: 50 }]));
    const porting = await serviceIdOf(orderId, 'number-porting');
    expect(plan?.serviceRelationship).toEqual([{ relationshipType: 'reliesOn', service: { id: porting } }]);

    expect((await h.fleet.services.query({ neId: 'pcrf-1', state: 'active' })).map((s) => s.id)).toContain(planService);
    expect((await h.fleet.services.query({ specification: 'voicemail', characteristic: { name: 'msisdn', value: msisdn } }))).toHaveLength(1);
    expect(await h.fleet.services.query({ specification: 'voicemail', characteristic: { name: 'msisdn', value: '1' } })).toEqual([]);
  });

  it('modify pushes only the difference, and the inventory follows', async () => {
    const auditBefore = (await h.fleet.audit.listByNe('pcrf-1', 100_000)).length;
    const done = await run(modifyPlan(planService, [{ name: 'plan', value: 'silver' }]));
    expect(done.state).toBe('completed');
    expect(pcrfBlock(msisdn)).toEqual(['plan silver', 'data-cap-gb 50', 'apn internet']);
    const service = await h.fleet.services.get(planService);
    expect(service?.serviceCharacteristic).toEqual(expect.arrayContaining([{ name: 'plan', valueType: 'string', value: 'silver' }, { name: 'dataCapGb', valueType: 'integer', value: 50 }]));
    expect(service?.serviceOrderItem.at(-1)).toEqual({ serviceOrderId: done.id, itemId: 'change', itemAction: 'modify' });
    // The CLI lines sent for the change: the plan line only, never data-cap-gb or apn.
    const sent = (await h.fleet.audit.listByNe('pcrf-1', 100_000)).slice(auditBefore).map((e) => e.request);
    if (sent.length > 0) {
      expect(sent).toContain('plan silver');
      expect(sent.some((line) => line.startsWith('data-cap-gb') || line.startsWith('apn'))).toBe(false);
    }
  });

  it('two overlapping suspensions: the service is active again only when both are lifted, in either order', async () => {
    for (const [first, second] of [
      ['voluntary', 'nonPayment'],
      ['nonPayment', 'voluntary'],
    ] as const) {
      const suspend = (reason: string, initiator: string) =>
        run(modifyPlan(planService, [{ name: 'suspensionReason', value: reason }, { name: 'suspensionInitiator', value: initiator }], 'suspended'));
      const resume = (reason: string) => run(modifyPlan(planService, [{ name: 'suspensionReason', value: reason }], 'active'));

      expect((await suspend('nonPayment', 'operator')).state).toBe('completed');
      expect((await h.fleet.services.get(planService))?.state).toBe('suspended');
      expect(pcrfBlock(msisdn)).toContain('rate-limit-kbps 64');
      expect((await suspend('voluntary', 'customer')).state).toBe('completed');
      const both = await h.fleet.services.get(planService);
      expect(both?.suspension.filter((s) => !s.endDate).map((s) => `${s.reason}/${s.initiator}`).sort()).toEqual(['nonPayment/operator', 'voluntary/customer']);
      const record = await h.fleet.store.require(both?.serviceOrderItem.at(-1)?.serviceOrderId ?? '');
      expect(record.items.change?.run?.networkAction).toBe('none');

      expect((await resume(first)).state).toBe('completed');
      const one = await h.fleet.services.get(planService);
      expect(one?.state).toBe('suspended');
      expect(one?.suspension.filter((s) => !s.endDate).map((s) => s.reason)).toEqual([second]);
      expect(pcrfBlock(msisdn)).toContain('rate-limit-kbps 64');

      expect((await resume(second)).state).toBe('completed');
      const none = await h.fleet.services.get(planService);
      expect(none?.state).toBe('active');
      expect(none?.operatingStatus).toBe('running');
      expect(pcrfBlock(msisdn)).not.toContain('rate-limit-kbps 64');
    }
    expect((await h.fleet.services.query({ state: 'suspended' })).map((s) => s.id)).not.toContain(planService);
  });

  it('rejects lifecycle requests that make no sense, pushing nothing', async () => {
    const configBefore = h.lab.pcrf.runningConfig();
    const resume = await run(modifyPlan(planService, [{ name: 'suspensionReason', value: 'fraud' }], 'active'));
    expect(resume.errorMessage?.[0]?.message).toContain('has no active fraud suspension to lift (active: none)');

    const exists = await run({ serviceOrderItem: [{ ...mobileBundle().order.serviceOrderItem[1]!, serviceOrderItemRelationship: [], service: { ...mobileBundle().order.serviceOrderItem[1]!.service, id: planService } }] });
    expect(exists.errorMessage?.[0]).toMatchObject({ code: 'ORDER_SERVICE_EXISTS' });
    const unknown = await run(modifyPlan('no-such-service', [{ name: 'plan', value: 'gold' }]));
    expect(unknown.errorMessage?.[0]).toMatchObject({ code: 'ORDER_UNKNOWN_SERVICE', message: 'serviceOrderItem[0] (id change): service no-such-service is not in the service inventory' });
    expect(h.lab.pcrf.runningConfig()).toBe(configBefore);
  });

  it('refuses to lift a suspension the service does not have', async () => {
    expect((await h.fleet.services.get(planService))?.state).toBe('active');
    await run(modifyPlan(planService, [{ name: 'suspensionReason', value: 'nonPayment' }], 'suspended'));
    const wrong = await run(modifyPlan(planService, [{ name: 'suspensionReason', value: 'voluntary' }], 'active'));
    expect(wrong.errorMessage?.[0]?.code).toBe('ORDER_NO_SUCH_SUSPENSION');
    expect(wrong.errorMessage?.[0]?.message).toContain('has no active voluntary suspension to lift (active: nonPayment by customer)');
    expect((await run(modifyPlan(planService, [{ name: 'suspensionReason', value: 'nonPayment' }], 'active'))).state).toBe('completed');
  });

  it('delete removes the configuration from every NE and terminates the service', async () => {
    // Voicemail relies on the plan: it goes first, or the plan's delete is refused (ORDER_SERVICE_RELIED_ON).
    const voicemail = await serviceIdOf(orderId, 'voicemail');
    const done = await run({
      serviceOrderItem: [
        { id: 'cease-vm', action: 'delete', service: { id: voicemail } },
        { id: 'cease', action: 'delete', service: { id: planService }, serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'cease-vm' } }] },
      ],
    });
    expect(done.state).toBe('completed');
    expect(pcrfBlock(msisdn)).toEqual([]);
    const service = await h.fleet.services.get(planService);
    expect(service?.state).toBe('terminated');
    expect(service?.endDate).toBeDefined();
    const again = await run(modifyPlan(planService, [{ name: 'plan', value: 'gold' }]));
    expect(again.errorMessage?.[0]).toMatchObject({ code: 'ORDER_SERVICE_TERMINATED' });
  });

  it('a rolled-back add does not show as active', async () => {
    const bundle = mobileBundle();
    h.lab.vms.failSetsWith('noCreation');
    try {
      const done = await run(bundle.order);
      expect(done.state).toBe('failed');
    } finally {
      h.lab.vms.failSetsWith(null);
    }
    const record = await h.fleet.store.require((await h.fleet.store.list({ limit: 1 })).ids[0]!);
    const porting = await h.fleet.services.get(record.items['number-porting']!.serviceId);
    expect(porting?.state).toBe('terminated');
    expect(porting?.serviceOrderItem.at(-1)).toMatchObject({ role: 'rolledBack' });
    expect(await h.fleet.services.get(record.items.voicemail!.serviceId)).toBeUndefined();
    const active = await h.fleet.services.query({ state: 'active', characteristic: { name: 'msisdn', value: bundle.msisdn } });
    expect(active).toEqual([]);
  });
});
