import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceOrder, ServiceOrderInput } from '../../orders/service-order.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { addFigures } from './chaos-figures.js';
import { startChaosFleet, type ChaosFleet } from './chaos-fleet.js';
import { deviceInventoryDisagreements } from './device-agreement.js';

let chaos: ChaosFleet;
let redis: Redis;
const workers: ChildProcess[] = [];
/** Subscribers whose mobile plan is live, by msisdn: their service ids. */
const plans = new Map<string, string>();

async function stopWorkers(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => new Promise((resolve) => (w.once('exit', resolve), w.kill('SIGTERM')))));
}

async function planServiceOf(msisdn: string): Promise<string> {
  const [service] = await chaos.fleet.services.query({ specification: 'mobile-plan', characteristic: { name: 'msisdn', value: msisdn } });
  if (!service) throw new Error(`no mobile-plan service for ${msisdn}`);
  return service.id;
}

const modify = (serviceId: string, plan: string, dataCapGb: number): ServiceOrderInput => ({
  description: `plan ${plan}, ${dataCapGb} GB`,
  serviceOrderItem: [{ id: 'change', action: 'modify', service: { id: serviceId, serviceCharacteristic: [{ name: 'plan', value: plan }, { name: 'dataCapGb', value: dataCapGb }] } }],
});
const suspend = (serviceId: string, reason: string): ServiceOrderInput => ({
  description: `suspend for ${reason}`,
  serviceOrderItem: [{ id: 'change', action: 'modify', service: { id: serviceId, state: 'suspended', serviceCharacteristic: [{ name: 'suspensionReason', value: reason }, { name: 'suspensionInitiator', value: 'operator' }] } }],
});
const resume = (serviceId: string, reason: string): ServiceOrderInput => ({
  description: `lift the ${reason} suspension`,
  serviceOrderItem: [{ id: 'change', action: 'modify', service: { id: serviceId, state: 'active', serviceCharacteristic: [{ name: 'suspensionReason', value: reason }, { name: 'suspensionInitiator', value: 'operator' }] } }],
});
const remove = (serviceId: string): ServiceOrderInput => ({ description: 'cease the plan', serviceOrderItem: [{ id: 'change', action: 'delete', service: { id: serviceId } }] });

beforeAll(async () => {
  chaos = await startChaosFleet();
  redis = new Redis(chaos.redis.url);
  workers.push(await chaos.startWorker(), await chaos.startWorker());
  // The services the orders below change: one bundle per trial, two more for the poison orders.
  // Without voicemail: it relies on the plan, and a plan that something live relies on cannot be deleted (ORDER_SERVICE_RELIED_ON).
  const bundles = Array.from({ length: 10 }, () => mobileBundle());
  const submitted = await Promise.all(
    bundles.map((b) => chaos.fleet.producer.submitServiceOrder({ ...b.order, serviceOrderItem: b.order.serviceOrderItem.filter((i) => i.id !== 'voicemail') })),
  );
  const finals = await chaos.waitForFinal(submitted.map((s) => s.order.id), 120_000);
  expect(finals.map((o) => o.state)).toEqual(finals.map(() => 'completed'));
  for (const b of bundles) plans.set(b.msisdn, await planServiceOf(b.msisdn));
});
afterAll(async () => {
  chaos?.lab.pcrf.onLineTaken(null);
  redis?.disconnect();
  await chaos?.stop();
});

