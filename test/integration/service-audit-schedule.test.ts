import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionLease } from '../../adapters/session-gate.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

/**
 * The scheduled service audit inside a fleet (CHECK_SYNC_INTERVAL_MS): it runs once per
 * interval and only under the fleet-wide runner lease, exports what it found as the drift
 * gauges, and takes no NE session beyond the fleet's budget.
 */
let h: FleetHarness;
let msisdn: string;

async function metric(name: string): Promise<Map<string, number>> {
  const text = await h.fleet.metrics.registry.metrics();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (m) out.set(m[1] ?? '', Number(m[2]));
  }
  return out;
}

/**
 * A metric once a scrape shows `ready`: a scrape within half a second of the one before shares
 * its Redis read (observability/last-good-read.ts), so the audit just recorded may show on the next.
 */
async function metricOnce(name: string, ready: (values: Map<string, number>) => boolean): Promise<Map<string, number>> {
  return vi.waitFor(async () => {
    const values = await metric(name);
    if (!ready(values)) throw new Error(`${name} not yet as expected: ${JSON.stringify([...values])}`);
    return values;
  }, { timeout: 5000, interval: 100 });
}

/** Makes the next tick due, as if the last audit started an interval ago. */
async function makeDue(): Promise<void> {
  const last = await h.fleet.audits.last();
  if (last) await h.fleet.audits.record({ ...last, startedAt: 0 });
}

beforeAll(async () => {
  // An hour: the timer's own ticks stay out of the way; the test calls runDue itself.
  h = await startFleetHarness({ env: { CHECK_SYNC_INTERVAL_MS: '3600000' } });
  const bundle = mobileBundle();
  msisdn = bundle.msisdn;
  const { order } = await h.fleet.producer.submitServiceOrder(bundle.order);
  expect((await h.waitForFinal(order.id)).state).toBe('completed');
});
afterAll(async () => {
  await h?.stop();
});

describe('scheduled service audit', () => {
  it('exports no drift before the first audit, then the in-sync counts and when it ran', async () => {
    expect((await metric('activation_services_drifted')).size).toBe(0);
    expect((await metric('activation_service_audit_last_completed_timestamp_seconds')).get('')).toBe(0);
    const before = Date.now() / 1000;
    expect(await h.fleet.serviceAudit?.runDue()).toBe(true);
    const drifted = await metricOnce('activation_services_drifted', (m) => m.size > 0);
    expect(drifted.get('{specification="mobile-plan",role="pcrf"}')).toBe(0);
    expect([...drifted.values()].every((v) => v === 0)).toBe(true);
    expect((await metric('activation_services_audited')).get('{specification="mobile-plan",status="in-sync"}')).toBe(1);
    expect((await metric('activation_service_audit_runs_total')).get('{outcome="completed"}')).toBe(1);
    expect((await metric('activation_service_audit_last_completed_timestamp_seconds')).get('')).toBeGreaterThanOrEqual(before);
  });

  it('does not run again within its interval', async () => {
    expect(await h.fleet.serviceAudit?.runDue()).toBe(false);
    expect((await metric('activation_service_audit_runs_total')).get('{outcome="completed"}')).toBe(1);
  });

  it('does not run while another process holds the runner lease, and runs once it is given up', async () => {
    await makeDue();
    expect(await h.fleet.audits.claimRunner('another-worker', 60_000)).toBe(true);
    expect(await h.fleet.serviceAudit?.runDue()).toBe(false);
    // Not the owner: it can neither renew nor give up another process's lease.
    expect(await h.fleet.audits.renewRunner('not-me', 60_000)).toBe(false);
    await h.fleet.audits.releaseRunner('not-me');
    expect(await h.fleet.serviceAudit?.runDue()).toBe(false);
    await h.fleet.audits.releaseRunner('another-worker');
    expect(await h.fleet.serviceAudit?.runDue()).toBe(true);
    expect((await metric('activation_service_audit_runs_total')).get('{outcome="completed"}')).toBe(2);
  });

  it('exports a change made behind the fleet as drift of that specification on that NE role', async () => {
    const pcrf = h.lab.inventory.get('pcrf-1');
    if (!pcrf) throw new Error('no pcrf-1');
    await h.fleet.pool.withAdapter(pcrf, (adapter) => adapter.apply({ protocol: 'ssh-cli', lines: [`subscriber ${msisdn}`, 'plan bronze', 'exit'] }));
    await makeDue();
    expect(await h.fleet.serviceAudit?.runDue()).toBe(true);
    const drifted = await metricOnce('activation_services_drifted', (m) => m.get('{specification="mobile-plan",role="pcrf"}') === 1);
    expect([...drifted].filter(([labels]) => !labels.includes('mobile-plan')).every(([, v]) => v === 0)).toBe(true);
    expect((await metric('activation_services_audited')).get('{specification="mobile-plan",status="drift"}')).toBe(1);
    expect(h.logs.some((line) => line.includes('service audit found drift'))).toBe(true);
    // Repaired: the gauge goes back to 0 rather than vanishing.
    await h.fleet.pool.withAdapter(pcrf, (adapter) => adapter.apply({ protocol: 'ssh-cli', lines: [`subscriber ${msisdn}`, 'plan gold', 'exit'] }));
    await makeDue();
    expect(await h.fleet.serviceAudit?.runDue()).toBe(true);
    await metricOnce('activation_services_drifted', (m) => m.get('{specification="mobile-plan",role="pcrf"}') === 0);
  });

  it('takes no session beyond an NE budget: the services of an NE at its budget are unknown for that run', async () => {
    const vms = h.lab.inventory.get('vms-1');
    if (!vms) throw new Error('no vms-1');
    // Every session of vms-1 is held elsewhere in the fleet.
    await h.fleet.pool.releaseIdle('vms-1');
    const leases: SessionLease[] = [];
    for (let i = 0; i < vms.maxSessions; i += 1) {
      const lease = await h.fleet.budget.tryAcquire(vms);
      if (lease) leases.push(lease);
    }
    expect(leases).toHaveLength(vms.maxSessions);
    try {
      await makeDue();
      expect(await h.fleet.serviceAudit?.runDue()).toBe(true);
      await metricOnce('activation_services_audited', (m) => m.get('{specification="voicemail",status="unknown"}') === 1);
      expect(h.fleet.pool.sessionCounts()['vms-1']).toEqual({ idle: 0, inUse: 0, closing: 0 });
      // The drift alert looks at drift only: an NE that could not be asked is not drift.
      expect((await metric('activation_services_drifted')).get('{specification="voicemail",role="vms"}')).toBeUndefined();
      expect((await metric('activation_services_audited')).get('{specification="mobile-plan",status="in-sync"}')).toBe(1);
    } finally {
      for (const lease of leases) await h.fleet.budget.release(lease);
    }
  });
});
