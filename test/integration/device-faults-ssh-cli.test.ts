import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SshCliAdapter } from '../../adapters/ssh-cli/ssh-cli-adapter.js';
import { networkElementSchema, type NetworkElement } from '../../inventory/network-element.js';
import { escapedErrorCount, installEscapedErrorGuard, type EscapedErrorGuard } from '../../observability/escaped-error-guard.js';
import { createLogger } from '../../observability/logger.js';
import { startHostileSshPeer, type HostileSshBehaviour } from '../../simulators/hostile/hostile-ssh-peer.js';
import { startHostileTcpPeer, type HostileTcpBehaviour } from '../../simulators/hostile/hostile-tcp-peer.js';
import { generateEd25519KeyPair } from '../../simulators/ssh-host-key.js';
import { startSshCliSimulator, type SshCliSimulator } from '../../simulators/ssh-cli/ssh-cli-simulator.js';
import { MARGIN_MS, bounded, eventually, expectClassified, failure } from '../support/device-faults.js';

/**
 * The SSH CLI driver against devices that misbehave in every way the issue lists, over real
 * sockets on loopback. Each fault must end in a classified NE error within the adapter's own
 * timeouts, close() must be bounded, nothing may escape to the process, and the process must
 * still serve a healthy NE afterwards.
 */

const CREDENTIALS = { username: 'fleet', password: 'hostile-test-password' };
const CONNECT_TIMEOUT_MS = 1500;
const COMMAND_TIMEOUT_MS = 1500;
/** Login (handshake, shell, prompt) then one command: the longest an apply may take before it fails. */
const APPLY_BOUND_MS = CONNECT_TIMEOUT_MS + 2 * COMMAND_TIMEOUT_MS;
/** close() waits for the device at most min(commandTimeoutMs, 5 s) for the shell, the same for the connection. */
const CLOSE_BOUND_MS = 2 * COMMAND_TIMEOUT_MS;
const CHANGE = { protocol: 'ssh-cli' as const, lines: ['interface Loopback7', ' description hostile'] };

let healthy: SshCliSimulator;
let guard: EscapedErrorGuard;
let escapedBefore: number;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  guard = installEscapedErrorGuard(createLogger({ level: 'silent' }));
  escapedBefore = escapedErrorCount();
  healthy = await startSshCliSimulator({ ...CREDENTIALS, hostname: 'healthy-1' });
});
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  // The process is alive and serves another NE after the fault, and nothing escaped meanwhile.
  const adapter = new SshCliAdapter(ne('healthy-1', healthy.port, healthy.hostKey), CREDENTIALS);
  expect(await adapter.verify({ protocol: 'ssh-cli', command: 'show version', contains: 'healthy-1' })).toMatchObject({ passed: true });
  await adapter.close();
  expect(escapedErrorCount()).toBe(escapedBefore);
});
afterAll(async () => {
  await healthy?.close();
  guard?.uninstall();
});

function ne(id: string, port: number, hostKey: string, commandTimeoutMs = COMMAND_TIMEOUT_MS): NetworkElement {
  return networkElementSchema.parse({
    id,
    role: 'pe',
    protocol: 'ssh-cli',
    host: '127.0.0.1',
    port,
    credentialsRef: 'env:TEST',
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    commandTimeoutMs,
    // No paging command: the first command after the login is the change itself, so a fault
    // "at the first command" hits it mid-session.
    ssh: { hostKeys: [hostKey], pagingCommand: '' },
  });
}

async function tcpPeer(behaviour: HostileTcpBehaviour) {
  const peer = await startHostileTcpPeer(behaviour);
  cleanups.push(() => peer.close());
  const adapter = new SshCliAdapter(ne(`cli-tcp-${behaviour}`, peer.port, generateEd25519KeyPair().public), CREDENTIALS);
  return { peer, adapter };
}

async function sshPeer(behaviour: HostileSshBehaviour, commandTimeoutMs = COMMAND_TIMEOUT_MS) {
  const peer = await startHostileSshPeer({ app: 'cli', behaviour, ...CREDENTIALS });
  cleanups.push(() => peer.close());
  const adapter = new SshCliAdapter(ne(`cli-ssh-${behaviour}`, peer.port, peer.hostKey, commandTimeoutMs), CREDENTIALS);
  return { peer, adapter };
}

describe('an SSH CLI device that accepts TCP and never answers', () => {
  it('never speaks SSH: NE_TIMEOUT, transient, within connectTimeoutMs; nothing is left open', async () => {
    const { peer, adapter } = await tcpPeer('silent');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_TIMEOUT',
      transient: true,
      neId: 'cli-tcp-silent',
      words: /no SSH handshake and login within 1500 ms/,
      withinMs: CONNECT_TIMEOUT_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });

  it('logs in, then never prints a prompt: NE_TIMEOUT, transient, saying the device printed nothing', async () => {
    const { peer, adapter } = await sshPeer('silent');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_TIMEOUT',
      transient: true,
      neId: 'cli-ssh-silent',
      words: /no prompt within 1500 ms while starting the CLI session \(the device printed nothing\)/,
      withinMs: APPLY_BOUND_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });
});

