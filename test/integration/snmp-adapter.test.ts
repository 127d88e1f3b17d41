import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../adapters/audit.js';
import { SnmpAdapter, oidIndexFromString } from '../../adapters/snmp/snmp-adapter.js';
import type { SnmpVarbind } from '../../adapters/snmp/snmp-catalog-form.js';
import { NeError } from '../../errors/index.js';
import { networkElementSchema, type NeCredentials } from '../../inventory/network-element.js';
import { startSnmpSimulator, VMS_OIDS, type SnmpSimulator } from '../../simulators/snmp/snmp-simulator.js';
import { expectTimedWithin } from '../support/audit-timing.js';

const COMMUNITY = 'vms-rw-community';
const V3_USER = { name: 'provisioner', authKey: 'auth-secret-123', privKey: 'priv-secret-456' };
const V3_CREDENTIALS: NeCredentials = { username: V3_USER.name, authKey: V3_USER.authKey, privKey: V3_USER.privKey };

let sim: SnmpSimulator;
const adapters: SnmpAdapter[] = [];

beforeAll(async () => {
  sim = await startSnmpSimulator({ community: COMMUNITY, v3User: V3_USER });
});

afterAll(async () => {
  await sim.close();
});

afterEach(async () => {
  sim.failSetsWith(null);
  sim.setLatencyMs(0);
  await Promise.all(adapters.splice(0).map((a) => a.close()));
});

function adapter(version: '2c' | '3', credentials: NeCredentials, commandTimeoutMs = 1500): SnmpAdapter {
  const ne = networkElementSchema.parse({
    id: 'vms1',
    role: 'vms',
    protocol: 'snmp',
    host: '127.0.0.1',
    port: sim.port,
    credentialsRef: 'env:TEST',
    snmp: { version },
    commandTimeoutMs,
  });
  const created = new SnmpAdapter(ne, credentials);
  adapters.push(created);
  return created;
}

const column = (columnOid: string, msisdn: string): string => `${columnOid}.${oidIndexFromString(msisdn)}`;

function createMailbox(msisdn: string, quotaMinutes: number | string, language: string): SnmpVarbind[] {
  return [
    { oid: column(VMS_OIDS.mailboxStatus, msisdn), type: 'Integer', value: 4, expect: 1 },
    { oid: column(VMS_OIDS.mailboxQuotaMinutes, msisdn), type: 'Integer', value: quotaMinutes },
    { oid: column(VMS_OIDS.mailboxLanguage, msisdn), type: 'OctetString', value: language },
  ];
}

function destroyMailbox(msisdn: string): SnmpVarbind[] {
  return [{ oid: column(VMS_OIDS.mailboxStatus, msisdn), type: 'Integer', value: 6, expect: null }];
}

async function neErrorFrom(promise: Promise<unknown>): Promise<NeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NeError);
  return error as NeError;
}

const mailbox = (msisdn: string) => sim.mailboxes().find((m) => m.msisdn === msisdn);

