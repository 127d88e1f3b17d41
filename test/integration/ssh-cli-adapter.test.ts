import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../adapters/audit.js';
import { DEVICE_TEXT_CAP } from '../../adapters/exchange-recorder.js';
import { SshCliAdapter } from '../../adapters/ssh-cli/ssh-cli-adapter.js';
import { NeError } from '../../errors/index.js';
import { networkElementSchema, type NeCredentials, type NetworkElementInput } from '../../inventory/network-element.js';
import { generateEd25519KeyPair, startSshCliSimulator, type SshCliSimulator, type SshCliSimulatorOptions } from '../../simulators/ssh-cli/ssh-cli-simulator.js';
import { expectTimedWithin } from '../support/audit-timing.js';

const USERNAME = 'provisioner';
const PASSWORD = 'cli-test-password';
const CREDENTIALS: NeCredentials = { username: USERNAME, password: PASSWORD };

const sims: SshCliSimulator[] = [];
const adapters: SshCliAdapter[] = [];

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((adapter) => adapter.close()));
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

async function startSim(options: Partial<SshCliSimulatorOptions> = {}): Promise<SshCliSimulator> {
  const sim = await startSshCliSimulator({ username: USERNAME, password: PASSWORD, ...options });
  sims.push(sim);
  return sim;
}

type Overrides = Omit<Partial<NetworkElementInput>, 'ssh'> & { ssh?: NonNullable<NetworkElementInput['ssh']> };

function adapterFor(sim: SshCliSimulator, overrides: Overrides = {}, credentials: NeCredentials = CREDENTIALS): SshCliAdapter {
  const { ssh, ...rest } = overrides;
  const ne = networkElementSchema.parse({
    id: 'pe1',
    role: 'pe',
    protocol: 'ssh-cli',
    host: '127.0.0.1',
    port: sim.port,
    credentialsRef: 'env:TEST',
    connectTimeoutMs: 5_000,
    commandTimeoutMs: 5_000,
    ...rest,
    ssh: { hostKeys: [sim.hostKey], ...ssh },
  });
  const adapter = new SshCliAdapter(ne, credentials);
  adapters.push(adapter);
  return adapter;
}

async function rejection(promise: Promise<unknown>): Promise<NeError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(NeError);
  return error as NeError;
}

