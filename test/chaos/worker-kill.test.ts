import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { addFigures } from './chaos-figures.js';
import { startChaosFleet, type ChaosFleet } from './chaos-fleet.js';
import { socketOwner } from './socket-owner.js';

let chaos: ChaosFleet;

beforeAll(async () => {
  chaos = await startChaosFleet();
});
afterAll(async () => {
  await chaos?.stop();
});

describe('activation workers killed with SIGKILL mid-activation, repeatedly, under load', () => {
  it('loses no order, leaves each in one final state, and applies no NE change twice', async () => {
    const ORDERS = 150;
    chaos.lab.pcrf.setLatencyMs(5);
    const workers: ChildProcess[] = [await chaos.startWorker(), await chaos.startWorker()];
    // Which worker process sent each subscriber line, from the socket it came on: a duplicate is
    // printed with its writers, so a failed run says which path sent the block twice.
    const everyWorker: number[] = workers.map((w) => w.pid ?? 0);
    const ownerOfPort = new Map<number, number | undefined>();
    const sentBy: { line: string; pid: number | undefined; port: number; at: number }[] = [];
    chaos.lab.pcrf.onLineTaken((line, { peerPort }) => {
      if (!line.includes('subscriber ')) return;
      if (!ownerOfPort.has(peerPort)) ownerOfPort.set(peerPort, socketOwner(peerPort, everyWorker));
      sentBy.push({ line, pid: ownerOfPort.get(peerPort), port: peerPort, at: Date.now() });
    });
    const submitted = await Promise.all(Array.from({ length: ORDERS }, () => chaos.fleet.producer.submitServiceOrder(mobileBundle().order)));
    const ids = submitted.map((s) => s.order.id);

    // Kill a worker every 1.5 s while orders are in flight, replacing it at once.
    let kills = 0;
    const killedAt: { pid: number; at: number }[] = [];
    const open = async () => (await chaos.fleet.store.openCounts()).open;
    while (kills < 8 && (await open()) > 0) {
      await new Promise((r) => setTimeout(r, 1500));
      const victim = workers.shift();
      victim?.kill('SIGKILL');
      killedAt.push({ pid: victim?.pid ?? 0, at: Date.now() });
      kills += 1;
      const next = await chaos.startWorker();
      everyWorker.push(next.pid ?? 0);
      workers.push(next);
    }
    const finals = await chaos.waitForFinal(ids, 180_000);
    chaos.lab.pcrf.setLatencyMs(0);

    const notFinal = finals.filter((o) => !['completed', 'failed', 'partial', 'cancelled'].includes(o.state));
    const states = finals.map((o) => o.state);
    // Each final state reached once: exactly one order state change to a final state per order.
    const events = await chaos.fleet.store.readEvents('0', { count: 10_000_000 });
    const finalTransitions = new Map<string, number>();
    for (const e of events) {
      if (e.event.eventType !== 'ServiceOrderStateChangeEvent') continue;
      const state = e.event.event.serviceOrder.state;
      if (['completed', 'failed', 'partial', 'cancelled'].includes(state)) finalTransitions.set(e.orderId, (finalTransitions.get(e.orderId) ?? 0) + 1);
    }
    // The device's own record: each subscriber's block applied once. An attempt that failed for
    // another reason is undone (`no subscriber X`) before the retry applies it again: that is
    // not a duplicate; a second apply without an undo between is.
    const history = chaos.lab.pcrf.configHistory();
    const entered = new Map<string, number>();
    for (const line of history) {
      if (line.startsWith('subscriber ')) entered.set(line, (entered.get(line) ?? 0) + 1);
      if (line.startsWith('no subscriber ')) entered.set(line.slice(3), (entered.get(line.slice(3)) ?? 0) - 1);
    }
    const duplicates = [...entered.values()].filter((n) => n > 1).length;
    chaos.lab.pcrf.onLineTaken(null);
    for (const [line, n] of entered) {
      if (n <= 1) continue;
      const msisdn = line.slice('subscriber '.length);
      const t0 = sentBy.find((s) => s.line.endsWith(msisdn))?.at ?? 0;
      const trail = sentBy.filter((s) => s.line.endsWith(msisdn)).map((s) => `+${s.at - t0}ms ${s.line} (worker ${s.pid ?? '?'}, port ${s.port})`);
      console.log(`duplicate: ${line} x${n}; kills at ${JSON.stringify(killedAt.map((k) => ({ pid: k.pid, at: k.at - t0 })))}\n  ${trail.join('\n  ')}`);
    }

    addFigures({ ordersRun: ORDERS, faultsInjected: kills, faultsByKind: { 'worker-kill': kills }, ordersLost: notFinal.length, duplicateApplies: duplicates });
    console.log(`worker kills: ${kills}; states: ${JSON.stringify(Object.fromEntries(['completed', 'failed'].map((s) => [s, states.filter((x) => x === s).length])))}; PCRF duplicate applies: ${duplicates}`);

    expect(notFinal).toEqual([]);
    expect(ids.every((id) => finalTransitions.get(id) === 1)).toBe(true);
    expect(states.filter((s) => s !== 'completed')).toEqual([]);
    expect(duplicates).toBe(0);
    expect(entered.size).toBe(ORDERS);
    for (const w of workers) w.kill('SIGTERM');
  });
});
