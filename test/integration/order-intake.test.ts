import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../queues/queue-names.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

let h: FleetHarness;
let before: { pcrf: string; npdb: string; vms: string };

beforeAll(async () => {
  h = await startFleetHarness();
  before = { pcrf: h.lab.pcrf.runningConfig(), npdb: h.lab.npdb.runningXml(), vms: JSON.stringify(h.lab.vms.mailboxes()) };
});
afterAll(async () => {
  await h?.stop();
});

/** Submits, expects a rejection, and returns its messages; the network must be untouched. */
async function rejected(order: unknown): Promise<{ codes: string[]; messages: string[]; id: string }> {
  const { order: stored, created } = await h.fleet.producer.submitServiceOrder(order);
  expect(created).toBe(true);
  expect(stored.state).toBe('rejected');
  const errors = stored.errorMessage ?? [];
  expect(errors.length).toBeGreaterThan(0);
  return { codes: errors.map((e) => e.code), messages: errors.map((e) => e.message), id: stored.id };
}

describe('order intake rejections', () => {
  it('rejects schema errors and names the field', async () => {
    const { order } = mobileBundle();
    const bad = { ...order, priority: 'urgent', serviceOrderItem: [{ ...order.serviceOrderItem[0], action: 'install' }], colour: 'blue' };
    const { codes, messages } = await rejected(bad);
    expect(codes.every((c) => c === 'ORDER_INVALID')).toBe(true);
    expect(messages).toContain('priority: must be "0" (highest) to "4" (lowest)');
    expect(messages.some((m) => m.startsWith('serviceOrderItem[0].action:'))).toBe(true);
    expect(messages.some((m) => m.includes('colour'))).toBe(true);
  });

  it('rejects an unknown service specification', async () => {
    const { order } = mobileBundle();
    order.serviceOrderItem[1]!.service.serviceSpecification = { id: 'fixed-line' };
    const { codes, messages } = await rejected(order);
    expect(codes).toEqual(['ORDER_UNKNOWN_SPECIFICATION']);
    expect(messages[0]).toBe('serviceOrderItem[1] (id mobile-plan): unknown service specification fixed-line');
  });

  it('rejects a dependency cycle and shows it', async () => {
    const { order } = mobileBundle();
    order.serviceOrderItem[0]!.serviceOrderItemRelationship = [{ relationshipType: 'reliesOn', orderItem: { itemId: 'voicemail' } }];
    const { codes, messages } = await rejected(order);
    expect(codes).toEqual(['ORDER_DEPENDENCY_CYCLE']);
    expect(messages[0]).toMatch(/cycle: (number-porting -> voicemail -> mobile-plan -> number-porting|voicemail -> mobile-plan -> number-porting -> voicemail|mobile-plan -> number-porting -> voicemail -> mobile-plan)/);
  });

  it('rejects a relationship to an item that is not in the order', async () => {
    const { order } = mobileBundle();
    order.serviceOrderItem[2]!.serviceOrderItemRelationship = [{ relationshipType: 'reliesOn', orderItem: { itemId: 'sim-card' } }];
    const { codes, messages } = await rejected(order);
    expect(codes).toEqual(['ORDER_UNKNOWN_RELATED_ITEM']);
    expect(messages[0]).toBe('serviceOrderItem voicemail has a relationship to item sim-card, which is not in the order');
  });

  it('rejects a missing mandatory characteristic', async () => {
    const { order } = mobileBundle();
    order.serviceOrderItem[1]!.service.serviceCharacteristic = order.serviceOrderItem[1]!.service.serviceCharacteristic!.filter((c) => c.name !== 'plan');
    const { codes, messages } = await rejected(order);
    expect(codes).toEqual(['ORDER_INVALID_CHARACTERISTIC']);
    expect(messages[0]).toBe('serviceOrderItem[1] (id mobile-plan): mandatory characteristic plan is missing');
  });

  it('never lets a value with a line break reach a device', async () => {
    const { order } = mobileBundle();
    const plan = order.serviceOrderItem[1]!.service.serviceCharacteristic!;
    plan[0] = { name: 'msisdn', value: '447700900123\nreload' };
    const { codes, messages } = await rejected(order);
    expect(codes).toEqual(['ORDER_INVALID_CHARACTERISTIC']);
    expect(messages[0]).toContain('characteristic msisdn');
    expect(messages[0]).toContain('control or line-break characters');
  });

  it('rejects a value that fails its declared pattern', async () => {
    const { order } = mobileBundle();
    order.serviceOrderItem[0]!.service.serviceCharacteristic![2] = { name: 'routingNumber', value: 'D12; rm -rf' };
    const { messages } = await rejected(order);
    expect(messages[0]).toBe('serviceOrderItem[0] (id number-porting): characteristic routingNumber "D12; rm -rf" does not match the pattern D[0-9]{3}');
  });

  it('reports every problem of an order at once', async () => {
    const { order } = mobileBundle();
    order.serviceOrderItem[0]!.service.serviceSpecification = { id: 'nope' };
    order.serviceOrderItem[2]!.service.serviceCharacteristic![1] = { name: 'quotaMinutes', value: 99999 };
    order.serviceOrderItem[2]!.service.serviceCharacteristic![2] = { name: 'language', value: 'klingon' };
    const { codes, messages } = await rejected(order);
    expect(codes.sort()).toEqual(['ORDER_INVALID_CHARACTERISTIC', 'ORDER_INVALID_CHARACTERISTIC', 'ORDER_UNKNOWN_SPECIFICATION'].sort());
    expect(messages).toContain('serviceOrderItem[2] (id voicemail): characteristic quotaMinutes must be at most 600, got 99999');
  });

  it('stores rejections for status and events, and pushed nothing to any NE', async () => {
    const { order } = mobileBundle({ id: `rejected-${Date.now()}` });
    order.serviceOrderItem[1]!.service.serviceCharacteristic![1] = { name: 'plan', value: 'platinum' };
    const { id, messages } = await rejected(order);
    expect(messages[0]).toBe('serviceOrderItem[1] (id mobile-plan): characteristic plan must be one of bronze, silver, gold, got "platinum"');
    const status = await h.fleet.producer.getServiceOrder(id);
    expect(status.state).toBe('rejected');
    expect(status.serviceOrderItem.find((i) => i.id === 'mobile-plan')?.state).toBe('rejected');
    const events = (await h.fleet.store.readEvents('0', { count: 100_000 })).filter((e) => e.orderId === id);
    expect(events.map((e) => e.event.eventType)).toEqual(['ServiceOrderCreateEvent']);
    expect(events[0]?.event.event.serviceOrder.state).toBe('rejected');

    expect(await h.fleet.queues.activation.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized')).toEqual({
      waiting: 0,
      active: 0,
      completed: 0,
      failed: 0,
      delayed: 0,
      prioritized: 0,
    });
    expect(h.lab.pcrf.runningConfig()).toBe(before.pcrf);
    expect(h.lab.npdb.runningXml()).toBe(before.npdb);
    expect(JSON.stringify(h.lab.vms.mailboxes())).toBe(before.vms);
  });

  it('takes orders that upstream systems put on the intake queue themselves', async () => {
    const intake = new Queue(QUEUE_NAMES.intake, { connection: { url: h.redis.url }, prefix: h.fleet.queues.intake.opts.prefix ?? '' });
    try {
      const { order } = mobileBundle({ id: `queued-${Date.now()}` });
      await intake.add('order', { order });
      const done = await h.waitForFinal(order.id!, 20_000);
      expect(done.state).toBe('completed');
    } finally {
      await intake.close();
    }
  });
});
