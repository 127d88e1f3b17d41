import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../adapters/audit.js';
import type { SnmpVarbind } from '../../adapters/snmp/snmp-catalog-form.js';
import { SnmpAdapter } from '../../adapters/snmp/snmp-adapter.js';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { serviceSpecificationSchema } from '../../catalog/service-specification.js';
import { NeError } from '../../errors/index.js';
import { networkElementSchema, type NeCredentials, type NetworkElementInput } from '../../inventory/network-element.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { createLogger } from '../../observability/logger.js';
import type { ServiceOrder, ServiceOrderInput } from '../../orders/service-order.js';
import { SYSTEM_OIDS, startSnmpdPeer, type SnmpdPeer } from '../../peers/snmpd-peer.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

const { sysContact, sysLocation, sysDescr } = SYSTEM_OIDS;

let peer: SnmpdPeer;
const adapters: SnmpAdapter[] = [];

beforeAll(async () => {
  peer = await startSnmpdPeer({ commandTimeoutMs: 2000 });
});

afterAll(async () => {
  await peer?.stop();
});

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
});

function adapter(input: NetworkElementInput, credentials: NeCredentials = peer.credentials, commandTimeoutMs?: number): SnmpAdapter {
  const ne = networkElementSchema.parse({ ...input, ...(commandTimeoutMs ? { commandTimeoutMs } : {}) });
  const created = new SnmpAdapter(ne, credentials);
  adapters.push(created);
  return created;
}

const contactAndLocation = (contact: string, location: string): SnmpVarbind[] => [
  { oid: sysContact, type: 'OctetString', value: contact },
  { oid: sysLocation, type: 'OctetString', value: location },
];

function recorder(): { entries: AuditEntry[]; ctx: { audit: (entry: AuditEntry) => void } } {
  const entries: AuditEntry[] = [];
  return { entries, ctx: { audit: (entry) => entries.push(entry) } };
}

async function neErrorFrom(promise: Promise<unknown>): Promise<NeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NeError);
  return error as NeError;
}

const unique = (): string => randomBytes(3).toString('hex');

describe('SnmpAdapter against Net-SNMP snmpd', () => {
  it('v3 authPriv (SHA/AES) sets sysContact and sysLocation in one PDU, read back by the adapter and by the snmpget CLI', async () => {
    const a = adapter(peer.ne);
    const { entries, ctx } = recorder();
    const contact = `noc+${unique()}@example.net`;
    const location = `Paris DC1 rack ${unique()}`;

    await a.apply({ protocol: 'snmp', varbinds: contactAndLocation(contact, location) }, ctx);

    expect(await peer.get(sysContact)).toBe(contact);
    expect(await peer.get(sysLocation)).toBe(location);
    await expect(a.verify({ protocol: 'snmp', oid: sysContact, equals: contact })).resolves.toEqual({ passed: true, observed: contact });
    expect(entries.map((e) => [e.operation, e.outcome])).toEqual([
      ['snmp-set', 'ok'],
      ['snmp-get', 'ok'],
    ]);
    expect(entries[0]?.request).toBe(`${sysContact} OctetString=${contact}, ${sysLocation} OctetString=${location}`);
    expect(entries[1]?.reply).toBe(`${sysContact} OctetString=${contact}, ${sysLocation} OctetString=${location}`);
    const audited = JSON.stringify(entries);
    for (const secret of [peer.credentials.authKey, peer.credentials.privKey, peer.credentials.community]) expect(audited).not.toContain(secret);
  });

  it('v2c sets through the community', async () => {
    const a = adapter(peer.neV2c);
    const location = `Lyon ${unique()}`;
    await a.apply({ protocol: 'snmp', varbinds: [{ oid: sysLocation, type: 'OctetString', value: location }] });
    expect(await peer.get(sysLocation)).toBe(location);
  });

  it('a SET of the read-only sysDescr is refused by snmpd with notWritable: permanent NE_SNMP_ERROR naming the status and the OID', async () => {
    const a = adapter(peer.ne);
    const { entries, ctx } = recorder();
    const before = await peer.get(sysDescr);

    const error = await neErrorFrom(a.apply({ protocol: 'snmp', varbinds: [{ oid: sysDescr, type: 'OctetString', value: 'renamed' }] }, ctx));

    expect(error.code).toBe('NE_SNMP_ERROR');
    expect(error.transient).toBe(false);
    expect(error.message).toBe(`snmpd-1: agent answered notWritable for ${sysDescr}`);
    expect(error.details).toMatchObject({ status: 'notWritable', oid: sysDescr, applied: 'none' });
    expect(entries).toEqual([expect.objectContaining({ operation: 'snmp-set', outcome: 'error', errorCode: 'NE_SNMP_ERROR' })]);
    expect(await peer.get(sysDescr)).toBe(before);
  });

  it('a PDU with a writable sysContact and the read-only sysDescr is refused whole: sysContact is unchanged', async () => {
    const a = adapter(peer.ne);
    const before = await peer.get(sysContact);

    const error = await neErrorFrom(
      a.apply({ protocol: 'snmp', varbinds: [{ oid: sysContact, type: 'OctetString', value: `half-${unique()}` }, { oid: sysDescr, type: 'OctetString', value: 'x' }] }),
    );

    expect(error.details).toMatchObject({ status: 'notWritable', oid: sysDescr, applied: 'none' });
    expect(await peer.get(sysContact)).toBe(before);
  });

  it.each([
    ['an Integer for the DisplayString sysContact', { oid: sysContact, type: 'Integer', value: 4 }, 'wrongType'],
    ['a 256-character sysContact (SIZE 0..255)', { oid: sysContact, type: 'OctetString', value: 'x'.repeat(256) }, 'wrongLength'],
    ['an instance that does not exist (sysContact.1)', { oid: '1.3.6.1.2.1.1.4.1', type: 'OctetString', value: 'x' }, 'noCreation'],
  ] satisfies [string, SnmpVarbind, string][])('%s is %s from snmpd', async (_label, varbind, status) => {
    const a = adapter(peer.ne);
    const before = await peer.get(sysContact);
    const error = await neErrorFrom(a.apply({ protocol: 'snmp', varbinds: [varbind] }));
    expect(error.code).toBe('NE_SNMP_ERROR');
    expect(error.details).toMatchObject({ status, oid: varbind.oid, applied: 'none' });
    expect(await peer.get(sysContact)).toBe(before);
  });

  it('undo: the reverse change set restores the values read before the change', async () => {
    const a = adapter(peer.ne);
    const before = { contact: await peer.get(sysContact), location: await peer.get(sysLocation) };

    await a.apply({ protocol: 'snmp', varbinds: contactAndLocation(`temp-${unique()}`, `temp-${unique()}`) });
    expect(await peer.get(sysContact)).not.toBe(before.contact);
    await a.apply({ protocol: 'snmp', varbinds: contactAndLocation(before.contact, before.location) });

    expect({ contact: await peer.get(sysContact), location: await peer.get(sysLocation) }).toEqual(before);
  });

  it("the catalog's neutral undo value, the zero-length string, is taken and reads back empty", async () => {
    const a = adapter(peer.ne);
    await a.apply({ protocol: 'snmp', varbinds: contactAndLocation('', '') });
    expect(await peer.get(sysContact)).toBe('');
    await expect(a.verify({ protocol: 'snmp', oid: sysLocation, equals: '' })).resolves.toEqual({ passed: true, observed: '' });
  });
});

