import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FrrPeer } from '../../peers/frr-peer.js';
import type { NetconfdPeer } from '../../peers/netconfd-peer.js';
import type { FleetProcess } from '../../runtime/fleet-process.js';
import { finalState, startCliAndNetconfFleet, type CliAndNetconfFleet } from '../support/peer-fleet.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

/**
 * A complete session audit on the real FRR (SSH CLI) and netconfd (NETCONF): the login (user,
 * never the password) and the paging set-up are in the trail of the item that opened the
 * session, and once the pool closes the idle session, its logout is in the NE's trail and the
 * device has no session left.
 */
let frr: FrrPeer;
let netconfd: NetconfdPeer;
let fleet: FleetProcess;
let peers: CliAndNetconfFleet;

const unique = (): string => randomBytes(3).toString('hex');

beforeAll(async () => {
  peers = await startCliAndNetconfFleet('netconfd-session-audit', await loadServiceCatalog('config/catalog'));
  ({ frr, netconfd, fleet } = peers);
});

afterAll(async () => {
  await peers?.stop();
});

describe('session audit on FRR and netconfd', () => {
  it('records logins with the item, and the logout of the idle session the pool closes with the NE', async () => {
    const { order: submitted } = await fleet.producer.submitServiceOrder({
      serviceOrderItem: [
        { id: 'bgp', action: 'add', service: { serviceSpecification: { id: 'bgp-neighbor' }, serviceCharacteristic: [{ name: 'neighborIp', value: '198.51.100.44' }, { name: 'remoteAs', value: 64997 }, { name: 'description', value: 'session-audit' }] } },
        { id: 'port', action: 'add', service: { serviceSpecification: { id: 'network-interface' }, serviceCharacteristic: [{ name: 'interfaceName', value: `eth${unique()}` }, { name: 'description', value: 'session audit' }] } },
      ],
    });
    const order = await finalState(fleet.store, submitted.id);
    expect(order.state, JSON.stringify(order.serviceOrderItem)).toBe('completed');
    const trail = await fleet.audit.listByOrder(submitted.id);
    const logins = trail.filter((e) => e.operation === 'session-open');
    expect(logins.map((e) => [e.neId, e.outcome]).sort()).toEqual([
      ['frr-1', 'ok'],
      ['netconfd-1', 'ok'],
    ]);
    expect(logins.find((e) => e.neId === 'frr-1')?.request).toBe(`login ${frr.credentials.username}@127.0.0.1:${frr.ne.port}`);
    expect(logins.find((e) => e.neId === 'netconfd-1')?.request).toContain(`${netconfd.credentials.username}@`);
    expect(trail.some((e) => e.neId === 'frr-1' && e.request === 'terminal length 0')).toBe(true);
    expect(await frr.sessionCount()).toBeGreaterThan(0);

    await fleet.pool.sweepIdle(Date.now() + 24 * 3_600_000);
    expect(await frr.sessionCount()).toBe(0);
    const frrLogout = await vi.waitFor(
      async () => {
        const found = (await fleet.audit.listByNe('frr-1')).find((e) => e.operation === 'session-close');
        if (!found) throw new Error('no logout of frr-1 yet');
        return found;
      },
      { timeout: 5000, interval: 50 },
    );
    expect(frrLogout).toMatchObject({ protocol: 'ssh-cli', request: 'logout exit', outcome: 'ok', kind: 'session', orderId: '' });
    const netconfLogout = await vi.waitFor(
      async () => {
        const found = (await fleet.audit.listByNe('netconfd-1')).find((e) => e.operation === 'session-close');
        if (!found) throw new Error('no logout of netconfd-1 yet');
        return found;
      },
      { timeout: 5000, interval: 50 },
    );
    expect(netconfLogout).toMatchObject({ protocol: 'netconf', outcome: 'ok', kind: 'session', request: `close-session ${netconfd.credentials.username}@127.0.0.1:${netconfd.port}` });
    for (const entry of [...trail, frrLogout, netconfLogout]) {
      expect(JSON.stringify(entry)).not.toContain(frr.credentials.password ?? '\u0000');
      expect(JSON.stringify(entry)).not.toContain(netconfd.credentials.password ?? '\u0000');
    }
  });
});
