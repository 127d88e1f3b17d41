import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../adapters/audit.js';
import { createMockAdapterFactory } from '../../adapters/mock/mock-driver.js';
import { MockAdapter } from '../../adapters/mock/mock-adapter.js';
import { RecordingAdapter } from '../../adapters/mock/recording-adapter.js';
import { loadRecording, saveRecording } from '../../adapters/mock/recording-file.js';
import { NeError } from '../../errors/index.js';
import { startSshCliSimulator, type SshCliSimulator } from '../../simulators/ssh-cli/ssh-cli-simulator.js';
import { CLI_CHANGE, CLI_CREDENTIALS, CLI_UNDO, cliAdapter, cliNe } from './fixtures/ssh-cli-simulator.js';
import { RECORDINGS_DIR } from './fixtures/mock.js';

let sim: SshCliSimulator;
let dir: string;

beforeAll(async () => {
  sim = await startSshCliSimulator(CLI_CREDENTIALS);
  dir = await mkdtemp(join(tmpdir(), 'mock-driver-'));
});
afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<NeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NeError);
  return error as NeError;
}

describe('the mock driver', () => {
  it('replays a session recorded from the real driver: same answers, same audit entries, same errors', async () => {
    const ne = cliNe(sim.port, sim.hostKey);
    const recorder = new RecordingAdapter(cliAdapter(ne, CLI_CREDENTIALS));
    const live: AuditEntry[] = [];
    await recorder.apply(CLI_CHANGE.apply, { audit: (entry) => live.push(entry) });
    const seen = await recorder.verify(CLI_CHANGE.check);
    const refused = await failure(recorder.apply({ protocol: 'ssh-cli', lines: ['bogus knob'] }));
    await recorder.apply(CLI_UNDO);
    await recorder.close();
    const path = join(dir, 'session.json');
    await saveRecording(path, recorder.recording());

    const mock = await createMockAdapterFactory(() => path)(ne);
    const replayed: AuditEntry[] = [];
    let writes = 0;
    await mock.apply(CLI_CHANGE.apply, { audit: (entry) => replayed.push(entry), beforeWrite: async () => void (writes += 1) });
    expect(writes).toBe(1);
    expect(replayed.map((e) => [e.operation, e.request, e.reply])).toEqual(live.map((e) => [e.operation, e.request, e.reply]));
    expect(mock.isOpen()).toBe(true);
    expect(await mock.verify(CLI_CHANGE.check)).toEqual(seen);
    const again = await failure(mock.apply({ protocol: 'ssh-cli', lines: ['bogus knob'] }));
    expect([again.code, again.transient, again.message, again.details['deviceError']]).toEqual([refused.code, refused.transient, refused.message, refused.details['deviceError']]);
    await mock.apply(CLI_UNDO);
    await mock.close();
    expect((mock as MockAdapter).pending()).toBe(0);
    // The ssh-cli driver offers no readPrior nor confirmed commits, so neither does its replay.
    expect(mock.readPrior).toBeUndefined();
    expect(mock.applyConfirmed).toBeUndefined();
  });

  it('fails a call the recording does not expect, naming the call it expected', async () => {
    const recording = await loadRecording(join(RECORDINGS_DIR, 'ssh-cli', 'lifecycle.json'));
    const mock = new MockAdapter(cliNe(22, 'ssh-ed25519 recorded'), recording);
    const wrongMethod = await failure(mock.verify(CLI_CHANGE.check));
    expect(wrongMethod.code).toBe('NE_UNSUPPORTED');
    expect(wrongMethod.message).toBe('conf-cli: mock driver: call 1 is verify({"protocol":"ssh-cli","command":"show running-config","line":"interface Loopback77"}), but the recorded session expects open()');
    await mock.open();
    await mock.open();
    const wrongArgs = await failure(mock.apply({ protocol: 'ssh-cli', lines: ['interface Loopback99'] }));
    expect(wrongArgs.message).toContain('call 3 is apply({"protocol":"ssh-cli","lines":["interface Loopback99"]}), but the recorded session expects apply({"protocol":"ssh-cli","lines":["interface Loopback77"," description conformance"]})');
    expect(mock.pending()).toBeGreaterThan(0);
  });

  it('fails a call past the end of the recording', async () => {
    const mock = new MockAdapter(cliNe(22, 'ssh-ed25519 recorded'), { format: 'activation-fleet/mock-session/1', neId: 'conf-cli', protocol: 'ssh-cli', offers: [], calls: [] });
    expect((await failure(mock.open())).message).toBe('conf-cli: mock driver: call 1 is open(), but the recorded session expects nothing more (it holds 0 calls)');
    await mock.close(); // never throws, even unexpected
  });

  it('refuses a file that is not a recording, and a recording of another protocol', async () => {
    const path = join(dir, 'snmp.json');
    await saveRecording(path, { format: 'activation-fleet/mock-session/1', neId: 'x', protocol: 'snmp', offers: [], calls: [] });
    await expect(createMockAdapterFactory(() => path)(cliNe(22, 'k'))).rejects.toThrow('records a snmp session, but conf-cli speaks ssh-cli');
    const bad = join(dir, 'bad.json');
    await saveRecording(bad, { format: 'something-else' } as never);
    await expect(loadRecording(bad)).rejects.toThrow('is not a mock session recording');
  });
});
