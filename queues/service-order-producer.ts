import { asModifyNote, asModifyOrder, asPosted, IDENTITY_SCOPE, identityClaimRejection, identityClaims, identityDecisions, identityResourceClaims, identityStillNamed, identityVerifyClaims, modifiedIdentityClaims } from '../orders/identity-conflicts.js';
import { DependencyGraph } from '../orders/dependency-graph.js';
import { reliedOnConflicts } from '../orders/relied-on-services.js';
import { randomUUID } from 'node:crypto';
import { claimConflictsWithinOrder, claimRejection, claimStillHeld, resourceClaims, type PlannedClaims, type ResourceClaim } from '../orders/resource-claims.js';
import { claimKey, type ResourceClaimStore } from '../stores/resource-claim-store.js';
import type { NeDirectory } from '../inventory/ne-directory.js';
import { planItem } from '../catalog/item-plan.js';
import type { ServiceCatalog } from '../catalog/service-catalog.js';
import { FleetError, type RejectionReason } from '../errors/index.js';
import { characteristicValues, type ServiceInstance } from '../inventory/service-instance.js';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { inFleetSpan } from '../observability/tracing/fleet-spans.js';
import { crashPoint } from '../observability/crash-points.js';
import { dispatchOf, requestCancel } from '../orders/order-progress.js';
import { newOrder, rejectedOrder, type StoredStep } from '../orders/order-record.js';
import { expectedCompletion } from '../orders/order-tracking.js';
import { validateServiceOrder, type OrderValidation, type ValidatedItem } from '../orders/order-validation.js';
import { commitWindowOf, orderWindowScope, planServiceOrder, type ClaimSteps, type DryRunItem, type DryRunResult } from '../orders/order-plan.js';
import { isParsedServiceOrder, parsedFrom, parseServiceOrder, type ParsedServiceOrder } from '../orders/posted-order.js';
import { serviceOrderView } from '../orders/order-view.js';
import { isFinalState } from '../orders/order-states.js';
import { customerOf, type QualificationRule } from '../orders/qualification-rules.js';
import type { ServiceOrder, ServiceOrderInput } from '../orders/service-order.js';
import type { Keyspace } from '../stores/keyspace.js';
import type { OrderStore } from '../stores/order-store.js';
import type { ServiceInventoryStore } from '../stores/service-inventory-store.js';
import type { OrderDispatcher } from './order-dispatch.js';
import { keptJobs } from './job-retention.js';
import { jobPriority, ORCHESTRATION_JOBS, startJobId, type OrchestrationQueue } from './queue-names.js';

export interface SubmitResult {
  /** The order as stored: `acknowledged`, or `rejected` with an errorMessage per reason. */
  order: ServiceOrder;
  /** False when the id or externalId was already known: the existing order is returned. */
  created: boolean;
}

export interface ServiceOrderProducerOptions {
  store: OrderStore;
  keys: Keyspace;
  catalog: ServiceCatalog;
  /** Enqueues the first items of an order that starts now. */
  dispatcher: OrderDispatcher;
  /** Where a future-dated order's start waits (a delayed job). */
  orchestration: OrchestrationQueue;
  /** When given, every item is dry-run planned at intake: a missing NE role or a template that cannot render rejects the order before anything is queued. */
  inventory?: NeDirectory;
  /** The service inventory that modify, delete, suspend and resume items are checked against. */
  services?: ServiceInventoryStore;
  /** Where add items take the device resources their steps claim (needs `inventory` and `services`). */
  claims?: ResourceClaimStore;
  /** Feasibility and qualification rules (config/policies.yaml). */
  rules?: QualificationRule[];
  metrics?: FleetMetrics;
  /**
   * Where a process that nobody scrapes counts its submissions (the CLI, embedded clients): a
   * fleet process takes them into its metrics. A fleet process counts into `metrics` only.
   */
  tally?: { add(outcome: string): Promise<void> };
  /** Base of each order's href, e.g. `https://fleet.example/tmf-api/serviceOrdering/v4/serviceOrder`. */
  hrefBase?: string;
  now?: () => Date;
}

/**
 * What upstream order systems call: submit, look up and cancel TMF641 service orders.
 * Submission validates everything that can be known before touching the network (schema,
 * catalog, dependency graph, characteristics, a dry run of every step) and is idempotent on the
 * order id and externalId. An order due now is stored started, with its first item jobs queued
 * at once: no hop through another queue on the common path.
 */