describe('security failures as snmpd really reports them', () => {
  it('a wrong v3 authKey gets a usmStatsWrongDigests report at once: NE_AUTHENTICATION_FAILED, permanent', async () => {
    const a = adapter(peer.ne, { ...peer.credentials, authKey: 'not-the-auth-key' });
    const { entries, ctx } = recorder();
    const started = Date.now();

    const error = await neErrorFrom(a.verify({ protocol: 'snmp', oid: sysContact, equals: 'x' }, ctx));

    expect(error.code).toBe('NE_AUTHENTICATION_FAILED');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('Wrong Digest');
    expect(Date.now() - started).toBeLessThan(1000); // a report, not a timeout
    expect(entries).toEqual([expect.objectContaining({ operation: 'snmp-get', outcome: 'error', errorCode: 'NE_AUTHENTICATION_FAILED' })]);
  });

  it('a wrong v3 privKey: snmpd cannot decrypt the scoped PDU and answers nothing: NE_TIMEOUT, transient', async () => {
    const a = adapter(peer.ne, { ...peer.credentials, privKey: 'not-the-priv-key' }, 600);
    const error = await neErrorFrom(a.apply({ protocol: 'snmp', varbinds: contactAndLocation('x', 'y') }));
    expect(error.code).toBe('NE_TIMEOUT');
    expect(error.transient).toBe(true);
    expect(error.details).toMatchObject({ applied: 'unknown' });
  });

  it('a wrong community is dropped silently: NE_TIMEOUT, transient', async () => {
    const a = adapter(peer.neV2c, { community: 'not-the-community' }, 600);
    const started = Date.now();
    const error = await neErrorFrom(a.verify({ protocol: 'snmp', oid: sysContact, equals: 'x' }));
    expect(error.code).toBe('NE_TIMEOUT');
    expect(error.transient).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });
});

