import type { Check } from '../adapters/change-set.js';
import type { NeAdapter } from '../adapters/ne-adapter.js';
import { driverFor } from '../adapters/registry.js';
import { planActivation } from '../catalog/activation-plan.js';
import type { NeDirectory } from '../inventory/ne-directory.js';
import { serviceNeIds } from '../catalog/item-plan.js';
import type { ServiceCatalog } from '../catalog/service-catalog.js';
import type { ServiceAction } from '../catalog/service-specification.js';
import type { NetworkElement } from '../inventory/network-element.js';
import { characteristicValues, type ServiceInstance } from '../inventory/service-instance.js';
import type { ServiceAuditSummary } from '../stores/service-audit-store.js';
import type { ServiceInventoryStore } from '../stores/service-inventory-store.js';

/**
 * Service audit (check-sync, as NSO's and ASAP's audits): the post-activation tests of every
 * chosen service, run on its NEs with its current values, without changing anything. An active
 * service is held to its add's tests; a suspended one to its add's and its suspend's. A test that
 * fails is drift; a device that cannot be asked leaves the service unknown, never in sync.
 */

export interface SyncDeps {
  catalog: ServiceCatalog;
  directory: NeDirectory;
  /** Runs `work` with a session to the NE (a pool's withAdapter). */
  withAdapter<T>(ne: NetworkElement, work: (adapter: NeAdapter) => Promise<T>): Promise<T>;
}

export interface Drift {
  neId: string;
  /** The NE's role (for the drift gauge, whose labels never name an NE). */
  role: string;
  step: string;
  /** What the test asks, in words. */
  test: string;
  observed: string;
}

export interface ServiceSync {
  serviceId: string;
  specId: string;
  state: string;
  status: 'in-sync' | 'drift' | 'unknown';
  /** Tests run. */
  tests: number;
  /** Roles of the NEs tested. */
  roles: string[];
  drift: Drift[];
  /** Why the service could not be checked (no specification, an NE unreachable...). */
  error?: string;
}

/** Services whose state says they are on the network. */
export const AUDITED_STATES = ['active', 'suspended'] as const;

/** Every service an audit checks (those built on `neId`, if given), one at a time, read from the inventory a page at a time. */
export async function* auditedServices(services: Pick<ServiceInventoryStore, 'pages'>, neId?: string): AsyncGenerator<ServiceInstance> {
  for (const state of AUDITED_STATES) {
    for await (const page of services.pages({ state, ...(neId !== undefined ? { neId } : {}) })) yield* page;
  }
}

/** A check in a few words, as its driver puts it. */
export function describeCheck(check: Check): string {
  return driverFor(check.protocol).describeCheck(check);
}

/** Checks one service; never throws. */
export async function checkServiceSync(deps: SyncDeps, service: ServiceInstance): Promise<ServiceSync> {
  const specId = service.serviceSpecification.id;
  const result: ServiceSync = { serviceId: service.id, specId, state: service.state, status: 'in-sync', tests: 0, roles: [], drift: [] };
  try {
    const spec = deps.catalog.get(specId);
    if (!spec) throw new Error(`specification ${specId} is not in the catalog`);
    const actions: ServiceAction[] = service.state === 'suspended' && spec.actions.suspend ? ['add', 'suspend'] : ['add'];
    for (const action of actions) {
      const steps = planActivation({ spec, action, values: characteristicValues(service), directory: deps.directory, serviceNeIds: serviceNeIds(service) });
      for (const step of steps) {
        for (const check of step.tests) {
          const outcome = await deps.withAdapter(step.ne, (adapter) => adapter.verify(check));
          result.tests += 1;
          if (!result.roles.includes(step.ne.role)) result.roles.push(step.ne.role);
          if (!outcome.passed) result.drift.push({ neId: step.ne.id, role: step.ne.role, step: step.name, test: describeCheck(check), observed: outcome.observed.slice(0, 300) });
        }
      }
    }
    if (result.tests === 0) throw new Error(`specification ${specId} declares no post-activation test to audit with`);
    result.status = result.drift.length > 0 ? 'drift' : 'in-sync';
  } catch (error) {
    result.status = 'unknown';
    result.error = (error as Error).message;
  }
  return result;
}

export async function checkSync(deps: SyncDeps, services: ServiceInstance[]): Promise<ServiceSync[]> {
  const results: ServiceSync[] = [];
  for (const service of services) if ((AUDITED_STATES as readonly string[]).includes(service.state)) results.push(await checkServiceSync(deps, service));
  return results;
}

/**
 * The counts of an audit as it runs, one result at a time: the gauges' summary (see
 * ServiceAuditSummary), and the first drifted and unknown services for the log. It keeps counts,
 * not results, so an audit of a large inventory holds no more than a page of it.
 */
export class AuditTally {
  services = 0;
  drifted = 0;
  unknown = 0;
  readonly driftedServices: string[] = [];
  readonly unknownServices: Array<{ id: string; error: string | undefined }> = [];
  private readonly bySpec = new Map<string, number>();
  private readonly driftedBy = new Map<string, number>();

  constructor(private readonly keep = 50) {}

  add(r: ServiceSync): void {
    this.services += 1;
    if (r.status === 'drift') {
      this.drifted += 1;
      if (this.driftedServices.length < this.keep) this.driftedServices.push(r.serviceId);
    } else if (r.status === 'unknown') {
      this.unknown += 1;
      if (this.unknownServices.length < this.keep) this.unknownServices.push({ id: r.serviceId, error: r.error });
    }
    const specKey = JSON.stringify([r.specId, r.status]);
    this.bySpec.set(specKey, (this.bySpec.get(specKey) ?? 0) + 1);
    const driftRoles = new Set(r.drift.map((d) => d.role));
    for (const role of new Set([...r.roles, ...driftRoles])) {
      const key = JSON.stringify([r.specId, role]);
      this.driftedBy.set(key, (this.driftedBy.get(key) ?? 0) + (driftRoles.has(role) ? 1 : 0));
    }
  }

  summary(startedAt: number, finishedAt: number): ServiceAuditSummary {
    return {
      startedAt,
      finishedAt,
      bySpecification: [...this.bySpec].map(([key, services]) => {
        const [specification, status] = JSON.parse(key) as [string, ServiceSync['status']];
        return { specification, status, services };
      }),
      drifted: [...this.driftedBy].map(([key, services]) => {
        const [specification, role] = JSON.parse(key) as [string, string];
        return { specification, role, services };
      }),
    };
  }
}

/** The counts of a complete audit, for the gauges (see ServiceAuditSummary). */
export function summarizeAudit(results: ServiceSync[], startedAt: number, finishedAt: number): ServiceAuditSummary {
  const tally = new AuditTally();
  for (const r of results) tally.add(r);
  return tally.summary(startedAt, finishedAt);
}
