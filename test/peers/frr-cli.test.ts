import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAdapterFactory } from '../../adapters/adapter-factory.js';
import { AdapterPool } from '../../adapters/adapter-pool.js';
import type { AuditEntry } from '../../adapters/audit.js';
import type { ChangeSet } from '../../adapters/change-set.js';
import { SshCliAdapter } from '../../adapters/ssh-cli/ssh-cli-adapter.js';
import { planActivation, type PlannedStep } from '../../catalog/activation-plan.js';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { serviceSpecificationSchema, type ServiceAction } from '../../catalog/service-specification.js';
import { NeError } from '../../errors/index.js';
import { networkElementSchema, type NeCredentials, type NetworkElement } from '../../inventory/network-element.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { createLogger } from '../../observability/logger.js';
import type { ServiceOrder, ServiceOrderInput } from '../../orders/service-order.js';
import { startFrrPeer, type FrrPeer } from '../../peers/frr-peer.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { finalState } from '../support/peer-fleet.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

/**
 * The SSH CLI adapter against real FRRouting vtysh behind a real OpenSSH sshd on loopback. The
 * neighbors use TEST-NET addresses; bgpd runs in a network namespace with no route anywhere.
 */

let peer: FrrPeer;
let ne: NetworkElement;
let catalog: ServiceCatalog;
let inventory: ResourceInventory;
const adapters: SshCliAdapter[] = [];

beforeAll(async () => {
  peer = await startFrrPeer();
  ne = networkElementSchema.parse(peer.ne);
  inventory = ResourceInventory.fromInputs([peer.ne]);
  catalog = await loadServiceCatalog('config/catalog');
});

afterAll(async () => {
  await peer?.stop();
});

function adapterFor(target: NetworkElement = ne, credentials: NeCredentials = peer.credentials): SshCliAdapter {
  const adapter = new SshCliAdapter(target, credentials);
  adapters.push(adapter);
  return adapter;
}

function neighbor(overrides: Record<string, string | number> = {}): Record<string, string | number> {
  return { neighborIp: '192.0.2.1', remoteAs: 65002, description: 'cust-42', localAs: 65001, ...overrides };
}

/** The catalog's bgp-neighbor plan for the peer, exactly as a worker would send it. */
function plan(action: ServiceAction, values: Record<string, string | number>, previousValues?: Record<string, string | number>): PlannedStep {
  const spec = catalog.get('bgp-neighbor');
  if (!spec) throw new Error('bgp-neighbor is not in the catalog');
  const [step] = planActivation({ spec, action, values, directory: inventory, ...(previousValues ? { previousValues } : {}) });
  if (!step) throw new Error(`no ${action} step`);
  return step;
}

function undoOf(step: PlannedStep): ChangeSet {
  if (!step.undo) throw new Error(`${step.name} has no undo`);
  return step.undo;
}

async function rejection(promise: Promise<unknown>): Promise<NeError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(NeError);
  return error as NeError;
}

async function verifyAll(adapter: SshCliAdapter, step: PlannedStep): Promise<void> {
  for (const check of step.tests) {
    const result = await adapter.verify(check);
    expect(result.passed, `${JSON.stringify(check)} saw:\n${result.observed}`).toBe(true);
  }
}