describe('v3 engine discovery across agent restarts', () => {
  it('a pooled v3 session keeps working after snmpd reboots (same engine id, snmpEngineBoots + 1)', async () => {
    const a = adapter(peer.ne);
    const boots = '1.3.6.1.6.3.10.2.1.2.0';
    const before = Number((await a.verify({ protocol: 'snmp', oid: boots, equals: 0 })).observed);

    await peer.restart();

    const after = await a.verify({ protocol: 'snmp', oid: boots, equals: before + 1 });
    expect(after).toEqual({ passed: true, observed: String(before + 1) });
  });

  it('after the agent is replaced (new engine id, boots reset), the adapter rediscovers the engine and the SET goes through', async () => {
    const a = adapter(peer.ne);
    await a.verify({ protocol: 'snmp', oid: sysContact, equals: 'x' });
    await peer.restart({ newEngineId: true });
    const { entries, ctx } = recorder();
    const contact = `after-swap-${unique()}`;

    await a.apply({ protocol: 'snmp', varbinds: contactAndLocation(contact, 'Swapped') }, ctx);

    expect(await peer.get(sysContact)).toBe(contact);
    // The stale PDU is refused by the agent before it is processed, then sent again on a fresh session.
    expect(entries.map((e) => [e.operation, e.outcome, e.errorCode])).toEqual([
      ['snmp-set', 'error', 'NE_CONNECTION_FAILED'],
      ['snmp-set', 'ok', undefined],
      ['snmp-get', 'ok', undefined],
    ]);
    expect(entries[0]?.reply).toContain('engine out of sync');
  });
});

