import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceOrder } from '../../orders/service-order.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

const run = promisify(execFile);
let h: FleetHarness;
let configDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  h = await startFleetHarness();
  // An operator's CONFIG_DIR: the catalog, and an inventory pointing at the simulated NEs.
  configDir = await mkdtemp(join(tmpdir(), 'fleet-config-'));
  await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
  await mkdir(join(configDir, 'inventory'));
  await writeFile(join(configDir, 'inventory', 'lab.yaml'), stringify({ networkElements: h.lab.inventory.all() }));
  env = { ...process.env, REDIS_URL: h.redis.url, QUEUE_PREFIX: h.fleet.keys.base, CONFIG_DIR: configDir, LOG_LEVEL: 'silent' };
});
afterAll(async () => {
  await h?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => run('node', ['bin/activation-fleet.js', ...args], { env, timeout: 30_000 });

describe('the activation-fleet command', () => {
  it('submits an order file, prints its id, and shows its status in the TMF641 shape', async () => {
    const { order } = mobileBundle({ id: `cli-${Date.now()}` });
    const file = join(configDir, 'order.json');
    await writeFile(file, JSON.stringify(order));
    const submitted = await cli('submit', file);
    expect(submitted.stdout.trim()).toBe(order.id);
    await h.waitForFinal(order.id!);

    const json = JSON.parse((await cli('status', order.id!, '--json')).stdout) as ServiceOrder;
    expect(json).toMatchObject({ id: order.id, state: 'completed', '@type': 'ServiceOrder' });
    expect(json.serviceOrderItem.map((i) => [i.id, i.state])).toEqual([
      ['number-porting', 'completed'],
      ['mobile-plan', 'completed'],
      ['voicemail', 'completed'],
    ]);
    const human = (await cli('status', order.id!)).stdout;
    expect(human).toContain(`order ${order.id}: completed`);
    expect(human).toMatch(/item mobile-plan\s+add\s+mobile-plan\s+completed\s+reliesOn number-porting \d\d:\d\d:\d\d\.\d{3}-\d\d:\d\d:\d\d\.\d{3}/);

    // The same file again: nothing stored, the earlier order shown as the earlier one, exit 4.
    const again = await cli('submit', file).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(again?.code).toBe(4);
    expect(again?.stderr).toContain(`not submitted: an order with id ${order.id} already exists (an earlier submission; this file was not stored)`);
    expect(again?.stderr).toMatch(new RegExp(`the earlier order ${order.id}: completed, ordered \\d{4}-`));
  });

  it('exits non-zero with the reasons when the order is rejected', async () => {
    const { order } = mobileBundle();
    order.serviceOrderItem[1]!.service.serviceCharacteristic![1] = { name: 'plan', value: 'gold\nreload' };
    const file = join(configDir, 'bad.json');
    await writeFile(file, JSON.stringify(order));
    const failure = await cli('submit', file).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('rejected: ORDER_INVALID_CHARACTERISTIC');
    expect(failure?.stderr).toContain('control or line-break characters');
  });

  it('cancels an order, and refuses to cancel an unknown one', async () => {
    const { order } = mobileBundle({ id: `cli-cancel-${Date.now()}`, extra: { requestedStartDate: new Date(Date.now() + 60_000).toISOString() } });
    await h.fleet.producer.submitServiceOrder(order);
    const cancelled = await cli('cancel', order.id!, '--reason', 'duplicate order');
    expect(cancelled.stdout.trim()).toBe(`${order.id}: assessingCancellation`);
    expect((await h.waitForFinal(order.id!)).state).toBe('cancelled');
    const unknown = await cli('status', 'no-such-order').then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(unknown?.code).toBe(1);
    expect(unknown?.stderr).toContain('error ORDER_NOT_FOUND: no service order with id no-such-order');
  });

  it('names each wrong configuration value at start', async () => {
    const failure = await run('node', ['bin/activation-fleet.js', 'start'], { env: { ...env, HTTP_PORT: 'eighty', WORKER_CONCURRENCY: '0' }, timeout: 30_000 }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('HTTP_PORT must be an integer from 0 to 65535, got "eighty"');
    expect(failure?.stderr).toContain('WORKER_CONCURRENCY must be an integer from 1 to 10000, got "0"');
  });
});

describe('ops endpoints', () => {
  let fleet: FleetProcess;
  beforeAll(async () => {
    const config = loadFleetConfig({ REDIS_URL: h.redis.url, HTTP_PORT: '0', QUEUE_PREFIX: 'ops-test' });
    fleet = await startFleetProcess({ config, roles: ROLES, log: h.log, inventory: h.lab.inventory, credentials: h.lab.credentials });
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('serves /healthz, /readyz and Prometheus /metrics over HTTP', async () => {
    const address = fleet.http?.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('# TYPE activation_order_items_finished_total counter');
    expect(metrics).toContain('# TYPE activation_ne_operation_duration_seconds histogram');
    expect(metrics).toContain('process_cpu_seconds_total');
  });
});

// Secrets in every output (logs, Redis, HTTP, queue UI, CLI): test/integration/secrets-scan.test.ts.
