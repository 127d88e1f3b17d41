import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../adapters/audit.js';
import { RestconfAdapter } from '../../adapters/restconf/restconf-adapter.js';
import type { RestconfChange, RestconfCheck } from '../../adapters/restconf/restconf-change.js';
import { restconfProfileSchema, type RestconfProfile } from '../../adapters/restconf/restconf-profile.js';
import { NeError } from '../../errors/index.js';
import { HeldFault } from '../../simulators/hostile/held-fault.js';
import { startRestconfSimulator, type RestconfSimulator } from '../../simulators/restconf/restconf-simulator.js';
import { expectClassified, failure } from '../support/device-faults.js';

/**
 * The RESTCONF driver against the RESTCONF simulator over real HTTP on loopback: discovery,
 * YANG Patch apply, plain-request fallback, readPrior with entity tags, verify, the error
 * mapping, and the faults (silence, an endless body, a dropped connection). Applies are counted
 * from the simulator's own exchange log.
 */

const USER = 'fleet';
const PASSWORD = 'restconf-s3cret-pw';
const COMMAND_TIMEOUT_MS = 1500;
const LISTS = { 'example-porting:ported-number': ['msisdn'] };
const ENTRY = 'example-porting:ported-numbers/ported-number=447700900123';
const entry = (routing: string) => ({ 'example-porting:ported-number': [{ msisdn: '447700900123', 'routing-number': routing, operator: 'op-a' }] });
const ADD: RestconfChange = { protocol: 'restconf', edits: [{ operation: 'replace', path: ENTRY, value: entry('R100') }] };
const CHECK: RestconfCheck = { protocol: 'restconf', path: ENTRY, field: 'routing-number', equals: 'R100' };

let sims: RestconfSimulator[] = [];
const adapters: RestconfAdapter[] = [];

async function sim(options: { yangPatch?: boolean; root?: string; data?: Record<string, never> } = {}): Promise<RestconfSimulator> {
  const s = await startRestconfSimulator({ users: { [USER]: PASSWORD }, lists: LISTS, root: options.root ?? '/top/restconf', ...(options.yangPatch === false ? { yangPatch: false } : {}) });
  sims.push(s);
  return s;
}

function adapter(s: RestconfSimulator, profile: Partial<RestconfProfile> = {}, password = PASSWORD): RestconfAdapter {
  const ne = { id: 'rc-1', role: 'npdb', protocol: 'restconf', host: s.host, port: s.port, connectTimeoutMs: COMMAND_TIMEOUT_MS, commandTimeoutMs: COMMAND_TIMEOUT_MS, credentialsRef: 'env:X' } as any;
  const a = new RestconfAdapter(ne, { username: USER, password }, restconfProfileSchema.parse({ scheme: 'http', ...profile }));
  adapters.push(a);
  return a;
}

function collector(): { entries: AuditEntry[]; ctx: { audit: (e: AuditEntry) => void } } {
  const entries: AuditEntry[] = [];
  return { entries, ctx: { audit: (e) => entries.push(e) } };
}

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