describe('an order end to end: TMF641 in, snmpd configured', () => {
  let redis: PrivateRedis;
  let fleet: FleetProcess;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const config = loadFleetConfig({
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `peers-snmpd-${unique()}`,
      ACTIVATION_ATTEMPTS: '2',
      ACTIVATION_BACKOFF_MS: '50',
      HTTP_PORT: '0',
    });
    const shipped = await loadServiceCatalog('config/catalog');
    const catalog = new ServiceCatalog([...shipped.specifications(), serviceSpecificationSchema.parse(READ_ONLY_SPEC)]);
    const inventory = ResourceInventory.fromInputs([peer.ne]);
    const log = createLogger({ level: 'silent' });
    fleet = await startFleetProcess({ config, roles: ROLES, log, catalog, inventory, credentials: () => peer.credentials, http: false });
  });

  afterAll(async () => {
    await fleet?.stop();
    await redis?.stop();
  });

  async function run(order: ServiceOrderInput): Promise<ServiceOrder> {
    const { order: submitted } = await fleet.producer.submitServiceOrder(order);
    expect(submitted.state).toBe('acknowledged');
    const deadline = Date.now() + 30_000;
    for (;;) {
      const record = await fleet.store.get(submitted.id);
      if (record && ['completed', 'failed', 'partial', 'cancelled'].includes(record.order.state)) return record.order;
      if (Date.now() > deadline) throw new Error(`order ${submitted.id} not final: ${JSON.stringify(record?.order)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('a system-contact add completes and snmpget shows the new contact and location; modify and delete follow', async () => {
    const contact = `noc-${unique()}@example.net`;
    const added = await run({
      description: 'Contact and location of the lab agent',
      serviceOrderItem: [
        {
          id: 'contact',
          action: 'add',
          service: {
            serviceSpecification: { id: 'system-contact' },
            serviceCharacteristic: [
              { name: 'contact', value: contact },
              { name: 'location', value: 'Paris DC1, room 2, rack 12' },
            ],
          },
        },
      ],
    });
    expect(added.state, JSON.stringify(added.serviceOrderItem)).toBe('completed');
    expect(await peer.get(sysContact)).toBe(contact);
    expect(await peer.get(sysLocation)).toBe('Paris DC1, room 2, rack 12');
    const audit = await fleet.audit.listByOrder(added.id);
    // The add declares no undo: what the agent held is read first, for the rollback.
    expect(audit.map((e) => e.operation)).toEqual(['snmp-get', 'snmp-set', 'snmp-get', 'snmp-get', 'snmp-get']);
    expect(audit[0]).toMatchObject({ neId: 'snmpd-1', itemId: 'contact', step: 'set-system-contact', outcome: 'ok', request: '1.3.6.1.2.1.1.4.0, 1.3.6.1.2.1.1.6.0' });
    expect(audit[1]).toMatchObject({ neId: 'snmpd-1', itemId: 'contact', step: 'set-system-contact', outcome: 'ok' });

    const serviceId = (await fleet.store.require(added.id)).items['contact']?.serviceId;
    expect(serviceId).toBeDefined();
    const modified = await run({ serviceOrderItem: [{ id: 'move', action: 'modify', service: { id: serviceId, serviceCharacteristic: [{ name: 'location', value: 'Lyon DC2' }] } }] });
    expect(modified.state).toBe('completed');
    expect(await peer.get(sysLocation)).toBe('Lyon DC2');
    expect(await peer.get(sysContact)).toBe(contact);

    const deleted = await run({ serviceOrderItem: [{ id: 'remove', action: 'delete', service: { id: serviceId } }] });
    expect(deleted.state).toBe('completed');
    expect(await peer.get(sysContact)).toBe('');
    expect(await peer.get(sysLocation)).toBe('');
  });

  const contactItem = (id: string, contact: string, location: string) => ({
    id,
    action: 'add' as const,
    service: { serviceSpecification: { id: 'system-contact' }, serviceCharacteristic: [{ name: 'contact', value: contact }, { name: 'location', value: location }] },
  });

  it("a second system-contact service on the same agent is refused at intake naming the holder, and snmpd keeps the holder's values; the claim is free once it is deleted", async () => {
    const first = `first-${unique()}@example.net`;
    const live = await run({ serviceOrderItem: [contactItem('first', first, 'Berlin DC3')] });
    expect(live.state).toBe('completed');
    const holder = (await fleet.store.require(live.id)).items['first']?.serviceId ?? '';

    const { order: refused } = await fleet.producer.submitServiceOrder({ serviceOrderItem: [contactItem('second', `second-${unique()}@example.net`, 'Madrid DC4')] });
    expect(refused.state).toBe('rejected');
    expect(refused.errorMessage?.map((e) => [e.code, e.message])).toEqual([
      [
        'ORDER_RESOURCE_CLAIMED',
        `serviceOrderItem second: resource 1.3.6.1.2.1.1.4.0 on network element snmpd-1 is already claimed by system-contact service ${holder} (order ${live.id}); delete that service first, or claim another resource`,
      ],
    ]);
    expect(await fleet.audit.listByOrder(refused.id)).toEqual([]);
    expect(await peer.get(sysContact)).toBe(first);
    expect(await peer.get(sysLocation)).toBe('Berlin DC3');

    expect((await run({ serviceOrderItem: [{ id: 'remove', action: 'delete', service: { id: holder } }] })).state).toBe('completed');
    const next = await run({ serviceOrderItem: [contactItem('next', `next-${unique()}@example.net`, 'Rome DC5')] });
    expect(next.state).toBe('completed');
    const nextService = (await fleet.store.require(next.id)).items['next']?.serviceId ?? '';
    expect((await run({ serviceOrderItem: [{ id: 'remove', action: 'delete', service: { id: nextService } }] })).state).toBe('completed');
  });

  it('a rolled-back add puts back exactly what the agent held before it (set behind the fleet), not empty strings', async () => {
    const before = `operator-${unique()}@example.net`;
    const agent = adapter(peer.ne);
    await agent.apply({ protocol: 'snmp', varbinds: contactAndLocation(before, 'Berlin DC3') });

    // A bundle whose second item the agent refuses (sysDescr is read-only): the contact item rolls back.
    const bundle = await run({
      serviceOrderItem: [
        contactItem('second', `second-${unique()}@example.net`, 'Madrid DC4'),
        { id: 'descr', action: 'add', service: { serviceSpecification: { id: 'read-only-scalar' }, serviceCharacteristic: [{ name: 'text', value: 'x' }] }, serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'second' } }] },
      ],
    });
    expect(bundle.state).toBe('failed');
    expect(bundle.serviceOrderItem.map((i) => [i.id, i.state])).toEqual([
      ['second', 'cancelled'],
      ['descr', 'failed'],
    ]);
    expect(await peer.get(sysContact)).toBe(before);
    expect(await peer.get(sysLocation)).toBe('Berlin DC3');
    const rollback = (await fleet.audit.listByOrder(bundle.id)).filter((e) => e.itemId === 'second' && e.operation === 'snmp-set').map((e) => e.request);
    expect(rollback.at(-1)).toBe(`1.3.6.1.2.1.1.4.0 OctetString=${before}, 1.3.6.1.2.1.1.6.0 OctetString=Berlin DC3`);
    // The rolled-back add held its claim only while it ran: another add of the contact goes through.
    const after = await run({ serviceOrderItem: [contactItem('after', `after-${unique()}@example.net`, 'Oslo DC6')] });
    expect(after.state).toBe('completed');
    const afterService = (await fleet.store.require(after.id)).items['after']?.serviceId ?? '';
    expect((await run({ serviceOrderItem: [{ id: 'remove', action: 'delete', service: { id: afterService } }] })).state).toBe('completed');
  });
});

/** A step the agent refuses: sysDescr.0 is read-only (notWritable), so the item fails after the SET. */
const READ_ONLY_SPEC = {
  id: 'read-only-scalar',
  name: 'Read-only scalar',
  characteristics: { text: { type: 'string', mandatory: true } },
  actions: { add: { steps: [{ name: 'set-descr', neRole: 'snmp-agent', protocol: 'snmp', apply: { varbinds: [{ oid: '1.3.6.1.2.1.1.1.0', type: 'OctetString', value: '{{ text }}' }] } }] } },
};
