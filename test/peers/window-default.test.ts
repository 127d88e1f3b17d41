import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetconfClient } from '../../adapters/netconf/netconf-client.js';
import type { ServiceOrder, ServiceOrderInput } from '../../orders/service-order.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import type { AuditRecord } from '../../stores/audit-trail.js';
import type { FleetProcess } from '../../runtime/fleet-process.js';
import { startWindowFleet, startWindowPeers, windowBundle, windowSpec, type WindowPeers } from '../support/window-peers.js';

/**
 * The window without any inventory flag (the NEs' hellos advertise :confirmed-commit:1.1), the
 * switches that turn it off, its extension while a long order runs, and two items of one order
 * on one NE, all on three real netconfd instances. The confirm timeout is short (6 s) so that
 * an order held up longer than it would revert without its extensions.
 */

const CONFIRM_TIMEOUT_S = 6;
let peers: WindowPeers;
let redis: PrivateRedis;
let fleet: FleetProcess;

beforeAll(async () => {
  [peers, redis] = await Promise.all([startWindowPeers('wdef'), startPrivateRedis()]);
  // A specification that keeps its items out of the window.
  await writeFile(join(peers.catalogDir, 'iface-a-plain.yaml'), stringify({ ...(windowSpec('a') as object), id: 'iface-a-plain', commitWindow: false }));
  // netconf.confirmedCommit auto: the window where the device's hello offers it.
  fleet = await startWindowFleet(
    peers,
    redis.url,
    { QUEUE_PREFIX: `wdef-${randomBytes(3).toString('hex')}`, CONFIRM_TIMEOUT_S: String(CONFIRM_TIMEOUT_S), SESSION_LEASE_TTL_MS: '4000' },
    peers.nes.map((ne) => ({ ...ne, netconf: { confirmedCommit: 'auto' as const } })),
  );
});
afterAll(async () => {
  await fleet?.stop();
  await redis?.stop();
  await peers?.stop();
});

async function finished(id: string, timeoutMs = 90_000): Promise<ServiceOrder> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await fleet.producer.getServiceOrder(id);
    if (['completed', 'failed', 'partial', 'cancelled'].includes(o.state) || Date.now() > deadline) return o;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const rpc = (request: string): string => /<rpc [^>]*>\s*<([a-z-]+)/.exec(request)?.[1] ?? '?';
const persistOf = (request: string): string | undefined => /<persist>([^<]+)<\/persist>/.exec(request)?.[1];
const persistIdOf = (request: string): string | undefined => /<persist-id>([^<]+)<\/persist-id>/.exec(request)?.[1];
const isCommit = (e: AuditRecord): boolean => rpc(e.request) === 'commit';
/** A confirmed commit that opens a commit (persist, no persist-id). */
const opens = (e: AuditRecord): boolean => isCommit(e) && e.request.includes('<confirmed/>') && persistIdOf(e.request) === undefined;
/** A follow-up confirmed commit (persist-id with confirmed): a join or an extension. */
const followsUp = (e: AuditRecord): boolean => isCommit(e) && e.request.includes('<confirmed/>') && persistIdOf(e.request) !== undefined;

async function rpcs(orderId: string): Promise<AuditRecord[]> {
  return (await fleet.audit.listByOrder(orderId)).filter((e) => e.operation === 'netconf-rpc');
}

/** Two items on nc-a (no order between them, or x2 after x1 with `joinerFails`) and one on nc-b that relies on both. */
function sameNeBundle(name: string, failLast: boolean, options: { joinerFails?: boolean } = {}): ServiceOrderInput {
  const item = (id: string, spec: string, iface: string, probe: string, reliesOn: string[] = []) => ({
    id,
    action: 'add' as const,
    service: {
      serviceSpecification: { id: spec },
      serviceCharacteristic: [
        { name: 'interfaceName', value: iface },
        { name: 'description', value: `window ${id}` },
        { name: 'probe', value: probe },
      ],
    },
    ...(reliesOn.length > 0 ? { serviceOrderItemRelationship: reliesOn.map((itemId) => ({ relationshipType: 'reliesOn', orderItem: { itemId } })) } : {}),
  });
  return {
    serviceOrderItem: [
      item('x1', 'iface-a', `${name}x1`, 'window x1'),
      // Joining x1's commit for certain (after it), and failing its own test when asked to.
      options.joinerFails ? item('x2', 'iface-a', `${name}x2`, 'something else', ['x1']) : item('x2', 'iface-a', `${name}x2`, 'window x2'),
      item('x3', 'iface-b', `${name}x3`, failLast ? 'something else' : 'window x3', ['x1', 'x2']),
    ],
  };
}

