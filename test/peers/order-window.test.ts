import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceOrder } from '../../orders/service-order.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import type { FleetProcess } from '../../runtime/fleet-process.js';
import { startWindowFleet, startWindowPeers, windowBundle, type WindowPeers } from '../support/window-peers.js';

let peers: WindowPeers;
let redis: PrivateRedis;
let fleet: FleetProcess;

beforeAll(async () => {
  [peers, redis] = await Promise.all([startWindowPeers('win'), startPrivateRedis()]);
  fleet = await startWindowFleet(peers, redis.url, { QUEUE_PREFIX: `window-${randomBytes(3).toString('hex')}` });
});
afterAll(async () => {
  await fleet?.stop();
  await redis?.stop();
  await peers?.stop();
});

async function finished(id: string): Promise<ServiceOrder> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const o = await fleet.producer.getServiceOrder(id);
    if (['completed', 'failed', 'partial', 'cancelled'].includes(o.state) || Date.now() > deadline) return o;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const rpc = (request: string): string => /<rpc [^>]*>\s*<([a-z-]+)/.exec(request)?.[1] ?? '?';

describe("an order's window over three netconfd NEs", () => {
  it('last item fails its post-test: all three devices byte-identical to before, through cancel-commit alone', async () => {
    const name = `f${randomBytes(2).toString('hex')}`;
    const before = await peers.running();
    const { order } = await fleet.producer.submitServiceOrder(windowBundle(name, { failLast: true }));
    const done = await finished(order.id);
    expect(done.state).toBe('failed');
    expect(done.serviceOrderItem.map((i) => [i.id, i.state, i.errorMessage?.at(-1)?.code])).toEqual([
      ['item-a', 'cancelled', 'ORDER_ITEM_ROLLED_BACK'],
      ['item-b', 'cancelled', 'ORDER_ITEM_ROLLED_BACK'],
      ['item-c', 'failed', 'NE_VERIFICATION_FAILED'],
    ]);
    // Counted on the devices: each holds exactly what it held before, byte for byte.
    const after = await peers.running();
    expect(after).toEqual(before);
    for (const text of after) expect(text).not.toContain(name);

    // The audit: one confirmed commit (with its persist-id) and one cancel-commit per NE, no other edit.
    const audit = (await fleet.audit.listByOrder(order.id)).filter((e) => e.operation === 'netconf-rpc');
    for (const neId of ['nc-a', 'nc-b', 'nc-c']) {
      const mine = audit.filter((e) => e.neId === neId).map((e) => e.request);
      const confirmedCommits = mine.filter((r) => rpc(r) === 'commit' && r.includes('<confirmed/>') && r.includes('<persist>'));
      const cancels = mine.filter((r) => rpc(r) === 'cancel-commit');
      expect([neId, confirmedCommits.length, cancels.length]).toEqual([neId, 1, 1]);
      expect(cancels[0]).toContain(`<persist-id>${/<persist>([^<]+)<\/persist>/.exec(confirmedCommits[0] ?? '')?.[1]}</persist-id>`);
      expect(mine.filter((r) => rpc(r) === 'edit-config')).toHaveLength(1);
      expect(mine.some((r) => rpc(r) === 'commit' && r.includes('<persist-id>'))).toBe(false);
    }
    console.log(`failed bundle over 3 netconfd NEs: ${after.filter((t, i) => t === before[i]).length}/3 devices byte-identical; ${audit.filter((e) => rpc(e.request) === 'cancel-commit').length} cancel-commits, ${audit.filter((e) => rpc(e.request) === 'commit' && e.request.includes('<confirmed/>')).length} confirmed commits`);
  });

  it('a bundle that passes holds its window open until the last item passed, then confirms all three', async () => {
    const name = `p${randomBytes(2).toString('hex')}`;
    const { order } = await fleet.producer.submitServiceOrder(windowBundle(name));
    // While the order runs, an item past its tests shows inProgress with the committed-unconfirmed milestone.
    let sawWindow = false;
    for (let i = 0; i < 200 && !sawWindow; i++) {
      const o = await fleet.producer.getServiceOrder(order.id);
      sawWindow = (o.milestone ?? []).some((m) => m.name === 'committed-unconfirmed') && o.serviceOrderItem.some((it) => it.state === 'inProgress');
      if (['completed', 'failed'].includes(o.state)) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const done = await finished(order.id);
    expect(done.state).toBe('completed');
    expect(sawWindow).toBe(true);
    expect((done.milestone ?? []).some((m) => m.name === 'committed-unconfirmed')).toBe(false);
    const running = await peers.running();
    running.forEach((text, i) => expect(text).toContain(`<name>${name}${['a', 'b', 'c'][i]}</name>`));
    // Confirmed last: every confirming commit comes after the last item's post-activation test.
    const audit = (await fleet.audit.listByOrder(order.id)).filter((e) => e.operation === 'netconf-rpc');
    const lastTest = Math.max(...audit.filter((e) => e.neId === 'nc-c' && e.kind === 'activate' && rpc(e.request) === 'get-config').map((e) => Date.parse(e.startedAt)));
    const confirms = audit.filter((e) => rpc(e.request) === 'commit' && e.request.includes('<persist-id>'));
    expect(confirms.map((e) => e.neId).sort()).toEqual(['nc-a', 'nc-b', 'nc-c']);
    for (const c of confirms) expect(Date.parse(c.startedAt)).toBeGreaterThanOrEqual(lastTest);
    // Nothing pending any more: a plain change goes through on each NE (the order below would wait otherwise).
    const next = await fleet.producer.submitServiceOrder(windowBundle(`n${randomBytes(2).toString('hex')}`));
    expect((await finished(next.order.id)).state).toBe('completed');
  });
});