describe('orders that change one service at once', () => {
  it('2-4 orders, mixed modify/suspend/resume/delete, run one after another: the device never sees two changes of a subscriber interleave, and ends as the inventory says', async () => {
    const [a1, a2, b1, b2, c1, c2, d1, d2] = [...plans.keys()] as [string, string, string, string, string, string, string, string];
    const sid = (m: string) => plans.get(m) as string;
    // Two trials start from a suspended service, so that a resume is valid at intake.
    const pre = await Promise.all([c1, c2].map((m) => chaos.fleet.producer.submitServiceOrder(suspend(sid(m), 'nonPayment'))));
    expect((await chaos.waitForFinal(pre.map((s) => s.order.id), 60_000)).map((o) => o.state)).toEqual(['completed', 'completed']);

    const trials: Array<{ msisdn: string; orders: ServiceOrderInput[] }> = [
      ...[a1, a2].map((m) => ({ msisdn: m, orders: [modify(sid(m), 'silver', 100), modify(sid(m), 'bronze', 10)] })),
      ...[b1, b2].map((m) => ({ msisdn: m, orders: [suspend(sid(m), 'nonPayment'), modify(sid(m), 'silver', 75), suspend(sid(m), 'fraud')] })),
      ...[c1, c2].map((m) => ({ msisdn: m, orders: [resume(sid(m), 'nonPayment'), modify(sid(m), 'bronze', 5), suspend(sid(m), 'fraud')] })),
      ...[d1, d2].map((m) => ({ msisdn: m, orders: [modify(sid(m), 'silver', 200), remove(sid(m)), suspend(sid(m), 'nonPayment'), modify(sid(m), 'bronze', 1)] })),
    ];

    // The device's own log, line by line with the session that sent it: a session's lines after
    // its `subscriber X` belong to X. One of them arriving after another session opened X is two
    // changes interleaved. (The simulator does not log `exit`, so a block's end is not seen.)
    const openBy = new Map<string, number>();
    const sessionIn = new Map<number, string>();
    let interleaved = 0;
    chaos.lab.pcrf.onLineTaken((line, { peerPort }) => {
      const msisdn = /^(?:no )?subscriber (\d+)$/.exec(line)?.[1];
      if (msisdn !== undefined) {
        openBy.set(msisdn, peerPort);
        sessionIn.set(peerPort, msisdn);
        return;
      }
      const about = sessionIn.get(peerPort);
      if (about !== undefined && openBy.get(about) !== peerPort) interleaved += 1;
    });

    // Every order of every trial at once.
    const results = await Promise.all(trials.flatMap((t) => t.orders.map(async (o) => ({ msisdn: t.msisdn, result: await chaos.fleet.producer.submitServiceOrder(o) }))));
    const accepted = results.filter((r) => r.result.order.state !== 'rejected');
    const finals = await chaos.waitForFinal(accepted.map((r) => r.result.order.id), 120_000);
    chaos.lab.pcrf.onLineTaken(null);

    // One after another: per service, no two orders' runs (started: it took the service's lock;
    // completed: it gave it back) overlap in time.
    const windows = new Map<string, Array<[number, number, string]>>();
    finals.forEach((o, i) => {
      const started = Date.parse(String(o.startDate ?? ''));
      const ended = Date.parse(String(o.completionDate ?? ''));
      if (Number.isFinite(started) && Number.isFinite(ended)) windows.set(accepted[i]!.msisdn, [...(windows.get(accepted[i]!.msisdn) ?? []), [started, ended, o.id]]);
    });
    let overlapping = 0;
    for (const list of windows.values()) {
      list.sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < list.length; i += 1) if (list[i]![0] < list[i - 1]![1]) overlapping += 1;
    }
    const notFinal = finals.filter((o) => !['completed', 'failed', 'partial', 'cancelled'].includes(o.state));
    // Orders that waited (pending, held by the order changing their service) before they ran.
    const acceptedIds = new Set(accepted.map((r) => r.result.order.id));
    const held = new Set(
      (await chaos.fleet.store.readEvents('0', { count: 1_000_000 }))
        .filter((e) => acceptedIds.has(e.orderId) && e.event.eventType === 'ServiceOrderStateChangeEvent' && e.event.event.serviceOrder.state === 'pending')
        .map((e) => e.orderId),
    );
    const disagreements = deviceInventoryDisagreements(chaos.lab, await chaos.fleet.services.query(), trials.map((t) => t.msisdn));
    const outcome = (o: ServiceOrder) => `${o.state}${o.state === 'completed' ? '' : ` (${(o.serviceOrderItem?.[0]?.['errorMessage'] as Array<{ code?: string }> | undefined)?.map((e) => e.code).join(',') ?? o.errorMessage?.map((e) => e.code).join(',') ?? ''})`}`;
    const rejected = results.filter((r) => r.result.order.state === 'rejected').map((r) => r.result.order.errorMessage?.map((e) => e.code).join(',') ?? '');
    const ordersRun = pre.length + accepted.length;
    addFigures({ ordersRun, faultsInjected: trials.length, faultsByKind: { 'same-service-orders': trials.length }, ordersLost: notFinal.length, deviceDisagreements: disagreements.length, interleavedChanges: interleaved + overlapping });
    console.log(
      `same-service orders: ${trials.length} trials of 2-4 orders; outcomes ${JSON.stringify(finals.map(outcome).reduce<Record<string, number>>((n, s) => ((n[s] = (n[s] ?? 0) + 1), n), {}))}, rejected at intake ${rejected.length} (${[...new Set(rejected)].join('; ')}); held behind another ${held.size}; interleaved lines on the PCRF ${interleaved}, overlapping executions ${overlapping}, device/inventory disagreements ${disagreements.length}${disagreements.length ? `: ${disagreements.join('; ')}` : ''}`,
    );

    expect(notFinal).toEqual([]);
    expect(interleaved).toBe(0);
    expect(overlapping).toBe(0);
    expect(held.size).toBeGreaterThan(0);
    expect(disagreements).toEqual([]);
    // Each trial ran more than one of its orders (they queued, they did not fail each other).
    for (const t of trials) expect(accepted.filter((r) => r.msisdn === t.msisdn).length).toBeGreaterThan(1);
  });
});

/** A value nested `depth` levels deep. */
function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = { deeper: value };
  return value;
}

