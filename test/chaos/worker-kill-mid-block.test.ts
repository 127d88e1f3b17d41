import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeldFault } from '../../simulators/hostile/held-fault.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { addFigures } from './chaos-figures.js';
import { startChaosFleet, type ChaosFleet } from './chaos-fleet.js';

let chaos: ChaosFleet;

beforeAll(async () => {
  // One worker at a time here, so a short lock cannot let two runs overlap: the takeover of
  // each killed worker's item comes within seconds.
  chaos = await startChaosFleet({ ACTIVATION_LOCK_MS: '5000' });
});
afterAll(async () => {
  chaos?.lab.pcrf.onLineTaken(null);
  await chaos?.stop();
});

/** The subscriber's block on the PCRF, from the device's own running config: its child lines. */
function blockOf(lines: string[], msisdn: string): string[] | undefined {
  const at = lines.indexOf(`subscriber ${msisdn}`);
  if (at < 0) return undefined;
  const children: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (!line.startsWith(' ')) break;
    children.push(line.trim());
  }
  return children;
}


interface Run {
  killAfter: string;
  msisdn: string;
  state: string;
  block: string[] | undefined;
  applies: number;
}

/**
 * Kills the only worker when the PCRF takes the `killAfter` line of a fresh subscriber's block
 * (the line's prompt held, so nothing after it gets in), starts a replacement once the victim is
 * dead, and reads the outcome from the device. `beforeTakeover` arms a fault for the takeover.
 */
async function killMidBlock(killAfter: string, beforeTakeover?: () => void): Promise<Run> {
  const { order, msisdn } = mobileBundle();
  let victim: ChildProcess | undefined = await chaos.startWorker();
  let killed = false;
  let inBlock = false;
  chaos.lab.pcrf.onLineTaken(async (line) => {
    if (line === `subscriber ${msisdn}`) inBlock = true;
    if (killed || !inBlock || !line.startsWith(killAfter)) return;
    killed = true;
    const dying = victim;
    victim = undefined;
    if (dying) {
      const exited = new Promise((resolve) => dying.once('exit', resolve));
      dying.kill('SIGKILL');
      await exited;
    }
  });
  const submitted = await chaos.fleet.producer.submitServiceOrder(order);
  // The replacement starts once the victim is dead; it takes the item over when the lock expires.
  while (!killed) await new Promise((r) => setTimeout(r, 50));
  chaos.lab.pcrf.onLineTaken(null);
  beforeTakeover?.();
  const replacement = await chaos.startWorker();
  const [final] = await chaos.waitForFinal([submitted.order.id], 120_000);
  replacement.kill('SIGTERM');

  const history = chaos.lab.pcrf.configHistory();
  const applies = history.filter((l) => l === `subscriber ${msisdn}`).length - history.filter((l) => l === `no subscriber ${msisdn}`).length;
  return { killAfter, msisdn, state: final?.state ?? 'missing', block: blockOf(chaos.lab.pcrf.configLines(), msisdn), applies };
}

const FULL_BLOCK = JSON.stringify(['plan gold', 'data-cap-gb 50', 'apn internet']);

describe('an activation worker killed between two lines of a CLI block', () => {
  it('takes back the half block and sends it whole: the device ends with the full block, applied once', async () => {
    const runs: Run[] = [];
    // One kill after each line of the mobile plan's block but the last (`exit` changes nothing).
    for (const killAfter of ['subscriber', 'plan', 'data-cap-gb', 'apn']) runs.push(await killMidBlock(killAfter));
    console.log(`kills mid-block: ${runs.map((r) => `after '${r.killAfter}': ${r.state}, block [${r.block?.join('; ') ?? 'none'}], applies ${r.applies}`).join(' | ')}`);
    const duplicates = runs.filter((r) => r.applies > 1).length;
    const halfConfigured = runs.filter((r) => JSON.stringify(r.block) !== FULL_BLOCK).length;
    addFigures({ ordersRun: runs.length, faultsInjected: runs.length, faultsByKind: { 'worker-kill-mid-block': runs.length }, duplicateApplies: duplicates, halfConfigured });

    expect(runs.map((r) => r.state)).toEqual(runs.map(() => 'completed'));
    expect(duplicates).toBe(0);
    expect(halfConfigured).toBe(0);
  });

  it('keeps the record of the half block when the takeover cannot reach the NE at first, and takes it back on the next try', async () => {
    // The replacement's first connection to the PCRF is accepted and never speaks SSH, so the
    // takeover's undo fails to connect (transient) before a line is sent. The record of the
    // dead run's half block must outlive that failure: the retry takes it back, then sends it.
    let hang: HeldFault | undefined;
    const run = await killMidBlock('plan', () => {
      hang = new HeldFault(1);
      chaos.lab.pcrf.hangConnections(hang);
    });
    chaos.lab.pcrf.hangConnections(null);
    console.log(`kill mid-block, takeover's first connection hung (${hang?.hits ?? 0} hung): ${run.state}, block [${run.block?.join('; ') ?? 'none'}], applies ${run.applies}`);
    const duplicates = run.applies > 1 ? 1 : 0;
    const halfConfigured = JSON.stringify(run.block) !== FULL_BLOCK ? 1 : 0;
    addFigures({ ordersRun: 1, faultsInjected: 2, faultsByKind: { 'worker-kill-mid-block': 1, 'NE accepting and never answering': 1 }, duplicateApplies: duplicates, halfConfigured });

    expect(hang?.hits).toBe(1);
    expect(run.state).toBe('completed');
    expect(run.applies).toBe(1);
    expect(halfConfigured).toBe(0);
  });
});
