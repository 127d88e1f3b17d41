import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceOrder, ServiceOrderInput } from '../../orders/service-order.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { createLogger } from '../../observability/logger.js';
import { freePort } from '../support/free-port.js';

let redis: PrivateRedis;
let lab: SimulatedLab;
let fleet: FleetProcess;
let second: ChildProcess;
let configDir: string;
let secondPort: number;
const prefix = `budget-${Date.now()}`;

const single = (spec: string, msisdn: string, extra: Array<{ name: string; value: string | number }>): ServiceOrderInput => ({
  serviceOrderItem: [{ id: 'only', action: 'add', service: { serviceSpecification: { id: spec }, serviceCharacteristic: [{ name: 'msisdn', value: msisdn }, ...extra] } }],
});

/** A counter's total over all label sets in a Prometheus text exposition. */
function total(metrics: string, name: string, filter = ''): number {
  return metrics
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(filter))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  lab = await startSimulatedLab({ maxSessions: 8 });
  configDir = await mkdtemp(join(tmpdir(), 'fleet-budget-'));
  await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
  await mkdir(join(configDir, 'inventory'));
  // The PCRF may hold one session at a time, fleet-wide.
  const nes = lab.inventory.all().map((ne) => (ne.id === 'pcrf-1' ? { ...ne, maxSessions: 1 } : ne));
  await writeFile(join(configDir, 'inventory', 'lab.yaml'), stringify({ networkElements: nes }));
  const env = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, CONFIG_DIR: configDir, ACTIVATION_BACKOFF_MS: '50', SESSION_IDLE_MS: '2000', WORKER_CONCURRENCY: '16' };

  fleet = await startFleetProcess({ config: loadFleetConfig({ ...env, HTTP_PORT: '0' }), roles: ROLES, log: createLogger({ level: 'silent' }), credentials: lab.credentials, http: true });

  // A second worker process: the real command, another OS process, same Redis.
  secondPort = await freePort();
  const pcrf = lab.credentials(lab.inventory.get('pcrf-1')!);
  const vms = lab.credentials(lab.inventory.get('vms-1')!);
  second = spawn('node', ['bin/activation-fleet.js', 'start', '--role', 'worker'], {
    env: { ...process.env, ...env, HTTP_PORT: String(secondPort), LOG_LEVEL: 'warn', LAB_USERNAME: pcrf.username, LAB_PASSWORD: pcrf.password, LAB_AUTH_KEY: vms.authKey, LAB_PRIV_KEY: vms.privKey },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    const ready = await fetch(`http://127.0.0.1:${secondPort}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  if (second && second.exitCode === null) {
    const gone = new Promise((r) => second.once('exit', r));
    second.kill('SIGTERM');
    await gone;
  }
  await fleet?.stop();
  await lab?.close();
  await redis?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

describe('per-NE budget across the fleet', () => {
  it('never exceeds 1 session on the NE under 50 concurrent jobs from two worker processes, while other NEs keep flowing', async () => {
    lab.pcrf.setLatencyMs(3);
    lab.pcrf.resetPeakSessionCount();
    const plans = await Promise.all(
      Array.from({ length: 50 }, (_, i) => fleet.producer.submitServiceOrder(single('mobile-plan', `44770010${String(i).padStart(4, '0')}`, [{ name: 'plan', value: 'silver' }]))),
    );
    const mailboxes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => fleet.producer.submitServiceOrder(single('voicemail', `44770020${String(i).padStart(4, '0')}`, []))),
    );
    const wait = async (id: string): Promise<ServiceOrder> => {
      for (let i = 0; i < 2400; i++) {
        const order = await fleet.producer.getServiceOrder(id);
        if (['completed', 'failed'].includes(order.state)) return order;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`order ${id} did not finish`);
    };
    const planDone = await Promise.all(plans.map((p) => wait(p.order.id)));
    const mailDone = await Promise.all(mailboxes.map((p) => wait(p.order.id)));
    lab.pcrf.setLatencyMs(0);

    expect(planDone.map((o) => o.state)).toEqual(Array(50).fill('completed'));
    expect(mailDone.filter((o) => o.state !== 'completed').map((o) => JSON.stringify(o.serviceOrderItem[0]?.errorMessage))).toEqual([]);
    expect(lab.pcrf.peakSessionCount()).toBe(1);
    expect(lab.pcrf.configLines().filter((l) => l.startsWith('subscriber 44770010'))).toHaveLength(50);

    // No head-of-line blocking: the voicemail orders did not wait for the PCRF queue to drain.
    const lastMailbox = Math.max(...mailDone.map((o) => Date.parse(o.completionDate ?? '')));
    const lastPlan = Math.max(...planDone.map((o) => Date.parse(o.completionDate ?? '')));
    expect(lastMailbox).toBeLessThan(lastPlan);

    // Both processes did PCRF work, and few pickups were wasted on a busy NE.
    const mine = await fleet.metrics.registry.metrics();
    const theirs = await (await fetch(`http://127.0.0.1:${secondPort}/metrics`)).text();
    const done = (m: string) => total(m, 'activation_order_items_finished_total', 'specification="mobile-plan"');
    expect(done(mine)).toBeGreaterThan(0);
    expect(done(theirs)).toBeGreaterThan(0);
    expect(done(mine) + done(theirs)).toBe(50);
    const parked = total(mine, 'activation_ne_budget_parked_total') + total(theirs, 'activation_ne_budget_parked_total');
    const waits = total(mine, 'activation_ne_budget_wait_seconds_count') + total(theirs, 'activation_ne_budget_wait_seconds_count');
    console.log(`budget: 50 PCRF jobs, peak sessions ${lab.pcrf.peakSessionCount()}, parked ${parked} times (${(parked / 50).toFixed(2)} per job), ${waits} promoted by a freed lease`);
    // Each waiting job is parked about once (the first wave), then promoted when a lease frees.
    expect(parked / 50).toBeLessThan(2);
  });
});