describe('SSH CLI adapter against FRRouting vtysh over OpenSSH', () => {
  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((adapter) => adapter.close()));
    // close() logs out, so vtysh is gone at once: the next test counts sessions from zero.
    const deadline = Date.now() + 5_000;
    while ((await peer.sessionCount()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await peer.sessionCount()).toBe(0);
  });

  it('pushes the catalog add, passes its tests, and its undo restores the running-config exactly', async () => {
    const before = await peer.runningConfig();
    const adapter = adapterFor();
    const entries: AuditEntry[] = [];
    const add = plan('add', neighbor());
    await adapter.apply(add.apply, { audit: (entry) => entries.push(entry) });

    const after = await peer.runningConfig();
    expect(after).toContain('router bgp 65001\n bgp router-id 10.255.0.1\n neighbor 192.0.2.1 remote-as 65002\n neighbor 192.0.2.1 description cust-42\nexit');
    await verifyAll(adapter, add);
    // The whole exchange is in the trail, in order, with vtysh's (empty) replies.
    expect(entries.map((e) => `${e.request} ${e.outcome}`)).toEqual([
      'login ' + `${peer.credentials.username}@127.0.0.1:${ne.port} ok`,
      'terminal length 0 ok',
      'configure terminal ok',
      'router bgp 65001 ok',
      'neighbor 192.0.2.1 remote-as 65002 ok',
      'neighbor 192.0.2.1 description cust-42 ok',
      'exit ok',
      'end ok',
    ]);
    expect(JSON.stringify(entries)).not.toContain(peer.credentials.password);

    await adapter.apply(undoOf(add));
    expect(await peer.runningConfig()).toBe(before);
    expect(adapter.isOpen()).toBe(true);
  });

  it("scoped tests on the real bgpd: 192.0.2.1's are neither fooled by 192.0.2.10's lines nor blocked by them when it is deleted", async () => {
    const before = await peer.runningConfig();
    const adapter = adapterFor();
    const mine = neighbor();
    const sibling = neighbor({ neighborIp: '192.0.2.10' });
    const outcome = async (step: PlannedStep): Promise<boolean[]> => Promise.all(step.tests.map(async (check) => (await adapter.verify(check)).passed));
    // Only the sibling is there, with the same AS and description: 192.0.2.1's add tests fail.
    await adapter.apply(plan('add', sibling).apply);
    expect(await outcome(plan('add', mine))).toEqual(plan('add', mine).tests.map(() => false));
    // Both are there: each one's tests pass.
    await adapter.apply(plan('add', mine).apply);
    await verifyAll(adapter, plan('add', mine));
    // 192.0.2.1 deleted, the sibling still there: the delete's tests (no line of the block names
    // 192.0.2.1) pass, and the sibling's add tests still pass.
    await adapter.apply(plan('delete', mine).apply);
    await verifyAll(adapter, plan('delete', mine));
    await verifyAll(adapter, plan('add', sibling));
    await adapter.apply(plan('delete', sibling).apply);
    expect(await peer.runningConfig()).toBe(before);
  });

  it('surfaces vtysh errors in its own words with the applied count, and the undo leaves nothing behind', async () => {
    const before = await peer.runningConfig();
    const adapter = adapterFor();
    const add = plan('add', neighbor({ neighborIp: '192.0.2.20', description: 'half-applied' }));
    const lines = [...(add.apply.protocol === 'ssh-cli' ? add.apply.lines.slice(0, 3) : []), 'neighbor 192.0.2.20 bogus-knob 1', 'exit'];
    const entries: AuditEntry[] = [];

    const error = await rejection(adapter.apply({ protocol: 'ssh-cli', lines }, { audit: (entry) => entries.push(entry) }));
    expect(error.code).toBe('NE_COMMAND_REJECTED');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('% Unknown command: neighbor 192.0.2.20 bogus-knob 1');
    expect(error.details).toMatchObject({ line: 'neighbor 192.0.2.20 bogus-knob 1', lineIndex: 3, appliedLines: 3, totalLines: 5 });
    expect(entries.find((e) => e.outcome === 'error')).toMatchObject({ errorCode: 'NE_COMMAND_REJECTED', reply: '% Unknown command: neighbor 192.0.2.20 bogus-knob 1' });
    // The three lines before the error went in: the device is half-configured until the undo runs.
    expect(await peer.runningConfig()).toContain('neighbor 192.0.2.20 description half-applied');

    // The session is back in exec mode and still usable: the undo goes over it.
    expect(adapter.isOpen()).toBe(true);
    await adapter.apply(undoOf(add));
    expect(await peer.runningConfig()).toBe(before);

    // Daemon-level refusals, with vtysh's words: bgpd's, not the parser's.
    const noRemoteAs = await rejection(adapter.apply({ protocol: 'ssh-cli', lines: ['router bgp 65001', 'neighbor 192.0.2.21 description orphan', 'exit'] }));
    expect(noRemoteAs.details.deviceError).toBe('% Specify remote-as or peer-group commands first');
    expect(noRemoteAs.details.appliedLines).toBe(1);
    const otherAs = await rejection(adapter.apply({ protocol: 'ssh-cli', lines: ['router bgp 65099'] }));
    expect(otherAs.details.deviceError).toBe('BGP is already running; AS is 65001');
    const incomplete = await rejection(adapter.verify({ protocol: 'ssh-cli', command: 'show bgp neighbors 192.0.2.1 received-routes bogus', contains: 'x', absent: true }));
    expect(incomplete.message).toMatch(/% (Unknown command|Command incomplete)/);
    expect(await peer.runningConfig()).toBe(before);
  });

  it("follows vtysh's exit semantics: no `end` after lines that left config mode, no logout from exec mode", async () => {
    const before = await peer.runningConfig();
    const adapter = adapterFor();
    await adapter.open();
    const entries: AuditEntry[] = [];
    const ctx = { audit: (entry: AuditEntry) => entries.push(entry) };
    // `exit` climbs (config-router) -> (config) -> exec; the adapter then has nothing to leave.
    await adapter.apply({ protocol: 'ssh-cli', lines: ['router bgp 65001', 'exit', 'exit'] }, ctx);
    // The open had no sink: its login and paging set-up are reported to the first operation that has one.
    expect(entries.map((e) => e.request)).toEqual([`login ${peer.credentials.username}@127.0.0.1:${ne.port}`, 'terminal length 0', 'configure terminal', 'router bgp 65001', 'exit', 'exit']);
    // A third `exit` would end vtysh, and the session with it: refused before it is sent.
    const error = await rejection(adapter.apply({ protocol: 'ssh-cli', lines: ['router bgp 65001', 'exit', 'exit', 'exit'] }));
    expect(error.code).toBe('UNSAFE_DEVICE_INPUT');
    expect(error.details).toMatchObject({ lineIndex: 3, appliedLines: 3 });
    expect(adapter.isOpen()).toBe(true);
    expect((await adapter.verify({ protocol: 'ssh-cli', command: 'show running-config', contains: 'router bgp 65001' })).passed).toBe(true);
    expect(await peer.runningConfig()).toBe(before);
  });

  it('modifies a neighbor through the catalog and undoes the modify back to the exact config', async () => {
    const adapter = adapterFor();
    const original = neighbor({ neighborIp: '192.0.2.30', description: 'before' });
    const add = plan('add', original);
    await adapter.apply(add.apply);
    const added = await peer.runningConfig();

    const modify = plan('modify', { ...original, description: 'after', remoteAs: 64512 }, original);
    await adapter.apply(modify.apply);
    await verifyAll(adapter, modify);
    expect(await peer.runningConfig()).toContain(' neighbor 192.0.2.30 remote-as 64512\n neighbor 192.0.2.30 description after\n');
    await adapter.apply(undoOf(modify));
    expect(await peer.runningConfig()).toBe(added);

    const remove = plan('delete', original);
    await adapter.apply(remove.apply);
    await verifyAll(adapter, remove);
    expect(await peer.runningConfig()).not.toContain('192.0.2.30');
  });

  it('never opens more than maxSessions through the pool, even for 12 concurrent applies', async () => {
    const before = await peer.runningConfig();
    const pooled = networkElementSchema.parse({ ...peer.ne, maxSessions: 2 });
    const pool = new AdapterPool(createAdapterFactory(() => peer.credentials));
    let maxSeen = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        maxSeen = Math.max(maxSeen, await peer.sessionCount());
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const steps = Array.from({ length: 12 }, (_, i) => plan('add', neighbor({ neighborIp: `198.51.100.${i + 1}`, remoteAs: 64600 + i, description: `pool-${i}` })));
    try {
      const results = await Promise.allSettled(steps.map((step) => pool.withAdapter(pooled, (adapter) => adapter.apply(step.apply))));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const config = await peer.runningConfig();
      for (let i = 0; i < 12; i += 1) expect(config).toContain(`neighbor 198.51.100.${i + 1} description pool-${i}`);
      await Promise.all(steps.map((step) => pool.withAdapter(pooled, (adapter) => adapter.apply(undoOf(step)))));
    } finally {
      // The pool's close resolves once vtysh has exited on the device; the poller watches through it.
      await pool.close();
      polling = false;
      await poller;
    }
    // Both sessions stay open (idle in the pool) until it closes, so the poller cannot miss them.
    expect(maxSeen).toBeLessThanOrEqual(2);
    expect(maxSeen).toBe(2);
    expect(await peer.sessionCount()).toBe(0);
    expect(pool.sessionCounts()['frr-1']).toEqual({ idle: 0, inUse: 0, closing: 0 });
    expect(await peer.runningConfig()).toBe(before);
  });

  it('counts a closing session until vtysh has exited, so a replacement never exceeds maxSessions', async () => {
    const pooled = networkElementSchema.parse({ ...peer.ne, maxSessions: 2 });
    const adapters = createAdapterFactory(() => peer.credentials);
    // Every session is given up after one use, as after a broken command: each apply closes one
    // session while the next apply opens another, so a close the pool stopped counting too early
    // shows as a third vtysh on the device.
    const pool = new AdapterPool(async (target) => {
      const adapter = await adapters(target);
      let used = false;
      return new Proxy(adapter, {
        get: (real, key) => (key === 'isOpen' ? () => !used && real.isOpen() : key === 'apply' ? (...args: Parameters<typeof real.apply>) => ((used = true), real.apply(...args)) : Reflect.get(real, key)),
      });
    });
    let maxSeen = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        maxSeen = Math.max(maxSeen, await peer.sessionCount());
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const steps = Array.from({ length: 8 }, (_, i) => plan('add', neighbor({ neighborIp: `198.51.100.${i + 101}`, remoteAs: 64700 + i, description: `churn-${i}` })));
    try {
      const results = await Promise.allSettled(steps.map((step) => pool.withAdapter(pooled, (adapter) => adapter.apply(step.apply))));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      await Promise.all(steps.map((step) => pool.withAdapter(pooled, (adapter) => adapter.apply(undoOf(step)))));
    } finally {
      await pool.close();
      polling = false;
      await poller;
    }
    expect(maxSeen).toBeLessThanOrEqual(2);
    expect(await peer.sessionCount()).toBe(0);
  });

});