async function eventually(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SshCliAdapter against the SSH CLI simulator', () => {
  it('applies lines across nested config modes, returns to exec mode, and verifies with show', async () => {
    const sim = await startSim({ hostname: 'PE-LON-01.core' });
    const adapter = adapterFor(sim);
    await adapter.apply({
      protocol: 'ssh-cli',
      lines: [
        'interface GigabitEthernet0/1',
        ' description uplink to core',
        ' ip address 10.0.0.1 255.255.255.252',
        'exit',
        'ip vrf CUST-A',
        ' rd 65000:1',
        // A block line inside another block switches block without `exit`.
        'router bgp 65000',
        ' neighbor 10.0.0.2 remote-as 65001',
        'end',
        'configure terminal',
        'ip route 0.0.0.0 0.0.0.0 10.0.0.2',
      ],
    });
    expect(sim.configLines()).toEqual([
      'interface GigabitEthernet0/1',
      ' description uplink to core',
      ' ip address 10.0.0.1 255.255.255.252',
      'ip vrf CUST-A',
      ' rd 65000:1',
      'router bgp 65000',
      ' neighbor 10.0.0.2 remote-as 65001',
      'ip route 0.0.0.0 0.0.0.0 10.0.0.2',
    ]);

    // Output comes back without the command echo and without the prompt.
    const neighbor = await adapter.verify({ protocol: 'ssh-cli', command: 'show running-config | include remote-as', contains: 'remote-as 65001' });
    expect(neighbor).toEqual({ passed: true, observed: 'neighbor 10.0.0.2 remote-as 65001' });

    const full = await adapter.verify({ protocol: 'ssh-cli', command: 'show running-config', matches: '^interface GigabitEthernet0/1\\n description uplink to core$' });
    expect(full.passed).toBe(true);
    expect(full.observed).toBe(sim.runningConfig());

    const absent = await adapter.verify({ protocol: 'ssh-cli', command: 'show running-config', contains: 'interface GigabitEthernet0/2', absent: true });
    expect(absent.passed).toBe(true);
    const missing = await adapter.verify({ protocol: 'ssh-cli', command: 'show running-config | include ^ip vrf', contains: 'CUST-B' });
    expect(missing).toEqual({ passed: false, observed: 'ip vrf CUST-A' });

    // `no` removes a whole block; the show commands above ran in exec mode, so none was stored as config.
    await adapter.apply({ protocol: 'ssh-cli', lines: ['no ip vrf CUST-A'] });
    expect(sim.configLines().some((line) => line.includes('CUST-A') || line.startsWith('show'))).toBe(false);
    expect(adapter.isOpen()).toBe(true);
  });

  it('runs concurrent commands on one session one at a time, each getting its own output', async () => {
    const sim = await startSim({ initialConfig: ['interface Gi0/1', 'description one', 'interface Gi0/2', 'description two'] });
    const adapter = adapterFor(sim);
    const [one, change, two] = await Promise.all([
      adapter.verify({ protocol: 'ssh-cli', command: 'show running-config | include one', contains: 'one' }),
      adapter.apply({ protocol: 'ssh-cli', lines: ['interface Gi0/3', ' description three'] }),
      adapter.verify({ protocol: 'ssh-cli', command: 'show running-config | include description t', contains: 'three' }),
    ]);
    expect(one.observed).toBe('description one');
    expect(change).toBeUndefined();
    expect(two.observed).toBe('description two\n description three');
    expect(sim.sessionCount()).toBe(1);
  });

  it('fails on a device error with the device words and the line, and leaves config mode', async () => {
    const sim = await startSim();
    const adapter = adapterFor(sim);
    const error = await rejection(
      adapter.apply({ protocol: 'ssh-cli', lines: ['interface Gi0/3', ' description ok', 'bogus command here', 'interface Gi0/4'] }),
    );
    expect(error.code).toBe('NE_COMMAND_REJECTED');
    expect(error.transient).toBe(false);
    expect(error.message).toContain("% Invalid input detected at '^' marker.");
    expect(error.details).toMatchObject({ neId: 'pe1', line: 'bogus command here', lineIndex: 2, appliedLines: 2, totalLines: 4 });
    expect(sim.configLines()).toEqual(['interface Gi0/3', ' description ok']);

    // Back in exec mode on the same session: in config mode a `show` would be stored as a config line.
    expect(adapter.isOpen()).toBe(true);
    const check = await adapter.verify({ protocol: 'ssh-cli', command: 'show running-config | include Gi0/3', contains: 'Gi0/3' });
    expect(check.passed).toBe(true);
    expect(sim.configLines()).toEqual(['interface Gi0/3', ' description ok']);

    sim.failOn(/^ip vrf/, 'VRF table full');
    const injected = await rejection(adapter.apply({ protocol: 'ssh-cli', lines: ['ip vrf CUST-Z'] }));
    expect(injected.code).toBe('NE_COMMAND_REJECTED');
    expect(injected.details.deviceError).toBe('% Error: VRF table full');
    expect(injected.details.appliedLines).toBe(0);
  });

  it('refuses a verify command the device does not know instead of passing an absent check', async () => {
    const sim = await startSim();
    const adapter = adapterFor(sim);
    const error = await rejection(adapter.verify({ protocol: 'ssh-cli', command: 'show bogus', contains: 'x', absent: true }));
    expect(error.code).toBe('NE_COMMAND_REJECTED');
    expect(error.message).toContain('% Unknown command: show bogus');
    expect(adapter.isOpen()).toBe(true);
  });

  it('refuses what it cannot do: another protocol, an invalid check regex', async () => {
    const sim = await startSim();
    const adapter = adapterFor(sim);
    expect((await rejection(adapter.apply({ protocol: 'netconf', configXml: '<config/>' }))).code).toBe('NE_UNSUPPORTED');
    expect((await rejection(adapter.verify({ protocol: 'ssh-cli', command: 'show version', matches: '(' }))).code).toBe('CATALOG_INVALID');
    expect(sim.sessionCount()).toBe(0);
  });

  it('drops the session when the exit command leaves it in configuration mode', async () => {
    const sim = await startSim();
    // `exit` from a block only climbs to (config)#, so the guard on the final prompt must fire.
    const adapter = adapterFor(sim, { ssh: { configExitCommand: 'exit' } });
    const error = await rejection(adapter.apply({ protocol: 'ssh-cli', lines: ['interface Gi0/1', ' shutdown'] }));
    expect(error.code).toBe('NE_PROTOCOL_ERROR');
    expect(error.message).toContain('still in configuration mode');
    expect(adapter.isOpen()).toBe(false);
    expect(sim.configLines()).toEqual(['interface Gi0/1', ' shutdown']);
  });

  it('applies a hundred lines fast (no Nagle stalls on either end)', async () => {
    const sim = await startSim();
    const adapter = adapterFor(sim);
    await adapter.open();
    const started = performance.now();
    await adapter.apply({ protocol: 'ssh-cli', lines: Array.from({ length: 100 }, (_, i) => `interface Loopback${i}`) });
    // About 30 ms on loopback; a 40 ms delayed-ACK stall per line would take over 4 s.
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(sim.configLines()).toHaveLength(100);
  });

  it('bounds the buffered output of one command', async () => {
    const filler = 'x'.repeat(60);
    const initialConfig = Array.from({ length: 200 }, (_, i) => [`interface Loopback${i}`, ...Array.from({ length: 100 }, (_, j) => `description ${j} ${filler}`)]).flat();
    const sim = await startSim({ initialConfig });
    const adapter = adapterFor(sim);
    const error = await rejection(adapter.verify({ protocol: 'ssh-cli', command: 'show running-config', contains: 'x' }));
    expect(error.code).toBe('NE_PROTOCOL_ERROR');
    expect(error.transient).toBe(false);
    expect(adapter.isOpen()).toBe(false);
  });

  it.each([
    ['CR LF', 'description x\r\nreload'],
    ['LF', 'description x\nreload'],
    ['tab', 'description\tx'],
    ['escape', 'description \x1b[2J'],
    ['DEL', 'description x\x7f'],
    ['NUL', 'description x\x00'],
  ])('refuses a line holding %s before anything reaches the device', async (_name, line) => {
    const sim = await startSim({ initialConfig: ['interface Gi0/1'] });
    const adapter = adapterFor(sim);
    const error = await rejection(adapter.apply({ protocol: 'ssh-cli', lines: ['interface Gi0/9', line] }));
    expect(error.code).toBe('UNSAFE_DEVICE_INPUT');
    expect(error.transient).toBe(false);
    expect(error.details.lineIndex).toBe(1);
    expect(sim.configLines()).toEqual(['interface Gi0/1']);
    expect(sim.sessionCount()).toBe(0);
    expect(adapter.isOpen()).toBe(false);

    const unsafeCheck = await rejection(adapter.verify({ protocol: 'ssh-cli', command: `show run${line}` }));
    expect(unsafeCheck.code).toBe('UNSAFE_DEVICE_INPUT');
  });

  // The refusal itself is a conformance case (test/drivers); here, what SSH CLI adds to it.
  it('names the presented key and its fingerprint, refuses when nothing is pinned, and takes known_hosts lines', async () => {
    const sim = await startSim();
    const otherKey = generateEd25519KeyPair().public;
    const wrong = await rejection(adapterFor(sim, { ssh: { hostKeys: [otherKey] } }).open());
    expect(wrong.details.presentedKey).toBe(sim.hostKey);
    expect(wrong.message).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);

    const none = await rejection(adapterFor(sim, { ssh: { hostKeys: [] } }).open());
    expect(none.code).toBe('NE_HOST_KEY_MISMATCH');
    expect(sim.sessionCount()).toBe(0);

    // known_hosts form (host pattern first) and a comment are accepted around the same key.
    const knownHosts = adapterFor(sim, { ssh: { hostKeys: [otherKey, `[127.0.0.1]:${sim.port} ${sim.hostKey} pe1@lab`] } });
    await knownHosts.open();
    expect(knownHosts.isOpen()).toBe(true);
  });

  it('logs in with keyboard-interactive when the device offers only that', async () => {
    const sim = await startSim({ authMethods: ['keyboard-interactive'] });
    const adapter = adapterFor(sim);
    const check = await adapter.verify({ protocol: 'ssh-cli', command: 'show version', contains: 'Simulated CLI network element' });
    expect(check.passed).toBe(true);

    const refused = await rejection(adapterFor(sim, {}, { username: USERNAME, password: 'nope' }).open());
    expect(refused.code).toBe('NE_AUTHENTICATION_FAILED');
  });

  it('logs in with a private key', async () => {
    const clientKey = generateEd25519KeyPair();
    const sim = await startSim({ authMethods: ['publickey'], authorizedKeys: [clientKey.public] });
    const adapter = adapterFor(sim, {}, { username: USERNAME, privateKey: clientKey.private });
    await adapter.open();
    expect(adapter.isOpen()).toBe(true);

    const otherKey = generateEd25519KeyPair().private;
    const refused = await rejection(adapterFor(sim, {}, { username: USERNAME, privateKey: otherKey }).open());
    expect(refused.code).toBe('NE_AUTHENTICATION_FAILED');
  });

  it('times out when the device answers slower than commandTimeoutMs, then recovers on a new session', async () => {
    const sim = await startSim();
    const adapter = adapterFor(sim, { commandTimeoutMs: 400 });
    await adapter.open();
    sim.setLatencyMs(1_500);
    const error = await rejection(adapter.verify({ protocol: 'ssh-cli', command: 'show version', contains: 'Simulated' }));
    expect(error.code).toBe('NE_TIMEOUT');
    expect(error.transient).toBe(true);
    expect(error.message).toContain('400 ms');
    // The late answer would be out of step with the next read: the session is dropped.
    expect(adapter.isOpen()).toBe(false);

    sim.setLatencyMs(0);
    const check = await adapter.verify({ protocol: 'ssh-cli', command: 'show version', contains: 'Simulated' });
    expect(check.passed).toBe(true);
    expect(adapter.isOpen()).toBe(true);
  });

  it('reports a session dropped mid-change as a transient connection failure with the applied count', async () => {
    const sim = await startSim();
    const adapter = adapterFor(sim);
    await adapter.open();
    sim.dropSessionOn(/^mtu/);
    const error = await rejection(adapter.apply({ protocol: 'ssh-cli', lines: ['interface Gi0/5', ' description edge', ' mtu 9000', ' shutdown'] }));
    expect(error.code).toBe('NE_CONNECTION_FAILED');
    expect(error.transient).toBe(true);
    expect(error.details).toMatchObject({ line: ' mtu 9000', lineIndex: 2, appliedLines: 2 });
    expect(adapter.isOpen()).toBe(false);
    expect(sim.configLines()).toEqual(['interface Gi0/5', ' description edge']);
    await eventually(() => sim.sessionCount() === 0);
  });

  it('refuses a session over the device limit as transient, and gets one once a session is released', async () => {
    const sim = await startSim({ maxSessions: 1 });
    const first = adapterFor(sim);
    await first.open();
    const second = adapterFor(sim);
    const error = await rejection(second.open());
    expect(error.code).toBe('NE_SESSION_LIMIT');
    expect(error.transient).toBe(true);

    await first.close();
    await first.close(); // idempotent
    await eventually(() => sim.sessionCount() === 0);
    await second.open();
    expect(second.isOpen()).toBe(true);
  });

  it('disables paging so long output arrives whole; without it the --More-- pager stalls the read', async () => {
    const interfaces = Array.from({ length: 150 }, (_, i) => [`interface Loopback${i}`, `description loopback number ${i}`]).flat();
    const sim = await startSim({ initialConfig: interfaces });
    const adapter = adapterFor(sim);
    const check = await adapter.verify({ protocol: 'ssh-cli', command: 'show running-config', contains: ' description loopback number 149' });
    expect(check.passed).toBe(true);
    expect(check.observed.length).toBeLessThanOrEqual(4_200);
    expect(check.observed).toContain('more characters');

    const paged = adapterFor(sim, { commandTimeoutMs: 500, ssh: { pagingCommand: '' } });
    const error = await rejection(paged.verify({ protocol: 'ssh-cli', command: 'show running-config', contains: 'Loopback149' }));
    expect(error.code).toBe('NE_TIMEOUT');
  });

  it('close() is idempotent and safe before open', async () => {
    const sim = await startSim();
    const adapter = adapterFor(sim);
    await adapter.close();
    await adapter.open();
    await adapter.open();
    expect(sim.sessionCount()).toBe(1);
    await adapter.close();
    await adapter.close();
    expect(adapter.isOpen()).toBe(false);
    await eventually(() => sim.sessionCount() === 0);
  });
});

