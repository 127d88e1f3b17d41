import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiEventStream } from '../../api/notifications/api-event-stream.js';
import { MonitorStore } from '../../api/resources/monitor-store.js';
import { FleetEpochStore } from '../../stores/fleet-epoch-store.js';
import { BASES, eventually, startApiHarness, type ApiHarness } from '../api/support/api-harness.js';
import { TestListener } from '../api/support/test-listener.js';
import { mobileBundle } from '../support/mobile-bundle.js';

const run = promisify(execFile);
const CHECK_MS = 200;
let t: ApiHarness;
let redis: Redis;
let prefix: string;
let epochs: FleetEpochStore;

beforeAll(async () => {
  t = await startApiHarness({ REDIS_CHECK_INTERVAL_MS: String(CHECK_MS), MONITOR_ORPHAN_MS: '1000' });
  prefix = t.fleet.fleet.keys.base;
  redis = new Redis(t.fleet.redis.url);
  epochs = new FleetEpochStore(redis, t.fleet.fleet.keys);
});
afterAll(async () => {
  redis?.disconnect();
  await t?.stop();
});

const cli = (...args: string[]) =>
  run('node', ['bin/activation-fleet.js', ...args], { env: { ...process.env, REDIS_URL: t.fleet.redis.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' }, timeout: 60_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

async function readyz(baseUrl: string): Promise<{ status: number; reason?: string }> {
  const response = await fetch(`${baseUrl}/readyz`);
  const body = (await response.json()) as { reason?: string };
  return { status: response.status, ...(body.reason !== undefined ? { reason: body.reason } : {}) };
}

async function lostMetric(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/^activation_redis_state_lost (\S+)$/m.exec(text)?.[1]);
}

describe('the fleet epoch', () => {
  it('is created by the first process and survives an ordinary order', async () => {
    await eventually(() => readyz(t.baseUrl), (r) => r.status === 200);
    const { epoch, pendingLosses } = await epochs.read();
    expect(epoch).toMatchObject({ id: expect.any(String), createdAt: expect.any(String), createdBy: expect.stringMatching(/:\d+ \(/) });
    expect(pendingLosses).toBe(0);
    const order = (await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: mobileBundle().order })).body;
    expect((await t.fleet.waitForFinal(order.id)).state).toBe('completed');
    expect((await epochs.read()).epoch?.id).toBe(epoch?.id);
    expect(await lostMetric(t.baseUrl)).toBe(0);
  });

  it('a restart without persistence is detected within the check interval: readyz 503, the metric, an error line; nothing heals it but the operator', async () => {
    const before = (await epochs.read()).epoch;
    const wiped = Date.now();
    await t.fleet.redis.restart(); // no AOF, no RDB: an empty Redis
    const notReady = await eventually(() => readyz(t.baseUrl), (r) => r.status === 503 && /state lost/.test(r.reason ?? ''), 30_000);
    const detectedMs = Date.now() - wiped;
    console.log(`wipe detected by the api process after ${detectedMs} ms (check interval ${CHECK_MS} ms): ${notReady.reason}`);
    expect(notReady.reason).toBe(`Redis state lost: the fleet epoch ${before?.id} (created ${before?.createdAt}) vanished`);
    expect(await lostMetric(t.baseUrl)).toBe(1);
    const lines = t.fleet.logs.map((l) => JSON.parse(l) as { level: number; msg: string; code?: string }).filter((l) => l.code === 'REDIS_STATE_LOST');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.level === 50)).toBe(true);
    expect(lines[0]?.msg).toContain('Acknowledged orders, their jobs and events, the service inventory and the listeners registered before may be lost');
    expect(lines[0]?.msg).toContain('activation-fleet reconcile --ne ID');
    expect(lines[0]?.msg).toContain('activation-fleet epoch --acknowledge-loss');

    // Still lost after many checks: no process re-creates the epoch while the loss is pending.
    await new Promise((r) => setTimeout(r, 5 * CHECK_MS));
    const { epoch, pendingLosses } = await epochs.read();
    expect(epoch).toBeUndefined();
    expect(pendingLosses).toBe(1);
    expect((await epochs.losses())[0]).toMatchObject({ lost: { id: before?.id }, found: null, detectedBy: expect.any(String) });

    // A process started now (a restart, a new pod) reports the loss too.
    const late = await t.startAnotherApi();
    // (On a busy machine a check may also outlast READY_TIMEOUT_MS: 503 for that reason first.)
    const lateReady = await eventually(() => readyz(late.baseUrl), (r) => r.status === 503 && /state lost/.test(r.reason ?? ''), 30_000);
    expect(lateReady.reason).toContain('a loss of the fleet epoch is recorded and not yet acknowledged');
    expect(await lostMetric(late.baseUrl)).toBe(1);

    const shown = await cli('epoch');
    expect(shown.code).toBe(3);
    expect(shown.stdout).toContain(`lost: epoch ${before?.id}`);
    expect(shown.stdout).toContain('vanished; seen at');

    const acknowledged = await cli('epoch', '--acknowledge-loss');
    expect(acknowledged.code).toBe(0);
    expect(acknowledged.stdout).toContain(`acknowledged lost: epoch ${before?.id}`);
    for (const base of [t.baseUrl, late.baseUrl]) {
      await eventually(() => readyz(base), (r) => r.status === 200, 30_000);
      expect(await lostMetric(base)).toBe(0);
    }
    const after = (await epochs.read()).epoch;
    expect(after?.id).not.toBe(before?.id);
    expect(after?.acknowledges).toEqual([before?.id]);
    expect((await cli('epoch')).code).toBe(0);
  });

  it('a replaced epoch (a failover to another fleet\'s Redis, a restore) counts as a loss too', async () => {
    await eventually(() => readyz(t.baseUrl), (r) => r.status === 200);
    const known = (await epochs.read()).epoch;
    const other = { id: randomUUID(), createdAt: new Date().toISOString(), createdBy: 'elsewhere:1 (all)' };
    await redis.set(epochs.epochKey, JSON.stringify(other));
    const r = await eventually(() => readyz(t.baseUrl), (x) => x.status === 503 && /state lost/.test(x.reason ?? ''), 30_000);
    expect(r.reason).toBe(`Redis state lost: the fleet epoch ${known?.id} (created ${known?.createdAt}) was replaced by epoch ${other.id} (created ${other.createdAt} by elsewhere:1 (all))`);
    expect((await cli('epoch', '--acknowledge-loss')).code).toBe(0);
    await eventually(() => readyz(t.baseUrl), (x) => x.status === 200, 30_000);
    // The kept epoch is the one found; it now acknowledges the one that was lost.
    expect((await epochs.read()).epoch).toMatchObject({ id: other.id, acknowledges: expect.arrayContaining([known?.id]) });
  });
});

