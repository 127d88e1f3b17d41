import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apisOf } from '../../api/notifications/tmf-notification.js';
import { compareStreamIds } from '../../api/notifications/stream-id.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { findSecrets } from '../support/secret-scan.js';
import { Keyspace } from '../../stores/keyspace.js';
import { addFigures } from './chaos-figures.js';
import { apiCall, FINAL, poll, startProcessFleet, type ProcessFleet } from './process-fleet.js';

const ORDERS = 8;
let fleet: ProcessFleet;

beforeAll(async () => {
  fleet = await startProcessFleet({ appendOnly: true });
});
afterAll(async () => {
  await fleet?.stop();
});

/**
 * A listener that can hold the notifications posted to it: it takes the body, records it, and
 * answers only once released. While held, the api process's delivery waits on that POST and
 * the order events behind it pile up undelivered.
 */
class HoldingListener {
  readonly received: Array<{ eventId: string; eventType: string; event?: { serviceOrder?: { id: string; state: string } } }> = [];
  private held: ServerResponse[] = [];
  private holding = true;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.received.push(JSON.parse(body));
        if (this.holding) this.held.push(res);
        else res.writeHead(201).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/listener`;
  }

  get heldCount(): number {
    return this.held.length;
  }

  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) if (!res.destroyed) res.writeHead(201).end();
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('the api process killed with SIGKILL while a listener waits for its notifications', () => {
  it('a new api process delivers everything pending, in order, missing nothing (a redelivery only of the one in flight)', async () => {
    const control = await fleet.spawnRole('intake,orchestrator,worker');
    // A long listener timeout: the held POST stays in flight until the kill (no retry meanwhile).
    const first = await fleet.spawnRole('api', { NOTIFY_TIMEOUT_MS: '600000' });
    const listener = new HoldingListener();
    const callback = await listener.start();
    const hub = await apiCall(first, 'POST', '/tmf-api/serviceOrdering/v4/hub', { callback });
    expect(hub.status).toBe(201);

    const ids: string[] = [];
    for (let i = 0; i < ORDERS; i++) ids.push((await apiCall(first, 'POST', '/tmf-api/serviceOrdering/v4/serviceOrder', mobileBundle().order)).body.id as string);
    const finals = await fleet.waitForFinal(ids, 120_000);
    // The fault: every order is done, its events are in the stream, one POST is in flight.
    await poll(async () => listener.heldCount, (n) => n >= 1, 60_000);
    const receivedBeforeKill = listener.received.length;
    first.child.kill('SIGKILL');
    await first.exited;
    listener.release();

    const second = await fleet.spawnRole('api');
    // What the listener must get: every serviceOrdering notification since it registered, in stream order.
    const redis = new Redis(fleet.redis.url);
    // The processes run with one shard (no QUEUE_SHARDS): the order events are shard 0's stream.
    const keys = new Keyspace(fleet.prefix, 1);
    const streams = [...keys.allShards().map((s) => keys.events(s)), `${keys.base}:api:events`];
    const expected = async (): Promise<string[]> => {
      const entries = (await Promise.all(streams.map((s) => redis.xrange(s, '-', '+')))).flatMap((raw) =>
        raw.map(([id, fields]) => ({ id, event: JSON.parse(fields[fields.indexOf('event') + 1] ?? '{}') as { eventId: string; eventType: string } })),
      );
      return entries
        .filter((e) => apisOf(e.event.eventType).includes('serviceOrdering'))
        .sort((a, b) => compareStreamIds(a.id, b.id))
        .map((e) => e.event.eventId);
    };
    const want = await expected();
    const firstOnly = (list: string[]): string[] => list.filter((id, i) => list.indexOf(id) === i);
    await poll(async () => firstOnly(listener.received.map((e) => e.eventId)).length, (n) => n >= want.length, 180_000, 250);
    // Nothing more arrives (a late duplicate would be counted).
    await new Promise((r) => setTimeout(r, 2000));
    const got = listener.received.map((e) => e.eventId);
    const redelivered = got.length - firstOnly(got).length;
    // Redelivery is allowed only of what was in flight at the kill, and only adjacent to it.
    const collapsed = got.filter((id, i) => i === 0 || got[i - 1] !== id);

    const secretsFound = findSecrets(fleet.secrets, { 'first api output': first.output(), 'second api output': second.output(), 'control output': control.output(), notifications: JSON.stringify(listener.received) });
    addFigures({ ordersRun: ORDERS, faultsInjected: 1, faultsByKind: { 'api-kill': 1 }, ordersLost: finals.filter((o) => !FINAL.includes(o.state)).length, crashes: fleet.crashes(), secretsFound: secretsFound.length });
    console.log(`api killed with ${receivedBeforeKill} of ${want.length} notifications received; the new api process delivered the rest: ${firstOnly(got).length} distinct, ${redelivered} redelivered`);

    expect(finals.map((o) => o.state)).toEqual(ids.map(() => 'completed'));
    // Every order's create, state and item events: an empty list would mean the wrong streams were read.
    expect(want.length).toBeGreaterThan(ORDERS * 3);
    expect(receivedBeforeKill).toBeLessThan(want.length);
    expect(firstOnly(got)).toEqual(want);
    expect(collapsed).toEqual(want);
    expect(redelivered).toBeLessThanOrEqual(1);
    expect(fleet.crashes()).toBe(0);
    expect(secretsFound).toEqual([]);
    redis.disconnect();
    await listener.stop();
    control.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
  });
});
