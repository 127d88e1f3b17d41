import { readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { ServiceOrderInput } from '../../orders/service-order.js';
import { ResourceClaimStore } from '../../stores/resource-claim-store.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { nextMsisdn } from '../support/mobile-bundle.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

/**
 * A mailbox spec that claims its mailbox row on the VMS: the shipped voicemail entry with
 * `claims:` on its add step and no identity, so only the claim can refuse a second add.
 */
let h: FleetHarness;
let claims: ResourceClaimStore;
let redis: Redis;
beforeAll(async () => {
  const shipped = await loadServiceCatalog('config/catalog');
  const voicemail = parse(await readFile('config/catalog/voicemail.yaml', 'utf8')) as { characteristics: Record<string, Record<string, unknown>>; actions: { add: { steps: Array<Record<string, unknown>> }; modify: { steps: Array<Record<string, unknown>> } } };
  // Its modify creates the row of the MSISDN the service has after it, so a modify can move a
  // mailbox (the shipped voicemail keeps the MSISDN immutable instead).
  voicemail.characteristics['msisdn'] = { ...voicemail.characteristics['msisdn'], immutable: false };
  voicemail.actions.modify = { steps: [{ ...voicemail.actions.add.steps[0], name: 'move-mailbox' }] };
  voicemail.actions.add.steps[0] = { ...voicemail.actions.add.steps[0], claims: ['mailbox {{ msisdn }}'] };
  const owned = ServiceCatalog.fromDocuments([{ source: 'owned-mailbox.yaml', content: { ...voicemail, id: 'owned-mailbox', name: 'Owned mailbox' } }]);
  const catalog = new ServiceCatalog([...shipped.specifications(), ...owned.specifications()]);
  h = await startFleetHarness({ catalog });
  redis = new Redis(h.redis.url);
  claims = new ResourceClaimStore(redis, h.fleet.keys);
});
afterAll(async () => {
  redis?.disconnect();
  await h?.stop();
});

const mailbox = (id: string, msisdn: string, quota = 30) => ({
  id,
  action: 'add' as const,
  service: { serviceSpecification: { id: 'owned-mailbox' }, serviceCharacteristic: [{ name: 'msisdn', value: msisdn }, { name: 'quotaMinutes', value: quota }] },
});

const mailboxes = () => JSON.stringify(h.lab.vms.mailboxes());

describe('resource claims', () => {
  it('refuses a second service claiming a held resource on the same NE, naming the holder; the claim is free again once the holder is deleted', async () => {
    const msisdn = nextMsisdn();
    const { order: first } = await h.fleet.producer.submitServiceOrder({ externalId: `claim-${msisdn}-1`, serviceOrderItem: [mailbox('box', msisdn)] });
    expect((await h.waitForFinal(first.id)).state).toBe('completed');
    const holder = (await h.fleet.store.require(first.id)).items['box']?.serviceId ?? '';
    expect((await claims.onNe('vms-1')).get(`mailbox ${msisdn}`)).toEqual({ serviceId: holder, orderId: first.id, itemId: 'box', specId: 'owned-mailbox' });

    const before = mailboxes();
    const again: ServiceOrderInput = { externalId: `claim-${msisdn}-2`, serviceOrderItem: [mailbox('box2', msisdn, 60)] };
    // The dry run says so too, without taking anything.
    const dry = await h.fleet.producer.dryRunServiceOrder(again);
    expect(dry.valid).toBe(false);
    expect(dry.reasons.map((r) => r.code)).toEqual(['ORDER_RESOURCE_CLAIMED']);
    expect(dry.reasons[0]?.message).toContain(`already claimed by owned-mailbox service ${holder} (order ${first.id})`);
    const { order: refused } = await h.fleet.producer.submitServiceOrder(again);
    expect(refused.state).toBe('rejected');
    expect(refused.errorMessage?.map((e) => [e.code, e.message])).toEqual([
      [
        'ORDER_RESOURCE_CLAIMED',
        `serviceOrderItem box2: resource mailbox ${msisdn} on network element vms-1 is already claimed by owned-mailbox service ${holder} (order ${first.id}); delete that service first, or claim another resource`,
      ],
    ]);
    expect(mailboxes()).toBe(before);

    const { order: removed } = await h.fleet.producer.submitServiceOrder({ serviceOrderItem: [{ id: 'rm', action: 'delete', service: { id: holder } }] });
    expect((await h.waitForFinal(removed.id)).state).toBe('completed');
    expect((await h.fleet.producer.dryRunServiceOrder(again)).valid).toBe(true);
    const { order: readded } = await h.fleet.producer.submitServiceOrder({ ...again, externalId: `claim-${msisdn}-3` });
    expect((await h.waitForFinal(readded.id)).state).toBe('completed');
    const newHolder = (await h.fleet.store.require(readded.id)).items['box2']?.serviceId;
    expect((await claims.onNe('vms-1')).get(`mailbox ${msisdn}`)?.serviceId).toBe(newHolder);
  });

  it('lets exactly one of two concurrent orders claiming one resource through', async () => {
    const msisdn = nextMsisdn();
    const results = await Promise.all([1, 2, 3].map((n) => h.fleet.producer.submitServiceOrder({ externalId: `race-${msisdn}-${n}`, serviceOrderItem: [mailbox('box', msisdn)] })));
    const states = results.map((r) => r.order.state).sort();
    expect(states).toEqual(['acknowledged', 'rejected', 'rejected']);
    const winner = results.find((r) => r.order.state === 'acknowledged')?.order.id ?? '';
    for (const r of results.filter((x) => x.order.state === 'rejected')) expect(r.order.errorMessage?.[0]?.code).toBe('ORDER_RESOURCE_CLAIMED');
    expect((await h.waitForFinal(winner)).state).toBe('completed');
    expect((await claims.onNe('vms-1')).get(`mailbox ${msisdn}`)?.orderId).toBe(winner);
  });

  it('refuses two adds of one order claiming the same resource, and frees the claim of an add that failed', async () => {
    const msisdn = nextMsisdn();
    const { order } = await h.fleet.producer.submitServiceOrder({ serviceOrderItem: [mailbox('a', msisdn), mailbox('b', msisdn, 60)] });
    expect(order.state).toBe('rejected');
    expect(order.errorMessage?.map((e) => e.message)).toEqual([`serviceOrderItem b: resource mailbox ${msisdn} on network element vms-1 is also claimed by item a of this order`]);
    expect((await claims.onNe('vms-1')).has(`mailbox ${msisdn}`)).toBe(false);

    // The VMS refuses every SET: the add fails, and with it its claim lapses.
    const other = nextMsisdn();
    h.lab.vms.failSetsWith('genErr');
    try {
      const { order: failing } = await h.fleet.producer.submitServiceOrder({ serviceOrderItem: [mailbox('refused', other)] });
      expect(failing.state).toBe('acknowledged');
      expect((await h.waitForFinal(failing.id)).state).toBe('failed');
      expect((await claims.onNe('vms-1')).get(`mailbox ${other}`)?.orderId).toBe(failing.id);
    } finally {
      h.lab.vms.failSetsWith(null);
    }
    const { order: next } = await h.fleet.producer.submitServiceOrder({ serviceOrderItem: [mailbox('again', other)] });
    expect(next.errorMessage ?? []).toEqual([]);
    expect((await h.waitForFinal(next.id)).state).toBe('completed');
    expect((await claims.onNe('vms-1')).get(`mailbox ${other}`)?.orderId).toBe(next.id);
  });

  it('claims for a modify what the service names after it: moving onto a held resource is refused; a completed move frees the old one', async () => {
    const [a, b, c] = [nextMsisdn(), nextMsisdn(), nextMsisdn()];
    const added = await Promise.all([a, b].map((m) => h.fleet.producer.submitServiceOrder({ serviceOrderItem: [mailbox('box', m)] })));
    for (const { order } of added) expect((await h.waitForFinal(order.id)).state).toBe('completed');
    const [boxA, boxB] = await Promise.all(added.map(async ({ order }) => (await h.fleet.store.require(order.id)).items['box']?.serviceId ?? ''));
    const move = (to: string) => ({ serviceOrderItem: [{ id: 'mv', action: 'modify' as const, service: { id: boxA ?? '', serviceCharacteristic: [{ name: 'msisdn', value: to }] } }] });

    // Onto B's mailbox: refused in the dry run and at intake, naming B; the VMS is untouched.
    const before = mailboxes();
    const dry = await h.fleet.producer.dryRunServiceOrder(move(b));
    expect(dry.reasons.map((r) => r.code)).toEqual(['ORDER_RESOURCE_CLAIMED']);
    expect(dry.reasons[0]?.message).toContain(`resource mailbox ${b} on network element vms-1 is already claimed by owned-mailbox service ${boxB}`);
    const { order: refused } = await h.fleet.producer.submitServiceOrder(move(b));
    expect(refused.state).toBe('rejected');
    expect(refused.errorMessage?.map((e) => e.code)).toEqual(['ORDER_RESOURCE_CLAIMED']);
    expect(mailboxes()).toBe(before);
    expect((await claims.onNe('vms-1')).get(`mailbox ${b}`)?.serviceId).toBe(boxB);

    // Onto a free MSISDN: the modify holds it while it runs, the service afterwards; A's old mailbox is free again.
    const { order: moved } = await h.fleet.producer.submitServiceOrder(move(c));
    expect(moved.state).toBe('acknowledged');
    expect((await claims.onNe('vms-1')).get(`mailbox ${c}`)).toEqual({ serviceId: boxA, orderId: moved.id, itemId: 'mv', specId: 'owned-mailbox' });
    expect((await h.waitForFinal(moved.id)).state).toBe('completed');
    const third = await h.fleet.producer.dryRunServiceOrder({ serviceOrderItem: [mailbox('c', c)] });
    expect(third.reasons.map((r) => r.message)).toEqual([expect.stringContaining(`resource mailbox ${c} on network element vms-1 is already claimed by owned-mailbox service ${boxA}`)]);
    const { order: reuse } = await h.fleet.producer.submitServiceOrder({ serviceOrderItem: [mailbox('a', a)] });
    expect(reuse.errorMessage ?? []).toEqual([]);
    expect((await h.waitForFinal(reuse.id)).state).toBe('completed');
    expect((await claims.onNe('vms-1')).get(`mailbox ${a}`)?.orderId).toBe(reuse.id);
  });

  it('keeps the claims a modify re-takes for its own service when the modify is not stored, or fails', async () => {
    const m = nextMsisdn();
    const { order } = await h.fleet.producer.submitServiceOrder({ serviceOrderItem: [mailbox('box', m)] });
    expect((await h.waitForFinal(order.id)).state).toBe('completed');
    const box = (await h.fleet.store.require(order.id)).items['box']?.serviceId ?? '';
    // The same modify posted twice with one id: the second is not stored, and must not free the service's claim.
    const quota = { id: `quota-${m}`, serviceOrderItem: [{ id: 'q', action: 'modify' as const, service: { id: box, serviceCharacteristic: [{ name: 'quotaMinutes', value: 90 }] } }] };
    const first = await h.fleet.producer.submitServiceOrder(quota);
    const second = await h.fleet.producer.submitServiceOrder(quota);
    expect(second.created).toBe(false);
    // This catalog's modify creates the row again, which the VMS refuses for a row that exists:
    // the modify fails and is undone, and the service's claim must outlive that too.
    expect((await h.waitForFinal(first.order.id)).state).toBe('failed');
    expect((await claims.onNe('vms-1')).get(`mailbox ${m}`)?.serviceId).toBe(box);
    expect((await h.fleet.producer.dryRunServiceOrder({ serviceOrderItem: [mailbox('dup', m)] })).reasons.map((r) => r.code)).toEqual(['ORDER_RESOURCE_CLAIMED']);
  });
});