/**
 * Specifications FRR refuses, as an operator's mistakes would be: a description for a neighbor
 * with no remote-as (bgpd refuses line 2, after `router bgp` went in), and a knob vtysh does not
 * know (refused at line 1, so nothing was taken; its undo would be refused too, if it were sent).
 */
const REFUSED_SPECS = [
  {
    id: 'orphan-description',
    name: 'Orphan description',
    characteristics: { neighborIp: { type: 'ipv4', mandatory: true } },
    actions: {
      add: {
        steps: [
          {
            name: 'describe-neighbor',
            neRole: 'bgp-router',
            protocol: 'ssh-cli',
            apply: { lines: ['router bgp 65001', 'neighbor {{ neighborIp }} description orphan', 'exit'] },
            undo: { lines: ['router bgp 65001', 'no neighbor {{ neighborIp }}', 'exit'] },
          },
        ],
      },
    },
  },
  {
    id: 'bogus-knob',
    name: 'Bogus knob',
    characteristics: { neighborIp: { type: 'ipv4', mandatory: true } },
    actions: {
      add: {
        steps: [
          { name: 'set-knob', neRole: 'bgp-router', protocol: 'ssh-cli', apply: { lines: ['bogus-knob {{ neighborIp }}'] }, undo: { lines: ['no bogus-knob {{ neighborIp }}'] } },
        ],
      },
    },
  },
];

