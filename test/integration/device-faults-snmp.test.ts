import { createSocket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SnmpAdapter } from '../../adapters/snmp/snmp-adapter.js';
import { networkElementSchema, type NetworkElement } from '../../inventory/network-element.js';
import { escapedErrorCount, installEscapedErrorGuard, type EscapedErrorGuard } from '../../observability/escaped-error-guard.js';
import { createLogger } from '../../observability/logger.js';
import { startHostileUdpPeer, type HostileUdpBehaviour } from '../../simulators/hostile/hostile-udp-peer.js';
import { startSnmpSimulator, VMS_OIDS, type SnmpSimulator } from '../../simulators/snmp/snmp-simulator.js';
import { bounded, expectClassified, failure } from '../support/device-faults.js';

/**
 * The SNMP driver against agents that misbehave in every way the issue lists, over real UDP
 * sockets on loopback. UDP has no connection to accept or reset: "accepts and never answers" is
 * an agent that takes requests and answers none, and "resets" is a port nobody listens on (the
 * ICMP port-unreachable never reaches an unconnected UDP socket, so it looks the same).
 */

const COMMUNITY = 'hostile-community';
const COMMAND_TIMEOUT_MS = 1500;
/** A SET and its read-back, each bounded by commandTimeoutMs (retries included). */
const APPLY_BOUND_MS = 2 * COMMAND_TIMEOUT_MS;
const ROW = `${VMS_OIDS.mailboxStatus}.12.52.52.55.55.48.48.57.48.48.49.50.51`;
const CHANGE = { protocol: 'snmp' as const, varbinds: [{ oid: ROW, type: 'Integer' as const, value: 4 }] };
const CHECK = { protocol: 'snmp' as const, oid: VMS_OIDS.systemName, equals: 'vms-sim' };

let healthy: SnmpSimulator;
let guard: EscapedErrorGuard;
let escapedBefore: number;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  guard = installEscapedErrorGuard(createLogger({ level: 'silent' }));
  escapedBefore = escapedErrorCount();
  healthy = await startSnmpSimulator({ community: COMMUNITY });
});
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  // The process is alive and serves another NE after the fault, and nothing escaped meanwhile.
  const adapter = new SnmpAdapter(ne('healthy-vms', healthy.port), { community: COMMUNITY });
  expect(await adapter.verify(CHECK)).toMatchObject({ passed: true });
  await adapter.close();
  expect(escapedErrorCount()).toBe(escapedBefore);
});
afterAll(async () => {
  await healthy?.close();
  guard?.uninstall();
});

function ne(id: string, port: number): NetworkElement {
  return networkElementSchema.parse({
    id,
    role: 'vms',
    protocol: 'snmp',
    host: '127.0.0.1',
    port,
    credentialsRef: 'env:TEST',
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    snmp: { version: '2c' },
  });
}

async function hostile(behaviour: HostileUdpBehaviour) {
  const peer = await startHostileUdpPeer({ behaviour, upstream: { host: healthy.host, port: healthy.port }, answerFirst: 1 });
  cleanups.push(() => peer.close());
  const adapter = new SnmpAdapter(ne(`snmp-${behaviour}`, peer.port), { community: COMMUNITY });
  cleanups.push(() => adapter.close());
  return { peer, adapter };
}

describe('an SNMP agent that takes requests and never answers', () => {
  it('NE_TIMEOUT, transient, within commandTimeoutMs, with the SET outcome unknown', async () => {
    const { peer, adapter } = await hostile('silent');
    const classified = await failure(() => adapter.apply(CHANGE));
    expectClassified(classified, {
      code: 'NE_TIMEOUT',
      transient: true,
      neId: 'snmp-silent',
      words: /no SNMP answer from 127\.0\.0\.1:\d+ within 1500 ms/,
      withinMs: COMMAND_TIMEOUT_MS,
    });
    expect(classified.error.details.applied).toBe('unknown');
    // The request and its one retransmission, nothing more.
    expect(peer.received()).toBe(2);
    await bounded(adapter.close(), COMMAND_TIMEOUT_MS);
  });
});

describe('an SNMP agent that stops answering mid-session', () => {
  it('answers a GET, then not the SET: NE_TIMEOUT, transient, SET outcome unknown', async () => {
    const { adapter } = await hostile('answer-then-silent');
    expect(await adapter.verify(CHECK)).toMatchObject({ passed: true });
    const classified = await failure(() => adapter.apply(CHANGE));
    expectClassified(classified, {
      code: 'NE_TIMEOUT',
      transient: true,
      neId: 'snmp-answer-then-silent',
      words: /no SNMP answer from 127\.0\.0\.1:\d+ within 1500 ms/,
      withinMs: APPLY_BOUND_MS,
    });
    expect(classified.error.details.applied).toBe('unknown');
  });
});

describe('an SNMP agent that went away (the UDP equivalent of a reset)', () => {
  it('a port nobody listens on: NE_TIMEOUT, transient', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    const adapter = new SnmpAdapter(ne('snmp-gone', port), { community: COMMUNITY });
    cleanups.push(() => adapter.close());
    expectClassified(await failure(() => adapter.verify(CHECK)), {
      code: 'NE_TIMEOUT',
      transient: true,
      neId: 'snmp-gone',
      words: /no SNMP answer from 127\.0\.0\.1:\d+ within 1500 ms/,
      withinMs: COMMAND_TIMEOUT_MS,
    });
  });
});

describe('an SNMP agent that answers garbage', () => {
  it('NE_PROTOCOL_ERROR, permanent, counting the datagrams that were not SNMP', async () => {
    const { adapter } = await hostile('garbage');
    const classified = await failure(() => adapter.apply(CHANGE));
    expectClassified(classified, {
      code: 'NE_PROTOCOL_ERROR',
      transient: false,
      neId: 'snmp-garbage',
      words: /no valid SNMP answer from 127\.0\.0\.1:\d+ within 1500 ms: 2 datagram\(s\) were not SNMP/,
      withinMs: COMMAND_TIMEOUT_MS,
    });
    expect(classified.error.details).toMatchObject({ applied: 'unknown', undecodableDatagrams: 2 });
  });
});

describe('an SNMP agent that answers forever', () => {
  it('a flood of datagrams: NE_PROTOCOL_ERROR, permanent, within commandTimeoutMs, logged once', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const peer = await startHostileUdpPeer({ behaviour: 'flood' });
    cleanups.push(() => peer.close());
    const adapter = new SnmpAdapter(ne('snmp-flood', peer.port), { community: COMMUNITY }, { log });
    cleanups.push(() => adapter.close());
    const classified = await failure(() => adapter.verify(CHECK));
    expectClassified(classified, {
      code: 'NE_PROTOCOL_ERROR',
      transient: false,
      neId: 'snmp-flood',
      words: /no valid SNMP answer from 127\.0\.0\.1:\d+ within 1500 ms: \d+ datagram\(s\) were not SNMP/,
      withinMs: COMMAND_TIMEOUT_MS,
    });
    expect(classified.error.details.undecodableDatagrams).toBeGreaterThan(100);
    // Thousands of datagrams, one log line about them.
    expect(lines.filter((l) => l.includes('is not SNMP'))).toHaveLength(1);
  });
});
