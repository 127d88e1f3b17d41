import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransient } from '../../errors/index.js';
import { createRedisConnection } from '../../queues/redis-connection.js';
import { isRedisUnavailable } from '../../queues/redis-unavailable.js';
import { openServiceOrderClient } from '../../runtime/service-order-client.js';
import { BASES, eventually, expectTmfError, startApiHarness, type ApiHarness } from '../api/support/api-harness.js';
import { freePort } from '../support/free-port.js';
import { mobileBundle } from '../support/mobile-bundle.js';

let t: ApiHarness;
let configDir: string;
let env: NodeJS.ProcessEnv;
let prefix: string;

beforeAll(async () => {
  t = await startApiHarness();
  prefix = t.fleet.fleet.keys.base;
  configDir = await mkdtemp(join(tmpdir(), 'fleet-outage-'));
  await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
  await mkdir(join(configDir, 'inventory'));
  await writeFile(join(configDir, 'inventory', 'lab.yaml'), stringify({ networkElements: t.fleet.lab.inventory.all() }));
  await writeFile(join(configDir, 'order.json'), JSON.stringify(mobileBundle().order));
  // A password in the URL: it must never be printed (the private Redis ignores it, with a warning).
  env = { ...process.env, REDIS_URL: t.fleet.redis.url.replace('redis://', 'redis://:hunter2-secret@'), QUEUE_PREFIX: prefix, CONFIG_DIR: configDir, LOG_LEVEL: 'silent' };
});
afterAll(async () => {
  t?.fleet.redis.resume();
  await t?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile('node', ['bin/activation-fleet.js', ...args], { env: { ...env, ...extra }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The one line a failed command prints: which Redis (no password), what failed, no stack. */
function expectOneClearLine(run: CliRun, url: string, what: RegExp): void {
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('[WARN] This Redis server'));
  expect(run.code, run.stderr).toBe(1);
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^error REDIS_UNAVAILABLE: Redis at ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is unavailable: `));
  expect(lines[0]).toMatch(what);
  expect(run.stderr).not.toContain('hunter2');
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

const COMMANDS = [['submit', 'ORDER'], ['status', 'some-order'], ['events'], ['services'], ['audit', '--ne', 'pcrf-1'], ['cancel', 'some-order'], ['epoch']];
const withOrder = (args: string[]) => args.map((a) => (a === 'ORDER' ? join(configDir, 'order.json') : a));

describe('with no Redis at the URL', () => {
  it('every CLI command exits 1 at once with one line naming the URL and the refusal', async () => {
    const port = await freePort();
    for (const args of COMMANDS) {
      const run = await cli(withOrder(args), { REDIS_URL: `redis://:hunter2-secret@127.0.0.1:${port}` });
      expectOneClearLine(run, `redis://127.0.0.1:${port}`, /ECONNREFUSED/);
      console.log(`refused: activation-fleet ${args[0]} exited ${run.code} after ${run.ms} ms`);
    }
  });
});