describe('a TMF641 order for a BGP neighbor, end to end on FRR', () => {
  let redis: PrivateRedis;
  let fleet: FleetProcess;
  const logs: string[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(chunk.toString());
        callback();
      },
    });
    const config = loadFleetConfig({
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `frr-${randomBytes(4).toString('hex')}`,
      ACTIVATION_ATTEMPTS: '2',
      ACTIVATION_BACKOFF_MS: '50',
      HTTP_PORT: '0',
    });
    const orderCatalog = new ServiceCatalog([...catalog.specifications(), ...REFUSED_SPECS.map((doc) => serviceSpecificationSchema.parse(doc))]);
    fleet = await startFleetProcess({ config, roles: ROLES, log: createLogger({ level: 'debug' }, sink), catalog: orderCatalog, inventory, credentials: () => peer.credentials, http: false });
  });

  afterAll(async () => {
    await fleet?.stop();
    await redis?.stop();
  });

  it('adds the neighbor on FRR, then a delete order removes it', async () => {
    const before = await peer.runningConfig();
    const serviceId = `bgp-${randomBytes(3).toString('hex')}`;
    const characteristics = Object.entries(neighbor({ neighborIp: '203.0.113.7', remoteAs: 64999, description: 'order-e2e' })).map(([name, value]) => ({ name, value }));
    const addOrder: ServiceOrderInput = {
      description: 'Customer BGP session',
      serviceOrderItem: [{ id: 'bgp', action: 'add', service: { id: serviceId, serviceSpecification: { id: 'bgp-neighbor' }, serviceCharacteristic: characteristics } }],
    };
    const { order: submitted } = await fleet.producer.submitServiceOrder(addOrder);
    expect(submitted.state).toBe('acknowledged');
    const added = await finalState(fleet.store, submitted.id);
    expect(added.state, JSON.stringify(added.serviceOrderItem)).toBe('completed');
    expect(await peer.runningConfig()).toContain(' neighbor 203.0.113.7 remote-as 64999\n neighbor 203.0.113.7 description order-e2e\n');
    // The pool opened the session for this item: its login (the user, never the password) and
    // its paging set-up are in the item's trail, before the change.
    const trail = await fleet.audit.listByOrder(submitted.id);
    expect(trail.slice(0, 3).map((e) => [e.operation, e.request])).toEqual([
      ['session-open', `login ${peer.credentials.username}@127.0.0.1:${ne.port}`],
      ['cli-command', 'terminal length 0'],
      ['cli-command', 'configure terminal'],
    ]);
    expect(JSON.stringify(trail)).not.toContain(peer.credentials.password);

    const deleteOrder: ServiceOrderInput = {
      description: 'Customer BGP session ends',
      serviceOrderItem: [{ id: 'bgp', action: 'delete', service: { id: serviceId, serviceSpecification: { id: 'bgp-neighbor' } } }],
    };
    const { order: deleting } = await fleet.producer.submitServiceOrder(deleteOrder);
    expect(deleting.state, JSON.stringify(deleting.errorMessage)).toBe('acknowledged');
    const deleted = await finalState(fleet.store, deleting.id);
    expect(deleted.state, JSON.stringify(deleted.serviceOrderItem)).toBe('completed');
    expect(await peer.runningConfig()).toBe(before);
    expect(logs.join('')).not.toContain(peer.credentials.password);
  });

  async function refusedItem(specId: string): Promise<{ order: ServiceOrder; requests: string[] }> {
    const { order: submitted } = await fleet.producer.submitServiceOrder({
      serviceOrderItem: [{ id: '1', action: 'add', service: { serviceSpecification: { id: specId }, serviceCharacteristic: [{ name: 'neighborIp', value: '192.0.2.77' }] } }],
    });
    const order = await finalState(fleet.store, submitted.id);
    const requests = (await fleet.audit.listByOrder(submitted.id)).filter((e) => e.operation === 'cli-command').map((e) => `${e.request} ${e.outcome}`);
    return { order, requests };
  }

  it("fails an item in bgpd's own words with the shipped frr-vtysh patterns, and undoes the line that went in", async () => {
    expect(ne.platform).toBe('frr-vtysh');
    expect(ne.ssh.errorPatterns).toEqual([]);
    const before = await peer.runningConfig();
    const { order, requests } = await refusedItem('orphan-description');
    const [item] = order.serviceOrderItem;
    expect(item?.state).toBe('failed');
    const message = item?.errorMessage?.[0]?.message ?? '';
    expect(message).toContain('line 2 "neighbor 192.0.2.77 description orphan" rejected: % Specify remote-as or peer-group commands first');
    expect(message).toContain('frr-1 had taken 1 of the 3 lines of step describe-neighbor; undone: describe-neighbor');
    expect(requests).toContain('neighbor 192.0.2.77 description orphan error');
    expect(requests).toContain('no neighbor 192.0.2.77 ok');
    expect(await peer.runningConfig()).toBe(before);
  });

  it('sends no undo for a step refused at its first line, and says the device took nothing', async () => {
    const before = await peer.runningConfig();
    const { order, requests } = await refusedItem('bogus-knob');
    const message = order.serviceOrderItem[0]?.errorMessage?.[0]?.message ?? '';
    expect(order.serviceOrderItem[0]?.state).toBe('failed');
    expect(message).toContain('line 1 "bogus-knob 192.0.2.77" rejected: % Unknown command: bogus-knob 192.0.2.77');
    expect(message).toContain('frr-1 took nothing of step set-knob, so it needed no undo');
    expect(message).not.toContain('undo also failed');
    expect(requests.filter((r) => r.startsWith('no bogus-knob'))).toEqual([]);
    expect(await peer.runningConfig()).toBe(before);
  });
});
