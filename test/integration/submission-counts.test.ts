import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from '../../queues/redis-connection.js';
import { openServiceOrderClient } from '../../runtime/service-order-client.js';
import { runCli } from '../support/cli-process.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

/**
 * activation_orders_submitted_total counts every intake path, on a fleet process's /metrics:
 * submissions through the CLI (a process of its own, which nobody scrapes) and an embedded
 * producer client included, each once.
 */
let h: FleetHarness;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  h = await startFleetHarness({ http: true, logLevel: 'silent', env: { REDIS_CHECK_INTERVAL_MS: '100' } });
  dir = await mkdtemp(join(tmpdir(), 'fleet-counts-'));
  await cp('config/catalog', join(dir, 'catalog'), { recursive: true });
  await mkdir(join(dir, 'inventory'));
  await writeFile(join(dir, 'inventory', 'lab.yaml'), stringify({ networkElements: h.lab.inventory.all() }));
  env = { ...process.env, REDIS_URL: h.redis.url, QUEUE_PREFIX: h.fleet.keys.base, CONFIG_DIR: dir, LOG_LEVEL: 'silent' };
});
afterAll(async () => {
  await h?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const submitted = async (): Promise<Record<string, number>> => {
  const port = (h.fleet.http!.server.address() as AddressInfo).port;
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const [, outcome, value] of text.matchAll(/^activation_orders_submitted_total\{outcome="(\w+)"\} (\d+)$/gm)) counts[outcome!] = Number(value);
  return counts;
};

/** Until the fleet process has taken the counts (it looks every REDIS_CHECK_INTERVAL_MS). */
async function submittedReaches(expected: Record<string, number>): Promise<Record<string, number>> {
  for (let last = await submitted(); ; last = await submitted()) {
    if (Object.entries(expected).every(([outcome, n]) => (last[outcome] ?? 0) >= n)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('activation_orders_submitted_total', () => {
  it('counts the CLI\'s and an embedded client\'s submissions on the fleet\'s /metrics, once each', async () => {
    const before = await submitted();
    const good = mobileBundle().order;
    const bad = mobileBundle({ plan: 'platinum' }).order;
    const goodFile = join(dir, 'good.json');
    const badFile = join(dir, 'bad.json');
    await writeFile(goodFile, JSON.stringify(good));
    await writeFile(badFile, JSON.stringify(bad));
    const accepted = await runCli(['submit', goodFile], env);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect((await runCli(['submit', badFile], env)).code).toBe(2);

    const client = await openServiceOrderClient({ redisUrl: h.redis.url, prefix: h.fleet.keys.base, configDir: dir });
    try {
      const again = await client.producer.submitServiceOrder({ ...good, id: accepted.stdout.trim() });
      expect(again.created).toBe(false);
    } finally {
      await client.close();
    }

    const n = (outcome: string) => before[outcome] ?? 0;
    const after = await submittedReaches({ acknowledged: n('acknowledged') + 1, rejected: n('rejected') + 1, duplicate: n('duplicate') + 1 });
    expect(after).toEqual({ ...before, acknowledged: n('acknowledged') + 1, rejected: n('rejected') + 1, duplicate: n('duplicate') + 1 });
    // Taken: nothing is left in Redis for another process to count again.
    const redis = createRedisConnection(h.redis.url, 'counts-test:observer');
    try {
      expect(await redis.exists(h.fleet.keys.uncollectedSubmissions)).toBe(0);
    } finally {
      await redis.quit();
    }
  });
});