describe('after a wipe', () => {
  it('the API\'s event consumer recreates its group and listeners registered afterwards hear new orders', async () => {
    await t.fleet.redis.restart();
    await eventually(() => readyz(t.baseUrl), (r) => r.status === 503 && /state lost/.test(r.reason ?? ''), 30_000);
    const listener = new TestListener();
    await listener.start();
    const hub = await eventually(
      () => t.call('POST', `${BASES.ordering}/hub`, { body: { callback: listener.url, query: 'eventType=ServiceOrderStateChangeEvent' } }),
      (r) => r.status === 201,
      30_000,
    );
    expect(hub.status).toBe(201);
    const order = (await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: mobileBundle().order })).body;
    expect((await t.fleet.waitForFinal(order.id, 60_000)).state).toBe('completed');
    await listener.waitFor((r) => r.some((e) => e.event?.serviceOrder?.id === order.id && e.event.serviceOrder.state === 'completed'), 60_000);
    expect(t.fleet.logs.some((l) => l.includes('the consumer group is gone (Redis state lost?); recreating it'))).toBe(true);
    await listener.stop();
    expect((await cli('epoch', '--acknowledge-loss')).code).toBe(0);
  });
});

describe('TMF640 monitors', () => {
  it('a monitor whose order no longer exists ends inError with a clear message; one whose order exists is left alone', async () => {
    const events = new ApiEventStream(redis, `${prefix}:api:events`, () => undefined);
    const monitors = new MonitorStore(redis, events, prefix);
    const monitor = (id: string, orderId: string) => ({
      id,
      orderId,
      serviceId: 'svc-1',
      operation: 'create' as const,
      monitor: { id, href: `/tmf-api/ServiceActivationAndConfiguration/v4/monitor/${id}`, state: 'inProgress' as const, '@type': 'Monitor' as const },
    });
    // An order that exists and stays open (it starts in an hour).
    const existing = (await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: mobileBundle({ extra: { requestedStartDate: new Date(Date.now() + 3_600_000).toISOString() } }).order })).body;
    const orphan = randomUUID();
    const kept = randomUUID();
    await monitors.create(monitor(orphan, 'an-order-never-stored'));
    await monitors.create(monitor(kept, existing.id));
    const ended = await eventually(() => t.call('GET', `${BASES.activation}/monitor/${orphan}`), (r) => r.body.state !== 'inProgress', 30_000);
    expect(ended.body.state).toBe('inError');
    expect(ended.body.response.statusCode).toBe('500');
    const error = JSON.parse(ended.body.response.body);
    expect(error).toMatchObject({ code: 'MONITOR_ORDER_LOST', '@type': 'Error', status: '500' });
    expect(error.message).toContain('service order an-order-never-stored, which carried out this request, no longer exists');
    expect(error.message).toContain('activation-fleet reconcile --ne ID');
    // Two more sweeps later, the monitor of the open order is still in progress.
    await new Promise((r) => setTimeout(r, 1200));
    expect((await t.call('GET', `${BASES.activation}/monitor/${kept}`)).body.state).toBe('inProgress');
    await t.fleet.fleet.producer.cancelServiceOrder(existing.id);
  });
});
