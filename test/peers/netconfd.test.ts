import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, OperationContext } from '../../adapters/audit.js';
import type { NetconfClient } from '../../adapters/netconf/netconf-client.js';
import { NetconfAdapter } from '../../adapters/netconf/netconf-adapter.js';
import { planActivation } from '../../catalog/activation-plan.js';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { serviceSpecificationSchema } from '../../catalog/service-specification.js';
import { NeError, NetconfRpcError } from '../../errors/index.js';
import { networkElementSchema, type NetworkElement } from '../../inventory/network-element.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { createLogger } from '../../observability/logger.js';
import type { ServiceOrder, ServiceOrderInput } from '../../orders/service-order.js';
import { startNetconfdPeer, type NetconfdPeer } from '../../peers/netconfd-peer.js';
import { loadFleetConfig } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import type { FleetProcess } from '../../runtime/fleet-process.js';
import { startOnePeerFleet } from '../support/peer-fleet.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const IANAIFT_NS = 'urn:ietf:params:xml:ns:yang:iana-if-type';
const NC_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';

let peer: NetconfdPeer;
let ne: NetworkElement;
let catalog: ServiceCatalog;
const adapters: NetconfAdapter[] = [];
const clients: NetconfClient[] = [];

beforeAll(async () => {
  peer = await startNetconfdPeer();
  ne = networkElementSchema.parse(peer.ne);
  catalog = await loadServiceCatalog('config/catalog');
});
afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
  await Promise.all(clients.splice(0).map((c) => c.closeSession()));
});
afterAll(async () => {
  await peer?.stop();
});

function adapter(overrides: Partial<NetworkElement> = {}): NetconfAdapter {
  const created = new NetconfAdapter({ ...ne, ...overrides }, peer.credentials);
  adapters.push(created);
  return created;
}

async function otherSession(): Promise<NetconfClient> {
  const client = await peer.connect();
  clients.push(client);
  return client;
}

/** A fresh interface name per test, so no test depends on another's leftovers. */
const ifName = (): string => `eth${randomBytes(3).toString('hex')}`;

function interfaceXml(name: string, description: string, type = 'ethernetCsmacd'): string {
  return (
    `<interface><name>${name}</name><type xmlns:ianaift="${IANAIFT_NS}">ianaift:${type}</type>` + `<description>${description}</description><enabled>true</enabled></interface>`
  );
}
const interfaces = (...entries: string[]): string => `<interfaces xmlns="${IF_NS}">${entries.join('')}</interfaces>`;
const deleteInterface = (name: string): string =>
  `<interfaces xmlns="${IF_NS}" xmlns:nc="${NC_NS}"><interface nc:operation="delete"><name>${name}</name></interface></interfaces>`;
const byName = (name: string): string => `<interfaces xmlns="${IF_NS}"><interface><name>${name}</name></interface></interfaces>`;
const allInterfaces = `<interfaces xmlns="${IF_NS}"/>`;

async function caught(promise: Promise<unknown>): Promise<NeError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(NeError);
    return error as NeError;
  }
  throw new Error('expected the promise to reject');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls slowly on purpose: netconfd runs its confirmed-commit timer only when it has been idle
 * for about a second, so a client polling every few hundred ms keeps the rollback from happening.
 */
