import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('an activation worker killed between two lines of a CLI block', () => {
  it('takes back the half block and sends it whole: the device ends with the full block, applied once', async () => {
    const runs: Array<{ killAfter: string; msisdn: string; state: string; block: string[] | undefined; applies: number }> = [];
    // One kill after each line of the mobile plan's block but the last (`exit` changes nothing).
    for (const killAfter of ['subscriber', 'plan', 'data-cap-gb', 'apn']) {
      const { order, msisdn } = mobileBundle();
      let victim: ChildProcess | undefined = await chaos.startWorker();
      let killed = false;
      // The fault is the event itself: when the PCRF takes that line of this subscriber's block,
      // the worker is killed while the line's prompt is held, so nothing after it gets in.
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
      const replacement = await chaos.startWorker();
      const [final] = await chaos.waitForFinal([submitted.order.id], 120_000);
      replacement.kill('SIGTERM');

      const history = chaos.lab.pcrf.configHistory();
      const applies = history.filter((l) => l === `subscriber ${msisdn}`).length - history.filter((l) => l === `no subscriber ${msisdn}`).length;
      runs.push({ killAfter, msisdn, state: final?.state ?? 'missing', block: blockOf(chaos.lab.pcrf.configLines(), msisdn), applies });
    }
    console.log(`kills mid-block: ${runs.map((r) => `after '${r.killAfter}': ${r.state}, block [${r.block?.join('; ') ?? 'none'}], applies ${r.applies}`).join(' | ')}`);
    const duplicates = runs.filter((r) => r.applies > 1).length;
    const halfConfigured = runs.filter((r) => JSON.stringify(r.block) !== JSON.stringify(['plan gold', 'data-cap-gb 50', 'apn internet'])).length;
    addFigures({ ordersRun: runs.length, faultsInjected: runs.length, faultsByKind: { 'worker-kill-mid-block': runs.length }, duplicateApplies: duplicates, halfConfigured });

    expect(runs.map((r) => r.state)).toEqual(runs.map(() => 'completed'));
    expect(duplicates).toBe(0);
    expect(halfConfigured).toBe(0);
  });
});