describe('an SSH CLI device that stops answering mid-session', () => {
  it('freezes at the first command, SSH keepalives and all: NE_TIMEOUT, transient, naming the command; close() is bounded', async () => {
    const { adapter } = await sshPeer('freeze');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_TIMEOUT',
      transient: true,
      neId: 'cli-ssh-freeze',
      words: /no prompt within 1500 ms after "configure terminal" \(the device printed nothing\)/,
      withinMs: APPLY_BOUND_MS,
    });
    expect(adapter.isOpen()).toBe(false);
    // The frozen device never answers the goodbye: close gives up after its bound, no later.
    await bounded(adapter.close(), CLOSE_BOUND_MS);
  });
});

describe('an SSH CLI device that resets the connection', () => {
  it('at once: NE_CONNECTION_FAILED, transient, with the reset named', async () => {
    const { peer, adapter } = await tcpPeer('reset');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_CONNECTION_FAILED',
      transient: true,
      neId: 'cli-tcp-reset',
      words: /ECONNRESET .*while connecting/,
      withinMs: CONNECT_TIMEOUT_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    expect(peer.accepted()).toBe(1);
  });

  it('mid-session, at the first command: NE_CONNECTION_FAILED, transient, naming the command', async () => {
    const { peer, adapter } = await sshPeer('reset');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_CONNECTION_FAILED',
      transient: true,
      neId: 'cli-ssh-reset',
      words: /the session dropped after "configure terminal"/,
      withinMs: APPLY_BOUND_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });
});

describe('an SSH CLI device that answers garbage', () => {
  it('not SSH at all (a web server on the port): NE_PROTOCOL_ERROR, permanent, quoting what it sent', async () => {
    const { peer, adapter } = await tcpPeer('garbage');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_PROTOCOL_ERROR',
      transient: false,
      neId: 'cli-tcp-garbage',
      words: /does not speak SSH: it sent 35 bytes and no SSH identification, starting "HTTP\/1.1 400 Bad Request/,
      withinMs: CONNECT_TIMEOUT_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });

  it('terminal noise instead of a prompt after login: NE_TIMEOUT, transient, saying how much it printed and how it ended', async () => {
    const { peer, adapter } = await sshPeer('garbage');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_TIMEOUT',
      transient: true,
      neId: 'cli-ssh-garbage',
      words: /no prompt within 1500 ms while starting the CLI session \(the device printed \d+ characters without a prompt, ending ".*%%%%"\)/,
      withinMs: APPLY_BOUND_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });
});

describe('an SSH CLI device that answers forever', () => {
  it('endless text before any SSH identification: NE_PROTOCOL_ERROR, permanent, within connectTimeoutMs', async () => {
    const { peer, adapter } = await tcpPeer('flood');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_PROTOCOL_ERROR',
      transient: false,
      neId: 'cli-tcp-flood',
      words: /does not speak SSH: it sent \d+ bytes and no SSH identification, starting "xxxx/,
      withinMs: CONNECT_TIMEOUT_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });

  it('endless output to a command: NE_PROTOCOL_ERROR, permanent, at the 1 MiB cap, and the session is dropped', async () => {
    const { peer, adapter } = await sshPeer('flood');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_PROTOCOL_ERROR',
      transient: false,
      neId: 'cli-ssh-flood',
      words: /more than 1048576 characters without a prompt after "configure terminal"/,
      withinMs: APPLY_BOUND_MS,
    });
    expect(adapter.isOpen()).toBe(false);
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });

  it('endless output in small packets without a line end: NE_PROTOCOL_ERROR at the cap, and the event loop never stalls', async () => {
    // A long command timeout, so the cap on buffered output (not the clock) ends the endless reply.
    const commandTimeoutMs = 30_000;
    const { peer, adapter } = await sshPeer('trickle', commandTimeoutMs);
    // A timer that measures how late it runs: a reader costing more per packet than it should
    // would hold the event loop (its own timeouts included) for minutes.
    let worstLagMs = 0;
    let last = Date.now();
    const probe = setInterval(() => {
      const now = Date.now();
      worstLagMs = Math.max(worstLagMs, now - last - 20);
      last = now;
    }, 20);
    const classified = await failure(() => adapter.apply(CHANGE));
    clearInterval(probe);
    expectClassified(classified, {
      code: 'NE_PROTOCOL_ERROR',
      transient: false,
      neId: 'cli-ssh-trickle',
      words: /more than 1048576 characters without a prompt after "configure terminal"/,
      withinMs: CONNECT_TIMEOUT_MS + 2 * commandTimeoutMs,
    });
    expect(worstLagMs, `the event loop was held for ${worstLagMs} ms`).toBeLessThan(MARGIN_MS);
    await bounded(adapter.close(), 2 * 5000);
    await eventually(() => peer.open() === 0);
  });
});
