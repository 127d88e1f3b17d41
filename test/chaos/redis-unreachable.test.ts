import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRedisUnavailable } from '../../queues/redis-unavailable.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { findSecrets } from '../support/secret-scan.js';
import { addFigures } from './chaos-figures.js';
import { apiCall, FINAL, pcrfDuplicateApplies, poll, startProcessFleet, type FleetChild, type ProcessFleet } from './process-fleet.js';

const ORDERS = 40;
const HOLD_MS = 10_000;
const orders = '/tmf-api/serviceOrdering/v4/serviceOrder';
let fleet: ProcessFleet;

beforeAll(async () => {
  fleet = await startProcessFleet({ appendOnly: true });
});
afterAll(async () => {
  fleet?.redis.resume();
  await fleet?.stop();
});

interface Attempt {
  via: 'api' | 'client';
  id: string;
  ok: boolean;
  ms: number;
  what: string;
}

describe('Redis unreachable (frozen) for 10 s under load', () => {
  it('producers fail fast meanwhile; no process crashes; every acknowledged order completes once Redis is back', async () => {
    const control = await fleet.spawnRole('intake,orchestrator');
    const workers = [await fleet.spawnRole('worker'), await fleet.spawnRole('worker')];
    const api = await fleet.spawnRole('api');
    const all: FleetChild[] = [control, ...workers, api];
    await Promise.all(all.map((c) => poll(async () => (await fetch(`${c.baseUrl}/readyz`)).status, (s) => s === 200, 60_000)));
    fleet.lab.pcrf.setLatencyMs(20);

    const acknowledged: string[] = [];
    for (let i = 0; i < ORDERS; i++) {
      const r = await apiCall(api, 'POST', orders, mobileBundle({ id: `unreachable-${i}-${Date.now()}` }).order);
      expect(r.status, r.text).toBe(201);
      acknowledged.push(r.body.id as string);
    }
    // The fault starts once work is on the network.
    await poll(async () => (await fleet.client.store.openCounts()).open, (open) => open > 0, 60_000);
    await poll(async () => fleet.lab.pcrf.configHistory().length, (n) => n > 0, 60_000);

    // Producers keep trying through the outage: the API and the embedded client, one attempt each at a time.
    const attempts: Attempt[] = [];
    let producing = true;
    const produce = async (via: Attempt['via']): Promise<void> => {
      for (let i = 0; producing; i++) {
        const order = mobileBundle({ id: `during-${via}-${i}-${Date.now()}` }).order;
        const started = Date.now();
        if (via === 'api') {
          const r = await apiCall(api, 'POST', orders, order).catch((e: unknown) => ({ status: 0, body: undefined, text: String(e), ms: Date.now() - started }));
          attempts.push({ via, id: order.id as string, ok: r.status === 201 || r.status === 200, ms: Date.now() - started, what: r.status === 503 ? `503 ${r.body?.code}` : `HTTP ${r.status}` });
        } else {
          const r = await fleet.client.producer.submitServiceOrder(order).then(
            () => 'ok',
            (e: unknown) => (isRedisUnavailable(e) ? 'REDIS_UNAVAILABLE' : `unexpected: ${String(e)}`),
          );
          attempts.push({ via, id: order.id as string, ok: r === 'ok', ms: Date.now() - started, what: r });
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    fleet.redis.pause();
    const frozenAt = Date.now();
    const producers = [produce('api'), produce('client')];
    let readyDuringOutage: { status: number; ms: number } | undefined;
    try {
      // Held until: 10 s passed, both producers failed fast several times, /readyz said 503.
      await poll(
        async () => {
          if (!readyDuringOutage) {
            const started = Date.now();
            const status = (await fetch(`${api.baseUrl}/readyz`)).status;
            if (status === 503) readyDuringOutage = { status, ms: Date.now() - started };
          }
          return { failed: attempts.filter((a) => !a.ok), elapsed: Date.now() - frozenAt };
        },
        ({ failed, elapsed }) => elapsed >= HOLD_MS && readyDuringOutage !== undefined && failed.filter((a) => a.via === 'api').length >= 3 && failed.filter((a) => a.via === 'client').length >= 3,
        120_000,
        250,
      );
    } finally {
      fleet.redis.resume();
    }
    const heldMs = Date.now() - frozenAt;
    producing = false;
    await Promise.all(producers);

    // Retried with the same ids, the refused submissions go through (submission is idempotent).
    const refused = attempts.filter((a) => !a.ok);
    for (const a of refused) {
      const r = await poll(() => apiCall(api, 'POST', orders, { ...mobileBundle().order, id: a.id }), (x) => x.status === 201 || x.status === 200, 60_000, 250);
      acknowledged.push(r.body.id as string);
    }
    acknowledged.push(...attempts.filter((a) => a.ok).map((a) => a.id));
    const finals = await fleet.waitForFinal(acknowledged, 240_000);
    fleet.lab.pcrf.setLatencyMs(0);

    const lost = finals.filter((o) => !FINAL.includes(o.state));
    const duplicates = pcrfDuplicateApplies(fleet.lab);
    const alive = all.filter((c) => c.child.exitCode === null && c.child.signalCode === null);
    const secretsFound = findSecrets(fleet.secrets, { ...Object.fromEntries(all.map((c, i) => [`process ${i} (${c.roles}) output`, c.output()])), 'API answers': attempts.map((a) => a.what).join('\n') });
    const slowestFailure = Math.max(...refused.map((a) => a.ms));
    addFigures({
      ordersRun: acknowledged.length,
      faultsInjected: 1,
      faultsByKind: { 'redis-unreachable': 1 },
      ordersLost: lost.length,
      duplicateApplies: duplicates,
      crashes: fleet.crashes(),
      secretsFound: secretsFound.length,
    });
    console.log(
      `redis frozen ${heldMs} ms: ${refused.length} submissions refused (slowest ${slowestFailure} ms: ${[...new Set(refused.map((a) => a.what))].join(', ')}), /readyz 503 in ${readyDuringOutage?.ms} ms; ` +
        `${acknowledged.length} acknowledged orders: ${JSON.stringify(finals.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.state]: (acc[o.state] ?? 0) + 1 }), {}))}; duplicates ${duplicates}; crashes ${fleet.crashes()}; secrets found ${secretsFound.length}`,
    );

    expect(heldMs).toBeGreaterThanOrEqual(HOLD_MS);
    expect(refused.every((a) => a.what === '503 REDIS_UNAVAILABLE' || a.what === 'REDIS_UNAVAILABLE'), JSON.stringify(refused)).toBe(true);
    // Fail fast: each refusal came in about the 2 s command timeout, never after a hang.
    expect(slowestFailure).toBeLessThan(10_000);
    expect(readyDuringOutage?.status).toBe(503);
    expect(lost.map((o) => `${o.id}: ${o.state}`)).toEqual([]);
    expect(finals.filter((o) => o.state !== 'completed').map((o) => `${o.id}: ${o.state}`)).toEqual([]);
    expect(duplicates).toBe(0);
    expect(alive).toHaveLength(all.length);
    expect(fleet.crashes()).toBe(0);
    expect(secretsFound).toEqual([]);
    for (const c of all) c.child.kill('SIGTERM');
  });
});
