import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../../inventory/service-instance.js';
import type { ServiceOrder, ServiceOrderInput } from '../../orders/service-order.js';
import { QUEUE_NAMES } from '../../queues/queue-names.js';
import { openServiceOrderClient } from '../../runtime/service-order-client.js';
import { ResourceClaimStore } from '../../stores/resource-claim-store.js';
import { BASES, startApiHarness, type ApiHarness } from '../api/support/api-harness.js';
import type { FleetHarness } from '../support/fleet-harness.js';
import { nextMsisdn } from '../support/mobile-bundle.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

/**
 * onIdentityInUse: modify. mobile-plan declares identity [msisdn]; an upstream that sends "make
 * this subscriber so" adds opts in per order, and an add of a live MSISDN becomes a modify of the
 * one active plan holding it: one service, its values changed on the PCRF. The HTTP API, the
 * intake queue and the producer the CLI embeds are one producer, each exercised here.
 */
let t: ApiHarness;
let h: FleetHarness;
beforeAll(async () => {
  t = await startApiHarness();
  h = t.fleet;
});
afterAll(async () => {
  await t?.stop();
});

type Plan = { plan?: string; dataCapGb?: number; apn?: string };
const planItem = (id: string, msisdn: string, values: Plan = {}) => ({
  id,
  action: 'add' as const,
  service: {
    serviceSpecification: { id: 'mobile-plan' },
    serviceCharacteristic: [
      { name: 'msisdn', value: msisdn },
      { name: 'plan', value: values.plan ?? 'gold' },
      ...(values.dataCapGb !== undefined ? [{ name: 'dataCapGb', value: values.dataCapGb }] : []),
      ...(values.apn !== undefined ? [{ name: 'apn', value: values.apn }] : []),
    ],
  },
});
const upsert = (msisdn: string, values: Plan = {}, extra: Partial<ServiceOrderInput> = {}): ServiceOrderInput => ({
  onIdentityInUse: 'modify',
  serviceOrderItem: [planItem('plan', msisdn, values)],
  ...extra,
});

/** A completed add of `msisdn`: the id of the plan service holding it. */
async function livePlan(msisdn: string, values: Plan = {}): Promise<string> {
  const { order } = await h.fleet.producer.submitServiceOrder({ serviceOrderItem: [planItem('plan', msisdn, values)] });
  expect((await h.waitForFinal(order.id)).state).toBe('completed');
  return (await h.fleet.store.require(order.id)).items['plan']?.serviceId ?? '';
}

/** The live services of mobile-plan holding `msisdn`. */
async function holders(msisdn: string): Promise<ServiceInstance[]> {
  return (await h.fleet.services.holdersOf('mobile-plan', 'msisdn', msisdn)).filter((s) => s.state !== 'terminated');
}

/** The subscriber's block on the PCRF, as its running config shows it (children only). */
function subscriberBlock(msisdn: string): string[] {
  const lines = h.lab.pcrf.runningConfig().split('\n');
  const start = lines.findIndex((l) => l.trim() === `subscriber ${msisdn}`);
  if (start < 0) return [];
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!/^\s/.test(line) || line.trim() === '') break;
    block.push(line.trim());
  }
  return block.sort();
}

const valueOf = (s: ServiceInstance | undefined, name: string) => s?.serviceCharacteristic.find((c) => c.name === name)?.value;
const noteText = (order: ServiceOrder) => (order.note ?? []).map((n) => (n as { text?: string }).text ?? '');

