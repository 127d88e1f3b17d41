import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from '../../queues/redis-connection.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

/**
 * The read commands (status, events, audit, services) as real processes through bin/ (dist/
 * when built): each loads neither BullMQ nor the catalog, opens one Redis connection, and
 * costs under a second of CPU from start to exit. Wall time is bounded more loosely (2 s): the
 * machine running the tests is shared, and a busy one stretches any process. What each loaded
 * and its CPU come from a hook in the process (test/support/module-log.mjs).
 */
let h: FleetHarness;
let dir: string;
let env: NodeJS.ProcessEnv;
let observer: Redis;

beforeAll(async () => {
  h = await startFleetHarness({ logLevel: 'silent' });
  dir = await mkdtemp(join(tmpdir(), 'fleet-cli-read-'));
  await cp('config/catalog', join(dir, 'catalog'), { recursive: true });
  await mkdir(join(dir, 'inventory'));
  await writeFile(join(dir, 'inventory', 'lab.yaml'), stringify({ networkElements: h.lab.inventory.all() }));
  env = { ...process.env, REDIS_URL: h.redis.url, QUEUE_PREFIX: h.fleet.keys.base, CONFIG_DIR: dir, LOG_LEVEL: 'silent' };
  observer = createRedisConnection(h.redis.url, 'cli-read-test:observer');
});
afterAll(async () => {
  await observer?.quit();
  await h?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  ms: number;
  cpuMs: number;
  modules: string[];
  connections: number;
  stdout: string;
}

const connectionsReceived = async (): Promise<number> => Number(/total_connections_received:(\d+)/.exec(await observer.info('stats'))?.[1]);

/** `activation-fleet ARGS` with the module log; wall time from spawn to exit. */
async function cli(name: string, args: string[]): Promise<Run> {
  const log = join(dir, `${name}.modules`);
  const before = await connectionsReceived();
  const started = performance.now();
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve, reject) =>
    execFile(process.execPath, ['--import', './test/support/module-log.mjs', 'bin/activation-fleet.js', ...args], { env: { ...env, MODULE_LOG: log }, timeout: 30_000 }, (error, out) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout: out });
    }),
  );
  const ms = performance.now() - started;
  const connections = (await connectionsReceived()) - before;
  const { cpuMs, modules } = JSON.parse(await readFile(log, 'utf8')) as { cpuMs: number; modules: string[] };
  return { code, ms, cpuMs, modules, connections, stdout };
}

const loads = (run: Run, pattern: RegExp) => run.modules.some((m) => pattern.test(m));
const BULLMQ = /\/node_modules\/bullmq\//;
const CATALOG = /\/catalog\/service-catalog\.(js|ts)$/;

describe('read commands start fast', () => {
  it('status, events, audit and services load no BullMQ and no catalog, use one Redis connection, and take under a second of CPU', { timeout: 120_000 }, async () => {
    // The control: submit does load BullMQ and the catalog (so the log sees them when they load).
    const file = join(dir, 'order.json');
    await writeFile(file, JSON.stringify(mobileBundle().order));
    const submit = await cli('submit', ['submit', file]);
    expect(submit.code).toBe(0);
    expect(loads(submit, BULLMQ) && loads(submit, CATALOG), 'submit loads BullMQ and the catalog').toBe(true);
    const orderId = submit.stdout.trim();
    await h.waitForFinal(orderId);

    const commands: Array<[string, string[]]> = [
      ['status', ['status', orderId]],
      ['events', ['events', '--order', orderId]],
      ['audit', ['audit', '--order', orderId]],
      ['services', ['services', '--state', 'active']],
    ];
    const report: string[] = [];
    for (const [name, args] of commands) {
      // The best of three: the machine is shared, and one run can be held up by something else.
      const runs = [await cli(name, args), await cli(name, args), await cli(name, args)];
      for (const run of runs) {
        expect(run.code, name).toBe(0);
        expect(loads(run, BULLMQ), `${name} loads BullMQ`).toBe(false);
        expect(loads(run, CATALOG), `${name} loads the catalog`).toBe(false);
        expect(run.connections, `${name}: Redis connections opened`).toBe(1);
      }
      const cpu = Math.min(...runs.map((r) => r.cpuMs));
      const wall = Math.min(...runs.map((r) => r.ms));
      report.push(`${name} ${Math.round(cpu)} ms CPU, ${Math.round(wall)} ms wall`);
      expect(cpu, `${name}: CPU from start to exit`).toBeLessThan(1000);
      expect(wall, `${name}: spawn to exit`).toBeLessThan(2000);
    }
    console.log(`read commands, best of 3: ${report.join('; ')} (load average ${loadavg()[0]?.toFixed(1)})`);
  });
});