describe('the window by default on NEs that advertise confirmed-commit, for orders spanning several', () => {
  it('an NE left to auto is in the window: the dry run says so, and a failed bundle is taken back by cancel-commit alone', async () => {
    const name = `d${randomBytes(2).toString('hex')}`;
    const dry = await fleet.producer.dryRunServiceOrder(windowBundle(name));
    expect(dry.commitWindow?.neIds).toEqual(['nc-a', 'nc-b', 'nc-c']);
    expect(dry.commitWindow?.ifAdvertised).toEqual(['nc-a', 'nc-b', 'nc-c']);
    const before = await peers.running();
    const { order } = await fleet.producer.submitServiceOrder(windowBundle(name, { failLast: true }));
    expect((await finished(order.id)).state).toBe('failed');
    expect(await peers.running()).toEqual(before);
    const audit = await rpcs(order.id);
    for (const neId of ['nc-a', 'nc-b', 'nc-c']) {
      const mine = audit.filter((e) => e.neId === neId);
      expect([neId, mine.filter(opens).length, mine.filter((e) => rpc(e.request) === 'cancel-commit').length]).toEqual([neId, 1, 1]);
    }
  });

  it('an order with commitWindow false, or an item whose specification says so, commits plainly', async () => {
    const name = `o${randomBytes(2).toString('hex')}`;
    const off: ServiceOrderInput = { ...windowBundle(name), '@type': 'ActivationServiceOrder', '@baseType': 'ServiceOrder', commitWindow: false };
    expect((await fleet.producer.dryRunServiceOrder(off)).commitWindow).toBeUndefined();
    const { order } = await fleet.producer.submitServiceOrder(off);
    expect((await finished(order.id)).state).toBe('completed');
    const audit = await rpcs(order.id);
    expect(audit.filter(isCommit)).toHaveLength(3);
    expect(audit.filter((e) => isCommit(e) && (e.request.includes('<confirmed/>') || e.request.includes('<persist'))).map((e) => e.request)).toEqual([]);
    expect((await fleet.producer.getServiceOrder(order.id)).commitWindow).toBe(false);

    // The plain specification's item on nc-a, two window items on nc-b and nc-c.
    const plain: ServiceOrderInput = { serviceOrderItem: windowBundle(name).serviceOrderItem.map((item, i) => (i === 0 ? { ...item, service: { ...item.service, serviceSpecification: { id: 'iface-a-plain' } } } : item)) };
    expect((await fleet.producer.dryRunServiceOrder(plain)).commitWindow?.neIds).toEqual(['nc-b', 'nc-c']);
    const second = await fleet.producer.submitServiceOrder(plain);
    expect((await finished(second.order.id)).state).toBe('completed');
    const commits = (await rpcs(second.order.id)).filter(isCommit);
    expect(commits.filter((e) => e.neId === 'nc-a').map((e) => e.request.includes('<confirmed/>'))).toEqual([false]);
    expect(commits.filter(opens).map((e) => e.neId).sort()).toEqual(['nc-b', 'nc-c']);
    expect(await peers.peers[0]?.runningConfig()).toContain(`<name>${name}a</name>`);
  });

  it('an order whose NETCONF changes go to one NE left to auto has no window: committed plainly, and other orders for that NE do not wait behind it', async () => {
    const name = `s${randomBytes(2).toString('hex')}`;
    const single = (suffix: string): ServiceOrderInput => ({ serviceOrderItem: [windowBundle(`${name}${suffix}`).serviceOrderItem[0]!] });
    expect((await fleet.producer.dryRunServiceOrder(single('0'))).commitWindow).toBeUndefined();
    const orders = await Promise.all(['1', '2', '3', '4'].map(async (suffix) => (await fleet.producer.submitServiceOrder(single(suffix))).order));
    const done = await Promise.all(orders.map((o) => finished(o.id)));
    expect(done.map((o) => o.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
    for (const o of orders) {
      const commits = (await rpcs(o.id)).filter(isCommit);
      expect(commits.map((e) => [e.neId, e.request.includes('<confirmed/>') || e.request.includes('<persist')])).toEqual([['nc-a', false]]);
    }
    const running = await peers.peers[0]?.runningConfig();
    for (const suffix of ['1', '2', '3', '4']) expect(running).toContain(`<name>${name}${suffix}a</name>`);
  });
});

describe('a long order extends its window', () => {
  it('item a waits past its confirmed commit\'s timeout for item b (whose NE is locked by someone else): a is extended, not reverted, and the order completes', async () => {
    const name = `e${randomBytes(2).toString('hex')}`;
    // Someone else's session holds nc-b's running datastore: item b waits (parked) until it is given back.
    const holder: NetconfClient = await (peers.peers[1] as WindowPeers['peers'][number]).connect();
    let held = true;
    try {
      await holder.lock('running');
      const { order } = await fleet.producer.submitServiceOrder(windowBundle(name));
      // Event: a's confirmed commit is in the audit (with the timeout it was given).
      const deadline = Date.now() + 60_000;
      let opened: AuditRecord | undefined;
      while (!opened && Date.now() < deadline) {
        opened = (await rpcs(order.id)).find((e) => e.neId === 'nc-a' && opens(e) && e.outcome === 'ok');
        if (!opened) await new Promise((r) => setTimeout(r, 200));
      }
      expect(opened).toBeDefined();
      const timeoutS = Number(/<confirm-timeout>(\d+)<\/confirm-timeout>/.exec(opened?.request ?? '')?.[1]);
      expect(timeoutS).toBeGreaterThanOrEqual(CONFIRM_TIMEOUT_S);
      // Hold b until a's first timeout is well past, and a was extended at least twice.
      const revertBy = Date.parse(opened?.startedAt ?? '') + timeoutS * 1000 + 3000;
      let extensions: AuditRecord[] = [];
      while (Date.now() < deadline && (Date.now() < revertBy || extensions.length < 2)) {
        extensions = (await rpcs(order.id)).filter((e) => e.neId === 'nc-a' && followsUp(e) && e.outcome === 'ok');
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(extensions.length).toBeGreaterThanOrEqual(2);
      for (const e of extensions) expect(persistIdOf(e.request)).toBe(persistOf(opened?.request ?? ''));
      expect((await fleet.producer.getServiceOrder(order.id)).state).toBe('inProgress');
      // Past a's first timeout, the device still holds a's change: it did not revert.
      expect(await peers.peers[0]?.runningConfig()).toContain(`<name>${name}a</name>`);
      await holder.unlock('running');
      await holder.closeSession();
      held = false;
      const done = await finished(order.id);
      expect([done.state, done.serviceOrderItem.map((i) => i.state)]).toEqual(['completed', ['completed', 'completed', 'completed']]);
      const running = await peers.running();
      running.forEach((text, i) => expect(text).toContain(`<name>${name}${['a', 'b', 'c'][i]}</name>`));
      // The audit shows the extensions before a's confirmation.
      const audit = await rpcs(order.id);
      const confirmA = audit.find((e) => e.neId === 'nc-a' && isCommit(e) && !e.request.includes('<confirmed/>') && persistIdOf(e.request) !== undefined);
      expect(confirmA).toBeDefined();
      expect(Date.parse(confirmA?.startedAt ?? '')).toBeGreaterThan(Math.max(...extensions.map((e) => Date.parse(e.startedAt))));
      expect(audit.filter((e) => e.neId === 'nc-a' && e.kind === 'extend').length).toBeGreaterThan(0);
    } finally {
      if (held) await holder.closeSession().catch(() => undefined);
    }
  });
});

/** Metric counts of the fleet's confirmed commits, by outcome. */
async function commitCounts(): Promise<Record<string, number>> {
  return Object.fromEntries((await fleet.metrics.confirmedCommits.get()).values.map((v) => [String(v.labels.outcome), v.value]));
}

describe('two items of one order on one window NE', () => {
  it('the second joins the first one\'s pending commit (a follow-up with its persist-id), and both are confirmed', async () => {
    const name = `j${randomBytes(2).toString('hex')}`;
    const { order } = await fleet.producer.submitServiceOrder(sameNeBundle(name, false));
    const done = await finished(order.id);
    expect([done.state, done.serviceOrderItem.map((i) => i.state)]).toEqual(['completed', ['completed', 'completed', 'completed']]);
    const a = await peers.peers[0]?.runningConfig();
    expect(a).toContain(`<name>${name}x1</name>`);
    expect(a).toContain(`<name>${name}x2</name>`);
    const mine = (await rpcs(order.id)).filter((e) => e.neId === 'nc-a' && e.outcome === 'ok');
    const opened = mine.filter(opens);
    expect(opened).toHaveLength(1);
    const persistId = persistOf(opened[0]?.request ?? '');
    // The other item's change went in as a follow-up of the same commit (it carries an edit).
    const joins = mine.filter((e) => followsUp(e) && e.kind === 'activate');
    expect(joins.map((e) => persistIdOf(e.request))).toEqual([persistId]);
    expect(joins[0]?.itemId).not.toBe(opened[0]?.itemId);
  });

  it('a failure takes both back with the one commit: nc-a and nc-b are byte-identical to before', async () => {
    const name = `k${randomBytes(2).toString('hex')}`;
    const before = await peers.running();
    const { order } = await fleet.producer.submitServiceOrder(sameNeBundle(name, true));
    const done = await finished(order.id);
    expect(done.state).toBe('failed');
    expect(done.serviceOrderItem.find((i) => i.id === 'x3')?.errorMessage?.at(-1)?.code).toBe('NE_VERIFICATION_FAILED');
    expect(await peers.running()).toEqual(before);
    const cancels = (await rpcs(order.id)).filter((e) => e.neId === 'nc-a' && rpc(e.request) === 'cancel-commit' && e.outcome === 'ok');
    expect(cancels).toHaveLength(1);
  });

  it('the joining item failing takes the shared commit back; the first item\'s rollback finds it cancelled, not reverted by the device', async () => {
    const name = `m${randomBytes(2).toString('hex')}`;
    const before = await peers.running();
    const counted = await commitCounts();
    const { order } = await fleet.producer.submitServiceOrder(sameNeBundle(name, false, { joinerFails: true }));
    const done = await finished(order.id);
    expect(done.state).toBe('failed');
    expect(done.serviceOrderItem.find((i) => i.id === 'x2')?.errorMessage?.at(-1)?.code).toBe('NE_VERIFICATION_FAILED');
    expect(await peers.running()).toEqual(before);
    const mine = (await rpcs(order.id)).filter((e) => e.neId === 'nc-a' && e.outcome === 'ok');
    // x1 opened the commit, x2 joined it; x2's failure cancelled it (one cancel-commit, by x2).
    expect(mine.filter(opens).map((e) => e.itemId)).toEqual(['x1']);
    expect(mine.filter((e) => followsUp(e) && e.kind === 'activate').map((e) => e.itemId)).toEqual(['x2']);
    expect(mine.filter((e) => rpc(e.request) === 'cancel-commit').map((e) => e.itemId)).toEqual(['x2']);
    const now = await commitCounts();
    const delta = (outcome: string) => (now[outcome] ?? 0) - (counted[outcome] ?? 0);
    expect({ cancelled: delta('cancelled'), reverted: delta('reverted') }).toEqual({ cancelled: 1, reverted: 0 });
  });
});