describe('RESTCONF driver against the simulator', () => {
  let shared: RestconfSimulator;
  beforeAll(async () => {
    shared = await startRestconfSimulator({ users: { [USER]: PASSWORD }, lists: LISTS });
  });
  afterAll(async () => shared.close());

  it('discovers the root through host-meta, applies one YANG Patch and verifies it', async () => {
    const s = await sim();
    const a = adapter(s);
    const { entries, ctx } = collector();
    await a.apply(ADD, ctx);
    expect(s.writes()).toHaveLength(1);
    expect(s.writes()[0]).toMatchObject({ method: 'PATCH', path: '/top/restconf/data', contentType: 'application/yang-patch+json', status: 200 });
    expect(s.read(ENTRY)).toEqual(entry('R100'));
    expect(await a.verify(CHECK, ctx)).toEqual({ passed: true, observed: 'routing-number = R100' });
    expect(await a.verify({ ...CHECK, equals: 'R999' })).toMatchObject({ passed: false, observed: 'routing-number = R100' });
    expect(await a.verify({ protocol: 'restconf', path: ENTRY, contains: ['op-a'] })).toMatchObject({ passed: true });
    expect(await a.verify({ protocol: 'restconf', path: ENTRY, absent: true })).toMatchObject({ passed: false });
    expect(s.log.map((e) => `${e.method} ${e.path}`).slice(0, 2)).toEqual(['GET /.well-known/host-meta', 'GET /top/restconf/data/ietf-restconf-monitoring:restconf-state/capabilities']);
    expect(entries.map((e) => e.operation)).toEqual(['restconf-get', 'restconf-get', 'restconf-patch', 'restconf-get']);
    expect(entries[2]).toMatchObject({ protocol: 'restconf', outcome: 'ok', neId: 'rc-1' });
    expect(entries[2]?.request).toContain('"ietf-yang-patch:yang-patch"');
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
    expect(JSON.stringify(entries)).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  });

  it('a YANG Patch is all or nothing: a failing edit leaves the datastore as it was', async () => {
    const s = await sim();
    const a = adapter(s);
    await a.apply(ADD);
    const before = s.data();
    const change: RestconfChange = {
      protocol: 'restconf',
      edits: [
        { operation: 'merge', path: ENTRY, value: entry('R200') },
        { operation: 'create', path: ENTRY, value: entry('R300') },
      ],
    };
    const { error } = await failure(() => a.apply(change));
    expect({ code: error.code, transient: error.transient, applied: error.details.applied, status: error.details.httpStatus }).toEqual({ code: 'NE_COMMAND_REJECTED', transient: false, applied: 'none', status: 409 });
    expect(error.message).toMatch(/data-exists at \/example-porting:ported-numbers\/ported-number=447700900123: the resource already exists/);
    expect(s.data()).toEqual(before);
  });

  it('readPrior returns the change that restores: replace what was there, remove what was not', async () => {
    const s = await sim();
    const a = adapter(s);
    const other = 'example-porting:ported-numbers/ported-number=447700900999';
    const absent = await a.readPrior({ protocol: 'restconf', edits: [{ operation: 'replace', path: ENTRY, value: entry('R100') }] });
    expect(absent).toEqual({ protocol: 'restconf', edits: [{ operation: 'remove', path: ENTRY }] });
    await a.apply(ADD);
    const change: RestconfChange = {
      protocol: 'restconf',
      edits: [
        { operation: 'merge', path: ENTRY, value: entry('R200') },
        { operation: 'replace', path: other, value: { 'example-porting:ported-number': [{ msisdn: '447700900999', 'routing-number': 'R9' }] } },
      ],
    };
    const prior = await a.readPrior(change);
    expect(prior).toEqual({ protocol: 'restconf', edits: [{ operation: 'remove', path: other }, { operation: 'replace', path: ENTRY, value: entry('R100') }] });
    await a.apply(change);
    expect(s.read(ENTRY)).toEqual(entry('R200'));
    await a.apply(prior!);
    expect(s.read(ENTRY)).toEqual(entry('R100'));
    expect(s.read(other)).toBeUndefined();
    // The undo again (a retried rollback) changes nothing and fails nothing.
    await a.apply(prior!);
    expect(s.read(ENTRY)).toEqual(entry('R100'));
  });

  it('an apply after readPrior carries If-Match: a change in between is refused (412, transient) instead of lost on undo', async () => {
    const s = await sim();
    const a = adapter(s);
    await a.apply(ADD);
    const change: RestconfChange = { protocol: 'restconf', edits: [{ operation: 'merge', path: ENTRY, value: entry('R200') }] };
    await a.readPrior(change);
    s.edit('merge', ENTRY, entry('R150'));
    const { error } = await failure(() => a.apply(change));
    expect({ code: error.code, transient: error.transient, status: error.details.httpStatus, applied: error.details.applied }).toEqual({ code: 'NE_COMMAND_REJECTED', transient: true, status: 412, applied: 'none' });
    expect(s.read(ENTRY)).toEqual(entry('R150'));
    expect(s.log.at(-1)?.ifMatch).toMatch(/^"ds-\d+"$/);
    // The retry reads the prior again and goes through.
    await a.readPrior(change);
    await a.apply(change);
    expect(s.read(ENTRY)).toEqual(entry('R200'));
  });

  it('without yang-patch: one edit goes as one plain request guarded by its entity tag; more are refused before anything is sent', async () => {
    const s = await sim({ yangPatch: false });
    const a = adapter(s);
    expect(await a.readPrior(ADD)).toEqual({ protocol: 'restconf', edits: [{ operation: 'remove', path: ENTRY }] });
    await a.apply(ADD);
    expect(s.writes().map((e) => [e.method, e.status, e.contentType])).toEqual([['PUT', 201, 'application/yang-data+json']]);
    expect(s.log.at(-1)?.path).toBe(`/top/restconf/data/${ENTRY}`);
    await a.readPrior({ protocol: 'restconf', edits: [{ operation: 'merge', path: ENTRY, value: entry('R200') }] });
    await a.apply({ protocol: 'restconf', edits: [{ operation: 'merge', path: ENTRY, value: entry('R200') }] });
    expect(s.log.at(-1)).toMatchObject({ method: 'PATCH', status: 204 });
    expect(s.log.at(-1)?.ifMatch).toMatch(/^"[0-9a-f]+"$/);
    await a.apply({ protocol: 'restconf', edits: [{ operation: 'remove', path: ENTRY }] });
    await a.apply({ protocol: 'restconf', edits: [{ operation: 'remove', path: ENTRY }] });
    expect(s.read(ENTRY)).toBeUndefined();
    // create is a POST of the entry to its parent; a second one finds it there (409 data-exists).
    const create: RestconfChange = { protocol: 'restconf', edits: [{ operation: 'create', path: ENTRY, value: entry('R300') }] };
    await a.apply(create);
    expect(s.log.at(-1)).toMatchObject({ method: 'POST', path: '/top/restconf/data/example-porting:ported-numbers', status: 201 });
    expect(s.read(ENTRY)).toEqual(entry('R300'));
    expect((await failure(() => a.apply(create))).error).toMatchObject({ code: 'NE_COMMAND_REJECTED', transient: false, details: { httpStatus: 409 } });
    await a.apply({ protocol: 'restconf', edits: [{ operation: 'delete', path: ENTRY }] });
    const writes = s.writes().length;
    const { error } = await failure(() => a.apply({ protocol: 'restconf', edits: [ADD.edits[0]!, ADD.edits[0]!] }));
    expect({ code: error.code, applied: error.details.applied }).toEqual({ code: 'NE_UNSUPPORTED', applied: 'none' });
    expect(s.writes()).toHaveLength(writes);
  });

  it('a known root skips discovery', async () => {
    const s = await sim();
    const a = adapter(s, { root: '/top/restconf' });
    await a.verify(CHECK);
    expect(s.log.some((e) => e.path === '/.well-known/host-meta')).toBe(false);
  });

  it('wrong credentials are NE_AUTHENTICATION_FAILED, permanent, and the password is nowhere in the error', async () => {
    const a = adapter(shared, {}, 'wrong-password-x');
    const classified = await failure(() => a.verify(CHECK));
    expectClassified(classified, { code: 'NE_AUTHENTICATION_FAILED', transient: false, neId: 'rc-1', words: /HTTP 401 access-denied: authentication failed/, withinMs: COMMAND_TIMEOUT_MS });
    expect(JSON.stringify({ ...classified.error.toJSON(), stack: classified.error.stack })).not.toContain('wrong-password-x');
  });

  it('a device refusing with in-use is NE_LOCKED (transient); a 503 is NE_SESSION_LIMIT (transient); a 400 permanent', async () => {
    const s = await sim();
    const a = adapter(s);
    s.refuseWrites({ status: 409, tag: 'in-use', message: 'datastore locked by another session' });
    expect((await failure(() => a.apply(ADD))).error).toMatchObject({ code: 'NE_LOCKED', transient: true });
    s.refuseWrites({ status: 503, tag: 'resource-denied', message: 'busy' });
    expect((await failure(() => a.apply(ADD))).error).toMatchObject({ code: 'NE_SESSION_LIMIT', transient: true });
    s.refuseWrites({ status: 400, tag: 'invalid-value', message: 'x'.repeat(5000) });
    const { error } = await failure(() => a.apply(ADD));
    expect(error).toMatchObject({ code: 'NE_COMMAND_REJECTED', transient: false });
    expect(error.message.length).toBeLessThan(1000);
    expect(s.writes()).toHaveLength(0);
  });

  it('unsafe paths are refused before anything is sent', async () => {
    const s = await sim();
    const a = adapter(s);
    for (const path of ['../etc', 'x:y?depth=1', 'x:y/../../z', 'http://evil/x', 'x:y z']) {
      const { error } = await failure(() => a.apply({ protocol: 'restconf', edits: [{ operation: 'remove', path }] }));
      expect(error.code).toBe('UNSAFE_DEVICE_INPUT');
    }
    expect(s.log).toHaveLength(0);
  });

  it('a refused connection is NE_CONNECTION_FAILED, transient, nothing applied', async () => {
    const s = await sim();
    const a = adapter(s);
    await s.close();
    const classified = await failure(() => a.apply(ADD));
    expectClassified(classified, { code: 'NE_CONNECTION_FAILED', transient: true, neId: 'rc-1', words: /ECONNREFUSED/, withinMs: COMMAND_TIMEOUT_MS });
    expect(classified.error.details.applied).toBe('none');
  });

  it('a silent server is NE_TIMEOUT within the command timeout, and the driver works again after', async () => {
    const s = await sim();
    const a = adapter(s);
    await a.open();
    const silent = new HeldFault(1);
    s.fault('silent', silent, (method) => method === 'PATCH');
    const classified = await failure(() => a.apply(ADD));
    expectClassified(classified, { code: 'NE_TIMEOUT', transient: true, neId: 'rc-1', words: /no complete answer within 1500 ms/, withinMs: COMMAND_TIMEOUT_MS });
    expect(classified.error.details.applied).toBe('unknown');
    await silent.cleared;
    await a.apply(ADD);
    expect(s.read(ENTRY)).toEqual(entry('R100'));
  });

  it('an endless body is cut off at the cap: NE_PROTOCOL_ERROR, memory bounded', async () => {
    const s = await sim();
    const a = adapter(s);
    const endless = new HeldFault(1);
    s.fault('endless-body', endless, (method, path) => method === 'GET' && path.endsWith('447700900123'));
    const classified = await failure(() => a.verify(CHECK));
    expect(classified.error).toMatchObject({ code: 'NE_PROTOCOL_ERROR', transient: false });
    expect(classified.error.message).toMatch(/answer exceeds 4194304 bytes/);
    await endless.cleared;
    expect(await a.verify({ ...CHECK, absent: true })).toMatchObject({ passed: true });
  });

  it('a dropped connection is NE_CONNECTION_FAILED (transient, applied unknown); the next request reconnects', async () => {
    const s = await sim();
    const a = adapter(s);
    await a.open();
    const drop = new HeldFault(1);
    s.fault('drop', drop, (method) => method === 'PATCH');
    const { error } = await failure(() => a.apply(ADD));
    expect({ code: error.code, transient: error.transient, applied: error.details.applied }).toEqual({ code: 'NE_CONNECTION_FAILED', transient: true, applied: 'unknown' });
    await drop.cleared;
    await a.apply(ADD);
    expect(s.writes()).toHaveLength(1);
  });

  it('plain http to a host that is not loopback is refused (basic auth would travel in clear)', async () => {
    const ne = { id: 'rc-far', host: '192.0.2.10', port: 443, connectTimeoutMs: 100, commandTimeoutMs: 100 } as any;
    const a = new RestconfAdapter(ne, { username: USER, password: PASSWORD }, restconfProfileSchema.parse({ scheme: 'http' }));
    const { error } = await failure(() => a.verify(CHECK));
    expect(error).toBeInstanceOf(NeError);
    expect(error.code).toBe('NE_UNSUPPORTED');
  });
});
