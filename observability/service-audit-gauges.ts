import { Gauge, type Registry } from 'prom-client';
import type { ServiceAuditSummary } from '../stores/service-audit-store.js';
import { LastGoodRead } from './last-good-read.js';

/**
 * The last complete service audit, as gauges read from Redis when Prometheus scrapes: every
 * process reports the same values whichever process (or `check-sync --all` from cron) ran it,
 * so rules and dashboards take max(). No drift series before the first audit (an alert on
 * drift then stays quiet), and the timestamp is 0 until one ran.
 */
export function registerServiceAuditGauges(registry: Registry, last: () => Promise<ServiceAuditSummary | undefined>, freshWithinMs = 500): void {
  const registers = [registry];
  const reads = new LastGoodRead(last, freshWithinMs);
  new Gauge({
    name: 'activation_services_drifted',
    help: 'Services whose post-activation tests failed in the last complete service audit (check-sync), by specification and the role of the NE the drift is on (fleet-wide).',
    labelNames: ['specification', 'role'] as const,
    registers,
    async collect() {
      this.reset();
      for (const d of (await reads.current())?.drifted ?? []) this.set({ specification: d.specification, role: d.role }, d.services);
    },
  });
  new Gauge({
    name: 'activation_services_audited',
    help: 'Services checked by the last complete service audit, by specification and outcome: in-sync, drift, unknown (the device could not be asked) (fleet-wide).',
    labelNames: ['specification', 'status'] as const,
    registers,
    async collect() {
      this.reset();
      for (const s of (await reads.current())?.bySpecification ?? []) this.set({ specification: s.specification, status: s.status }, s.services);
    },
  });
  new Gauge({
    name: 'activation_service_audit_last_completed_timestamp_seconds',
    help: 'When the last complete service audit finished (Unix time; 0: none yet): time() minus it is its age (fleet-wide).',
    registers,
    async collect() {
      const summary = await reads.current();
      if (summary) this.set(summary.finishedAt / 1000);
    },
  });
}
