import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry, OperationContext } from '../../adapters/audit.js';
import { DEVICE_TEXT_CAP } from '../../adapters/exchange-recorder.js';
import { NetconfAdapter } from '../../adapters/netconf/netconf-adapter.js';
import { NeError, NetconfRpcError } from '../../errors/index.js';
import { networkElementSchema } from '../../inventory/network-element.js';
import { startNetconfSimulator, type NetconfSimulator, type NetconfSimulatorOptions } from '../../simulators/netconf/netconf-simulator.js';
import { expectTimedWithin } from '../support/audit-timing.js';

const NPDB = 'urn:activation-fleet:sim:npdb';
const NC = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const credentials = { username: 'netconf', password: 'netconf' };

const started: NetconfSimulator[] = [];
const adapters: NetconfAdapter[] = [];

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function sim(options: NetconfSimulatorOptions = {}): Promise<NetconfSimulator> {
  const simulator = await startNetconfSimulator(options);
  started.push(simulator);
  return simulator;
}

function adapterFor(simulator: NetconfSimulator, overrides: { hostKeys?: string[]; commandTimeoutMs?: number; password?: string } = {}): NetconfAdapter {
  const ne = networkElementSchema.parse({
    id: 'npdb1',
    role: 'npdb',
    protocol: 'netconf',
    host: '127.0.0.1',
    port: simulator.port,
    credentialsRef: 'env:TEST',
    ssh: { hostKeys: overrides.hostKeys ?? [simulator.hostKey] },
    commandTimeoutMs: overrides.commandTimeoutMs ?? 3000,
  });
  const adapter = new NetconfAdapter(ne, { ...credentials, ...(overrides.password ? { password: overrides.password } : {}) });
  adapters.push(adapter);
  return adapter;
}

function portedNumber(msisdn: string, donor: string, routing: string, operation?: string): string {
  const op = operation ? ` xmlns:nc="${NC}" nc:operation="${operation}"` : '';
  return (
    `<porting xmlns="${NPDB}"><ported-number${op}><msisdn>${msisdn}</msisdn>` +
    `<donor-operator>${donor}</donor-operator><routing-number>${routing}</routing-number></ported-number></porting>`
  );
}

function deleteNumber(msisdn: string): string {
  return `<porting xmlns="${NPDB}"><ported-number xmlns:nc="${NC}" nc:operation="delete"><msisdn>${msisdn}</msisdn></ported-number></porting>`;
}

const filterFor = (msisdn: string): string => `<porting xmlns="${NPDB}"><ported-number><msisdn>${msisdn}</msisdn></ported-number></porting>`;

