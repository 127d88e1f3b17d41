import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { findSecrets } from '../support/secret-scan.js';
import { addFigures } from './chaos-figures.js';
import { apiCall, poll, startProcessFleet, type FleetChild, type ProcessFleet } from './process-fleet.js';

const run = promisify(execFile);
const ORDERS = 10;
/** The readiness interval: how often each process checks the fleet epoch. */
const CHECK_MS = 1000;
let fleet: ProcessFleet;

beforeAll(async () => {
  // No AOF, no RDB: a restart comes back empty, as after a crash without persistence.
  fleet = await startProcessFleet({ appendOnly: false, env: { REDIS_CHECK_INTERVAL_MS: String(CHECK_MS) } });
});
afterAll(async () => {
  await fleet?.stop();
});

async function lostMetric(child: FleetChild): Promise<number> {
  const text = await (await fetch(`${child.baseUrl}/metrics`)).text();
  return Number(/^activation_redis_state_lost (\S+)$/m.exec(text)?.[1]);
}

describe('Redis restarted without persistence under a running fleet', () => {
  it('is detected by every process within the readiness interval: /readyz 503, activation_redis_state_lost 1, an error line; the operator acknowledges it', async () => {
    const all = [await fleet.spawnRole('intake,orchestrator'), await fleet.spawnRole('worker'), await fleet.spawnRole('api')];
    const api = all[2] as FleetChild;
    await Promise.all(all.map((c) => poll(async () => (await fetch(`${c.baseUrl}/readyz`)).status, (s) => s === 200, 60_000)));
    const ids: string[] = [];
    for (let i = 0; i < ORDERS; i++) ids.push((await apiCall(api, 'POST', '/tmf-api/serviceOrdering/v4/serviceOrder', mobileBundle().order)).body.id as string);
    const finals = await fleet.waitForFinal(ids, 120_000);
    expect(finals.map((o) => o.state)).toEqual(ids.map(() => 'completed'));
    for (const c of all) expect(await lostMetric(c)).toBe(0);

    await fleet.redis.restart();
    const back = Date.now();
    // Only /metrics is polled: detection comes from each process's own interval check.
    const detected = await Promise.all(
      all.map(async (c) => {
        await poll(() => lostMetric(c), (v) => v === 1, 60_000, 25);
        return Date.now() - back;
      }),
    );
    const detectedMs = Math.max(...detected);
    const readiness = await Promise.all(all.map(async (c) => ({ status: (await fetch(`${c.baseUrl}/readyz`)).status, body: await (await fetch(`${c.baseUrl}/readyz`)).json() })));
    const lines = all.map((c) => c.errorLines().filter((l) => l.code === 'REDIS_STATE_LOST'));
    const shown = await run('node', ['bin/activation-fleet.js', 'epoch'], { env: { ...process.env, REDIS_URL: fleet.redis.url, QUEUE_PREFIX: fleet.prefix, LOG_LEVEL: 'silent' } }).then(
      () => ({ code: 0 }),
      (e: { code: number }) => e,
    );
    const acknowledged = await run('node', ['bin/activation-fleet.js', 'epoch', '--acknowledge-loss'], { env: { ...process.env, REDIS_URL: fleet.redis.url, QUEUE_PREFIX: fleet.prefix, LOG_LEVEL: 'silent' } });
    await Promise.all(all.map((c) => poll(async () => (await fetch(`${c.baseUrl}/readyz`)).status, (s) => s === 200, 60_000)));
    // The fleet works on: a new order after the acknowledgement completes.
    const after = (await apiCall(api, 'POST', '/tmf-api/serviceOrdering/v4/serviceOrder', mobileBundle().order)).body.id as string;
    const [afterFinal] = await fleet.waitForFinal([after], 120_000);

    // FLUSHALL: wiped without a reconnect, so only the interval check can see it.
    const raw = new Redis(fleet.redis.url);
    await raw.flushall();
    const flushed = Date.now();
    const flushDetected = await Promise.all(
      all.map(async (c) => {
        await poll(() => lostMetric(c), (v) => v === 1, 60_000, 25);
        return Date.now() - flushed;
      }),
    );
    raw.disconnect();
    const flushDetectedMs = Math.max(...flushDetected);

    const secretsFound = findSecrets(fleet.secrets, Object.fromEntries(all.map((c, i) => [`process ${i} (${c.roles}) output`, c.output()])));
    addFigures({
      ordersRun: ORDERS + 1,
      faultsInjected: 2,
      faultsByKind: { 'redis-wipe': 1, 'redis-flushall': 1 },
      crashes: fleet.crashes(),
      secretsFound: secretsFound.length,
      wipeDetections: [
        { detectedMs, intervalMs: CHECK_MS },
        { detectedMs: flushDetectedMs, intervalMs: CHECK_MS },
      ],
    });
    console.log(
      `restart without persistence detected by ${all.length} processes after ${detected.join(', ')} ms, FLUSHALL after ${flushDetected.join(', ')} ms (readiness interval ${CHECK_MS} ms); ` +
        `readyz ${readiness.map((r) => r.status).join(', ')}; error lines ${lines.map((l) => l.length).join(', ')}`,
    );

    for (const r of readiness) {
      expect(r.status).toBe(503);
      expect((r.body as { reason: string }).reason).toMatch(/^Redis state lost: /);
    }
    for (const l of lines) expect(l.length).toBeGreaterThan(0);
    expect(lines.flat().some((l) => l.msg.includes('may be lost') && l.msg.includes('activation-fleet reconcile --ne ID'))).toBe(true);
    expect(shown.code).toBe(3);
    expect(acknowledged.stdout).toContain('acknowledged lost: epoch');
    expect(afterFinal?.state).toBe('completed');
    expect(detectedMs).toBeLessThan(CHECK_MS + 5000);
    expect(flushDetectedMs).toBeLessThan(CHECK_MS + 5000);
    expect(fleet.crashes()).toBe(0);
    expect(secretsFound).toEqual([]);
    for (const c of all) c.child.kill('SIGTERM');
  });
});
