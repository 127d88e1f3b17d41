import { Gauge, type Registry } from 'prom-client';
import type { ServiceAuditSummary } from '../stores/service-audit-store.js';
import { LastGoodRead } from './last-good-read.js';

type ServicesRow<K extends string> = { specification: string; services: number } & Record<K, string>;

/** Services by specification and one more label, set afresh from the last audit at each scrape: a row gone from it is gone from the gauge. */
function servicesGauge<K extends 'role' | 'status'>(
  reads: LastGoodRead<ServiceAuditSummary | undefined>,
  registers: Registry[],
  name: string,
  help: string,
  label: K,
  rows: (summary: ServiceAuditSummary) => Array<ServicesRow<K>>,
): void {
  new Gauge({
    name,
    help,
    labelNames: ['specification', label],
    registers,
    async collect() {
      this.reset();
      const summary = await reads.current();
      // A computed key widens to a string index; it is exactly `label` here.
      for (const row of summary ? rows(summary) : []) this.set({ specification: row.specification, [label]: row[label] } as Record<'specification' | K, string>, row.services);
    },
  });
}

/**
 * The last complete service audit, as gauges read from Redis when Prometheus scrapes: every
 * process reports the same values whichever process (or `check-sync --all` from cron) ran it,
 * so rules and dashboards take max(). No drift series before the first audit (an alert on
 * drift then stays quiet), and the timestamp is 0 until one ran.
 */
export function registerServiceAuditGauges(registry: Registry, last: () => Promise<ServiceAuditSummary | undefined>, freshWithinMs = 500): void {
  const registers = [registry];
  const reads = new LastGoodRead(last, freshWithinMs);
  servicesGauge(reads, registers, 'activation_services_drifted', 'Services whose post-activation tests failed in the last complete service audit (check-sync), by specification and the role of the NE the drift is on (fleet-wide).', 'role', (summary) => summary.drifted);
  servicesGauge(reads, registers, 'activation_services_audited', 'Services checked by the last complete service audit, by specification and outcome: in-sync, drift, unknown (the device could not be asked) (fleet-wide).', 'status', (summary) => summary.bySpecification);
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