describe.each([
  { version: '3' as const, credentials: V3_CREDENTIALS, msisdn: '33611110001' },
  { version: '2c' as const, credentials: { community: COMMUNITY }, msisdn: '33611110002' },
])('SNMP v$version against the simulator', ({ version, credentials, msisdn }) => {
  it('creates a mailbox row with RowStatus createAndGo in one SET and reads it back', async () => {
    const a = adapter(version, credentials);
    await a.open();
    expect(a.isOpen()).toBe(true);

    await a.apply({ protocol: 'snmp', varbinds: createMailbox(msisdn, 60, 'fr') });

    expect(mailbox(msisdn)).toEqual({ msisdn, status: 1, quotaMinutes: 60, language: 'fr' });
    expect(sim.get(column(VMS_OIDS.mailboxStatus, msisdn))).toBe(1);
  });

  it('verifies values as strings and reports what it observed', async () => {
    const a = adapter(version, credentials);
    await expect(a.verify({ protocol: 'snmp', oid: VMS_OIDS.systemName, equals: 'vms-sim' })).resolves.toEqual({ passed: true, observed: 'vms-sim' });
    await expect(a.verify({ protocol: 'snmp', oid: column(VMS_OIDS.mailboxQuotaMinutes, msisdn), equals: 60 })).resolves.toEqual({ passed: true, observed: '60' });
    await expect(a.verify({ protocol: 'snmp', oid: column(VMS_OIDS.mailboxLanguage, msisdn), equals: 'fr' })).resolves.toEqual({ passed: true, observed: 'fr' });
    await expect(a.verify({ protocol: 'snmp', oid: column(VMS_OIDS.mailboxQuotaMinutes, msisdn), equals: '61' })).resolves.toEqual({ passed: false, observed: '60' });
  });

  it('destroys the row with RowStatus destroy and checks the instance is gone', async () => {
    const a = adapter(version, credentials);
    await a.apply({ protocol: 'snmp', varbinds: destroyMailbox(msisdn) });

    expect(mailbox(msisdn)).toBeUndefined();
    await expect(a.verify({ protocol: 'snmp', oid: column(VMS_OIDS.mailboxStatus, msisdn), equals: 1 })).resolves.toEqual({
      passed: false,
      observed: 'noSuchInstance',
    });
  });

  it('treats destroying an absent row as done (RFC 2579), so a retried delete succeeds', async () => {
    const a = adapter(version, credentials);
    await a.apply({ protocol: 'snmp', varbinds: destroyMailbox(msisdn) });
    expect(mailbox(msisdn)).toBeUndefined();
  });
});

describe('read-back', () => {
  it('fails with NE_VERIFICATION_FAILED and the observed value when the agent transforms a value unexpectedly', async () => {
    const a = adapter('3', V3_CREDENTIALS);
    const varbinds = createMailbox('33611110003', 45, 'de').map((vb) => (vb.expect === 1 ? { ...vb, expect: 4 } : vb));

    const error = await neErrorFrom(a.apply({ protocol: 'snmp', varbinds }));

    expect(error.code).toBe('NE_VERIFICATION_FAILED');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('is 1, expected 4');
    expect(error.details).toMatchObject({ applied: 'all', mismatches: [{ oid: varbinds[0]!.oid, expected: '4', observed: '1' }] });
  });
});

describe('agent error statuses', () => {
  it('an injected notWritable is a permanent NE_SNMP_ERROR naming the status and the OID, and changes nothing', async () => {
    const a = adapter('3', V3_CREDENTIALS);
    sim.failSetsWith('notWritable');
    const before = sim.mailboxes();

    const error = await neErrorFrom(a.apply({ protocol: 'snmp', varbinds: createMailbox('33611110004', 30, 'en') }));

    expect(error.code).toBe('NE_SNMP_ERROR');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('notWritable');
    expect(error.message).toContain(column(VMS_OIDS.mailboxStatus, '33611110004'));
    expect(error.details).toMatchObject({ status: 'notWritable', applied: 'none' });
    expect(sim.mailboxes()).toEqual(before);
  });

  it('a string sent to the Integer quota column is wrongType, and the row it would have created is not left behind', async () => {
    const a = adapter('3', V3_CREDENTIALS);
    const varbinds = createMailbox('33611110005', 30, 'en');
    varbinds[1] = { oid: column(VMS_OIDS.mailboxQuotaMinutes, '33611110005'), type: 'OctetString', value: 'thirty' };

    const error = await neErrorFrom(a.apply({ protocol: 'snmp', varbinds }));

    expect(error.code).toBe('NE_SNMP_ERROR');
    expect(error.transient).toBe(false);
    expect(error.details).toMatchObject({ status: 'wrongType', oid: varbinds[1].oid });
    expect(mailbox('33611110005')).toBeUndefined();
  });

  it('setting the read-only vmsSystemName is notWritable from the agent itself', async () => {
    const a = adapter('2c', { community: COMMUNITY });
    const error = await neErrorFrom(a.apply({ protocol: 'snmp', varbinds: [{ oid: VMS_OIDS.systemName, type: 'OctetString', value: 'renamed' }] }));
    expect(error.details).toMatchObject({ status: 'notWritable', oid: VMS_OIDS.systemName });
    expect(sim.get(VMS_OIDS.systemName)).toBe('vms-sim');
  });

  it('createAndGo on a row that exists is inconsistentValue (RFC 2579)', async () => {
    const a = adapter('3', V3_CREDENTIALS);
    await a.apply({ protocol: 'snmp', varbinds: createMailbox('33611110006', 20, 'es') });
    const error = await neErrorFrom(a.apply({ protocol: 'snmp', varbinds: createMailbox('33611110006', 99, 'it') }));
    expect(error.details).toMatchObject({ status: 'inconsistentValue' });
    expect(mailbox('33611110006')).toEqual({ msisdn: '33611110006', status: 1, quotaMinutes: 20, language: 'es' });
  });
});

