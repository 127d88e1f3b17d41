import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceOrder } from '../../orders/service-order.js';
import { QUEUE_NAMES, type IntakeJob } from '../../queues/queue-names.js';
import { CRASH_POINTS, type CrashPoint } from '../../observability/crash-points.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { addFigures } from './chaos-figures.js';
import { deviceInventoryDisagreements } from './device-agreement.js';
import { startProcessFleet, type FleetChild, type ProcessFleet } from './process-fleet.js';

let fleet: ProcessFleet;
let intake: Queue<IntakeJob>;

beforeAll(async () => {
  // One run of an item at a time here, so a short lock only makes the takeover of a crashed
  // worker's item quick; the reconciler looks at an order quiet for 3 s.
  fleet = await startProcessFleet({ appendOnly: false, env: { ACTIVATION_LOCK_MS: '5000', RECONCILE_QUIET_MS: '3000', LOG_LEVEL: 'info' } });
  intake = new Queue<IntakeJob>(QUEUE_NAMES.intake, { connection: { url: fleet.redis.url }, prefix: `{${fleet.prefix}}` });
  // Orchestration (and its reconciler) lives on in its own process through every crash.
  await fleet.spawnRole('orchestrator');
});
afterAll(async () => {
  fleet?.lab.pcrf.failOn(null);
  fleet?.lab.vms.failSetsWith(null);
  await intake?.close();
  await fleet?.stop();
});

/**
 * Where each crash point is reached, and what makes the order reach it. The two points of the
 * order-wide confirmed-commit window need NETCONF NEs with :confirmed-commit:1.1, which the
 * simulated NPDB is not configured as here: test/peers/order-window-crash.test.ts crashes a
 * worker at them on real netconfd.
 */
type PlainCommitPoint = Exclude<CrashPoint, 'item.after-confirmed-commit' | 'window.before-confirm'>;
const CASES: Record<PlainCommitPoint, { role: string; skip: number; fault?: 'plan-refused' | 'voicemail-refused'; expect: 'completed' | 'failed' }> = {
  // The order is stored; its first item jobs are not yet queued.
  'intake.after-create': { role: 'intake', skip: 0, expect: 'completed' },
  'item.after-start': { role: 'worker', skip: 0, expect: 'completed' },
  // The second step sent is the plan's CLI block (the porting's NETCONF commit is the first).
  'item.after-step-sent': { role: 'worker', skip: 1, expect: 'completed' },
  'item.after-settle': { role: 'worker', skip: 0, expect: 'completed' },
  // The PCRF refuses the plan's `apn` line: the attempt's undo (`no subscriber`) is sent, then the crash.
  'item.after-undo-sent': { role: 'worker', skip: 0, fault: 'plan-refused', expect: 'failed' },
  // The VMS refuses the mailbox: the rollback of the plan is sent, then the crash.
  'compensate.after-undo-sent': { role: 'worker', skip: 0, fault: 'voicemail-refused', expect: 'failed' },
};

/** Whether the order, the inventory and the devices agree for one bundle: one line per disagreement. */
async function agreement(order: ServiceOrder, msisdn: string): Promise<string[]> {
  const services = await fleet.client.services.query({ characteristic: { name: 'msisdn', value: msisdn } });
  const live = services.filter((s) => s.state === 'active' || s.state === 'suspended');
  const problems = deviceInventoryDisagreements(fleet.lab, services, [msisdn]);
  // An atomic bundle: completed, all three services live; failed, none (rolled back).
  const want = order.state === 'completed' ? 3 : 0;
  if (live.length !== want) problems.push(`order ${order.state}, but ${live.length} live service(s) in the inventory: ${live.map((s) => s.serviceSpecification.id).join(', ')}`);
  return problems;
}

describe('a crash at every gap between two writes of an item (FLEET_CRASH_AT)', () => {
  it('after recovery by a fresh process, the device, the inventory and the order agree', async () => {
    const runs: Array<{ point: CrashPoint; crashed: boolean; state: string; problems: string[] }> = [];
    let injected = 0;
    // Every point but the window's two (see CASES): a new point fails to compile until it has a case.
    for (const point of CRASH_POINTS.filter((p): p is PlainCommitPoint => p in CASES)) {
      const c = CASES[point];
      if (c.fault === 'plan-refused') fleet.lab.pcrf.failOn(/^apn /, 'APN not provisioned');
      if (c.fault === 'voicemail-refused') fleet.lab.vms.failSetsWith('notWritable');
      const armed = await fleet.spawnRole(c.role, { FLEET_CRASH_AT: point, FLEET_CRASH_SKIP: String(c.skip) });
      // The intake role takes orders from its queue; a worker runs what the crashed intake stored.
      const helpers: FleetChild[] = c.role === 'intake' ? [await fleet.spawnRole('worker')] : [];
      const { order, msisdn } = mobileBundle({ id: `crash-${point.replace(/[^a-z-]/g, '-')}-${Date.now()}` });
      if (c.role === 'intake') await intake.add('order', { order }, { jobId: `crash-${msisdn}` });
      else await fleet.client.producer.submitServiceOrder(order);
      // The fault is the point itself: the armed process kills itself there.
      const exit = await Promise.race([armed.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 60_000))]);
      const crashed = exit?.signal === 'SIGKILL';
      if (crashed) injected += 1;
      else armed.child.kill('SIGKILL');
      // Recovery: a fresh process of the role that crashed, without the crash point.
      helpers.push(await fleet.spawnRole(c.role));
      const [final] = await fleet.waitForFinal([order.id as string], 90_000);
      fleet.lab.pcrf.failOn(null);
      fleet.lab.vms.failSetsWith(null);
      const problems = final ? await agreement(final, msisdn) : ['order missing'];
      if (final && final.state !== c.expect) problems.push(`order ${final.state}, expected ${c.expect}`);
      runs.push({ point, crashed, state: final?.state ?? 'missing', problems });
      for (const h of helpers) h.child.kill('SIGTERM');
      await Promise.all(helpers.map((h) => h.exited));
    }
    const disagreements = runs.filter((r) => r.problems.length > 0).length;
    addFigures({
      ordersRun: runs.length,
      faultsInjected: injected,
      faultsByKind: { 'crash-point': injected },
      ordersLost: runs.filter((r) => !['completed', 'failed'].includes(r.state)).length,
      orderDisagreements: disagreements,
      crashes: fleet.crashes() - injected,
    });
    console.log(`crash points: ${runs.map((r) => `${r.point}: ${r.crashed ? 'crashed' : 'NOT REACHED'}, ${r.state}${r.problems.length ? ` [${r.problems.join('; ')}]` : ''}`).join(' | ')}`);

    expect(runs.filter((r) => !r.crashed).map((r) => r.point)).toEqual([]);
    expect(runs.filter((r) => r.problems.length > 0)).toEqual([]);
    expect(fleet.crashes() - injected).toBe(0);
  });
});

