import type { Logger } from 'pino';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import type { ServiceAuditStore } from '../stores/service-audit-store.js';
import type { ServiceInventoryStore } from '../stores/service-inventory-store.js';
import { AuditTally, auditedServices, checkServiceSync, type SyncDeps } from './service-sync.js';

export interface ServiceAuditDeps {
  audits: ServiceAuditStore;
  services: ServiceInventoryStore;
  sync: SyncDeps;
  metrics: FleetMetrics;
  log: Logger;
}

export interface ServiceAuditScheduleOptions {
  /** One complete audit per interval, fleet-wide. */
  intervalMs: number;
  /** This process's name in the runner's lease. */
  owner: string;
  /**
   * The runner's lease lives this long unrenewed, so a runner that died frees it after that;
   * it is renewed at a third of it while the audit runs.
   * @defaultValue 60000
   */
  leaseMs?: number;
}

/**
 * A complete audit: every active and suspended service, one after the other, and its summary
 * recorded for the drift gauges. Services are read a page at a time and only their counts are
 * kept, so an inventory of millions is audited in bounded memory. `keepGoing` is asked before
 * each service, so a runner that lost its lease, or a process shutting down, stops between services.
 */
export async function auditAllServices(deps: Omit<ServiceAuditDeps, 'metrics' | 'log'>, keepGoing: () => boolean = () => true): Promise<{ tally: AuditTally; complete: boolean }> {
  const startedAt = Date.now();
  const tally = new AuditTally();
  for await (const service of auditedServices(deps.services)) {
    if (!keepGoing()) return { tally, complete: false };
    tally.add(await checkServiceSync(deps.sync, service));
  }
  await deps.audits.record(tally.summary(startedAt, Date.now()));
  return { tally, complete: true };
}

/**
 * check-sync on a schedule, inside the fleet. Every process with the worker role ticks; a tick
 * runs an audit when the last one started an interval ago or more and the runner's lease in
 * Redis is free, so one process at a time audits, about once per interval fleet-wide.
 *
 * It stays light on the NEs: services are audited one at a time, with reads only, through the
 * fleet's session pool, so the NE session budget and operations-per-second throttle hold; an
 * NE at its budget is not waited for (activations come first): its services are reported
 * unknown for that run.
 */
export function startServiceAuditSchedule(deps: ServiceAuditDeps, options: ServiceAuditScheduleOptions): { stop(): Promise<void>; runDue(): Promise<boolean> } {
  const leaseMs = options.leaseMs ?? 60_000;
  let current: Promise<boolean> | undefined;
  let stopped = false;

  const due = async (): Promise<boolean> => {
    const last = await deps.audits.last();
    return !last || Date.now() - last.startedAt >= options.intervalMs;
  };

  const run = async (): Promise<boolean> => {
    if (!(await due())) return false;
    if (!(await deps.audits.claimRunner(options.owner, leaseMs))) return false;
    let held = true;
    const renew = setInterval(() => {
      void deps.audits.renewRunner(options.owner, leaseMs).then(
        (ok) => {
          if (!ok) held = false;
        },
        (error: unknown) => deps.log.warn({ err: error }, 'renewing the service audit lease failed'),
      );
    }, Math.max(100, Math.floor(leaseMs / 3)));
    try {
      // Another process may have finished an audit between our first look and the claim.
      if (!(await due())) return false;
      const { tally, complete } = await auditAllServices(deps, () => held && !stopped);
      if (!complete) {
        deps.metrics.serviceAuditRuns.inc({ outcome: 'abandoned' });
        deps.log.warn({ audited: tally.services, leaseLost: !held }, 'service audit stopped before its end; its partial results are not recorded');
        return false;
      }
      deps.metrics.serviceAuditRuns.inc({ outcome: 'completed' });
      const summary = { services: tally.services, drifted: tally.drifted, unknown: tally.unknown };
      if (tally.drifted > 0 || tally.unknown > 0) {
        deps.log.warn({ ...summary, driftedServices: tally.driftedServices, unknownServices: tally.unknownServices }, 'service audit found drift or services it could not check');
      } else deps.log.info(summary, 'service audit: every service in sync');
      return true;
    } catch (error) {
      deps.metrics.serviceAuditRuns.inc({ outcome: 'failed' });
      deps.log.error({ err: error }, 'service audit failed');
      return false;
    } finally {
      clearInterval(renew);
      await deps.audits.releaseRunner(options.owner).catch(() => undefined);
    }
  };

  const runDue = (): Promise<boolean> => {
    if (stopped) return Promise.resolve(false);
    current ??= run()
      .catch((error: unknown) => {
        deps.log.warn({ err: error }, 'service audit schedule could not ask Redis; next tick tries again');
        return false;
      })
      .finally(() => {
        current = undefined;
      });
    return current;
  };

  // Ticks are short beside the interval, so a runner that died is replaced soon after its lease expires.
  const timer = setInterval(() => void runDue(), Math.min(options.intervalMs, 60_000));
  timer.unref();
  return {
    runDue,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
