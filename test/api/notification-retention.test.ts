import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_QUEUE } from '../../api/notifications/listener-delivery.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { BASES, startApiHarness, type ApiHarness } from './support/api-harness.js';

/** The notification delivery queue keeps failed jobs as JOBS_KEEP_FAILED says, like every queue. */
let t: ApiHarness;
let refusing: Server;
let requests = 0;
let events: QueueEvents;
let queue: Queue;

beforeAll(async () => {
  t = await startApiHarness({ JOBS_KEEP_FAILED: '1', NOTIFY_ATTEMPTS: '1' });
  refusing = createServer((request, response) => {
    requests++;
    request.resume();
    response.writeHead(500).end();
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  const connection = { url: t.fleet.redis.url };
  const prefix = t.fleet.fleet.keys.base;
  events = new QueueEvents(DELIVERY_QUEUE, { connection, prefix });
  queue = new Queue(DELIVERY_QUEUE, { connection, prefix });
  await events.waitUntilReady();
});
afterAll(async () => {
  await events?.close();
  await queue?.close();
  await new Promise((resolve) => refusing?.close(resolve));
  await t?.stop();
});

describe('notification delivery retention', () => {
  it('keeps JOBS_KEEP_FAILED failed delivery jobs, with their error', async () => {
    let failures = 0;
    const twoFailed = new Promise<void>((resolve) =>
      events.on('failed', () => {
        if (++failures >= 2) resolve();
      }),
    );
    const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
    for (const path of ['/a', '/b']) expect((await t.call('POST', `${BASES.ordering}/hub`, { body: { callback: `${url}${path}` } })).status).toBe(201);
    await t.fleet.fleet.producer.submitServiceOrder(mobileBundle().order);
    await twoFailed;

    expect(requests).toBeGreaterThanOrEqual(2);
    expect((await queue.getJobCounts('failed')).failed, `${failures} delivery jobs failed`).toBe(1);
    const [kept] = await queue.getFailed();
    expect(kept?.failedReason).toMatch(/500/);
  });
});
