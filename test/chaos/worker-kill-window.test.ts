import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimRpcRecord } from '../../simulators/netconf/netconf-server-state.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { addFigures } from './chaos-figures.js';
import { startChaosFleet, type ChaosFleet } from './chaos-fleet.js';
import { deviceInventoryDisagreements, deviceViews } from './device-agreement.js';
import { socketOwner } from './socket-owner.js';

let chaos: ChaosFleet;

beforeAll(async () => {
  // The NPDB set to `true`: every mobile bundle runs in its order's window of confirmed commits.
  // A killed worker's window holds every order for the NPDB until its job is taken over, one
  // lock after the kill: a shorter lock than the fleet's 10 s, and session leases that free no
  // later than it, keep six takeovers inside the suite's time on a busy machine.
  chaos = await startChaosFleet({ ACTIVATION_LOCK_MS: '6000', SESSION_LEASE_TTL_MS: '6000' }, { npdbConfirmedCommit: true });
});
afterAll(async () => {
  chaos?.lab.npdb.onRpc(null);
  await chaos?.stop();
});

const ORDERS = 32;
const KILLS = 6;
/** A kill at every KILL_EVERY-th window opened, so the kills spread over the run. */
const KILL_EVERY = 5;

function msisdnsIn(xml: string | undefined): string[] {
  return [...(xml ?? '').matchAll(/<msisdn>(\d+)<\/msisdn>/g)].map((m) => m[1] ?? '');
}

/**
 * Per subscriber, from the NPDB's own RPC log: how many committed writes of its entry stand (a
 * window's writes count once; a cancelled, timed-out or undone one is taken back). Above 1 at
 * any point is a double apply: the same change put on the device twice by two transactions.
 */
function npdbApplies(log: SimRpcRecord[]): { peak: Map<string, number>; end: Map<string, number> } {
  const net = new Map<string, number>();
  const peak = new Map<string, number>();
  const bump = (msisdn: string, by: number): void => {
    const n = (net.get(msisdn) ?? 0) + by;
    net.set(msisdn, n);
    peak.set(msisdn, Math.max(peak.get(msisdn) ?? 0, n));
  };
  // The shared candidate's edits since the last commit or discard, and each pending window's writes.
  let candidate = new Map<string, 'write' | 'delete'>();
  const windows = new Map<string, Set<string>>();
  const windowKey = (r: SimRpcRecord, token: string | undefined): string => token ?? `session-${r.sessionId}`;
  const revert = (key: string): void => {
    for (const m of windows.get(key) ?? []) bump(m, -1);
    windows.delete(key);
    candidate = new Map();
  };
  for (const r of log) {
    if (r.outcome !== 'ok') continue;
    if (r.rpc === 'edit-config') {
      const op = r.config?.includes('"delete"') || r.config?.includes('"remove"') ? 'delete' : 'write';
      for (const m of msisdnsIn(r.config)) candidate.set(m, op);
    } else if (r.rpc === 'discard-changes') {
      candidate = new Map();
    } else if (r.rpc === 'commit') {
      const key = windowKey(r, r.persistId ?? r.persist);
      const window = windows.get(key) ?? new Set<string>();
      for (const [m, op] of candidate) {
        if (op === 'delete') bump(m, -1);
        else if (!window.has(m)) {
          window.add(m);
          bump(m, 1);
        }
      }
      candidate = new Map();
      // Confirmed for good (or a plain commit): nothing of it can be reverted any more.
      if (r.confirmed) windows.set(key, window);
      else windows.delete(key);
    } else if (r.rpc === 'cancel-commit') {
      revert(windowKey(r, r.persistId));
    } else if (r.rpc === '(confirm-timeout)' || r.rpc === '(session-end)') {
      revert(windowKey(r, r.persist));
    }
  }
  return { peak, end: net };
}