describe('an add of a live identity carried out as a modify (onIdentityInUse: modify)', () => {
  it('over HTTP: the item keeps action add, gets the service id and a note; ONE service ends with the new values, on the PCRF too', async () => {
    const msisdn = nextMsisdn();
    const holder = await livePlan(msisdn);
    expect(subscriberBlock(msisdn)).toEqual(['apn internet', 'data-cap-gb 20', 'plan gold']);

    const posted = await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: upsert(msisdn, { plan: 'silver', dataCapGb: 80 }) });
    expect(posted.status).toBe(201);
    const acknowledged = posted.body as ServiceOrder;
    expect(acknowledged.state).toBe('acknowledged');
    expect(acknowledged.errorMessage).toBeUndefined();
    expect(acknowledged.onIdentityInUse).toBe('modify');
    expect(acknowledged.serviceOrderItem.map((i) => [i.id, i.action, i.service.id])).toEqual([['plan', 'add', holder]]);
    expect(noteText(acknowledged)).toEqual([
      `serviceOrderItem plan: msisdn ${msisdn} is held by active mobile-plan service ${holder}; as the order asks (onIdentityInUse: modify), the add is carried out as a modify of that service (service.id ${holder}): its characteristics are applied over the service's`,
    ]);

    const done = await h.waitForFinal(acknowledged.id);
    expect(done.state).toBe('completed');
    expect((await h.fleet.store.require(acknowledged.id)).items['plan']).toMatchObject({ lifecycle: 'modify', serviceId: holder });
    const read = await t.call('GET', `${BASES.ordering}/serviceOrder/${acknowledged.id}`);
    expect((read.body as ServiceOrder).serviceOrderItem.map((i) => [i.action, i.state, i.service.id])).toEqual([['add', 'completed', holder]]);

    const live = await holders(msisdn);
    expect(live.map((s) => [s.id, s.state])).toEqual([[holder, 'active']]);
    expect([valueOf(live[0], 'plan'), valueOf(live[0], 'dataCapGb'), valueOf(live[0], 'apn')]).toEqual(['silver', 80, 'internet']);
    // The modify's steps ran: only what changed was sent into the one block.
    expect(subscriberBlock(msisdn)).toEqual(['apn internet', 'data-cap-gb 80', 'plan silver']);
    expect(h.lab.pcrf.runningConfig().split('\n').filter((l) => l.trim() === `subscriber ${msisdn}`)).toHaveLength(1);
  });

  it('from the intake queue, and in the dry run: the same modify of the same service', async () => {
    const msisdn = nextMsisdn();
    const holder = await livePlan(msisdn);
    const dry = await h.fleet.producer.dryRunServiceOrder(upsert(msisdn, { plan: 'bronze' }));
    expect(dry.valid).toBe(true);
    expect(dry.items.map((i) => [i.itemId, i.lifecycle, i.action, i.serviceId])).toEqual([['plan', 'modify', 'modify', holder]]);
    expect(dry.items[0]?.steps.map((s) => s.apply)).toEqual([{ protocol: 'ssh-cli', lines: [`subscriber ${msisdn}`, 'plan bronze', 'exit'] }]);

    const intake = new Queue(QUEUE_NAMES.intake, { connection: { url: h.redis.url }, prefix: h.fleet.queues.intake.opts.prefix ?? '' });
    try {
      const id = `queued-upsert-${msisdn}`;
      await intake.add('order', { order: { id, ...upsert(msisdn, { plan: 'bronze' }) } });
      const done = await h.waitForFinal(id);
      expect(done.state).toBe('completed');
      expect(done.serviceOrderItem[0]?.service.id).toBe(holder);
    } finally {
      await intake.close();
    }
    expect((await holders(msisdn)).map((s) => [s.id, valueOf(s, 'plan')])).toEqual([[holder, 'bronze']]);
    expect(subscriberBlock(msisdn)).toContain('plan bronze');
  });

  it('through the client the CLI and embedded order systems open on their own connection', async () => {
    const msisdn = nextMsisdn();
    const holder = await livePlan(msisdn);
    const client = await openServiceOrderClient({ redisUrl: h.redis.url, prefix: h.fleet.keys.base, catalog: await loadServiceCatalog('config/catalog'), inventory: h.lab.inventory });
    try {
      const { order } = await client.producer.submitServiceOrder(upsert(msisdn, { apn: 'ims' }));
      expect(order.serviceOrderItem.map((i) => [i.action, i.service.id])).toEqual([['add', holder]]);
      expect((await h.waitForFinal(order.id)).state).toBe('completed');
    } finally {
      await client.close();
    }
    expect((await holders(msisdn)).map((s) => [s.id, valueOf(s, 'apn')])).toEqual([[holder, 'ims']]);
    expect(subscriberBlock(msisdn)).toEqual(['apn ims', 'data-cap-gb 20', 'plan gold']);
  });

  it('still refuses, naming why, when the holder is suspended; without the opt-in as before; and two adds of one MSISDN in one order', async () => {
    const msisdn = nextMsisdn();
    const holder = await livePlan(msisdn);
    const { order: suspend } = await h.fleet.producer.submitServiceOrder({
      serviceOrderItem: [{ id: 's', action: 'modify', service: { id: holder, state: 'suspended', serviceCharacteristic: [{ name: 'suspensionReason', value: 'nonPayment' }] } }],
    });
    expect((await h.waitForFinal(suspend.id)).state).toBe('completed');
    const before = h.lab.pcrf.runningConfig();

    const { order: refused } = await h.fleet.producer.submitServiceOrder(upsert(msisdn, { plan: 'silver' }));
    expect(refused.state).toBe('rejected');
    expect(refused.errorMessage?.map((e) => [e.code, e.message])).toEqual([
      [
        'ORDER_IDENTITY_IN_USE',
        `serviceOrderItem plan: msisdn ${msisdn} is already held by mobile-plan service ${holder} (suspended); onIdentityInUse modify does not apply: service ${holder} is suspended; resume it first, or modify it by its id`,
      ],
    ]);
    const { order: plain } = await h.fleet.producer.submitServiceOrder(upsert(msisdn, { plan: 'silver' }, { onIdentityInUse: 'refuse' }));
    expect(plain.errorMessage?.map((e) => e.message)).toEqual([`serviceOrderItem plan: msisdn ${msisdn} is already held by mobile-plan service ${holder} (suspended); modify that service, or delete it first`]);
    expect(h.lab.pcrf.runningConfig()).toBe(before);

    // Two adds of one (live, active) MSISDN in one order: refused as without the opt-in, though either alone would be a modify.
    const active = nextMsisdn();
    await livePlan(active);
    const unchanged = h.lab.pcrf.runningConfig();
    const { order: twice } = await h.fleet.producer.submitServiceOrder({ onIdentityInUse: 'modify', serviceOrderItem: [planItem('a', active), planItem('b', active, { plan: 'bronze' })] });
    expect(twice.state).toBe('rejected');
    expect(twice.errorMessage?.map((e) => e.message)).toEqual([`serviceOrderItem b: msisdn ${active} is also added by item a of this order`]);
    expect(h.lab.pcrf.runningConfig()).toBe(unchanged);

    const bad = await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: upsert(msisdn, {}, { onIdentityInUse: 'merge' as never }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('onIdentityInUse');
  });

  it('refuses when the identity claim is held by another service than the one the inventory shows (it changed hands meanwhile): checked in the claim script', async () => {
    const msisdn = nextMsisdn();
    const holder = await livePlan(msisdn);
    // As if the holder was deleted and another order's add took the identity between the inventory read and the claim script.
    const redis = new Redis(h.redis.url);
    const claims = new ResourceClaimStore(redis, h.fleet.keys);
    const resource = { itemId: 'plan', specId: 'mobile-plan', neId: 'identity:mobile-plan', resource: `msisdn=${msisdn}` };
    const [current] = await claims.holders([{ ...resource, serviceId: holder }]);
    expect(current?.serviceId).toBe(holder);
    await redis.hset(h.fleet.keys.resourceClaims('identity:mobile-plan'), `msisdn=${msisdn}`, ResourceClaimStore.holderOf({ ...resource, serviceId: 'svc-newcomer' }, 'order-still-adding'));

    const { order } = await h.fleet.producer.submitServiceOrder(upsert(msisdn, { plan: 'silver' }));
    expect(order.state).toBe('rejected');
    expect(order.errorMessage?.map((e) => [e.code, e.message])).toEqual([
      [
        'ORDER_IDENTITY_IN_USE',
        `serviceOrderItem plan: msisdn ${msisdn} is already held by mobile-plan service svc-newcomer (added by order order-still-adding); onIdentityInUse modify does not apply: service svc-newcomer is not live yet (order order-still-adding is still adding it); submit the order again (under a new id) once that order has ended`,
      ],
    ]);
    // Checked, not taken: the claim is as it was.
    expect((await claims.holders([{ ...resource, serviceId: holder }]))[0]).toMatchObject({ serviceId: 'svc-newcomer', orderId: 'order-still-adding' });
    await redis.quit();
  });
});