export class ServiceOrderProducer {
  private readonly hrefBase: string;
  private readonly now: () => Date;

  constructor(private readonly options: ServiceOrderProducerOptions) {
    this.hrefBase = options.hrefBase ?? '/tmf-api/serviceOrdering/v4/serviceOrder';
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Takes a posted order: raw (intake queue, embedded client) or as an API or the CLI already
   * parsed it with parseServiceOrder, which is then not parsed again.
   */
  async submitServiceOrder(input: unknown): Promise<SubmitResult> {
    return inFleetSpan('order.intake', { operation: 'intake' }, async (span) => {
      const result = await this.submit(isParsedServiceOrder(input) ? input : parseServiceOrder(input));
      span.set({ orderId: result.order.id });
      const outcome = result.created ? result.order.state : 'duplicate';
      span.setOutcome(outcome);
      this.options.metrics?.ordersSubmitted.inc({ outcome });
      // The submission stands whether or not it could be counted.
      await this.options.tally?.add(outcome).catch(() => undefined);
      return result;
    });
  }

  private async submit(posted: ParsedServiceOrder): Promise<SubmitResult> {
    const { store, keys } = this.options;
    const nowDate = this.now();
    const now = nowDate.toISOString();
    const { givenId, externalId, input } = posted;

    const { validation, plans, claimSteps, asModify } = await this.validate(posted);
    const placement = validation.ok ? this.placement(givenId, externalId, validation.items) : { shard: keys.shardOf(givenId ?? externalId ?? randomUUID()), reasons: [] };
    const checked: OrderValidation = placement.reasons.length > 0 ? { ok: false, reasons: placement.reasons } : validation;
    const id = givenId ?? this.idInShard(placement.shard);
    const href = `${this.hrefBase}/${id}`;

    // The identities of adds carried out as modifies (onIdentityInUse): named in their note, checked with the claims.
    const modifiedIdentity = checked.ok && asModify.size > 0 ? modifiedIdentityClaims(checked.items, asModify, (spec) => this.options.catalog.get(spec)) : [];
    let locks: string[] = [];
    let startNow = false;
    let stored;
    if (checked.ok) {
      const { order: posted, items } = checked;
      const partialEverywhere = items.every((i) => this.options.catalog.get(i.specId)?.onFailure === 'partial');
      const due = Date.parse(posted.requestedStartDate ?? '') || 0;
      const start = new Date(Math.max(nowDate.getTime(), due));
      const typical = items.map((i) => this.options.catalog.get(i.specId)?.typicalDurationSeconds ?? 60);
      const customerId = customerOf(posted);
      stored = newOrder(posted, items, {
        id,
        href,
        now,
        defaultPolicy: partialEverywhere ? 'partial' : 'atomic',
        newServiceId: () => this.idInShard(placement.shard),
        expectedCompletionDate: expectedCompletion(posted.requestedCompletionDate, start, typical),
        plans: Object.fromEntries(plans.filter((p) => p.lifecycle === 'add').map((p) => [p.itemId, p.steps.map(toStoredStep)])),
        ...(customerId ? { customerId } : {}),
        // Decided here, from the plans: an order whose NETCONF changes do not span a window commits plainly.
        ...(this.options.inventory && !orderWindowScope(posted, items, plans, this.options.catalog, this.options.inventory) ? { commitWindow: false as const } : {}),
      });
      if (asModify.size > 0) {
        // What the client reads back: the item's action as posted, its service.id filled in, and the fleet's note saying why.
        const notes = [...asModify.entries()].map(([itemId, service]) => asModifyNote(itemId, service, modifiedIdentity.filter((c) => c.itemId === itemId), now));
        stored = { ...stored, doc: { ...stored.doc, note: [...(stored.doc.note ?? []), ...notes] } };
      }
      // One change at a time per service: the services the order changes, and those it adds by a name of its own.
      locks = [...new Set(items.filter((i) => i.serviceId !== undefined && i.lifecycle !== 'noChange').map((i) => i.serviceId as string))];
      startNow = due <= nowDate.getTime();
    } else {
      stored = rejectedOrder(input, checked.reasons, { id, href, now });
    }
    // --- resource claims: taken all or none before the order is stored, released if it is not.
    let claimed: ResourceClaim[] = [];
    let accepted = checked.ok;
    if (checked.ok) {
      const specs = stored.specs;
      const claims = [
        ...resourceClaims(this.plannedClaims(plans, claimSteps, (itemId) => specs[itemId]?.specId ?? '', (p) => specs[p.itemId]?.serviceId ?? '')),
        // The identities of adds (and of modifies changing them), taken in the same script: two orders adding one MSISDN at once cannot both pass.
        ...identityResourceClaims(identityClaims(checked.items, (spec) => this.options.catalog.get(spec)), (itemId) => specs[itemId]?.serviceId ?? ''),
        // And the identities of adds carried out as modifies, checked in it: still their service's.
        ...identityVerifyClaims(modifiedIdentity, asModify),
      ];
      const taken = await this.takeClaims(id, claims, checked.order.onIdentityInUse === 'modify');
      if (!taken.ok) {
        stored = rejectedOrder(input, taken.reasons, { id, href, now });
        locks = [];
        startNow = false;
        accepted = false;
      } else {
        // Only what the order newly took goes if it is not stored: never its services' own claims.
        claimed = taken.fresh;
      }
    }
    let created;
    try {
      created = await store.create({ order: stored, startNow, locks, now });
    } catch (error) {
      await this.options.claims?.release(id, claimed).catch(() => undefined);
      throw error;
    }
    if (!created.created) await this.options.claims?.release(id, claimed);
    // --- end resource claims
    crashPoint('intake.after-create');
    if (!created.created) {
      const existing = await store.getOrder(created.orderId);
      if (!existing) throw new FleetError('ORDER_NOT_FOUND', `order ${created.orderId} vanished while being submitted again`);
      await this.redispatch(created.orderId, existing);
      return { order: existing, created: false };
    }
    if (created.outcome === 'started' && created.decision) {
      await this.options.dispatcher.enqueue(id, created.ctx, dispatchOf(created.decision, created.decision.progress));
    } else if (created.outcome === 'created' && accepted) {
      await this.scheduleStart(id, stored.doc.requestedStartDate, stored.doc.priority);
    }
    // The order as it was acknowledged: what its create event says. It moves on from here.
    return { order: serviceOrderView(stored.doc, stored.progress, stored.specs), created: true };
  }

  /**
   * The shard an order lives on. Its own id fixes one, and so does every existing service it
   * changes (the services an order changes live with it, so each transition is one script). With
   * one shard everything agrees; with several, an order whose services sit on different shards
   * is refused, naming them.
   */
  private placement(givenId: string | undefined, externalId: string | undefined, items: ValidatedItem[]): { shard: number; reasons: RejectionReason[] } {
    const { keys } = this.options;
    const forced = new Map<number, string>();
    if (givenId) forced.set(keys.shardOf(givenId), `its id ${givenId}`);
    for (const item of items) {
      if (item.serviceId !== undefined) forced.set(keys.shardOf(item.serviceId), forced.get(keys.shardOf(item.serviceId)) ?? `service ${item.serviceId} (item ${item.itemId})`);
    }
    if (forced.size > 1) {
      const named = [...forced.entries()].map(([shard, what]) => `${what} on shard ${shard}`).join(', ');
      return { shard: 0, reasons: [{ code: 'ORDER_SPANS_SHARDS', message: `the order's services live on different shards (${named}); with QUEUE_SHARDS=${keys.shards}, submit one order per shard` }] };
    }
    const [first] = forced.keys();
    return { shard: first ?? keys.shardOf(externalId ?? randomUUID()), reasons: [] };
  }

  /** A new id that lives on `shard`: ids are random, the shard is a hash of the id. */
  private idInShard(shard: number): string {
    for (;;) {
      const id = randomUUID();
      if (this.options.keys.shardOf(id) === shard) return id;
    }
  }

  /** The services that the order's items name, from the service inventory. */
  private async existingServices(order: ServiceOrderInput): Promise<Map<string, ServiceInstance>> {
    if (!this.options.services) return new Map();
    const ids = order.serviceOrderItem.map((i) => i.service.id).filter((id): id is string => id !== undefined);
    return this.options.services.getMany([...new Set(ids)]);
  }

  /**
   * Everything that can be known before anything is queued: the order itself, then every
   * item's steps rendered for its NEs (a missing role or a template that cannot render is a
   * rejection reason, not a failure on the network later).
   */
  private async validate(posted: ParsedServiceOrder): Promise<{ validation: OrderValidation; plans: DryRunItem[]; claimSteps: ClaimSteps; asModify: Map<string, ServiceInstance> }> {
    const { catalog, inventory } = this.options;
    const none = new Map<string, ServiceInstance>();
    const claimSteps: ClaimSteps = new Map();
    if (!posted.ok) return { validation: { ok: false, reasons: posted.reasons }, plans: [], claimSteps, asModify: none };
    const services = await this.existingServices(posted.order);
    const lookup = (specId: Parameters<ServiceCatalog['get']>[0]) => catalog.get(specId);
    let validation = validateServiceOrder(posted, lookup, (id) => services.get(id));
    if (!validation.ok) return { validation, plans: [], claimSteps, asModify: none };
    const identity = await this.identityDecisions(validation.order, validation.items);
    if (identity.reasons.length > 0) return { validation: { ok: false, reasons: identity.reasons, order: validation.order }, plans: [], claimSteps, asModify: none };
    const { asModify } = identity;
    if (asModify.size > 0) {
      // Validated again as the modifies they become, against the services they modify: the same
      // checks (spec, characteristics, the modify's own rules) as a modify posted by id. The order
      // keeps each item's action as posted (TMF: the client's add), with service.id filled in.
      // Built from the parsed order, it is not parsed again.
      for (const service of asModify.values()) services.set(service.id, service);
      const again = validateServiceOrder(parsedFrom(asModifyOrder(validation.order, asModify)), lookup, (id) => services.get(id));
      if (!again.ok) return { validation: again, plans: [], claimSteps, asModify: none };
      validation = { ...again, order: asPosted(again.order, asModify) };
    }
    const withModify = <T extends object>(result: T): T & { asModify: Map<string, ServiceInstance> } => ({ ...result, asModify });
    const reliedOn = await this.reliedOnConflicts(validation.order, validation.items);
    if (reliedOn.length > 0) return withModify({ validation: { ok: false, reasons: reliedOn, order: validation.order }, plans: [], claimSteps });
    if (!inventory) return withModify({ validation, plans: [], claimSteps });
    const counts = await this.customerServiceCounts(validation.order);
    return withModify(
      planServiceOrder({
        validation,
        catalog,
        directory: inventory,
        services: (id) => services.get(id),
        rules: this.options.rules ?? [],
        liveServicesOfCustomer: (spec, customer) => counts.get(`${spec}\u0000${customer}`) ?? 0,
      }),
    );
  }

  /** The claiming steps of each item: an add's own, a modify's add rendered with its values after it. */
  private plannedClaims(plans: DryRunItem[], claimSteps: ClaimSteps, specId: (itemId: string) => string, serviceId: (item: DryRunItem) => string): PlannedClaims[] {
    return plans.map((p) => ({ itemId: p.itemId, specId: specId(p.itemId), lifecycle: p.lifecycle, serviceId: serviceId(p), steps: p.lifecycle === 'modify' ? (claimSteps.get(p.itemId) ?? []) : p.steps }));
  }

  /**
   * Whether a live service's values still name a claim it took: its identity value, or the
   * add's claims rendered with its values now (a completed modify may have moved it off). A
   * service whose add cannot be rendered any more (its specification changed) keeps the claim:
   * never handed out twice on a guess.
   */
  private stillNamed(service: ServiceInstance | undefined, claim: ResourceClaim): boolean {
    if (!service) return false;
    if (claim.neId.startsWith(IDENTITY_SCOPE)) return identityStillNamed(service, claim.resource);
    const { catalog, inventory } = this.options;
    if (!inventory) return true;
    try {
      const item = { itemId: 'claim-check', specId: service.serviceSpecification.id, values: characteristicValues(service), lifecycle: 'add' };
      const { steps } = planItem({ catalog, directory: inventory, item, action: 'add', service, orderId: 'claim-check' });
      return steps.some((s) => s.ne.id === claim.neId && (s.claims ?? []).includes(claim.resource));
    } catch {
      return true;
    }
  }

  /**
   * Adds whose identity (an MSISDN) a live service already holds, from the service inventory's
   * index: refused, or, under the order's `onIdentityInUse: modify`, carried out as a modify of
   * that service when it is the one active holder.
   */
  private async identityDecisions(order: ServiceOrderInput, items: ValidatedItem[]): Promise<ReturnType<typeof identityDecisions>> {
    const store = this.options.services;
    const claims = identityClaims(items, (id) => this.options.catalog.get(id));
    if (!store || claims.length === 0) return { reasons: [], asModify: new Map() };
    const held = await Promise.all(claims.map((c) => store.holdersOf(c.specId, c.name, c.value)));
    return identityDecisions(claims, (claim) => held[claims.indexOf(claim)] ?? [], {
      policy: order.onIdentityInUse,
      canModify: (specId) => this.options.catalog.get(specId)?.actions.modify !== undefined,
      changedByItem: (serviceId, itemId) => items.find((i) => i.itemId !== itemId && i.serviceId === serviceId)?.itemId,
    });
  }

  /**
   * Takes the add items' resource claims for order `orderId`, or returns why not: a resource two
   * adds of the order claim, or one another service holds on the NE. A holder whose service was
   * deleted, or whose add ended without one, has lapsed and is replaced in the same script.
   */
  private async takeClaims(orderId: string, claims: ResourceClaim[], optedIn = false): Promise<{ ok: true; fresh: ResourceClaim[] } | { ok: false; reasons: RejectionReason[] }> {
    const { claims: claimStore, services, store } = this.options;
    if (!claimStore || claims.length === 0) return { ok: true, fresh: [] };
    const within = claimConflictsWithinOrder(claims);
    if (within.length > 0) return { ok: false, reasons: within };
    const lapsed = new Map<string, string>();
    // Each round finds one more lapsed holder, or stops: bounded by the claims, plus one.
    for (let round = 0; round <= claims.length; round++) {
      const result = await claimStore.take(orderId, claims, lapsed);
      if (result.taken) return { ok: true, fresh: result.fresh };
      const { claim, holder, held } = result;
      const [service, order] = await Promise.all([services?.get(holder.serviceId), store.getOrder(holder.orderId)]);
      // Held by this very order id and not stored: an earlier submission of it that stopped before storing it.
      const ownLeftover = holder.orderId === orderId && order === undefined;
      if (!ownLeftover && claimStillHeld(service, order, () => this.stillNamed(service, claim))) {
        return { ok: false, reasons: [identityClaimRejection(claim, holder, optedIn ? { live: service !== undefined } : undefined) ?? claimRejection(claim, holder)] };
      }
      lapsed.set(claimKey(claim), held);
    }
    throw new FleetError('ORDER_CONCURRENT_UPDATE', `order ${orderId}: resource claims kept changing while they were taken; submit the order again`);
  }

  /** What taking the order's claims would refuse now, without taking them (a dry run). */
  private async heldClaims(items: ValidatedItem[], plans: DryRunItem[], claimSteps: ClaimSteps): Promise<RejectionReason[]> {
    const { claims: claimStore, services, store } = this.options;
    if (!claimStore) return [];
    const specOf = new Map(items.map((i) => [i.itemId, i]));
    const claims = resourceClaims(this.plannedClaims(plans, claimSteps, (itemId) => specOf.get(itemId)?.specId ?? '', (p) => p.serviceId ?? `new service of item ${p.itemId}`));
    const within = claimConflictsWithinOrder(claims);
    if (within.length > 0 || claims.length === 0) return within;
    const holders = await claimStore.holders(claims);
    const reasons: RejectionReason[] = [];
    for (const [i, claim] of claims.entries()) {
      const holder = holders[i];
      if (!holder || holder.serviceId === claim.serviceId) continue;
      const [service, order] = await Promise.all([services?.get(holder.serviceId), store.getOrder(holder.orderId)]);
      if (claimStillHeld(service, order, () => this.stillNamed(service, claim))) reasons.push(claimRejection(claim, holder));
    }
    return reasons;
  }

  /** Deletes and suspends of services that other live services rely on, unless the order changes those first. */
  private async reliedOnConflicts(order: ServiceOrderInput, items: ValidatedItem[]): Promise<RejectionReason[]> {
    const store = this.options.services;
    const targets = [...new Set(items.filter((i) => (i.lifecycle === 'delete' || i.lifecycle === 'suspend') && i.serviceId !== undefined).map((i) => i.serviceId as string))];
    if (!store || targets.length === 0) return [];
    const dependents = new Map(await Promise.all(targets.map(async (id) => [id, await store.dependentsOf(id)] as const)));
    const graph = DependencyGraph.fromItems(order.serviceOrderItem.map((i) => ({ id: i.id, relationships: i.serviceOrderItemRelationship })));
    return reliedOnConflicts({
      items,
      indexOf: (itemId) => order.serviceOrderItem.findIndex((i) => i.id === itemId),
      dependsOn: graph.dependsOn,
      dependentsOf: (id) => dependents.get(id) ?? [],
      canSuspend: (specId) => this.options.catalog.get(specId)?.actions.suspend !== undefined,
    });
  }

  /** Live services per (specification, customer) for the rules that limit them. */
  private async customerServiceCounts(order: ServiceOrderInput): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const customer = customerOf(order);
    if (!customer || !this.options.services) return counts;
    for (const rule of this.options.rules ?? []) {
      if (rule.kind !== 'maxServicesPerCustomer' || rule.specification === undefined) continue;
      const live = (await this.options.services.query({ specification: rule.specification })).filter(
        (s) => s.state !== 'terminated' && s.relatedParty.some((p) => p.id === customer),
      );
      counts.set(`${rule.specification}\u0000${customer}`, live.length);
    }
    return counts;
  }

