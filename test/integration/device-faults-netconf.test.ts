import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NetconfAdapter } from '../../adapters/netconf/netconf-adapter.js';
import { networkElementSchema, type NetworkElement } from '../../inventory/network-element.js';
import { escapedErrorCount, installEscapedErrorGuard, type EscapedErrorGuard } from '../../observability/escaped-error-guard.js';
import { createLogger } from '../../observability/logger.js';
import { startHostileSshPeer, type HostileSshBehaviour } from '../../simulators/hostile/hostile-ssh-peer.js';
import { startHostileTcpPeer, type HostileTcpBehaviour } from '../../simulators/hostile/hostile-tcp-peer.js';
import { startNetconfSimulator, NPDB_NS, type NetconfSimulator } from '../../simulators/netconf/netconf-simulator.js';
import { generateEd25519KeyPair } from '../../simulators/ssh-host-key.js';
import { bounded, eventually, expectClassified, failure } from '../support/device-faults.js';

/**
 * The NETCONF driver against devices that misbehave in every way the issue lists, over real
 * sockets on loopback. The first case is the one that took the fleet down: a device that accepts
 * TCP and never speaks SSH made ssh2 emit an 'error' nobody listened to.
 */

const CREDENTIALS = { username: 'fleet', password: 'hostile-test-password' };
const CONNECT_TIMEOUT_MS = 1500;
const RPC_TIMEOUT_MS = 1500;
/** Connect and subsystem (connectTimeoutMs each), the hello, then one RPC. */
const APPLY_BOUND_MS = 2 * CONNECT_TIMEOUT_MS + 2 * RPC_TIMEOUT_MS;
/** close-session and the connection, each waited for at most min(commandTimeoutMs, 5 s). */
const CLOSE_BOUND_MS = 3 * RPC_TIMEOUT_MS;
const CHANGE = { protocol: 'netconf' as const, configXml: `<porting xmlns="${NPDB_NS}"><ported-number><msisdn>447700900123</msisdn></ported-number></porting>` };

let healthy: NetconfSimulator;
let guard: EscapedErrorGuard;
let escapedBefore: number;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  guard = installEscapedErrorGuard(createLogger({ level: 'silent' }));
  escapedBefore = escapedErrorCount();
  healthy = await startNetconfSimulator(CREDENTIALS);
});
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  // The process is alive and serves another NE after the fault, and nothing escaped meanwhile.
  const adapter = new NetconfAdapter(ne('healthy-npdb', healthy.port, healthy.hostKey), CREDENTIALS);
  await adapter.apply(CHANGE);
  expect(healthy.runningXml()).toContain('447700900123');
  await adapter.close();
  expect(escapedErrorCount()).toBe(escapedBefore);
});
afterAll(async () => {
  await healthy?.close();
  guard?.uninstall();
});

function ne(id: string, port: number, hostKey: string, commandTimeoutMs = RPC_TIMEOUT_MS): NetworkElement {
  return networkElementSchema.parse({
    id,
    role: 'npdb',
    protocol: 'netconf',
    host: '127.0.0.1',
    port,
    credentialsRef: 'env:TEST',
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    commandTimeoutMs,
    ssh: { hostKeys: [hostKey] },
  });
}

async function tcpPeer(behaviour: HostileTcpBehaviour) {
  const peer = await startHostileTcpPeer(behaviour);
  cleanups.push(() => peer.close());
  return { peer, adapter: new NetconfAdapter(ne(`nc-tcp-${behaviour}`, peer.port, generateEd25519KeyPair().public), CREDENTIALS) };
}

async function sshPeer(behaviour: HostileSshBehaviour, commandTimeoutMs = RPC_TIMEOUT_MS) {
  const peer = await startHostileSshPeer({ app: 'netconf', behaviour, ...CREDENTIALS });
  cleanups.push(() => peer.close());
  return { peer, adapter: new NetconfAdapter(ne(`nc-ssh-${behaviour}`, peer.port, peer.hostKey, commandTimeoutMs), CREDENTIALS) };
}