async function caught(promise: Promise<unknown>): Promise<NeError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(NeError);
    return error as NeError;
  }
  throw new Error('expected the promise to reject');
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('NETCONF adapter against the simulator over SSH', () => {
  it('exchanges hellos and capabilities, and uses chunked framing when both sides announce base:1.1', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    await adapter.open();
    const session = adapter.session!;
    expect(adapter.isOpen()).toBe(true);
    expect(session.sessionId).toBeGreaterThan(0);
    expect(session.hasCapability('urn:ietf:params:netconf:capability:candidate:1.0')).toBe(true);
    expect(session.hasCapability('urn:ietf:params:netconf:capability:confirmed-commit:1.1')).toBe(true);
    expect(session.hasCapability(NPDB)).toBe(true); // the ?module= parameter is ignored
    expect(session.framing).toBe('chunked');

    await adapter.apply({ protocol: 'netconf', configXml: portedNumber('491701234567', 'Zürich-Ω Telecom', 'D123') });
    expect(simulator.runningXml()).toContain('<donor-operator>Zürich-Ω Telecom</donor-operator>');
    const result = await adapter.verify({ protocol: 'netconf', filterXml: filterFor('491701234567'), contains: ['491701234567', 'Zürich-Ω Telecom'] });
    expect(result.passed).toBe(true);
  });

  it('falls back to end-of-message framing when the server only announces base:1.0', async () => {
    const simulator = await sim({ base11: false });
    const adapter = adapterFor(simulator);
    await adapter.open();
    expect(adapter.session!.framing).toBe('eom');
    expect(adapter.session!.hasCapability('urn:ietf:params:netconf:base:1.1')).toBe(false);

    await adapter.apply({ protocol: 'netconf', configXml: portedNumber('491701234567', 'Zürich-Ω', 'D123') });
    expect(simulator.runningXml()).toContain('Zürich-Ω');
    const result = await adapter.verify({ protocol: 'netconf', filterXml: filterFor('491701234567'), contains: ['Zürich-Ω'] });
    expect(result).toEqual({ passed: true, observed: expect.stringContaining('<donor-operator>Zürich-Ω</donor-operator>') });
  });

  it('creates a ported number in running, verifies it, selects one entry by key, and deletes it', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    await adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000001', 'OpA &amp; Co', 'D001') });
    await adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000002', 'OpB', 'D002') });
    expect(simulator.runningXml()).toBe(
      `<porting xmlns="${NPDB}">` +
        '<ported-number><msisdn>491700000001</msisdn><donor-operator>OpA &amp; Co</donor-operator><routing-number>D001</routing-number></ported-number>' +
        '<ported-number><msisdn>491700000002</msisdn><donor-operator>OpB</donor-operator><routing-number>D002</routing-number></ported-number>' +
        '</porting>',
    );
    // The candidate was committed, not left behind.
    expect(simulator.candidateXml()).toBe(simulator.runningXml());

    const one = await adapter.verify({ protocol: 'netconf', filterXml: filterFor('491700000001'), contains: ['D001', 'OpA & Co'] });
    expect(one.passed).toBe(true);
    expect(one.observed).not.toContain('491700000002');
    const wrong = await adapter.verify({ protocol: 'netconf', filterXml: filterFor('491700000001'), contains: ['D002'] });
    expect(wrong.passed).toBe(false);

    // Merge updates one leaf of an existing entry, matched by its key.
    await adapter.apply({ protocol: 'netconf', configXml: `<porting xmlns="${NPDB}"><ported-number><msisdn>491700000002</msisdn><routing-number>D099</routing-number></ported-number></porting>` });
    expect(simulator.runningXml()).toContain('<msisdn>491700000002</msisdn><donor-operator>OpB</donor-operator><routing-number>D099</routing-number>');

    await adapter.apply({ protocol: 'netconf', configXml: deleteNumber('491700000001') });
    expect(simulator.runningXml()).not.toContain('491700000001');
    expect(simulator.runningXml()).toContain('491700000002');
    const gone = await adapter.verify({ protocol: 'netconf', filterXml: filterFor('491700000001'), contains: ['491700000001'], absent: true });
    expect(gone.passed).toBe(true);

    // Deleting what is not there is an rpc-error, and the device is left as it was.
    const error = await caught(adapter.apply({ protocol: 'netconf', configXml: deleteNumber('491700000001') }));
    expect(error).toBeInstanceOf(NetconfRpcError);
    expect((error as NetconfRpcError).rpcErrors[0]).toMatchObject({ errorTag: 'data-missing', errorPath: "/porting/ported-number[msisdn='491700000001']" });
    expect(error.transient).toBe(false);
    expect(simulator.candidateXml()).toBe(simulator.runningXml());
  });

  it('supports replace and create, and subtree selection nodes through the client', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    await adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000020', 'OpA', 'D020') });
    // replace drops the leaves the new entry does not name.
    await adapter.apply({
      protocol: 'netconf',
      configXml: `<porting xmlns="${NPDB}"><ported-number nc:operation="replace"><msisdn>491700000020</msisdn><routing-number>D021</routing-number></ported-number></porting>`,
    });
    expect(simulator.runningXml()).toBe(`<porting xmlns="${NPDB}"><ported-number><msisdn>491700000020</msisdn><routing-number>D021</routing-number></ported-number></porting>`);
    const exists = await caught(adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000020', 'OpA', 'D020', 'create') }));
    expect((exists as NetconfRpcError).rpcErrors[0]?.errorTag).toBe('data-exists');

    await adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000021', 'OpB', 'D022') });
    const selected = await adapter.session!.getConfig(
      'running',
      `<porting xmlns="${NPDB}"><ported-number><msisdn>491700000021</msisdn><routing-number/></ported-number></porting>`,
    );
    expect(selected).toBe(`<porting xmlns="${NPDB}"><ported-number><msisdn>491700000021</msisdn><routing-number>D022</routing-number></ported-number></porting>`);
    expect(await adapter.session!.getConfig('running', `<other xmlns="urn:nothing"/>`)).toBe('');
    expect(await adapter.session!.get()).toBe(simulator.runningXml());
  });

  it('carries a reply far larger than one chunk and one SSH packet', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    const entries = Array.from({ length: 1500 }, (_, i) => {
      const msisdn = String(491710000000 + i);
      return `<ported-number><msisdn>${msisdn}</msisdn><donor-operator>Zürich-Ω ${i}</donor-operator><routing-number>D${i}</routing-number></ported-number>`;
    });
    const configXml = `<porting xmlns="${NPDB}">${entries.join('')}</porting>`;
    expect(Buffer.byteLength(configXml)).toBeGreaterThan(150_000);
    await adapter.apply({ protocol: 'netconf', configXml });
    const all = await adapter.session!.getConfig('running');
    expect(all).toBe(configXml);
  });

  it('parses every rpc-error field, discards the candidate and unlocks, so the next apply succeeds', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    simulator.failNextRpc('commit', {
      tag: 'invalid-value',
      type: 'application',
      message: 'routing number D999 is not provisioned',
      path: `/npdb:porting/npdb:ported-number[npdb:msisdn='491700000003']/npdb:routing-number`,
    });
    const error = await caught(adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000003', 'OpC', 'D999') }));
    expect(error).toBeInstanceOf(NetconfRpcError);
    expect(error.code).toBe('NE_RPC_ERROR');
    expect(error.transient).toBe(false);
    expect((error as NetconfRpcError).rpcErrors).toEqual([
      {
        errorType: 'application',
        errorTag: 'invalid-value',
        errorSeverity: 'error',
        errorPath: `/npdb:porting/npdb:ported-number[npdb:msisdn='491700000003']/npdb:routing-number`,
        errorMessage: 'routing number D999 is not provisioned',
      },
    ]);
    expect(error.message).toContain('routing number D999 is not provisioned');
    // The edit reached the candidate before the commit failed; it must be gone again.
    expect(simulator.candidateXml()).toBe('');
    expect(simulator.runningXml()).toBe('');

    // Locks were released: another session can lock and apply.
    const other = adapterFor(simulator);
    await other.apply({ protocol: 'netconf', configXml: portedNumber('491700000003', 'OpC', 'D003') });
    expect(simulator.runningXml()).toContain('D003');
    await adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000004', 'OpD', 'D004') });
    expect(simulator.runningXml()).toContain('D004');
  });

  it('reports a lock held by another session as transient NE_LOCKED with the holder session-id', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    simulator.holdLock('candidate', true);
    const error = await caught(adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000005', 'OpE', 'D005') }));
    expect(error).toBeInstanceOf(NetconfRpcError);
    expect(error.code).toBe('NE_LOCKED');
    expect(error.transient).toBe(true);
    const [rpcError] = (error as NetconfRpcError).rpcErrors;
    expect(rpcError).toMatchObject({ errorTag: 'lock-denied', errorType: 'protocol', errorSeverity: 'error' });
    expect(rpcError?.errorInfo).toContain('>4242</session-id>');
    expect(simulator.runningXml()).toBe('');

    // Running was locked first and must have been released: once the other lock goes, apply works.
    simulator.holdLock('candidate', false);
    await adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000005', 'OpE', 'D005') });
    expect(simulator.runningXml()).toContain('D005');
  });

  it('rolls a persisted confirmed commit back by itself after the timeout, across sessions', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    await adapter.applyConfirmed({ protocol: 'netconf', configXml: portedNumber('491700000006', 'OpF', 'D006') }, 'order-6', 1);
    expect(simulator.runningXml()).toContain('D006');
    // persist makes the pending commit outlive the session that made it.
    await adapter.close();
    expect(simulator.runningXml()).toContain('D006');
    await waitFor(() => !simulator.runningXml().includes('D006'), 5000);
    expect(simulator.runningXml()).toBe('');
    expect(simulator.candidateXml()).toBe('');
  });

  it('keeps a persisted confirmed commit once another session confirms it with persist-id', async () => {
    const simulator = await sim();
    const first = adapterFor(simulator);
    // The second session (a new SSH connection) must confirm within the timeout: 1 s is little
    // on a busy machine. 4 s, and the look 1 s past it.
    const timeoutS = 4;
    await first.applyConfirmed({ protocol: 'netconf', configXml: portedNumber('491700000007', 'OpG', 'D007') }, 'order-7', timeoutS);
    const committedAt = Date.now();
    await first.close();
    const second = adapterFor(simulator);
    await second.confirm('order-7');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, committedAt + (timeoutS + 1) * 1000 - Date.now())));
    expect(simulator.runningXml()).toContain('D007');
    // Nothing left to confirm or cancel.
    const error = await caught(second.cancel('order-7'));
    expect(error.code).toBe('NE_RPC_ERROR');
  });

  it('confirms and extends a pending commit once another session lets go of a lock it held a moment', async () => {
    // On a device with our commit pending, another session's lock is mostly another worker's
    // attempt, refused at its commit and unlocked at once: giving up at the first lock-denied
    // parked the confirm for seconds while every order for the NE waited behind the window.
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    await adapter.applyConfirmed({ protocol: 'netconf', configXml: portedNumber('491700000017', 'OpQ', 'D017') }, 'order-17', 600);
    simulator.holdLock('candidate', true);
    setTimeout(() => simulator.holdLock('candidate', false), 300);
    await adapter.extendConfirmed('order-17', 600);
    expect(simulator.pendingConfirm()).toMatchObject({ persist: 'order-17' });
    // A commit is refused while another session holds running: the confirm takes it too.
    simulator.holdLock('running', true);
    setTimeout(() => simulator.holdLock('running', false), 300);
    await adapter.confirm('order-17');
    expect(simulator.pendingConfirm()).toBeUndefined();
    expect(simulator.runningXml()).toContain('D017');
    const confirming = simulator.rpcLog().filter((r) => r.rpc === 'commit' && r.persistId === 'order-17' && !r.confirmed);
    expect(confirming.map((r) => r.outcome)).toEqual(['ok']);
  });

  it('gives a lock another session keeps past the wait up as the transient NE_LOCKED, the commit still pending', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator, { commandTimeoutMs: 1000 });
    await adapter.applyConfirmed({ protocol: 'netconf', configXml: portedNumber('491700000018', 'OpR', 'D018') }, 'order-18', 600);
    simulator.holdLock('candidate', true);
    const error = await caught(adapter.confirm('order-18'));
    expect(error.code).toBe('NE_LOCKED');
    expect(error.transient).toBe(true);
    expect(simulator.pendingConfirm()).toMatchObject({ persist: 'order-18' });
    simulator.holdLock('candidate', false);
    await adapter.confirm('order-18');
    expect(simulator.pendingConfirm()).toBeUndefined();
  });

  it('cancels a persisted confirmed commit on request', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    await adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000008', 'OpH', 'D008') });
    await adapter.applyConfirmed({ protocol: 'netconf', configXml: deleteNumber('491700000008') }, 'order-8', 600);
    expect(simulator.runningXml()).not.toContain('D008');
    const wrongId = await caught(adapter.confirm('order-other'));
    expect(wrongId).toBeInstanceOf(NetconfRpcError);
    await adapter.cancel('order-8');
    expect(simulator.runningXml()).toContain('D008');
  });

  it('treats a reply with an unknown message-id as a protocol error and drops the session', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    await adapter.open();
    simulator.sendWrongMessageId(true);
    const error = await caught(adapter.verify({ protocol: 'netconf', filterXml: filterFor('1'), contains: ['1'] }));
    expect(error.code).toBe('NE_PROTOCOL_ERROR');
    expect(error.message).toContain('unknown message-id');
    expect(adapter.isOpen()).toBe(false);
    // A fresh session works once the device behaves.
    simulator.sendWrongMessageId(false);
    const result = await adapter.verify({ protocol: 'netconf', filterXml: filterFor('1'), contains: ['1'], absent: true });
    expect(result.passed).toBe(true);
  });

  // A key that is not pinned is a conformance case (test/drivers).
  it('refuses to connect with no pinned key', async () => {
    const simulator = await sim();
    const none = await caught(adapterFor(simulator, { hostKeys: [] }).open());
    expect(none.code).toBe('NE_HOST_KEY_MISMATCH');
  });

  it('refuses unsafe or malformed input before anything is sent', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    const nul = await caught(adapter.apply({ protocol: 'netconf', configXml: portedNumber('4917\u00000', 'OpX', 'D1') }));
    expect(nul.code).toBe('UNSAFE_DEVICE_INPUT');
    expect(nul.message).toContain('U+0000');
    const escape = await caught(adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000009', 'Op\u001b[2J', 'D1') }));
    expect(escape.code).toBe('UNSAFE_DEVICE_INPUT');
    const malformed = await caught(adapter.apply({ protocol: 'netconf', configXml: `<porting xmlns="${NPDB}"><ported-number></porting>` }));
    expect(malformed.code).toBe('UNSAFE_DEVICE_INPUT');
    const badFilter = await caught(adapter.verify({ protocol: 'netconf', filterXml: '<porting', contains: [] }));
    expect(badFilter.code).toBe('UNSAFE_DEVICE_INPUT');
    expect(adapter.session).toBeUndefined();
    expect(simulator.openConnections()).toBe(0);
  });

  it('edits running under a lock when the server has no :candidate', async () => {
    const simulator = await sim({ candidate: false });
    const adapter = adapterFor(simulator);
    await adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000010', 'OpJ', 'D010') });
    expect(adapter.session!.hasCapability('urn:ietf:params:netconf:capability:candidate:1.0')).toBe(false);
    expect(simulator.runningXml()).toContain('D010');
    const error = await caught(adapter.applyConfirmed({ protocol: 'netconf', configXml: portedNumber('491700000011', 'OpK', 'D011') }, 'p', 5));
    expect(error.code).toBe('NE_UNSUPPORTED');

    simulator.holdLock('running', true);
    const locked = await caught(adapter.apply({ protocol: 'netconf', configXml: deleteNumber('491700000010') }));
    expect(locked.code).toBe('NE_LOCKED');
    expect(simulator.runningXml()).toContain('D010');
  });

  it('times out a slow reply and reconnects after a dropped session', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator, { commandTimeoutMs: 300 });
    await adapter.open();
    simulator.setLatencyMs(600);
    const slow = await caught(adapter.verify({ protocol: 'netconf', filterXml: filterFor('1'), contains: [] }));
    expect(slow.code).toBe('NE_TIMEOUT');
    expect(slow.transient).toBe(true);
    expect(adapter.isOpen()).toBe(false);
    simulator.setLatencyMs(0);

    simulator.dropSessionOnRpc('edit-config');
    const dropped = await caught(adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000012', 'OpL', 'D012') }));
    expect(dropped.code).toBe('NE_CONNECTION_FAILED');
    expect(dropped.transient).toBe(true);
    await adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000012', 'OpL', 'D012') });
    expect(simulator.runningXml()).toContain('D012');
  });
});

