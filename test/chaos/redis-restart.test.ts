import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { addFigures } from './chaos-figures.js';
import { startChaosFleet, type ChaosFleet } from './chaos-fleet.js';

let chaos: ChaosFleet;

beforeAll(async () => {
  chaos = await startChaosFleet();
});
afterAll(async () => {
  await chaos?.stop();
});

describe('Redis restarted (AOF on) during load', () => {
  it('loses no acknowledged order, and workers reconnect by themselves', async () => {
    const workers = [await chaos.startWorker(), await chaos.startWorker()];
    chaos.lab.pcrf.setLatencyMs(5);
    const before = await Promise.all(Array.from({ length: 40 }, () => chaos.fleet.producer.submitServiceOrder(mobileBundle().order)));
    let restarts = 0;
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setTimeout(r, 1500));
      await chaos.redis.restart();
      restarts += 1;
    }
    // Orders keep coming in after the restarts, through the same connections.
    const after = await Promise.all(Array.from({ length: 20 }, () => chaos.fleet.producer.submitServiceOrder(mobileBundle().order)));
    const acknowledged = [...before, ...after].filter((s) => s.order.state === 'acknowledged').map((s) => s.order.id);
    expect(acknowledged).toHaveLength(60);
    const finals = await chaos.waitForFinal(acknowledged, 150_000);
    chaos.lab.pcrf.setLatencyMs(0);

    const lost = finals.filter((o) => !['completed', 'failed', 'partial', 'cancelled'].includes(o.state));
    // Applies without an undo between them (a retry after an undone attempt is not a duplicate).
    const net = new Map<string, number>();
    for (const line of chaos.lab.pcrf.configHistory()) {
      if (line.startsWith('subscriber ')) net.set(line, (net.get(line) ?? 0) + 1);
      if (line.startsWith('no subscriber ')) net.set(line.slice(3), (net.get(line.slice(3)) ?? 0) - 1);
    }
    const duplicates = [...net.values()].filter((n) => n > 1).length;
    addFigures({ ordersRun: 60, faultsInjected: restarts, faultsByKind: { 'redis-restart': restarts }, ordersLost: lost.length, duplicateApplies: duplicates });
    console.log(`redis restarts: ${restarts}; final states: ${JSON.stringify(finals.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.state]: (acc[o.state] ?? 0) + 1 }), {}))}`);
    expect(lost.map((o) => `${o.id}: ${o.state}`)).toEqual([]);
    expect(finals.filter((o) => o.state !== 'completed').map((o) => JSON.stringify(o.serviceOrderItem.map((i) => i.errorMessage?.[0]?.message)))).toEqual([]);
    expect(duplicates).toBe(0);
    for (const w of workers) w.kill('SIGTERM');
  });
});