async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${await peer.logTail()}`);
    await sleep(1500);
  }
}

function recorder(): { entries: AuditEntry[]; ctx: OperationContext } {
  const entries: AuditEntry[] = [];
  return { entries, ctx: { audit: (entry) => entries.push(entry) } };
}
const rpcName = (entry: AuditEntry): string => /<rpc [^>]*>\s*<([a-z-]+)/.exec(entry.request)?.[1] ?? entry.operation;

describe('NETCONF adapter against the real yuma123 netconfd', () => {
  it('exchanges hellos: base:1.1 chunked framing, and capabilities with their parameters', async () => {
    const a = adapter();
    await a.open();
    const session = a.session!;
    expect(session.sessionId).toBeGreaterThan(0);
    expect(session.framing).toBe('chunked');
    for (const capability of ['base:1.1', 'capability:candidate:1.0', 'capability:confirmed-commit:1.1', 'capability:validate:1.1', 'capability:rollback-on-error:1.0']) {
      expect(session.hasCapability(`urn:ietf:params:netconf:${capability}`)).toBe(true);
    }
    // Announced as `...ietf-interfaces?module=ietf-interfaces&revision=...&features=...`.
    expect(session.capabilities.some((c) => c.startsWith(`${IF_NS}?module=ietf-interfaces&`))).toBe(true);
    expect(session.hasCapability(IF_NS)).toBe(true);
    expect(session.hasCapability('urn:example:not-offered')).toBe(false);
  });

  it('pushes a config through candidate and commit, audits every RPC, and reads it back with get-config', async () => {
    const name = ifName();
    const a = adapter();
    const { entries, ctx } = recorder();
    await a.apply({ protocol: 'netconf', configXml: interfaces(interfaceXml(name, 'uplink to Zürich &amp; Co')) }, ctx);

    const running = await peer.runningConfig(byName(name));
    expect(running).toContain(`<name>${name}</name>`);
    expect(running).toContain('<description>uplink to Zürich &amp; Co</description>');
    expect(running).toMatch(/<type[^>]*>(ianaift:)?ethernetCsmacd<\/type>/);
    // Nothing left behind in the candidate.
    const client = await otherSession();
    expect(await client.getConfig('candidate', allInterfaces)).toBe(await client.getConfig('running', allInterfaces));

    expect(entries.map(rpcName)).toEqual(['session-open', 'lock', 'lock', 'discard-changes', 'edit-config', 'commit', 'unlock', 'unlock']);
    expect(entries.every((e) => e.outcome === 'ok' && e.neId === 'netconfd-1' && e.protocol === 'netconf')).toBe(true);
    for (const entry of entries.slice(1)) expect(entry.reply).toMatch(/<rpc-reply[^>]*>\s*<ok\/>/);
    expect(JSON.stringify(entries)).not.toContain(peer.credentials.password);

    const check = await a.verify({ protocol: 'netconf', filterXml: byName(name), contains: [name, 'uplink to Zürich & Co'] });
    expect(check.passed).toBe(true);
    const missing = await a.verify({ protocol: 'netconf', filterXml: byName(name), contains: ['not configured'] });
    expect(missing.passed).toBe(false);
  });

  it("surfaces netconfd's own rpc-error for an unknown identity, and leaves nothing half-applied", async () => {
    const good = ifName();
    const bad = ifName();
    const a = adapter();
    const before = await peer.runningConfig(allInterfaces);
    // One edit, one valid and one invalid interface: neither may reach running.
    const error = await caught(a.apply({ protocol: 'netconf', configXml: interfaces(interfaceXml(good, 'fine'), interfaceXml(bad, 'broken', 'noSuchIfType')) }));
    expect(error).toBeInstanceOf(NetconfRpcError);
    expect(error.code).toBe('NE_RPC_ERROR');
    expect(error.transient).toBe(false);
    const [rpcError] = (error as NetconfRpcError).rpcErrors;
    expect(rpcError).toMatchObject({ errorTag: 'invalid-value', errorSeverity: 'error', errorMessage: 'invalid value' });
    expect(rpcError?.errorPath).toContain(`if:interface[if:name='${bad}']/if:type`);
    expect(rpcError?.errorInfo).toContain('ianaift:noSuchIfType');
    expect(error.message).toContain('invalid-value at /nc:rpc/nc:edit-config/nc:config/if:interfaces');

    expect(await peer.runningConfig(allInterfaces)).toBe(before);
    const client = await otherSession();
    expect(await client.getConfig('candidate', allInterfaces)).toBe(before);
    // Both locks were released: another session takes and returns them.
    await client.lock('running');
    await client.lock('candidate');
    await client.unlock('candidate');
    await client.unlock('running');
    // And the same adapter goes on working.
    await a.apply({ protocol: 'netconf', configXml: interfaces(interfaceXml(good, 'fine')) });
    expect(await peer.runningConfig(byName(good))).toContain('<description>fine</description>');
  });

  it('undoes an add with the catalog undo (nc:operation="delete"), restoring the previous running config', async () => {
    const spec = catalog.get('network-interface')!;
    const values = { interfaceName: ifName(), description: 'customer 4711 / circuit A-17', enabled: false, type: 'l2vlan' };
    const [step] = planActivation({ spec, action: 'add', values, directory: ResourceInventory.fromInputs([peer.ne]) });
    expect(step?.ne.id).toBe('netconfd-1');
    const before = await peer.runningConfig();
    const a = adapter();
    await a.apply(step!.apply);
    for (const check of step!.tests) expect(await a.verify(check)).toMatchObject({ passed: true });
    const configured = await peer.runningConfig(byName(values.interfaceName));
    expect(configured).toContain('<enabled>false</enabled>');
    expect(configured).toMatch(/<type[^>]*>(ianaift:)?l2vlan<\/type>/);

    await a.apply(step!.undo!);
    expect(await peer.runningConfig()).toBe(before);
    for (const check of step!.tests) expect((await a.verify(check)).passed).toBe(false);
    // Deleting what is gone is netconfd's data-missing, not a silent success.
    const again = await caught(a.apply(step!.undo!));
    expect((again as NetconfRpcError).rpcErrors[0]).toMatchObject({ errorTag: 'data-missing' });
  });

  it('reads the prior state of exactly the subtree a replace writes, and that prior, applied, restores running byte for byte (an entry the device held, and one it did not)', async () => {
    const held = ifName();
    const a = adapter();
    await a.apply({ protocol: 'netconf', configXml: interfaces(interfaceXml(held, 'held by the device')) });
    const replace = (name: string, description: string): string =>
      `<interfaces xmlns="${IF_NS}" xmlns:nc="${NC_NS}"><interface nc:operation="replace"><name>${name}</name><type xmlns:ianaift="${IANAIFT_NS}">ianaift:l2vlan</type><description>${description}</description></interface></interfaces>`;

    const before = await peer.runningConfig();
    const { entries, ctx } = recorder();
    const prior = await a.readPrior({ protocol: 'netconf', configXml: replace(held, 'replaced') }, ctx);
    // The session the apply above opened without an audit context is logged in on this trail (session-open), then the one read.
    expect(entries.map(rpcName)).toEqual(['session-open', 'get-config']);
    expect(entries[1]?.request).toContain(`<interface><name>${held}</name></interface>`);
    expect(prior?.protocol).toBe('netconf');
    expect(prior && 'configXml' in prior ? prior.configXml : '').toContain('<description>held by the device</description>');
    await a.apply({ protocol: 'netconf', configXml: replace(held, 'replaced') });
    const replaced = await peer.runningConfig(byName(held));
    expect(replaced).toContain('<description>replaced</description>');
    expect(replaced).not.toContain('<enabled>');
    await a.apply(prior!);
    expect(await peer.runningConfig()).toBe(before);

    const fresh = ifName();
    const none = await a.readPrior({ protocol: 'netconf', configXml: replace(fresh, 'new entry') });
    expect(none && 'configXml' in none ? none.configXml : '').toContain('nc:operation="remove"');
    await a.apply({ protocol: 'netconf', configXml: replace(fresh, 'new entry') });
    expect(await peer.runningConfig(byName(fresh))).toContain('<description>new entry</description>');
    await a.apply(none!);
    expect(await peer.runningConfig()).toBe(before);
    // A merge has no one subtree to restore: nothing is read.
    expect(await a.readPrior({ protocol: 'netconf', configXml: interfaces(interfaceXml(fresh, 'merged')) })).toBeUndefined();
    await a.apply({ protocol: 'netconf', configXml: deleteInterface(held) });
  });

  it('modifies description and admin state with the catalog modify, whose undo restores the previous values', async () => {
    const spec = catalog.get('network-interface')!;
    const directory = ResourceInventory.fromInputs([peer.ne]);
    const previousValues = { interfaceName: ifName(), description: 'before', enabled: true, type: 'ethernetCsmacd' };
    const values = { ...previousValues, description: 'after', enabled: false };
    const [add] = planActivation({ spec, action: 'add', values: previousValues, directory });
    const [modify] = planActivation({ spec, action: 'modify', values, previousValues, directory });
    const a = adapter();
    await a.apply(add!.apply);
    const before = await peer.runningConfig();

    await a.apply(modify!.apply);
    for (const check of modify!.tests) expect(await a.verify(check)).toMatchObject({ passed: true });
    expect(await peer.runningConfig(byName(values.interfaceName))).toContain('<enabled>false</enabled>');
    await a.apply(modify!.undo!);
    expect(await peer.runningConfig()).toBe(before);
    await a.apply(add!.undo!);
  });

  it('rolls a persisted confirmed commit back by itself when nobody confirms it', async () => {
    const name = ifName();
    const a = adapter();
    await a.applyConfirmed({ protocol: 'netconf', configXml: interfaces(interfaceXml(name, 'on probation')) }, `persist-${name}`, 2);
    // persist: the pending commit outlives the session that made it.
    await a.close();
    expect(await peer.runningConfig(byName(name))).toContain(name);
    // Meanwhile netconfd refuses the locks another change needs: transient, so a worker retries.
    const blocked = await caught(adapter().apply({ protocol: 'netconf', configXml: interfaces(interfaceXml(ifName(), 'waits')) }));
    expect(blocked.code).toBe('NE_COMMIT_PENDING');
    expect(blocked.transient).toBe(true);
    expect((blocked as NetconfRpcError).rpcErrors[0]).toMatchObject({ errorTag: 'in-use', errorAppTag: 'outstanding-confirmed-commit' });

    await sleep(3000);
    await waitFor(async () => !(await peer.runningConfig(byName(name))).includes(name), 15_000, 'confirmed commit rolled back');
    const client = await otherSession();
    expect(await client.getConfig('candidate', byName(name))).toBe('');
  });

  it('keeps a persisted confirmed commit once another session confirms it with the persist-id', async () => {
    const name = ifName();
    const first = adapter();
    // The confirm must come within the timeout: 2 s was once outrun on a busy machine, and the
    // lock sent as netconfd rolled back went unanswered for 30 s. 8 s, and a look past it.
    const timeoutS = 8;
    await first.applyConfirmed({ protocol: 'netconf', configXml: interfaces(interfaceXml(name, 'confirmed later')) }, `persist-${name}`, timeoutS);
    const committedAt = Date.now();
    await first.close();
    const second = adapter();
    const { entries, ctx } = recorder();
    await second.confirm(`persist-${name}`, ctx);
    expect(entries.map(rpcName)).toContain('commit');
    expect(entries.find((e) => rpcName(e) === 'commit')?.request).toContain(`<persist-id>persist-${name}</persist-id>`);
    await sleep(Math.max(0, committedAt + (timeoutS + 2) * 1000 - Date.now()));
    expect(await peer.runningConfig(byName(name))).toContain('confirmed later');
    // Nothing is pending any more: cancelling it is an error, and ordinary changes go through again.
    expect((await caught(second.cancel(`persist-${name}`))).code).toBe('NE_RPC_ERROR');
    await second.apply({ protocol: 'netconf', configXml: deleteInterface(name) });
    expect(await peer.runningConfig(byName(name))).toBe('');
  });

  it('cancels a persisted confirmed commit on request', async () => {
    const name = ifName();
    const a = adapter();
    const before = await peer.runningConfig();
    await a.applyConfirmed({ protocol: 'netconf', configXml: interfaces(interfaceXml(name, 'cancelled')) }, `persist-${name}`, 600);
    expect((await caught(a.cancel('some-other-id'))).code).toBe('NE_RPC_ERROR');
    await a.cancel(`persist-${name}`);
    expect(await peer.runningConfig()).toBe(before);
  });

  it("tells a pending confirmed commit (NE_COMMIT_PENDING) from a held lock (NE_LOCKED), both transient, in netconfd's words", async () => {
    const name = ifName();
    const before = await peer.runningConfig();
    const first = adapter();
    await first.applyConfirmed({ protocol: 'netconf', configXml: interfaces(interfaceXml(name, 'pending')) }, `persist-${name}`, 120);
    await first.close();

    // The dead worker's commit waits for its confirmation: another change is refused at its lock.
    const blocked = await caught(adapter().apply({ protocol: 'netconf', configXml: interfaces(interfaceXml(ifName(), 'must wait')) }));
    expect([blocked.code, blocked.transient]).toEqual(['NE_COMMIT_PENDING', true]);
    expect(blocked.message).toContain('a confirmed commit is pending on the device');
    expect(blocked.message).toContain('in-use: cannot perform the operation with confirmed-commit pending');
    // A session that edits the candidate and commits without any lock is refused at the commit, the same way.
    const other = await otherSession();
    await other.editConfig({ target: 'candidate', configXml: interfaces(interfaceXml(ifName(), 'unlocked')) });
    const commit = await caught(other.commit());
    expect([commit.code, commit.transient]).toEqual(['NE_COMMIT_PENDING', true]);
    expect((commit as NetconfRpcError).rpcErrors).toEqual([
      expect.objectContaining({ errorTag: 'in-use', errorAppTag: 'outstanding-confirmed-commit', errorMessage: 'cannot perform the operation with confirmed-commit pending' }),
    ]);
    await other.discardChanges();
    await adapter().cancel(`persist-${name}`);
    expect(await peer.runningConfig()).toBe(before);

    // Another session's lock: the lock, an edit and a commit are all refused as NE_LOCKED, in its words.
    const holder = await otherSession();
    await holder.lock('candidate');
    const lock = await caught(other.lock('candidate'));
    expect([lock.code, lock.transient]).toEqual(['NE_LOCKED', true]);
    expect(lock.message).toContain('lock-denied: lock denied');
    const edit = await caught(other.editConfig({ target: 'candidate', configXml: interfaces(interfaceXml(ifName(), 'locked out')) }));
    expect([edit.code, edit.message]).toEqual(['NE_LOCKED', expect.stringContaining('in-use at /nc:rpc/nc:edit-config/nc:config: config locked')]);
    const lockedCommit = await caught(other.commit());
    expect([lockedCommit.code, lockedCommit.transient]).toEqual(['NE_LOCKED', true]);
    await holder.unlock('candidate');
  });

  it('reports a lock held by another session as transient NE_LOCKED naming that session, and applies once it is released', async () => {
    const name = ifName();
    const holder = await otherSession();
    await holder.lock('candidate');
    const a = adapter();
    const before = await peer.runningConfig();
    const error = await caught(a.apply({ protocol: 'netconf', configXml: interfaces(interfaceXml(name, 'after the lock')) }));
    expect(error).toBeInstanceOf(NetconfRpcError);
    expect(error.code).toBe('NE_LOCKED');
    expect(error.transient).toBe(true);
    expect((error as NetconfRpcError).rpcErrors[0]).toMatchObject({ errorTag: 'lock-denied', errorType: 'protocol' });
    expect((error as NetconfRpcError).rpcErrors[0]?.errorInfo).toContain(`>${holder.sessionId}</session-id>`);
    expect(await peer.runningConfig()).toBe(before);

    await holder.unlock('candidate');
    await a.apply({ protocol: 'netconf', configXml: interfaces(interfaceXml(name, 'after the lock')) });
    expect(await peer.runningConfig(byName(name))).toContain('after the lock');
  });

  it('discards what another session left uncommitted in the candidate instead of committing it', async () => {
    const stray = ifName();
    const mine = ifName();
    const other = await otherSession();
    await other.editConfig({ target: 'candidate', configXml: interfaces(interfaceXml(stray, 'never committed')) });
    await adapter().apply({ protocol: 'netconf', configXml: interfaces(interfaceXml(mine, 'committed')) });
    expect(await peer.runningConfig(byName(mine))).toContain('committed');
    expect(await peer.runningConfig(byName(stray))).toBe('');
  });

});

describe('a TMF641 order for a network interface, end to end against netconfd', () => {
  let redis: PrivateRedis;
  let fleet: FleetProcess;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const config = loadFleetConfig({
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `peers-${randomBytes(4).toString('hex')}`,
      ACTIVATION_ATTEMPTS: '2',
      ACTIVATION_BACKOFF_MS: '200',
      HTTP_PORT: '0',
    });
    fleet = await startOnePeerFleet(peer, {
      config,
      log: createLogger({ level: 'warn' }),
      catalog: new ServiceCatalog([...catalog.specifications(), serviceSpecificationSchema.parse(REPLACE_SPEC)]),
    });
  });
  afterAll(async () => {
    await fleet?.stop();
    await redis?.stop();
  });

  async function run(order: ServiceOrderInput): Promise<ServiceOrder> {
    const { order: submitted } = await fleet.producer.submitServiceOrder(order);
    expect(submitted.state).not.toBe('rejected');
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const record = await fleet.store.get(submitted.id);
      if (record && ['completed', 'failed', 'partial', 'cancelled'].includes(record.order.state)) return record.order;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`order ${submitted.id} did not finish`);
  }

  it('adds the interface on netconfd, then a delete order removes it', async () => {
    const name = ifName();
    const added = await run({
      description: 'New customer interface',
      serviceOrderItem: [
        {
          id: 'uplink',
          action: 'add',
          service: {
            serviceSpecification: { id: 'network-interface' },
            serviceCharacteristic: [
              { name: 'interfaceName', value: name },
              { name: 'description', value: 'customer 0815 uplink' },
            ],
          },
        },
      ],
    });
    expect(added.state).toBe('completed');
    const running = await peer.runningConfig(byName(name));
    expect(running).toContain('<description>customer 0815 uplink</description>');
    expect(running).toContain('<enabled>true</enabled>');
    expect(running).toMatch(/<type[^>]*>(ianaift:)?ethernetCsmacd<\/type>/);
    const audited = await fleet.audit.listByNe('netconfd-1', 1000);
    expect(audited.some((e) => e.operation === 'netconf-rpc' && e.request.includes('<edit-config>') && e.request.includes(name))).toBe(true);

    const serviceId = (await fleet.store.require(added.id)).items.uplink!.serviceId;
    const removed = await run({ serviceOrderItem: [{ id: 'cease', action: 'delete', service: { id: serviceId } }] });
    expect(removed.state).toBe('completed');
    expect(await peer.runningConfig(byName(name))).toBe('');
  });

  it('a failed add whose replace declares no undo puts back the subtree netconfd held, byte for byte, from the get-config read before the write', async () => {
    const name = ifName();
    const a = adapter();
    await a.apply({ protocol: 'netconf', configXml: interfaces(interfaceXml(name, 'held by the device')) });
    const before = await peer.runningConfig();
    const port = (description: string, mustSee: string): ServiceOrderInput => ({
      serviceOrderItem: [
        {
          id: 'port',
          action: 'add',
          service: {
            serviceSpecification: { id: 'replaced-port' },
            serviceCharacteristic: [
              { name: 'interfaceName', value: name },
              { name: 'description', value: description },
              { name: 'mustSee', value: mustSee },
            ],
          },
        },
      ],
    });
    // Its post-test looks for text the device will not hold: the item fails and is undone.
    const failed = await run(port('customer X', 'never-there'));
    expect(failed.state).toBe('failed');
    expect(await peer.runningConfig()).toBe(before);
    const rpcs = (await fleet.audit.listByOrder(failed.id)).map((e) => [rpcName(e), e.request.includes('nc:operation="replace"') && e.request.includes('held by the device')]);
    const firstEdit = rpcs.findIndex(([rpc]) => rpc === 'edit-config');
    expect(rpcs.slice(0, firstEdit).map(([rpc]) => rpc)).toContain('get-config');
    // The undo replaced the entry with what netconfd held.
    expect(rpcs.some(([rpc, restores]) => rpc === 'edit-config' && restores)).toBe(true);

    const done = await run(port('customer Y', 'customer Y'));
    expect(done.state).toBe('completed');
    expect(await peer.runningConfig(byName(name))).toContain('<description>customer Y</description>');
    await a.apply({ protocol: 'netconf', configXml: deleteInterface(name) });
  });

  it('refuses a second service for an interface another service holds, naming it, and leaves netconfd as the holder set it; the name is free once deleted', async () => {
    const name = ifName();
    const port = (id: string, description: string) => ({
      id,
      action: 'add' as const,
      service: { serviceSpecification: { id: 'network-interface' }, serviceCharacteristic: [{ name: 'interfaceName', value: name }, { name: 'description', value: description }] },
    });
    const held = await run({ serviceOrderItem: [port('first', 'customer A uplink')] });
    expect(held.state).toBe('completed');
    const holder = (await fleet.store.require(held.id)).items.first!.serviceId;
    const before = await peer.runningConfig(byName(name));

    const { order: refused } = await fleet.producer.submitServiceOrder({ serviceOrderItem: [port('second', 'customer B uplink')] });
    expect(refused.state).toBe('rejected');
    expect(refused.errorMessage?.map((e) => [e.code, e.message])).toEqual([
      [
        'ORDER_RESOURCE_CLAIMED',
        `serviceOrderItem second: resource /interfaces/interface[name='${name}'] on network element netconfd-1 is already claimed by network-interface service ${holder} (order ${held.id}); delete that service first, or claim another resource`,
      ],
    ]);
    expect(await peer.runningConfig(byName(name))).toBe(before);
    expect(before).toContain('<description>customer A uplink</description>');

    expect((await run({ serviceOrderItem: [{ id: 'cease', action: 'delete', service: { id: holder } }] })).state).toBe('completed');
    const next = await run({ serviceOrderItem: [port('third', 'customer C uplink')] });
    expect(next.state).toBe('completed');
    expect(await peer.runningConfig(byName(name))).toContain('<description>customer C uplink</description>');
    const nextService = (await fleet.store.require(next.id)).items.third!.serviceId;
    expect((await run({ serviceOrderItem: [{ id: 'cease', action: 'delete', service: { id: nextService } }] })).state).toBe('completed');
  });
});

/** A port whose add replaces the interface entry and declares no undo: undone from what netconfd held. */
const REPLACE_SPEC = {
  id: 'replaced-port',
  name: 'Replaced port',
  characteristics: {
    interfaceName: { type: 'string', mandatory: true, pattern: '[a-z][a-z0-9]{0,15}' },
    description: { type: 'string', mandatory: true },
    mustSee: { type: 'string', mandatory: true },
  },
  actions: {
    add: {
      steps: [
        {
          name: 'replace-port',
          neRole: 'netconf-router',
          protocol: 'netconf',
          apply: {
            config: {
              interfaces: {
                '@xmlns': IF_NS,
                '@xmlns:nc': NC_NS,
                interface: { '@nc:operation': 'replace', name: '{{ interfaceName }}', type: { '@xmlns:ianaift': IANAIFT_NS, '#': 'ianaift:l2vlan' }, description: '{{ description }}' },
              },
            },
          },
          tests: [{ filter: { interfaces: { '@xmlns': IF_NS, interface: { name: '{{ interfaceName }}' } } }, contains: '{{ mustSee }}' }],
        },
      ],
    },
  },
};