describe('unsafe input is refused before anything is sent', () => {
  it.each([
    ['a newline in an OctetString', [{ oid: column(VMS_OIDS.mailboxLanguage, '33611110007'), type: 'OctetString', value: 'en\nfr' }]],
    ['a non-numeric OID', [{ oid: `${VMS_OIDS.mailboxStatus}.x`, type: 'Integer', value: 4 }]],
    ['an OID with a trailing dot', [{ oid: `${VMS_OIDS.mailboxStatus}.`, type: 'Integer', value: 4 }]],
    ['a fractional Integer', [{ oid: column(VMS_OIDS.mailboxQuotaMinutes, '33611110007'), type: 'Integer', value: 2.5 }]],
    ['an Integer out of range', [{ oid: column(VMS_OIDS.mailboxQuotaMinutes, '33611110007'), type: 'Integer', value: 2 ** 31 }]],
  ] satisfies [string, SnmpVarbind[]][])('%s', async (_label, unsafe) => {
    const a = adapter('3', V3_CREDENTIALS);
    const before = sim.mailboxes();
    const varbinds = [...createMailbox('33611110007', 30, 'en'), ...unsafe];

    const error = await neErrorFrom(a.apply({ protocol: 'snmp', varbinds }));

    expect(error.code).toBe('UNSAFE_DEVICE_INPUT');
    expect(error.transient).toBe(false);
    expect(a.isOpen()).toBe(false); // validation runs before the session even exists
    expect(sim.mailboxes()).toEqual(before);
  });

  it('accepts integers rendered as decimal strings', async () => {
    const a = adapter('3', V3_CREDENTIALS);
    await a.apply({ protocol: 'snmp', varbinds: [...createMailbox('33611110008', '75', 'en'), ...destroyMailbox('33611110009')] });
    expect(mailbox('33611110008')?.quotaMinutes).toBe(75);
  });
});