describe('a NETCONF device that accepts TCP and never answers', () => {
  it('never speaks SSH: NE_TIMEOUT, transient, within connectTimeoutMs, and the process lives on', async () => {
    const { peer, adapter } = await tcpPeer('silent');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_TIMEOUT',
      transient: true,
      neId: 'nc-tcp-silent',
      words: /no SSH handshake and login within 1500 ms/,
      withinMs: CONNECT_TIMEOUT_MS,
    });
    // ssh2 reports "Connection lost before handshake" after the timeout: it must reach a listener.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });

  it('opens the netconf subsystem, then never says hello: NE_TIMEOUT, transient', async () => {
    const { peer, adapter } = await sshPeer('silent');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_TIMEOUT',
      transient: true,
      neId: 'nc-ssh-silent',
      words: /no NETCONF hello from the server/,
      withinMs: APPLY_BOUND_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });
});

describe('a NETCONF device that stops answering mid-session', () => {
  it('says hello, then freezes at the first RPC: NE_TIMEOUT, transient, naming the RPC; close() is bounded', async () => {
    const { adapter } = await sshPeer('freeze');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_TIMEOUT',
      transient: true,
      neId: 'nc-ssh-freeze',
      words: /no reply to <lock> within 1500 ms/,
      withinMs: APPLY_BOUND_MS,
    });
    expect(adapter.isOpen()).toBe(false);
    await bounded(adapter.close(), CLOSE_BOUND_MS);
  });
});

describe('a NETCONF device that resets the connection', () => {
  it('at once: NE_CONNECTION_FAILED, transient', async () => {
    const { adapter } = await tcpPeer('reset');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_CONNECTION_FAILED',
      transient: true,
      neId: 'nc-tcp-reset',
      words: /SSH connection failed: .*ECONNRESET/,
      withinMs: CONNECT_TIMEOUT_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
  });

  it('mid-session, at the first RPC: NE_CONNECTION_FAILED, transient, with the reset named', async () => {
    const { peer, adapter } = await sshPeer('reset');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_CONNECTION_FAILED',
      transient: true,
      neId: 'nc-ssh-reset',
      words: /SSH connection lost: read ECONNRESET/,
      withinMs: APPLY_BOUND_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });
});

describe('a NETCONF device that answers garbage', () => {
  it('not SSH at all: NE_PROTOCOL_ERROR, permanent, quoting what it sent', async () => {
    const { peer, adapter } = await tcpPeer('garbage');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_PROTOCOL_ERROR',
      transient: false,
      neId: 'nc-tcp-garbage',
      words: /does not speak SSH: it sent 35 bytes and no SSH identification, starting "HTTP\/1.1 400 Bad Request/,
      withinMs: CONNECT_TIMEOUT_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });

  it('a framed message that is not XML instead of a hello: NE_PROTOCOL_ERROR, permanent, with the parser words', async () => {
    const { peer, adapter } = await sshPeer('garbage');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_PROTOCOL_ERROR',
      transient: false,
      neId: 'nc-ssh-garbage',
      words: /malformed XML from server: /,
      withinMs: APPLY_BOUND_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });
});

describe('a NETCONF device that answers forever', () => {
  it('endless text before any SSH identification: NE_PROTOCOL_ERROR, permanent, within connectTimeoutMs', async () => {
    const { peer, adapter } = await tcpPeer('flood');
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_PROTOCOL_ERROR',
      transient: false,
      neId: 'nc-tcp-flood',
      words: /does not speak SSH: it sent \d+ bytes/,
      withinMs: CONNECT_TIMEOUT_MS,
    });
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });

  it('a reply that never ends: NE_PROTOCOL_ERROR, permanent, at the 16 MiB message cap, long before the RPC timeout', async () => {
    // A long RPC timeout, so the cap on one message (not the clock) is what ends the endless reply.
    const rpcTimeoutMs = 30_000;
    const { peer, adapter } = await sshPeer('flood', rpcTimeoutMs);
    expectClassified(await failure(() => adapter.apply(CHANGE)), {
      code: 'NE_PROTOCOL_ERROR',
      transient: false,
      neId: 'nc-ssh-flood',
      words: /message exceeds 16777216 bytes without an end-of-message marker/,
      withinMs: 2 * CONNECT_TIMEOUT_MS + 2 * rpcTimeoutMs,
    });
    expect(adapter.isOpen()).toBe(false);
    await bounded(adapter.close(), CLOSE_BOUND_MS);
    await eventually(() => peer.open() === 0);
  });
});