  /**
   * A dry run: validates the order and renders every step for every NE, returning the exact
   * commands, SNMP sets and NETCONF configs that a real run would send. Touches no device and
   * stores nothing. (For suspend and resume it shows the network action as if it runs; the
   * worker skips it when another suspension still holds.)
   */
  async dryRunServiceOrder(input: unknown): Promise<DryRunResult> {
    // An add carried out as a modify (onIdentityInUse) shows as the modify it becomes, with its service id.
    const { validation, plans, claimSteps } = await this.validate(isParsedServiceOrder(input) ? input : parseServiceOrder(input));
    if (!validation.ok) return { valid: false, reasons: validation.reasons, items: [] };
    const claimed = await this.heldClaims(validation.items, plans, claimSteps);
    if (claimed.length > 0) return { valid: false, reasons: claimed, items: [] };
    return { valid: true, reasons: [], items: plans, ...commitWindowOf(validation.order, validation.items, plans, this.options.catalog, this.options.inventory) };
  }

  /** Adds the order's start job, delayed to its requestedStartDate; adding it twice is harmless. */
  /**
   * A submission that died after storing its order (a crash, a Redis timeout) left the order
   * without its jobs; the upstream system retries with the same id. Every job id is derived
   * from the order and item, so re-adding is a no-op where the jobs exist, and the retry heals
   * the order where they do not, instead of leaving it to the reconciler's quiet period.
   */
  private async redispatch(orderId: string, existing: ServiceOrder): Promise<void> {
    if (isFinalState(existing.state)) return;
    if (existing.state === 'acknowledged') await this.scheduleStart(orderId, existing.requestedStartDate, existing.priority);
    else await this.options.dispatcher.advance(orderId);
  }