describe('transport and security failures', () => {
  it('a wrong community is dropped silently by the agent: NE_TIMEOUT, transient', async () => {
    const a = adapter('2c', { community: 'not-the-community' }, 500);
    const started = Date.now();

    const error = await neErrorFrom(a.verify({ protocol: 'snmp', oid: VMS_OIDS.systemName, equals: 'vms-sim' }));

    expect(error.code).toBe('NE_TIMEOUT');
    expect(error.transient).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(sim.droppedRequests().some((m) => m.includes('community not found'))).toBe(true);
  });

  it('an agent slower than commandTimeoutMs gives NE_TIMEOUT with the SET outcome unknown', async () => {
    const a = adapter('3', V3_CREDENTIALS, 500);
    await a.verify({ protocol: 'snmp', oid: VMS_OIDS.systemName, equals: 'vms-sim' }); // v3 discovery done at full speed
    sim.setLatencyMs(1500);

    const error = await neErrorFrom(a.apply({ protocol: 'snmp', varbinds: createMailbox('33611110010', 30, 'en') }));

    expect(error.code).toBe('NE_TIMEOUT');
    expect(error.transient).toBe(true);
    expect(error.details).toMatchObject({ applied: 'unknown' });
    expect(mailbox('33611110010')?.status).toBe(1); // only the answer was late: the SET did land
    expect(a.isOpen()).toBe(false); // a transient failure drops the session so the next attempt rediscovers
  });

  it('a wrong v3 authKey times out: the net-snmp agent drops the bad digest without a wrongDigests report', async () => {
    const a = adapter('3', { ...V3_CREDENTIALS, authKey: 'wrong-auth-key' }, 500);
    const error = await neErrorFrom(a.verify({ protocol: 'snmp', oid: VMS_OIDS.systemName, equals: 'vms-sim' }));
    expect(error.code).toBe('NE_TIMEOUT');
    expect(sim.droppedRequests().some((m) => m.includes('Authentication digest'))).toBe(true);
  });

  it('a wrong v3 privKey times out: the agent cannot decrypt the PDU and answers nothing', async () => {
    const a = adapter('3', { ...V3_CREDENTIALS, privKey: 'wrong-priv-key' }, 500);
    const error = await neErrorFrom(a.verify({ protocol: 'snmp', oid: VMS_OIDS.systemName, equals: 'vms-sim' }));
    expect(error.code).toBe('NE_TIMEOUT');
    expect(sim.droppedRequests().some((m) => m.includes('Failed to decrypt'))).toBe(true);
  });

  it('an unknown v3 user gets a usmStatsUnknownUserNames report: NE_AUTHENTICATION_FAILED, permanent', async () => {
    const a = adapter('3', { ...V3_CREDENTIALS, username: 'intruder' });
    const error = await neErrorFrom(a.verify({ protocol: 'snmp', oid: VMS_OIDS.systemName, equals: 'vms-sim' }));
    expect(error.code).toBe('NE_AUTHENTICATION_FAILED');
    expect(error.transient).toBe(false);
    expect(error.message).toContain('Unknown User Name');
  });

  it('closing the session under a pending request gives NE_CONNECTION_FAILED, transient', async () => {
    const a = adapter('2c', { community: COMMUNITY }, 3000);
    sim.setLatencyMs(1000);
    const pending = neErrorFrom(a.verify({ protocol: 'snmp', oid: VMS_OIDS.systemName, equals: 'vms-sim' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await a.close();

    const error = await pending;
    expect(error.code).toBe('NE_CONNECTION_FAILED');
    expect(error.transient).toBe(true);
  });
});

describe('session lifecycle and misuse', () => {
  it('reopens on demand after close', async () => {
    const a = adapter('2c', { community: COMMUNITY });
    await a.open();
    await a.close();
    await expect(a.verify({ protocol: 'snmp', oid: VMS_OIDS.systemName, equals: 'vms-sim' })).resolves.toMatchObject({ passed: true });
  });

  it('refuses change sets and checks of other protocols with NE_UNSUPPORTED', async () => {
    const a = adapter('3', V3_CREDENTIALS);
    expect((await neErrorFrom(a.apply({ protocol: 'ssh-cli', lines: ['x'] }))).code).toBe('NE_UNSUPPORTED');
    expect((await neErrorFrom(a.verify({ protocol: 'netconf', filterXml: '<a/>', contains: [] }))).code).toBe('NE_UNSUPPORTED');
  });

  it('missing v3 keys are CREDENTIALS_UNAVAILABLE, raised as an NeError', async () => {
    const error = await neErrorFrom(adapter('3', { username: 'provisioner' }).open());
    expect(error.code).toBe('CREDENTIALS_UNAVAILABLE');
  });
});

describe('audit trail', () => {
  function recorder(): { entries: AuditEntry[]; ctx: { audit: (entry: AuditEntry) => void } } {
    const entries: AuditEntry[] = [];
    return { entries, ctx: { audit: (entry) => entries.push(entry) } };
  }

  it.each([
    { version: '3' as const, credentials: V3_CREDENTIALS, msisdn: '33611110020' },
    { version: '2c' as const, credentials: { community: COMMUNITY }, msisdn: '33611110021' },
  ])('v$version: apply reports the SET and the read-back GET with their varbinds, and never a secret', async ({ version, credentials, msisdn }) => {
    const a = adapter(version, credentials);
    const { entries, ctx } = recorder();
    const before = Date.now();

    await a.apply({ protocol: 'snmp', varbinds: createMailbox(msisdn, 60, 'fr') }, ctx);
    const after = Date.now();

    const status = column(VMS_OIDS.mailboxStatus, msisdn);
    const quota = column(VMS_OIDS.mailboxQuotaMinutes, msisdn);
    const language = column(VMS_OIDS.mailboxLanguage, msisdn);
    expect(entries.map((e) => [e.operation, e.outcome])).toEqual([
      ['snmp-set', 'ok'],
      ['snmp-get', 'ok'],
    ]);
    const [set, get] = entries as [AuditEntry, AuditEntry];
    expect(set).toMatchObject({ neId: 'vms1', protocol: 'snmp', request: `${status} Integer=4, ${quota} Integer=60, ${language} OctetString=fr` });
    expect(set.reply).toContain(`${language} OctetString=fr`);
    expect(get).toMatchObject({ request: `${status}, ${quota}, ${language}`, reply: `${status} Integer=1, ${quota} Integer=60, ${language} OctetString=fr` });
    for (const entry of entries) {
      expect(entry.errorCode).toBeUndefined();
      expectTimedWithin(entry, before, after);
      const text = JSON.stringify(entry);
      for (const secret of [COMMUNITY, V3_USER.authKey, V3_USER.privKey]) expect(text).not.toContain(secret);
    }
    await a.apply({ protocol: 'snmp', varbinds: destroyMailbox(msisdn) }, ctx);
    expect(entries[3]?.reply).toBe(`${status} noSuchInstance`);
  });

  it('verify reports its one GET', async () => {
    const a = adapter('3', V3_CREDENTIALS);
    const { entries, ctx } = recorder();
    await a.verify({ protocol: 'snmp', oid: VMS_OIDS.systemName, equals: 'vms-sim' }, ctx);
    expect(entries).toEqual([expect.objectContaining({ operation: 'snmp-get', request: VMS_OIDS.systemName, reply: `${VMS_OIDS.systemName} OctetString=vms-sim`, outcome: 'ok' })]);
  });

  it('a refused SET is one error entry with the status, and no read-back is sent', async () => {
    const a = adapter('2c', { community: COMMUNITY });
    const { entries, ctx } = recorder();
    await neErrorFrom(a.apply({ protocol: 'snmp', varbinds: [{ oid: VMS_OIDS.systemName, type: 'OctetString', value: 'renamed' }] }, ctx));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ operation: 'snmp-set', request: `${VMS_OIDS.systemName} OctetString=renamed`, outcome: 'error', errorCode: 'NE_SNMP_ERROR' });
    expect(entries[0]?.reply).toContain(`notWritable for ${VMS_OIDS.systemName}`);
  });

  it('a timeout is an error entry with NE_TIMEOUT, and the wrong community is not in it', async () => {
    const a = adapter('2c', { community: 'not-the-community' }, 300);
    const { entries, ctx } = recorder();
    await neErrorFrom(a.verify({ protocol: 'snmp', oid: VMS_OIDS.systemName, equals: 'vms-sim' }, ctx));
    expect(entries).toEqual([expect.objectContaining({ operation: 'snmp-get', outcome: 'error', errorCode: 'NE_TIMEOUT' })]);
    expect(entries[0]?.durationMs).toBeGreaterThanOrEqual(250);
    expect(JSON.stringify(entries)).not.toContain('not-the-community');
  });

  it('refused input sends nothing and so reports nothing', async () => {
    const a = adapter('3', V3_CREDENTIALS);
    const { entries, ctx } = recorder();
    const error = await neErrorFrom(a.apply({ protocol: 'snmp', varbinds: [{ oid: VMS_OIDS.systemName, type: 'OctetString', value: 'a\nb' }] }, ctx));
    expect(error.code).toBe('UNSAFE_DEVICE_INPUT');
    expect(entries).toEqual([]);
  });

  it('a throwing audit sink does not fail the operation', async () => {
    const a = adapter('3', V3_CREDENTIALS);
    const audit = (): void => {
      throw new Error('sink down');
    };
    await expect(a.verify({ protocol: 'snmp', oid: VMS_OIDS.systemName, equals: 'vms-sim' }, { audit })).resolves.toMatchObject({ passed: true });
  });
});