describe('poison orders', () => {
  it('are rejected at intake or fail once; the orders queued behind them and beside them run; nothing is retried for ever', async () => {
    const [victim, bystander] = [...plans.keys()].slice(8) as [string, string];
    const sid = (m: string) => plans.get(m) as string;
    // 1. Nested 3,500 deep and 7 KB in a pass-through field (the issue's order), and a 2 MB note.
    const deep = await chaos.fleet.producer.submitServiceOrder({ ...modify(sid(bystander), 'silver', 30), note: [{ text: 'deep', extension: nested(3500) }] });
    const huge = await chaos.fleet.producer.submitServiceOrder({ ...modify(sid(bystander), 'silver', 30), note: [{ text: 'x'.repeat(2_000_000) }] }).catch((error: Error) => ({ error }));

    // 2. Data that cannot be processed once stored: with no worker running, an accepted order's
    //    stored item spec is corrupted, and a second order for the same service queues behind it.
    await stopWorkers();
    const poison = await chaos.fleet.producer.submitServiceOrder(modify(sid(victim), 'bronze', 7));
    expect(poison.order.state).not.toBe('rejected');
    await redis.hset(chaos.fleet.keys.orderDoc(poison.order.id), 'change|spec', '{"specId": "mobile-plan", "lifec');
    const behind = await chaos.fleet.producer.submitServiceOrder(modify(sid(victim), 'gold', 9));
    const beside = mobileBundle();
    const besideOrder = await chaos.fleet.producer.submitServiceOrder(beside.order);
    workers.push(await chaos.startWorker(), await chaos.startWorker());

    const hugeOrder = 'order' in huge ? huge.order : undefined;
    const ids = [poison.order.id, behind.order.id, besideOrder.order.id, ...(hugeOrder && hugeOrder.state !== 'rejected' ? [hugeOrder.id] : [])];
    const [poisonFinal, behindFinal, besideFinal, hugeFinal] = await chaos.waitForFinal(ids, 120_000);
    // Once everything else is final, the reconciler has had many passes: the poison order's item
    // must not have been started again since it failed.
    const attempts = async () => Number((await redis.hget(chaos.fleet.keys.order(poison.order.id), 'change|att')) ?? 0);
    const attemptsAtFailure = await attempts();
    const later = mobileBundle();
    const laterOrder = await chaos.fleet.producer.submitServiceOrder(later.order);
    const [laterFinal] = await chaos.waitForFinal([laterOrder.order.id], 60_000);
    const attemptsAfter = await attempts();
    const poisonJobs = (await chaos.fleet.queues.activationShards[chaos.fleet.keys.shardOf(poison.order.id)]!.getJobs(['waiting', 'active', 'delayed', 'prioritized'])).filter((j) => j.data.orderId === poison.order.id).length;
    const disagreements = deviceInventoryDisagreements(chaos.lab, await chaos.fleet.services.query(), [victim, bystander, beside.msisdn, later.msisdn]);

    const retried = (attemptsAtFailure > 1 ? 1 : 0) + (attemptsAfter !== attemptsAtFailure ? 1 : 0) + (poisonJobs > 0 ? 1 : 0);
    const othersHeldUp = [behindFinal, besideFinal, laterFinal].filter((o) => o?.state !== 'completed').length;
    addFigures({ ordersRun: ids.length + 2, hostileInputsTried: 3, ordersLost: [poisonFinal, behindFinal, besideFinal, laterFinal].filter((o) => !['completed', 'failed'].includes(o?.state ?? '')).length, poisonRetried: retried + othersHeldUp, deviceDisagreements: disagreements.length });
    console.log(
      `poison orders: deep ${deep.order.state} (${deep.order.errorMessage?.map((e) => e.code).join(',') ?? ''}); 2 MB note ${'error' in huge ? `refused: ${huge.error.message.slice(0, 120)}` : `${huge.order.state} -> ${hugeFinal?.state ?? huge.order.state}`}; corrupt stored spec ${poisonFinal?.state} (${poisonFinal?.errorMessage?.map((e) => e.code).join(',') ?? ''}) after ${attemptsAtFailure} attempt(s), ${attemptsAfter} later, ${poisonJobs} job(s) left; queued behind it ${behindFinal?.state}, beside it ${besideFinal?.state}, after it ${laterFinal?.state}; device/inventory disagreements ${disagreements.length}${disagreements.length ? `: ${disagreements.join('; ')}` : ''}`,
    );

    expect(deep.order.state).toBe('rejected');
    expect(poisonFinal?.state).toBe('failed');
    expect(poisonFinal?.errorMessage?.map((e) => e.code)).toContain('ORDER_DATA_UNPROCESSABLE');
    expect(retried).toBe(0);
    expect(othersHeldUp).toBe(0);
    expect(disagreements).toEqual([]);
    if (hugeFinal) expect(['completed', 'failed', 'rejected']).toContain(hugeFinal.state);
  });
});
