import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatAuditRecord } from '../../cli/order-report.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

/**
 * A complete audit of sessions: the login is in the trail of the item that opened the session,
 * and the logout of a session the pool closes later (idle, with no item running on it) is in
 * the NE's trail, as a `session` record. SNMP has no session to log out of.
 */
let h: FleetHarness;

beforeAll(async () => {
  h = await startFleetHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('session logouts in the audit trail', () => {
  it('records the logout of idle SSH CLI and NETCONF sessions the pool closes', async () => {
    const { order } = await h.fleet.producer.submitServiceOrder(mobileBundle().order);
    expect((await h.waitForFinal(order.id)).state).toBe('completed');
    const trail = await h.fleet.audit.listByOrder(order.id);
    const opened = trail.filter((e) => e.operation === 'session-open');
    expect(opened.map((e) => e.neId).sort()).toEqual(['npdb-1', 'pcrf-1']);
    expect(Object.values(h.fleet.pool.sessionCounts()).some((c) => c.idle > 0)).toBe(true);

    // Every idle session is past its idle timeout: the pool closes them, outside any item.
    await h.fleet.pool.sweepIdle(Date.now() + 24 * 3_600_000);
    expect(Object.values(h.fleet.pool.sessionCounts()).every((c) => c.idle === 0 && c.closing === 0)).toBe(true);

    const logouts = await vi.waitFor(
      async () => {
        const found = [...(await h.fleet.audit.listByNe('pcrf-1')), ...(await h.fleet.audit.listByNe('npdb-1'))].filter((e) => e.operation === 'session-close');
        if (found.length < 2) throw new Error(`logouts so far: ${JSON.stringify(found)}`);
        return found;
      },
      { timeout: 5000, interval: 50 },
    );
    const pcrf = logouts.find((e) => e.neId === 'pcrf-1');
    expect(pcrf).toMatchObject({ protocol: 'ssh-cli', request: 'logout exit', outcome: 'ok', kind: 'session', orderId: '', itemId: '' });
    // `audit --ne` says it belongs to no order rather than printing empty ids.
    expect(formatAuditRecord(pcrf as NonNullable<typeof pcrf>).split('\n')[0]).toMatch(/ pcrf-1 ssh-cli session-close ok \d+ms \(session, no order item\)$/);
    const npdb = logouts.find((e) => e.neId === 'npdb-1');
    expect(npdb).toMatchObject({ protocol: 'netconf', outcome: 'ok', kind: 'session' });
    expect(npdb?.request).toMatch(/^close-session \S+@/);
    // The logout comes after the login it ends, and names the same user.
    const pcrfLogin = opened.find((e) => e.neId === 'pcrf-1');
    expect(Date.parse(pcrf?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(pcrfLogin?.startedAt ?? ''));
    expect(npdb?.request.split(' ')[1]?.split('@')[0]).toBe(opened.find((e) => e.neId === 'npdb-1')?.request.split(' ')[1]?.split('@')[0]);
    expect((await h.fleet.audit.listByNe('vms-1')).some((e) => e.operation === 'session-close')).toBe(false);
  });
});