describe('activation workers killed with SIGKILL inside the order window (NPDB confirmed commits on)', () => {
  it('loses no order, applies nothing twice, and leaves no commit pending and no half-configured service', async () => {
    const started = Date.now();
    chaos.lab.pcrf.setLatencyMs(5);
    const workers: ChildProcess[] = [await chaos.startWorker(), await chaos.startWorker()];
    const everyWorker: number[] = workers.map((w) => w.pid ?? 0);

    // Event-driven kills: the NPDB has just taken a window's opening `<commit><confirmed/>` with
    // its persist token, and holds the reply until the worker that sent it is dead. The window
    // is then pending on the device with no live worker knowing it was taken.
    let kills = 0;
    let windowsOpened = 0;
    const killed: { pid: number; at: number; persist: string | undefined }[] = [];
    const restarts: Promise<void>[] = [];
    chaos.lab.npdb.onRpc(async (record, { peerPort }) => {
      if (record.rpc !== 'commit' || !record.confirmed || record.outcome !== 'ok' || record.persistId !== undefined) return;
      windowsOpened += 1;
      if (kills >= KILLS || windowsOpened % KILL_EVERY !== 2) return;
      const pid = socketOwner(peerPort, workers.map((w) => w.pid ?? 0));
      const victim = workers.find((w) => w.pid === pid);
      if (!victim) return;
      kills += 1;
      workers.splice(workers.indexOf(victim), 1);
      const exited = new Promise((resolve) => victim.once('exit', resolve));
      victim.kill('SIGKILL');
      await exited;
      killed.push({ pid: victim.pid ?? 0, at: Date.now() - started, persist: record.persist });
      // The replacement starts once the victim is dead, as in worker-kill.test.ts.
      restarts.push(
        chaos.startWorker().then((next) => {
          everyWorker.push(next.pid ?? 0);
          workers.push(next);
        }),
      );
    });

    const submitted = await Promise.all(Array.from({ length: ORDERS }, () => chaos.fleet.producer.submitServiceOrder(mobileBundle().order)));
    const ids = submitted.map((s) => s.order.id);
    const finals = await chaos.waitForFinal(ids, 150_000);
    chaos.lab.npdb.onRpc(null);
    await Promise.all(restarts);
    chaos.lab.pcrf.setLatencyMs(0);
    const elapsedMs = Date.now() - started;

    const notFinal = finals.filter((o) => !['completed', 'failed', 'partial', 'cancelled'].includes(o.state));
    const notCompleted = finals.filter((o) => o.state !== 'completed');
    for (const o of notCompleted) {
      const why = o.serviceOrderItem.map((i) => `${i.id} ${i.state}${i.errorMessage?.length ? ` (${i.errorMessage.map((e) => `${e.code}: ${e.reason}`).join('; ')})` : ''}`);
      console.log(`order ${o.id} ended ${o.state}: ${why.join(', ')}`);
    }
    // Each final state reached once: one order state change to a final state per order.
    const events = await chaos.fleet.store.readEvents('0', { count: 10_000_000 });
    const finalTransitions = new Map<string, number>();
    for (const e of events) {
      if (e.event.eventType !== 'ServiceOrderStateChangeEvent') continue;
      if (['completed', 'failed', 'partial', 'cancelled'].includes(e.event.event.serviceOrder.state)) finalTransitions.set(e.orderId, (finalTransitions.get(e.orderId) ?? 0) + 1);
    }

    // PCRF: each subscriber's block applied once, from its command log (an undo in between is no duplicate).
    const entered = new Map<string, number>();
    for (const line of chaos.lab.pcrf.configHistory()) {
      if (line.startsWith('subscriber ')) entered.set(line, (entered.get(line) ?? 0) + 1);
      if (line.startsWith('no subscriber ')) entered.set(line.slice(3), (entered.get(line.slice(3)) ?? 0) - 1);
    }
    const pcrfDuplicates = [...entered].filter(([, n]) => n > 1);
    // NPDB: each entry's committed writes, from its RPC log; its running datastore after every change.
    const rpcLog = chaos.lab.npdb.rpcLog();
    // Kept beside the workers' logs (CHAOS_LOG_DIR): what a failed or slow run is read from.
    const logDir = process.env.CHAOS_LOG_DIR;
    if (logDir) writeFileSync(join(logDir, 'npdb-rpc.jsonl'), rpcLog.map((r) => JSON.stringify({ ...r, running: undefined })).join('\n'));
    const applies = npdbApplies(rpcLog);
    const npdbDuplicates = [...applies.peak].filter(([, n]) => n > 1);
    const pending = chaos.lab.npdb.pendingConfirm();
    // Half-configured: a subscriber some device holds but not all three hold (from the devices' state).
    const views = deviceViews(chaos.lab);
    const halfConfigured = [...views].filter(([, v]) => [v.pcrf, v.npdb, v.vms].some((p) => p !== undefined) && [v.pcrf, v.npdb, v.vms].some((p) => p === undefined));
    const disagreements = deviceInventoryDisagreements(chaos.lab, await chaos.fleet.services.query());
    const runningChanges = rpcLog.filter((r) => r.running !== undefined).length;
    const cancels = rpcLog.filter((r) => r.rpc === 'cancel-commit' && r.outcome === 'ok').length;
    const timeouts = rpcLog.filter((r) => r.rpc === '(confirm-timeout)').length;

    for (const [line, n] of pcrfDuplicates) console.log(`PCRF duplicate: ${line} x${n}`);
    for (const [m, n] of npdbDuplicates) console.log(`NPDB duplicate: ${m} x${n}: ${rpcLog.filter((r) => r.config?.includes(m) || r.running?.includes(m)).map((r) => `#${r.seq} s${r.sessionId} ${r.rpc}`).join(', ')}`);
    for (const [m, v] of halfConfigured) console.log(`half-configured: ${m} ${JSON.stringify(v)}`);
    for (const d of disagreements) console.log(`device/inventory: ${d}`);
    const states = Object.fromEntries(['completed', 'failed'].map((s) => [s, finals.filter((o) => o.state === s).length]));
    console.log(
      `window worker kills: ${kills} (${JSON.stringify(killed)}), windows opened ${windowsOpened}, NPDB cancel-commits ${cancels}, confirm timeouts ${timeouts}, running changes ${runningChanges}; states ${JSON.stringify(states)} in ${elapsedMs} ms; PCRF duplicates ${pcrfDuplicates.length}, NPDB duplicates ${npdbDuplicates.length}, half-configured ${halfConfigured.length}, pending at end ${pending ? JSON.stringify(pending) : 'none'}, device/inventory disagreements ${disagreements.length}`,
    );
    addFigures({
      ordersRun: ORDERS,
      faultsInjected: kills,
      faultsByKind: { 'worker-kill-in-window': kills },
      ordersLost: notFinal.length,
      duplicateApplies: pcrfDuplicates.length + npdbDuplicates.length,
      halfConfigured: halfConfigured.length,
      deviceDisagreements: disagreements.length,
    });

    expect(notFinal).toEqual([]);
    expect(ids.every((id) => finalTransitions.get(id) === 1)).toBe(true);
    expect(notCompleted.map((o) => o.state)).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(KILLS - 1);
    expect(pcrfDuplicates).toEqual([]);
    expect(npdbDuplicates).toEqual([]);
    expect(pending).toBeUndefined();
    expect(halfConfigured).toEqual([]);
    expect(disagreements).toEqual([]);
    // Every subscriber's entry stands once on the NPDB and its block once on the PCRF.
    expect([...applies.end.values()].filter((n) => n === 1).length).toBe(ORDERS);
    expect(entered.size).toBe(ORDERS);
    for (const w of workers) w.kill('SIGTERM');
  });
});