describe('opted-in adds of one identity at the same time', () => {
  it('of a live MSISDN: every one is a modify of the one service, run one after another; the PCRF ends with the last one', async () => {
    const msisdn = nextMsisdn();
    const holder = await livePlan(msisdn);
    const plans = ['silver', 'bronze', 'gold', 'silver'];
    const results = await Promise.all(plans.map((plan, n) => h.fleet.producer.submitServiceOrder(upsert(msisdn, { plan, dataCapGb: 30 + n }, { externalId: `crm-${msisdn}-${n}` }))));
    expect(results.map((r) => r.order.state).filter((s) => s === 'rejected')).toEqual([]);
    expect(results.map((r) => r.order.serviceOrderItem[0]?.service.id)).toEqual(plans.map(() => holder));
    const finals = await Promise.all(results.map((r) => h.waitForFinal(r.order.id, 60_000)));
    expect(finals.map((o) => o.state)).toEqual(plans.map(() => 'completed'));

    // One at a time on the service (its lock): no two items' runs overlap.
    const runs = (await Promise.all(results.map((r) => h.fleet.store.require(r.order.id))))
      .map((rec, n) => ({ n, started: rec.items['plan']?.startedAt ?? '', finished: rec.items['plan']?.finishedAt ?? '' }))
      .sort((a, b) => a.started.localeCompare(b.started));
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.started >= runs[i - 1]!.finished).toBe(true);

    const live = await holders(msisdn);
    expect(live.map((s) => s.id)).toEqual([holder]);
    const [service] = live;
    expect(subscriberBlock(msisdn)).toEqual([`apn internet`, `data-cap-gb ${String(valueOf(service, 'dataCapGb'))}`, `plan ${String(valueOf(service, 'plan'))}`]);
    // The values are those of the order that ran last.
    expect(valueOf(service, 'dataCapGb')).toBe(30 + (runs.at(-1)?.n ?? -1));
  });

  it('of an MSISDN that is not live yet: exactly one is the add; the others are refused, naming the add still running', async () => {
    const msisdn = nextMsisdn();
    // Due in an hour: the winner holds the identity claim without making it live, so the others cannot become modifies.
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const results = await Promise.all([1, 2, 3, 4].map((n) => h.fleet.producer.submitServiceOrder(upsert(msisdn, { plan: 'gold' }, { externalId: `crm-${msisdn}-later-${n}`, requestedStartDate: later }))));
    const accepted = results.filter((r) => r.order.state !== 'rejected');
    expect(accepted).toHaveLength(1);
    const winner = accepted[0]!.order;
    const added = (await h.fleet.store.require(winner.id)).items['plan'];
    expect(added?.lifecycle).toBe('add');
    expect(winner.note).toBeUndefined();
    for (const r of results.filter((x) => x.order.state === 'rejected')) {
      expect(r.order.errorMessage?.map((e) => e.message)).toEqual([
        `serviceOrderItem plan: msisdn ${msisdn} is already held by mobile-plan service ${added?.serviceId ?? ''} (added by order ${winner.id}); onIdentityInUse modify does not apply: service ${added?.serviceId ?? ''} is not live yet (order ${winner.id} is still adding it); submit the order again (under a new id) once that order has ended`,
      ]);
    }
    await h.fleet.producer.cancelServiceOrder(winner.id);
    expect((await h.waitForFinal(winner.id)).state).toBe('cancelled');
  });

  it('raced with nothing held back: whatever the interleaving, one add, and never two services for the MSISDN', async () => {
    const msisdn = nextMsisdn();
    const results = await Promise.all([1, 2, 3, 4].map((n) => h.fleet.producer.submitServiceOrder(upsert(msisdn, { plan: 'gold', dataCapGb: 10 + n }, { externalId: `crm-${msisdn}-race-${n}` }))));
    const accepted = results.filter((r) => r.order.state !== 'rejected');
    const records = await Promise.all(accepted.map((r) => h.fleet.store.require(r.order.id)));
    const adds = records.filter((rec) => rec.items['plan']?.lifecycle === 'add');
    expect(adds).toHaveLength(1);
    const serviceId = adds[0]!.items['plan']?.serviceId;
    // The others became modifies of that service (it was live when they were validated) or were refused naming its add.
    for (const rec of records) expect(rec.items['plan']?.serviceId).toBe(serviceId);
    for (const r of results.filter((x) => x.order.state === 'rejected')) expect(r.order.errorMessage?.[0]?.message).toContain(`is already held by mobile-plan service ${serviceId ?? ''}`);
    await Promise.all(accepted.map(async (r) => expect((await h.waitForFinal(r.order.id, 60_000)).state).toBe('completed')));
    const live = await holders(msisdn);
    expect(live.map((s) => s.id)).toEqual([serviceId]);
    expect(subscriberBlock(msisdn)).toContain(`data-cap-gb ${String(valueOf(live[0], 'dataCapGb'))}`);
  });
});