  private async scheduleStart(orderId: string, requestedStartDate: string | undefined, priority: string | undefined): Promise<void> {
    const start = requestedStartDate ? Date.parse(requestedStartDate) : 0;
    await this.options.orchestration.add(
      ORCHESTRATION_JOBS.start,
      { orderId },
      { jobId: startJobId(orderId), delay: Math.max(0, start - this.now().getTime()), priority: jobPriority(priority), ...keptJobs(this.options.dispatcher.retention) },
    );
  }

  /** The order with its items; throws ORDER_NOT_FOUND for unknown ids. */
  async getServiceOrder(id: string): Promise<ServiceOrder> {
    return (await this.options.store.require(id)).order;
  }

  /**
   * Cancels an order in flight: items not started are cancelled, running ones finish, completed
   * ones are rolled back, and the order ends `cancelled`. Final orders refuse with ORDER_NOT_CANCELLABLE.
   */
  async cancelServiceOrder(id: string, reason?: string): Promise<ServiceOrder> {
    // Stored as asked first (assessingCancellation), so listeners see the whole TMF641
    // cancellation lifecycle; then decided on, like any other change.
    const result = await this.options.store.transition(id, (snap) => {
      const requested = requestCancel(snap.progress, this.now().toISOString(), reason);
      return requested === snap.progress ? undefined : { progress: requested };
    });
    if (result.status === 'missing') throw new FleetError('ORDER_NOT_FOUND', `no service order with id ${id}`);
    const order = await this.getServiceOrder(id);
    await this.options.dispatcher.advance(id);
    return order;
  }
}

function toStoredStep(step: DryRunItem['steps'][number]): StoredStep {
  return { name: step.name, neId: step.neId, apply: step.apply, ...(step.undo ? { undo: step.undo } : {}), tests: step.tests };
}
