import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { addFigures } from './chaos-figures.js';
import { startChaosFleet, type ChaosFleet } from './chaos-fleet.js';
import { deviceInventoryDisagreements } from './device-agreement.js';
import { pcrfDuplicateApplies } from './process-fleet.js';
import { socketOwner } from './socket-owner.js';

let chaos: ChaosFleet;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  // A short lock, so a paused worker's items are taken over within seconds; the fence, not the
  // lock, is what must keep the paused worker off the device once it runs again.
  chaos = await startChaosFleet({ ACTIVATION_LOCK_MS: '5000' });
});
afterAll(async () => {
  chaos?.lab.pcrf.onLineTaken(null);
  for (const w of workers) w.kill('SIGCONT');
  await chaos?.stop();
});

/** One pause: the line of the target's block that stops its sender, and what followed. */
interface Pause {
  msisdn: string;
  line: string;
  paused?: number;
  tookOver?: number;
  resolve: () => void;
}

describe('an activation worker paused past its lock (SIGSTOP), then resumed (SIGCONT) after another took its item over', () => {
  it('5 times under a load of 125 orders: no double apply, no undo of another attempt, device == inventory', async () => {
    const ROUNDS = 5;
    const PER_ROUND = 25;
    chaos.lab.pcrf.setLatencyMs(5);
    workers.push(await chaos.startWorker(), await chaos.startWorker());
    const pids = () => workers.map((w) => w.pid as number);
    const stopped = new Set<number>();
    const owners = new Map<number, number>();
    const ownerOf = (port: number): number | undefined => {
      const known = owners.get(port) ?? socketOwner(port, pids());
      if (known !== undefined) owners.set(port, known);
      return known;
    };

    // The device's own log, each line with the process that sent it. Any line a resumed worker
    // sends for the item it lost is a write by a stale execution. An undo (`no subscriber X`) of
    // a block another process applied is the repair of a lost attempt's half block only when the
    // undoing process then sends the block whole; otherwise it undid another attempt's work.
    const log: Array<{ msisdn: string; undo: boolean; pid: number | undefined }> = [];
    let staleWrites = 0;
    const lost = new Map<string, number>();
    let pause: Pause | undefined;
    const inBlock = new Map<number, string | undefined>();
    chaos.lab.pcrf.onLineTaken((line, { peerPort }) => {
      const pid = ownerOf(peerPort);
      const msisdn = /^(?:no )?subscriber (\d+)$/.exec(line)?.[1];
      if (msisdn !== undefined) inBlock.set(peerPort, line.startsWith('no ') ? undefined : msisdn);
      const about = msisdn ?? inBlock.get(peerPort);
      if (about !== undefined && lost.get(about) === pid && !stopped.has(pid as number)) staleWrites += 1;
      if (msisdn !== undefined) log.push({ msisdn, undo: line.startsWith('no '), pid });
      const p = pause;
      if (!p || about !== p.msisdn || pid === undefined) return;
      if (p.paused === undefined && line.startsWith(p.line)) {
        // Stopped while this line's prompt is held: the worker is frozen mid-block.
        p.paused = pid;
        stopped.add(pid);
        lost.set(p.msisdn, pid);
        process.kill(pid, 'SIGSTOP');
      } else if (p.paused !== undefined && p.tookOver === undefined && pid !== p.paused) {
        // The device sees another worker's line for the item: it took the item over. Resume the
        // paused one now, while that line's prompt is held, so the two race.
        p.tookOver = pid;
        stopped.delete(p.paused);
        process.kill(p.paused, 'SIGCONT');
        p.resolve();
      }
    });

    const ids: string[] = [];
    const msisdns: string[] = [];
    // Each line of the block in turn (`exit` is not logged by the simulator: it changes nothing).
    const lines = ['plan', 'subscriber', 'data-cap-gb', 'apn', 'plan'];
    const rounds: Pause[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const batch = Array.from({ length: PER_ROUND }, () => mobileBundle());
      const target = batch[Math.floor(PER_ROUND / 2)]!;
      const done = new Promise<void>((resolve) => {
        pause = { msisdn: target.msisdn, line: lines[round % lines.length]!, resolve };
      });
      rounds.push(pause!);
      const submitted = await Promise.all(batch.map((b) => chaos.fleet.producer.submitServiceOrder(b.order)));
      ids.push(...submitted.map((s) => s.order.id));
      msisdns.push(...batch.map((b) => b.msisdn));
      await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`round ${round}: no takeover of ${target.msisdn} within 90 s`)), 90_000))]);
    }
    pause = undefined;
    const finals = await chaos.waitForFinal(ids, 180_000);
    chaos.lab.pcrf.setLatencyMs(0);

    const destructive = log.flatMap((entry, i) => {
      if (!entry.undo) return [];
      const applied = log.slice(0, i).reverse().find((e) => e.msisdn === entry.msisdn && !e.undo);
      if (!applied || applied.pid === entry.pid) return [];
      const resent = log.slice(i + 1).some((e) => e.msisdn === entry.msisdn && !e.undo && e.pid === entry.pid);
      return resent ? [] : [`${entry.msisdn}: applied by ${applied.pid}, undone by ${entry.pid}${rounds.some((r) => r.msisdn === entry.msisdn) ? ' (a pause target)' : ''}`];
    });
    const destructiveUndos = destructive.length;
    const notFinal = finals.filter((o) => !['completed', 'failed', 'partial', 'cancelled'].includes(o.state));
    const duplicates = pcrfDuplicateApplies(chaos.lab);
    const disagreements = deviceInventoryDisagreements(chaos.lab, await chaos.fleet.services.query(), msisdns);
    const states = Object.fromEntries(['completed', 'failed', 'partial'].map((s) => [s, finals.filter((o) => o.state === s).length]));
    addFigures({
      ordersRun: ids.length,
      faultsInjected: rounds.length,
      faultsByKind: { 'worker-pause': rounds.length },
      ordersLost: notFinal.length,
      duplicateApplies: duplicates,
      destructiveUndos,
      staleWrites,
      deviceDisagreements: disagreements.length,
    });
    console.log(
      `worker pauses: ${rounds.map((r) => `at '${r.line}' pid ${r.paused} -> taken over by ${r.tookOver}`).join(' | ')}; states ${JSON.stringify(states)}; PCRF duplicate applies ${duplicates}, destructive undos ${destructiveUndos}${destructive.length ? ` (${destructive.join('; ')})` : ''}, stale writes ${staleWrites}, device/inventory disagreements ${disagreements.length}${disagreements.length ? `: ${disagreements.slice(0, 5).join('; ')}` : ''}`,
    );

    expect(notFinal).toEqual([]);
    expect(duplicates).toBe(0);
    expect(destructiveUndos).toBe(0);
    expect(staleWrites).toBe(0);
    expect(disagreements).toEqual([]);
    // An order that did not complete names why, item by item, so a red run carries its cause.
    const why = (o: (typeof finals)[number]) =>
      `${o.id}: ${o.state} [${o.serviceOrderItem.map((i) => `${i.id} ${i.state}${(i.errorMessage ?? []).map((e) => ` ${e.code}: ${e.message}`).join('')}`).join('; ')}]`;
    expect(finals.filter((o) => o.state !== 'completed').map(why)).toEqual([]);
  });
});
