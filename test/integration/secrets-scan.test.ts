import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokens } from '../../api/auth/api-tokens.js';
import { BASES, eventually, startApiHarness, TOKENS, type ApiHarness } from '../api/support/api-harness.js';
import { TestListener } from '../api/support/test-listener.js';
import { mobileBundle, nextMsisdn } from '../support/mobile-bundle.js';
import { dumpRedis, findSecrets } from '../support/secret-scan.js';

/**
 * One full run through every door, then every output is searched for every configured secret
 * (the API tokens and the NEs' credentials): the logs at trace level, every HTTP body (errors
 * included), every key and value in Redis, /metrics, the queue UI's pages and API, the
 * notifications sent to listeners, and the CLI's output.
 */
let t: ApiHarness;
let configDir: string;
let redis: Redis;
const outputs: Record<string, string> = {};
const record = (where: string, text: string): void => {
  outputs[where] = `${outputs[where] ?? ''}\n${text}`;
};

beforeAll(async () => {
  t = await startApiHarness({ LOG_LEVEL: 'trace' }, { logLevel: 'trace' });
  redis = new Redis(t.fleet.redis.url);
  configDir = await mkdtemp(join(tmpdir(), 'fleet-secrets-'));
  await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
  await mkdir(join(configDir, 'inventory'));
  await writeFile(join(configDir, 'inventory', 'lab.yaml'), stringify({ networkElements: t.fleet.lab.inventory.all() }));
});
afterAll(async () => {
  redis?.disconnect();
  await t?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

async function http(where: string, path: string, init: RequestInit & { token?: string | null } = {}): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { ...(init.body ? { 'content-type': 'application/json' } : {}) };
  const token = init.token === undefined ? TOKENS.order : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${t.baseUrl}${path}`, { ...init, headers });
  const text = await response.text();
  // The answer only (status, headers, body): the request itself is ours, tokens and all.
  record(where, `${response.status} ${JSON.stringify([...response.headers])}\n${text}`);
  return { status: response.status, text };
}

function cli(...args: string[]): Promise<void> {
  const env = { ...process.env, REDIS_URL: t.fleet.redis.url, QUEUE_PREFIX: t.fleet.fleet.keys.base, CONFIG_DIR: configDir, LOG_LEVEL: 'trace' };
  return new Promise((resolve) => {
    execFile('node', ['bin/activation-fleet.js', ...args], { env, timeout: 60_000 }, (_error, stdout, stderr) => {
      record('cli', `$ activation-fleet ${args.join(' ')}\n${stdout}\n${stderr}`);
      resolve();
    });
  });
}

describe('secrets', () => {
  it('appear in no output of a full run: logs (trace), HTTP bodies, Redis, /metrics, queue UI, notifications, CLI', async () => {
    const listener = new TestListener();
    await listener.start();
    await http('api', `${BASES.ordering}/hub`, { method: 'POST', body: JSON.stringify({ callback: listener.url }) });
    await http('api', `${BASES.activation}/hub`, { method: 'POST', body: JSON.stringify({ callback: listener.url }) });

    // Orders through every door: TMF641, TMF640 (a monitor), a rejection, a cancellation.
    const created = JSON.parse((await http('api', `${BASES.ordering}/serviceOrder`, { method: 'POST', body: JSON.stringify(mobileBundle().order) })).text);
    const activation = JSON.parse(
      (
        await http('api', `${BASES.activation}/service`, {
          method: 'POST',
          body: JSON.stringify({ state: 'active', serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: [{ name: 'msisdn', value: nextMsisdn() }, { name: 'plan', value: 'gold' }] }),
        })
      ).text,
    );
    const bad = mobileBundle().order;
    bad.serviceOrderItem[1]!.service.serviceCharacteristic![1] = { name: 'plan', value: 'platinum' };
    await http('api', `${BASES.ordering}/serviceOrder`, { method: 'POST', body: JSON.stringify(bad) });
    const later = JSON.parse((await http('api', `${BASES.ordering}/serviceOrder`, { method: 'POST', body: JSON.stringify(mobileBundle({ extra: { requestedStartDate: new Date(Date.now() + 60_000).toISOString() } }).order) })).text);
    await http('api', `${BASES.ordering}/cancelServiceOrder`, { method: 'POST', body: JSON.stringify({ serviceOrder: { id: later.id }, cancellationReason: 'test' }) });
    for (const id of [created.id, later.id]) await t.fleet.waitForFinal(id, 60_000);
    await eventually(() => http('api', `${BASES.activation}/monitor/${activation.id}`), (r) => !r.text.includes('"inProgress"'), 60_000);
    await listener.waitFor((r) => r.some((e) => e.event?.serviceOrder?.id === created.id && e.event.serviceOrder.state === 'completed'), 60_000);

    // Every error the API gives, with tokens in the wrong places.
    await http('errors', `${BASES.ordering}/serviceOrder`, { token: null });
    await http('errors', `${BASES.ordering}/serviceOrder`, { token: `${TOKENS.order}x` });
    await http('errors', `${BASES.ordering}/serviceOrder`, { method: 'POST', token: TOKENS.read, body: JSON.stringify(mobileBundle().order) });
    await http('errors', `${BASES.ordering}/serviceOrder?access_token=${TOKENS.order}`);
    await http('errors', `${BASES.ordering}/serviceOrder/${TOKENS.read}`);
    await http('errors', `${BASES.ordering}/serviceOrder?state=${TOKENS.orderOnly}`);
    await http('errors', `${BASES.ordering}/serviceOrder/no-such-order`);
    await http('errors', `${BASES.ordering}/serviceOrder`, { method: 'POST', body: '{"broken' });
    await http('errors', `${BASES.ordering}/serviceOrder`, { method: 'PUT', body: '{}' });
    await http('errors', `/queues?token=${TOKENS.read}`, { token: null });
    await http('errors', '/queues', { token: TOKENS.orderOnly });
    // A mis-ordered API_TOKENS entry: its error message.
    try {
      ApiTokens.parse(`bss read ${TOKENS.order}; ${TOKENS.read} viewer read`, 'API_TOKENS');
    } catch (error) {
      record('config errors', (error as Error).message);
    }

    // What operators read: every listing, the queue UI with every job's details, /metrics.
    for (const path of [`${BASES.ordering}/serviceOrder`, `${BASES.ordering}/cancelServiceOrder`, `${BASES.activation}/service`, `${BASES.activation}/monitor`, `${BASES.inventory}/service`, '/tmf-api/openapi.json']) {
      await http('api', path, { token: TOKENS.read });
    }
    await http('queue ui', '/queues', { token: TOKENS.read });
    for (const queue of ['service-order-intake', 'order-orchestration', 'item-activation']) {
      for (const status of ['latest', 'completed', 'failed', 'delayed', 'waiting', 'active', 'prioritized', 'paused', 'waiting-children']) {
        const page = await http('queue ui', `/queues/api/queues?activeQueue=${queue}&status=${status}&page=1&jobsPerPage=1000`, { token: TOKENS.read });
        const body = JSON.parse(page.text) as { queues: Array<{ name: string; jobs: Array<{ id: string }> }> };
        for (const job of body.queues.find((q) => q.name === queue)?.jobs ?? []) {
          await http('queue ui', `/queues/api/queues/${queue}/${encodeURIComponent(job.id)}`, { token: TOKENS.read });
          await http('queue ui', `/queues/api/queues/${queue}/${encodeURIComponent(job.id)}/logs`, { token: TOKENS.read });
        }
      }
    }
    record('metrics', await (await fetch(`${t.baseUrl}/metrics`)).text());
    record('metrics', await t.fleet.fleet.metrics.registry.metrics());

    // The CLI, with its own logs at trace.
    const orderFile = join(configDir, 'order.json');
    await writeFile(orderFile, JSON.stringify(mobileBundle().order));
    await cli('submit', orderFile);
    await cli('dry-run', orderFile);
    await cli('status', created.id);
    await cli('status', created.id, '--json');
    await cli('events');
    await cli('audit', '--order', created.id);
    for (const ne of t.fleet.lab.inventory.all()) await cli('audit', '--ne', ne.id, '--json');
    await cli('services');
    await cli('nes');
    await cli('epoch');

    record('notifications', JSON.stringify(listener.received));
    record('redis', await dumpRedis(redis));
    record('logs', t.fleet.logs.join(''));
    await listener.stop();

    // The scan sees what it should: the haystacks are not empty, the logs are at trace level.
    expect(outputs.logs?.length).toBeGreaterThan(10_000);
    // At trace, nothing is held back (the fleet logs nothing at trace today; debug is there).
    expect(t.fleet.log.level).toBe('trace');
    expect(outputs.logs).toContain('"level":20');
    expect(outputs.redis).toContain(':audit:ne:pcrf-1');
    expect(outputs['queue ui']).toContain('"data"');
    expect(outputs.cli).toContain('completed');
    expect(outputs.notifications).toContain('ServiceOrderStateChangeEvent');
    expect(outputs.errors).toContain('API_CREDENTIALS_IN_URL');
    expect(outputs['config errors']).toContain('API_TOKENS entry 1');
    const secrets = [...Object.values(TOKENS), ...t.fleet.lab.secrets];
    expect(secrets).toHaveLength(6);
    // The scan would see a leak (in clear, URL-encoded or base64).
    expect(findSecrets(secrets, { planted: `x${encodeURIComponent(secrets[1]!)}y` })).toEqual(['secret #1 in planted']);
    const found = findSecrets(secrets, outputs);
    console.log(`secrets scan: ${secrets.length} secrets over ${Object.keys(outputs).length} outputs (${Object.values(outputs).reduce((n, s) => n + s.length, 0)} characters): ${found.length} found`);
    expect(found).toEqual([]);
  });
});