describe('with Redis frozen (up, but answering nothing)', () => {
  it('producers, the CLI, /readyz and /metrics answer at once; workers wait, and the fleet goes on once Redis is back', async () => {
    const { redis } = t.fleet;
    const before = (await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: mobileBundle().order })).body;
    expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);
    await (await fetch(`${t.baseUrl}/metrics`)).text(); // a good read of the gauges, before
    const producer = createRedisConnection(redis.url, 'test-producer');
    const worker = createRedisConnection(redis.url, 'test-worker', { profile: 'worker' });
    await Promise.all([producer.ping(), worker.ping()]);
    const client = await openServiceOrderClient({ redisUrl: redis.url, prefix, catalog: undefined, configDir: 'config', inventory: t.fleet.lab.inventory });
    await client.store.get('warm-up');

    redis.pause();
    try {
      // A fail-fast connection: a transient error in about its command timeout.
      let started = Date.now();
      const failure = await producer.set(`${prefix}:outage-probe`, '1').then(() => undefined, (e: unknown) => e);
      expect(isRedisUnavailable(failure)).toBe(true);
      console.log(`producer connection failed after ${Date.now() - started} ms: ${(failure as Error).message}`);
      // A worker connection waits for Redis instead.
      const waiting = worker.get(`${prefix}:outage-probe`);

      // The client upstream systems embed: a transient error, not a hang.
      started = Date.now();
      const submitted = await client.producer.submitServiceOrder(mobileBundle().order).then(() => undefined, (e: unknown) => e);
      expect(isRedisUnavailable(submitted), String(submitted)).toBe(true);
      expect(isTransient(submitted)).toBe(true);
      const clientMs = Date.now() - started;
      expect(clientMs).toBeLessThan(10_000);

      // The TMF API: 503 with a TMF Error and Retry-After.
      started = Date.now();
      const retried = mobileBundle({ id: `outage-${Date.now()}` }).order;
      const refused = await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: retried });
      const apiMs = Date.now() - started;
      expectTmfError(refused, 503, 'Redis');
      expect(refused.body.code).toBe('REDIS_UNAVAILABLE');
      expect(refused.headers.get('retry-after')).toBe('5');
      const read = await t.call('GET', `${BASES.ordering}/serviceOrder/${before.id}`);
      expectTmfError(read, 503);

      // /readyz: 503 within its bound; /metrics: the last good gauges with their age.
      started = Date.now();
      const ready = await fetch(`${t.baseUrl}/readyz`);
      const readyMs = Date.now() - started;
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: string }).reason).toMatch(/Redis at (redis:\/\/)?127\.0\.0\.1:\d+ (did not answer within 500 ms|is unavailable: (no answer in time|not connected))/);
      await new Promise((r) => setTimeout(r, 600));
      started = Date.now();
      const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
      const metricsMs = Date.now() - started;
      expect(metrics).toMatch(/activation_queue_jobs\{queue="activation",state="waiting"\} \d+/);
      const age = Number(/^activation_fleet_gauges_age_seconds (\S+)$/m.exec(metrics)?.[1]);
      expect(age).toBeGreaterThan(0.5);
      console.log(`client ${clientMs} ms, API POST 503 after ${apiMs} ms, /readyz 503 after ${readyMs} ms, /metrics after ${metricsMs} ms (gauges ${age} s old)`);
      // Busy machines are slow: these bound a hang, not the speed (the log line has the times).
      expect(readyMs).toBeLessThan(3000);
      expect(metricsMs).toBeLessThan(3000);
      expect(apiMs).toBeLessThan(10_000);

      for (const args of [['status', before.id as string], ['events'], ['services']]) {
        const run = await cli(args);
        expectOneClearLine(run, t.fleet.redis.url, /no answer in time|not connected/);
        console.log(`frozen: activation-fleet ${args[0]} exited ${run.code} after ${run.ms} ms`);
      }
      redis.resume();
      expect(await waiting).toBe('1');
      // Back: the API serves again; the refused order goes through when retried with its id.
      await eventually(async () => (await fetch(`${t.baseUrl}/readyz`)).status, (s) => s === 200, 30_000);
      // A client honours 503 + Retry-After: the API's fail-fast connection may still be
      // reconnecting for a moment after /readyz saw it up (on a busy machine it was, once), so the
      // retry is retried, a few times at most, as the answer asks (the wait shortened for the test).
      let again = await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: retried });
      for (let i = 0; i < 5 && again.status === 503; i++) {
        await new Promise((r) => setTimeout(r, 500));
        again = await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: retried });
      }
      expect([200, 201], JSON.stringify(again.body)).toContain(again.status);
      expect((await t.fleet.waitForFinal(before.id, 60_000)).state).toBe('completed');
      expect((await t.fleet.waitForFinal(again.body.id, 60_000)).state).toBe('completed');
    } finally {
      redis.resume();
      await client.close();
      producer.disconnect();
      worker.disconnect();
    }
  });
});
