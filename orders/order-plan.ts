import { commitWindowModeOf } from '../adapters/registry.js';
import { windowScope, type WindowScope } from './window-scope.js';
import type { ChangeSet, Check } from '../adapters/change-set.js';
import { planItem } from '../catalog/item-plan.js';
import type { ServiceCatalog } from '../catalog/service-catalog.js';
import { FleetError, type RejectionReason } from '../errors/index.js';
import type { NeDirectory } from '../inventory/ne-directory.js';
import type { ServiceInstance } from '../inventory/service-instance.js';
import type { OrderValidation, ServiceLookup, ValidatedItem } from './order-validation.js';
import { evaluateQualification, type QualificationRule } from './qualification-rules.js';
import type { ServiceOrderInput } from './service-order.js';

/** One item of a dry run: what it does and exactly what it would send where. */
export interface DryRunItem {
  itemId: string;
  lifecycle: string;
  action: string;
  serviceId?: string;
  steps: Array<{ name: string; neId: string; protocol: string; apply: ChangeSet; undo?: ChangeSet; tests: Check[]; claims?: string[] }>;
}

export interface DryRunResult {
  valid: boolean;
  reasons: RejectionReason[];
  items: DryRunItem[];
  /**
   * The order's window: the NETCONF NEs whose changes would be confirmed commits, held pending
   * until the whole order passed and cancelled if it fails (where the device offers
   * :confirmed-commit:1.1; otherwise applied plainly and undone by template). Absent when none.
   */
  commitWindow?: {
    neIds: string[];
    /** Those of `neIds` left to `auto` in the inventory: in the window when their hello advertises :confirmed-commit:1.1. */
    ifAdvertised?: string[];
    note: string;
  };
}

/** Per modify item, the add's steps rendered with the values after the modify: what the service claims then. */
export type ClaimSteps = Map<string, Array<{ neId: string; claims?: string[] }>>;

export interface OrderPlanInput {
  /** The order as validated (and, for adds carried out as modifies, validated as those modifies). */
  validation: Extract<OrderValidation, { ok: true }>;
  catalog: ServiceCatalog;
  directory: NeDirectory;
  services: ServiceLookup;
  rules: readonly QualificationRule[];
  /** Live services of a specification per customer, as the service inventory counted them. */
  liveServicesOfCustomer: (specId: string, customerId: string) => number;
}

/**
 * The dry-run plan of a validated order, which intake stores with the order and a dry run
 * answers with: every item's steps rendered for its NEs (a missing role or a template that
 * cannot render is a rejection reason, not a failure on the network later), then the
 * qualification rules. Pure: what it needs from the stores comes in `input`.
 */
export function planServiceOrder(input: OrderPlanInput): { validation: OrderValidation; plans: DryRunItem[]; claimSteps: ClaimSteps } {
  const { validation, catalog, directory } = input;
  const reasons: RejectionReason[] = [];
  const plans: DryRunItem[] = [];
  const claimSteps: ClaimSteps = new Map();
  for (const item of validation.items) {
    const service: ServiceInstance | undefined = item.serviceId === undefined ? undefined : input.services(item.serviceId);
    try {
      const { action, steps } = planItem({ catalog, directory, item, ...(service ? { service } : {}), orderId: 'dry-run' });
      plans.push({
        itemId: item.itemId,
        lifecycle: item.lifecycle,
        action,
        ...(item.serviceId ? { serviceId: item.serviceId } : {}),
        steps: steps.map((s) => ({ name: s.name, neId: s.ne.id, protocol: s.ne.protocol, apply: s.apply, ...(s.undo ? { undo: s.undo } : {}), tests: s.tests, ...(s.claims?.length ? { claims: s.claims } : {}) })),
      });
      // What the service will claim once modified: the add's claims, rendered with its values
      // after the modify (rendered only for a specification whose add claims anything).
      if (item.lifecycle === 'modify' && service && catalog.get(item.specId)?.actions.add?.steps.some((st) => (st.claims?.length ?? 0) > 0)) {
        const asAdded = planItem({ catalog, directory, item: { ...item, lifecycle: 'add' }, action: 'add', service, orderId: 'dry-run' }).steps;
        claimSteps.set(item.itemId, asAdded.map((s) => ({ neId: s.ne.id, ...(s.claims?.length ? { claims: s.claims } : {}) })));
      }
    } catch (error) {
      const { code, message } = error instanceof FleetError ? error : new FleetError('TEMPLATE_RENDER_FAILED', String(error));
      reasons.push({ code, message: `serviceOrderItem ${item.itemId}: ${message}`, itemId: item.itemId });
    }
  }
  if (reasons.length === 0) {
    const neRoles = new Map(plans.map((p) => [p.itemId, p.steps.map((s) => directory.get(s.neId)?.role ?? '')]));
    reasons.push(
      ...evaluateQualification([...input.rules], {
        order: validation.order,
        items: validation.items,
        neRoles,
        services: input.services,
        liveServicesOfCustomer: input.liveServicesOfCustomer,
      }),
    );
  }
  const checked: OrderValidation = reasons.length > 0 ? { ok: false, reasons, order: validation.order } : validation;
  return { validation: checked, plans, claimSteps };
}

/**
 * The dry run's window: the NETCONF NEs of items that neither the order nor their specification
 * keep out of it, whose inventory entry does not turn it off. No session is opened, so an NE
 * left to `auto` is named under `ifAdvertised`: it is in the window if its hello advertises
 * :confirmed-commit:1.1 when the order runs.
 */
export function commitWindowOf(order: ServiceOrderInput, items: ValidatedItem[], plans: DryRunItem[], catalog: ServiceCatalog, directory: NeDirectory | undefined): Pick<DryRunResult, 'commitWindow'> {
  const scope = orderWindowScope(order, items, plans, catalog, directory);
  if (!scope) return {};
  const { neIds, ifAdvertised } = scope;
  const note = 'committed confirmed (one persist-id per NE: a later step on the same NE joins it), extended while the order runs, confirmed once every item passed, cancelled by cancel-commit if any fails';
  return { commitWindow: { neIds, ...(ifAdvertised.length > 0 ? { ifAdvertised } : {}), note } };
}

/** The NEs of the order's window (orders/window-scope.ts), from its validated plans: for the dry run and for intake alike. */
export function orderWindowScope(order: ServiceOrderInput, items: ValidatedItem[], plans: DryRunItem[], catalog: ServiceCatalog, directory: NeDirectory | undefined): WindowScope | undefined {
  if (order.commitWindow === false) return undefined;
  const specOf = new Map(items.map((i) => [i.itemId, i.specId]));
  const steps = plans.filter((p) => catalog.get(specOf.get(p.itemId) ?? '')?.commitWindow !== false).flatMap((p) => p.steps);
  return windowScope(steps, (neId) => {
    const ne = directory?.get(neId);
    return ne === undefined ? false : commitWindowModeOf(ne);
  });
}
