import { afterEach, describe, expect, it } from 'vitest';
import { NetconfAdapter } from '../../adapters/netconf/netconf-adapter.js';
import type { NeAdapter } from '../../adapters/ne-adapter.js';
import { SnmpAdapter } from '../../adapters/snmp/snmp-adapter.js';
import { SshCliAdapter } from '../../adapters/ssh-cli/ssh-cli-adapter.js';
import { networkElementSchema, type NetworkElementInput } from '../../inventory/network-element.js';
import { HeldFault } from '../../simulators/hostile/held-fault.js';
import { startNetconfSimulator, NPDB_NS } from '../../simulators/netconf/netconf-simulator.js';
import { startSnmpSimulator, SYSTEM_OIDS } from '../../simulators/snmp/snmp-simulator.js';
import { startSshCliSimulator } from '../../simulators/ssh-cli/ssh-cli-simulator.js';
import { failure } from '../support/device-faults.js';

/**
 * The simulators' event-driven hangs, as the chaos suite uses them: a fault holds for the
 * connections (or sessions, or datagrams) it hits, and clears once the client gave each up.
 */

const LOGIN = { username: 'fleet', password: 'held-fault-password' };
const TIMEOUTS = { connectTimeoutMs: 1500, commandTimeoutMs: 1500 };
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const ne = (input: Partial<NetworkElementInput> & Pick<NetworkElementInput, 'protocol' | 'port'>) =>
  networkElementSchema.parse({ id: `held-${input.protocol}`, role: 'r', host: '127.0.0.1', credentialsRef: 'env:X', ...TIMEOUTS, ...input });

function track<T extends NeAdapter>(adapter: T): T {
  closers.unshift(() => adapter.close());
  return adapter;
}

describe('held faults in the simulators', () => {
  it('SSH CLI: one connection never answered, then one session frozen mid-session, then normal again', async () => {
    const sim = await startSshCliSimulator({ ...LOGIN, hostname: 'held-1' });
    closers.push(() => sim.close());
    const hang = new HeldFault(1);
    const freeze = new HeldFault(1);
    sim.hangConnections(hang);
    sim.freezeSessions(freeze);
    const target = ne({ protocol: 'ssh-cli', port: sim.port, ssh: { hostKeys: [sim.hostKey] } });
    const change = { protocol: 'ssh-cli' as const, lines: ['interface Loopback9', ' description held'] };

    expect((await failure(() => track(new SshCliAdapter(target, LOGIN)).apply(change))).error.message).toMatch(/no SSH handshake/);
    await hang.cleared;
    // The paging command is the first command of the next session: it freezes there.
    expect((await failure(() => track(new SshCliAdapter(target, LOGIN)).apply(change))).error.message).toMatch(/no prompt within 1500 ms after "terminal length 0"/);
    await freeze.cleared;
    expect([hang.hits, freeze.hits]).toEqual([1, 1]);
    await track(new SshCliAdapter(target, LOGIN)).apply(change);
    expect(sim.configLines()).toContain(' description held');
  });

  it('NETCONF: one connection never answered, then one session frozen at its first RPC, then normal again', async () => {
    const sim = await startNetconfSimulator(LOGIN);
    closers.push(() => sim.close());
    const hang = new HeldFault(1);
    const freeze = new HeldFault(1);
    sim.hangConnections(hang);
    sim.freezeSessions(freeze);
    const target = ne({ protocol: 'netconf', port: sim.port, ssh: { hostKeys: [sim.hostKey] } });
    const change = { protocol: 'netconf' as const, configXml: `<porting xmlns="${NPDB_NS}"><ported-number><msisdn>447700900777</msisdn></ported-number></porting>` };

    expect((await failure(() => track(new NetconfAdapter(target, LOGIN)).apply(change))).error.code).toBe('NE_TIMEOUT');
    await hang.cleared;
    expect((await failure(() => track(new NetconfAdapter(target, LOGIN)).apply(change))).error.message).toMatch(/no reply to <lock> within 1500 ms/);
    await freeze.cleared;
    await track(new NetconfAdapter(target, LOGIN)).apply(change);
    expect(sim.runningXml()).toContain('447700900777');
  });

  it('SNMP: datagrams dropped until the fault is spent, then answered; sysContact is served for system-contact', async () => {
    const sim = await startSnmpSimulator({ community: 'held' });
    closers.push(() => sim.close());
    // One request and its retransmission: one timeout.
    const drop = new HeldFault(2);
    sim.dropRequests(drop);
    const adapter = track(new SnmpAdapter(ne({ protocol: 'snmp', port: sim.port, snmp: { version: '2c' } }), { community: 'held' }));
    const change = { protocol: 'snmp' as const, varbinds: [{ oid: SYSTEM_OIDS.sysContact, type: 'OctetString' as const, value: 'noc@example.net' }] };
    expect((await failure(() => adapter.apply(change))).error.code).toBe('NE_TIMEOUT');
    await drop.cleared;
    await adapter.apply(change);
    expect(await adapter.verify({ protocol: 'snmp', oid: SYSTEM_OIDS.sysContact, equals: 'noc@example.net' })).toMatchObject({ passed: true });
  });

  it('holds beyond its count until its event has happened', async () => {
    let happen!: () => void;
    const fault = new HeldFault(1, { until: new Promise<void>((resolve) => (happen = resolve)) });
    expect([fault.take(), fault.take(), fault.take()]).toEqual([true, true, true]);
    fault.settle();
    fault.settle();
    fault.settle();
    let cleared = false;
    void fault.cleared.then(() => (cleared = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(cleared).toBe(false);
    happen();
    await fault.cleared;
    expect(fault.take()).toBe(false);
  });
});