describe('NETCONF adapter audit trail', () => {
  function recorder(): { entries: AuditEntry[]; ctx: OperationContext } {
    const entries: AuditEntry[] = [];
    return { entries, ctx: { audit: (entry) => entries.push(entry) } };
  }
  const rpcName = (entry: AuditEntry): string => /<rpc [^>]*>\s*<([a-z-]+)/.exec(entry.request)?.[1] ?? entry.operation;

  it('reports the session opening and every RPC of an apply, with request, reply and timing, and never the password', async () => {
    const secret = 'S3cret-for-the-audit-test';
    const simulator = await sim({ password: secret });
    const adapter = adapterFor(simulator, { password: secret });
    const { entries, ctx } = recorder();
    // A prefix used only inside text (a YANG identityref) keeps its declaration on the way out.
    const configXml = `<porting xmlns="${NPDB}"><ported-number><msisdn>491700000030</msisdn><routing-number xmlns:rn="urn:example:rn">rn:D030</routing-number></ported-number></porting>`;
    const before = Date.now();
    await adapter.apply({ protocol: 'netconf', configXml }, ctx);
    const after = Date.now();

    expect(entries.map(rpcName)).toEqual(['session-open', 'lock', 'lock', 'discard-changes', 'edit-config', 'commit', 'unlock', 'unlock']);
    const [open, ...rpcs] = entries;
    expect(open).toMatchObject({ neId: 'npdb1', protocol: 'netconf', operation: 'session-open', outcome: 'ok', request: expect.stringContaining('netconf@127.0.0.1') });
    for (const entry of rpcs) {
      expect(entry).toMatchObject({ neId: 'npdb1', protocol: 'netconf', operation: 'netconf-rpc', outcome: 'ok' });
      expect(entry.reply).toContain('<ok/>');
      expect(entry.errorCode).toBeUndefined();
      expect(new Date(entry.startedAt).toISOString()).toBe(entry.startedAt);
      expectTimedWithin(entry, before, after);
    }
    const edit = rpcs.find((e) => rpcName(e) === 'edit-config')!;
    expect(edit.request).toContain('<msisdn>491700000030</msisdn>');
    expect(edit.request).toContain('xmlns:rn="urn:example:rn"');
    expect(JSON.stringify(entries)).not.toContain(secret);

    // A pooled session is not opened again: the next call reports its RPCs only.
    const second = recorder();
    const result = await adapter.verify({ protocol: 'netconf', filterXml: filterFor('491700000030'), contains: ['rn:D030'] }, second.ctx);
    expect(result.passed).toBe(true);
    expect(second.entries.map(rpcName)).toEqual(['get-config']);
    expect(second.entries[0]?.reply).toContain('rn:D030');
  });

  it('reports a failed RPC with its error code and the device reply, then the clean-up RPCs', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator);
    await adapter.open();
    simulator.failNextRpc('commit', { tag: 'invalid-value', type: 'application', message: 'routing number D998 is not provisioned' });
    const { entries, ctx } = recorder();
    await caught(adapter.apply({ protocol: 'netconf', configXml: portedNumber('491700000031', 'OpA', 'D998') }, ctx));
    // The session was opened with no sink (as a pool opens it): its login comes first in the next operation's trail.
    expect(entries.map(rpcName)).toEqual(['session-open', 'lock', 'lock', 'discard-changes', 'edit-config', 'commit', 'discard-changes', 'unlock', 'unlock']);
    const commit = entries[5]!;
    expect(commit).toMatchObject({ outcome: 'error', errorCode: 'NE_RPC_ERROR' });
    expect(commit.reply).toContain('routing number D998 is not provisioned');
    expect(entries.filter((e) => e.outcome === 'error')).toHaveLength(1);
  });

  it('caps long requests, and reports a timeout with an empty reply', async () => {
    const simulator = await sim();
    const adapter = adapterFor(simulator, { commandTimeoutMs: 300 });
    const entries = Array.from({ length: 200 }, (_, i) => `<ported-number><msisdn>${491720000000 + i}</msisdn><routing-number>D${i}</routing-number></ported-number>`);
    const big = recorder();
    await adapter.apply({ protocol: 'netconf', configXml: `<porting xmlns="${NPDB}">${entries.join('')}</porting>` }, big.ctx);
    const edit = big.entries.find((e) => rpcName(e) === 'edit-config')!;
    expect(edit.request.length).toBeLessThan(DEVICE_TEXT_CAP + 100);
    expect(edit.request).toMatch(/\.\.\. \[\d+ more characters\]$/);

    simulator.setLatencyMs(600);
    const slow = recorder();
    const error = await caught(adapter.verify({ protocol: 'netconf', filterXml: filterFor('1'), contains: [] }, slow.ctx));
    expect(error.code).toBe('NE_TIMEOUT');
    expect(slow.entries).toEqual([expect.objectContaining({ operation: 'netconf-rpc', outcome: 'error', errorCode: 'NE_TIMEOUT', reply: '' })]);
  });

  it('reports a refused login as a failed session-open, without the password', async () => {
    const simulator = await sim();
    const { entries, ctx } = recorder();
    const error = await caught(adapterFor(simulator, { password: 'wrong-secret' }).apply({ protocol: 'netconf', configXml: portedNumber('491700000032', 'OpB', 'D032') }, ctx));
    expect(error.code).toBe('NE_AUTHENTICATION_FAILED');
    expect(entries).toEqual([expect.objectContaining({ operation: 'session-open', outcome: 'error', errorCode: 'NE_AUTHENTICATION_FAILED' })]);
    expect(JSON.stringify(entries)).not.toContain('wrong-secret');
  });
});