describe('SshCliAdapter audit hook and CLI mode discipline', () => {
  function recorder(): { entries: AuditEntry[]; ctx: { audit: (entry: AuditEntry) => void } } {
    const entries: AuditEntry[] = [];
    return { entries, ctx: { audit: (entry) => entries.push(entry) } };
  }

  it('audits the login, the paging command, config mode and every line with the device reply', async () => {
    const sim = await startSim({ hostname: 'pe1' });
    const adapter = adapterFor(sim);
    const { entries, ctx } = recorder();
    const before = Date.now();
    await adapter.apply({ protocol: 'ssh-cli', lines: ['interface Gi0/7', ' description audited'] }, ctx);
    const check = await adapter.verify({ protocol: 'ssh-cli', command: 'show running-config | include audited', contains: 'audited' }, ctx);
    const after = Date.now();
    expect(check.passed).toBe(true);

    expect(entries.map((e) => [e.operation, e.request, e.outcome])).toEqual([
      ['session-open', `login ${USERNAME}@127.0.0.1:${sim.port}`, 'ok'],
      ['cli-command', 'terminal length 0', 'ok'],
      ['cli-command', 'configure terminal', 'ok'],
      ['cli-command', 'interface Gi0/7', 'ok'],
      ['cli-command', ' description audited', 'ok'],
      ['cli-command', 'end', 'ok'],
      ['cli-command', 'show running-config | include audited', 'ok'],
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({ neId: 'pe1', protocol: 'ssh-cli' });
      expect(entry.errorCode).toBeUndefined();
      expect(new Date(entry.startedAt).toISOString()).toBe(entry.startedAt);
      expectTimedWithin(entry, before, after);
    }
    // The reply is the device's output: no echo, no prompt.
    expect(entries.at(-1)?.reply).toBe(' description audited');
    expect(entries[0]?.reply).toBe('prompt pe1#');
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
  });

  it('audits a rejected line with the device words, then the exit from config mode', async () => {
    const sim = await startSim();
    const adapter = adapterFor(sim);
    await adapter.open();
    const { entries, ctx } = recorder();
    const error = await rejection(adapter.apply({ protocol: 'ssh-cli', lines: ['interface Gi0/3', 'bogus command', 'interface Gi0/4'] }, ctx));
    expect(error.details).toMatchObject({ appliedLines: 1, lineIndex: 1 });
    // The pool-style open had no sink: its login and paging set-up come first in this operation's trail.
    expect(entries.map((e) => [e.request, e.outcome, e.errorCode])).toEqual([
      [`login ${USERNAME}@127.0.0.1:${sim.port}`, 'ok', undefined],
      ['terminal length 0', 'ok', undefined],
      ['configure terminal', 'ok', undefined],
      ['interface Gi0/3', 'ok', undefined],
      ['bogus command', 'error', 'NE_COMMAND_REJECTED'],
      ['end', 'ok', undefined],
    ]);
    expect(entries[4]?.reply).toContain("% Invalid input detected at '^' marker.");
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
  });

  it('audits a timed-out command as an error and caps long replies', async () => {
    const filler = 'y'.repeat(70);
    const sim = await startSim({ initialConfig: Array.from({ length: 120 }, (_, i) => [`interface Loopback${i}`, `description ${i} ${filler}`]).flat() });
    const adapter = adapterFor(sim, { commandTimeoutMs: 400 });
    await adapter.open();
    const { entries, ctx } = recorder();
    await adapter.verify({ protocol: 'ssh-cli', command: 'show running-config', contains: filler }, ctx);
    expect(entries.splice(0, 2).map((e) => e.operation)).toEqual(['session-open', 'cli-command']);
    expect(entries[0]?.reply.length).toBeLessThanOrEqual(DEVICE_TEXT_CAP + 40);
    expect(entries[0]?.reply).toMatch(/more characters\]$/);

    sim.setLatencyMs(1_500);
    await rejection(adapter.verify({ protocol: 'ssh-cli', command: 'show version', contains: 'x' }, ctx));
    expect(entries[1]).toMatchObject({ request: 'show version', outcome: 'error', errorCode: 'NE_TIMEOUT' });
    expect(entries[1]?.durationMs).toBeGreaterThanOrEqual(350);
  });

  it('keeps working when the audit sink throws', async () => {
    const sim = await startSim();
    const adapter = adapterFor(sim);
    const ctx = {
      audit: (): void => {
        throw new Error('sink down');
      },
    };
    await adapter.apply({ protocol: 'ssh-cli', lines: ['interface Gi0/8'] }, ctx);
    expect(sim.configLines()).toEqual(['interface Gi0/8']);
  });

  it('sends no exit command when the lines already left config mode', async () => {
    const sim = await startSim();
    const adapter = adapterFor(sim);
    await adapter.open();
    const { entries, ctx } = recorder();
    await adapter.apply({ protocol: 'ssh-cli', lines: ['interface Gi0/9', 'end'] }, ctx);
    expect(entries.map((e) => e.request)).toEqual([`login ${USERNAME}@127.0.0.1:${sim.port}`, 'terminal length 0', 'configure terminal', 'interface Gi0/9', 'end']);
    expect(adapter.isOpen()).toBe(true);
  });

  it('refuses a line that would log out from exec mode, keeping the session', async () => {
    const sim = await startSim();
    const adapter = adapterFor(sim);
    await adapter.open();
    const { entries, ctx } = recorder();
    const error = await rejection(adapter.apply({ protocol: 'ssh-cli', lines: ['interface Gi0/10', 'end', 'exit', 'interface Gi0/11'] }, ctx));
    expect(error.code).toBe('UNSAFE_DEVICE_INPUT');
    expect(error.details).toMatchObject({ line: 'exit', lineIndex: 2, appliedLines: 2 });
    expect(entries.map((e) => e.request)).toEqual([`login ${USERNAME}@127.0.0.1:${sim.port}`, 'terminal length 0', 'configure terminal', 'interface Gi0/10', 'end']);
    expect(sim.configLines()).toEqual(['interface Gi0/10']);
    expect(adapter.isOpen()).toBe(true);
    expect((await adapter.verify({ protocol: 'ssh-cli', command: 'show running-config', contains: 'Gi0/10' })).passed).toBe(true);
  });
});
