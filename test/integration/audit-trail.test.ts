import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../stores/audit-trail.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

let h: FleetHarness;

beforeAll(async () => {
  h = await startFleetHarness();
});
afterAll(async () => {
  await h?.stop();
});

let clock = Date.now();
// Distinct times: listByNe orders by startedAt.
const record = (neId: string, request: string, orderId: string): AuditRecord => ({
  neId,
  protocol: 'ssh-cli',
  operation: 'cli-command',
  request,
  reply: '',
  outcome: 'ok',
  startedAt: new Date((clock += 1)).toISOString(),
  durationMs: 0,
  orderId,
  itemId: 'mobile-plan',
  kind: 'activate',
  step: 'audit-test',
});

describe('audit trail', () => {
  it("writes one transition's records to the order's stream and to each NE's, on one NE and on two", async () => {
    const { order: submitted } = await h.fleet.producer.submitServiceOrder(mobileBundle().order);
    expect((await h.waitForFinal(submitted.id)).state).toBe('completed');
    const before = await h.fleet.audit.listByOrder(submitted.id);
    const one = [record('pcrf-1', 'audit-test one-a', submitted.id), record('pcrf-1', 'audit-test one-b', submitted.id)];
    const two = [record('pcrf-1', 'audit-test two-a', submitted.id), record('vms-1', 'audit-test two-b', submitted.id), record('pcrf-1', 'audit-test two-c', submitted.id)];
    for (const audit of [one, two]) {
      const result = await h.fleet.store.transition(submitted.id, (snap) => ({ progress: snap.progress, audit }));
      expect(result.status).not.toBe('missing');
    }
    const requests = (list: AuditRecord[]) => list.map((r) => r.request).filter((r) => r.startsWith('audit-test'));
    expect(requests((await h.fleet.audit.listByOrder(submitted.id)).slice(before.length))).toEqual([...one, ...two].map((r) => r.request));
    expect(requests(await h.fleet.audit.listByNe('pcrf-1', 100_000))).toEqual(['audit-test one-a', 'audit-test one-b', 'audit-test two-a', 'audit-test two-c']);
    expect(requests(await h.fleet.audit.listByNe('vms-1', 100_000))).toEqual(['audit-test two-b']);
  });
});
