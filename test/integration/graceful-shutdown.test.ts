import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../observability/logger.js';
import { loadFleetConfig, type Role } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { freePort } from '../support/free-port.js';
import { itemTransitions } from '../support/item-transitions.js';
import { mobileBundle } from '../support/mobile-bundle.js';

let redis: PrivateRedis;
let lab: SimulatedLab;
let fleet: FleetProcess;
let configDir: string;
let env: Record<string, string>;

/** A worker process started by the real command, with the lab's credentials in its environment. */
async function startWorkerProcess(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const pcrf = lab.credentials(lab.inventory.get('pcrf-1')!);
  const vms = lab.credentials(lab.inventory.get('vms-1')!);
  const child = spawn('node', ['bin/activation-fleet.js', 'start', '--role', 'worker'], {
    env: { ...process.env, ...env, HTTP_PORT: String(port), LOG_LEVEL: 'warn', LAB_USERNAME: pcrf.username, LAB_PASSWORD: pcrf.password, LAB_AUTH_KEY: vms.authKey, LAB_PRIV_KEY: vms.privKey },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port };
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  lab = await startSimulatedLab({ maxSessions: 8 });
  configDir = await mkdtemp(join(tmpdir(), 'fleet-sigterm-'));
  await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
  await mkdir(join(configDir, 'inventory'));
  // Plain commits under the default (`auto`): these orders' only NETCONF NE is the NPDB, and a
  // window needs several (orders/window-scope.ts).
  const networkElements = lab.inventory.all();
  await writeFile(join(configDir, 'inventory', 'lab.yaml'), stringify({ networkElements }));
  env = { REDIS_URL: redis.url, QUEUE_PREFIX: `sigterm-${Date.now()}`, CONFIG_DIR: configDir, ACTIVATION_BACKOFF_MS: '50', WORKER_CONCURRENCY: '8' };
  // This process takes orders and orchestrates; activation happens in worker processes only.
  const roles: Role[] = ['intake', 'orchestrator', 'api'];
  fleet = await startFleetProcess({ config: loadFleetConfig({ ...env, HTTP_PORT: '0' }), roles, log: createLogger({ level: 'silent' }), credentials: lab.credentials, http: false });
});

afterAll(async () => {
  await fleet?.stop();
  await lab?.close();
  await redis?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

describe('graceful shutdown', () => {
  it('SIGTERM during load: the worker finishes its jobs and exits, nothing is lost, nothing applied twice', async () => {
    const first = await startWorkerProcess();
    lab.pcrf.setLatencyMs(20);
    const orders = await Promise.all(Array.from({ length: 30 }, () => fleet.producer.submitServiceOrder(mobileBundle().order)));
    // Let the first worker get busy, then stop it while a second one takes over.
    for (let i = 0; i < 200 && (await fleet.queues.activation.getActiveCount()) === 0; i++) await new Promise((r) => setTimeout(r, 25));
    const second = await startWorkerProcess();
    const exited = new Promise<number | null>((resolve) => first.child.once('exit', (code) => resolve(code)));
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(30_000);

    const finals = await Promise.all(
      orders.map(async ({ order }) => {
        for (let i = 0; i < 2400; i++) {
          const o = await fleet.producer.getServiceOrder(order.id);
          if (['completed', 'failed', 'partial', 'cancelled'].includes(o.state)) return o;
          await new Promise((r) => setTimeout(r, 25));
        }
        return fleet.producer.getServiceOrder(order.id);
      }),
    );
    lab.pcrf.setLatencyMs(0);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));

    expect(finals.filter((o) => o.state !== 'completed').map((o) => JSON.stringify({ state: o.state, items: o.serviceOrderItem.map((i) => [i.id, i.state, i.errorMessage?.[0]?.message]) }))).toEqual([]);
    // Each item activated exactly once: one completion event per item, and the PCRF holds each subscriber once.
    const events = await fleet.store.readEvents('0', { count: 1_000_000 });
    for (const { order } of orders) {
      expect(itemTransitions(events, order.id).filter((t) => t.endsWith('inProgress -> completed'))).toHaveLength(3);
    }
    const subscribers = lab.pcrf.configLines().filter((l) => l.startsWith('subscriber '));
    expect(new Set(subscribers).size).toBe(subscribers.length);
    expect(subscribers).toHaveLength(30);
  });
});
