import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FleetError } from '../errors/index.js';
import { orderEvents, type EventContext, type OrderEvent } from '../orders/order-events.js';
import { advance, errorMessage, holdOrder, startOrder, type Advance, type OrderProgress } from '../orders/order-progress.js';
import { fullRun, type ItemRuntime, type ItemSpec, type NewOrder, type OrderRecord, type StoredOrder } from '../orders/order-record.js';
import { FINAL_STATES, isFinalState } from '../orders/order-states.js';
import { serviceOrderView } from '../orders/order-view.js';
import type { ServiceOrder } from '../orders/service-order.js';
import type { AuditRecord, AuditTrail } from './audit-trail.js';
import type { Keyspace } from './keyspace.js';
import { decodeDoc, decodeProgress, diffProgress, encodeDoc, encodeProgress, fieldsOf, movesPhases, specField, type Fields, type OrderContext, type ProgressSnapshot } from './order-fields.js';
import { packControl, scriptsOn, type ScriptCall, type ScriptName } from './scripts.js';
import type { ServiceWrite, VersionedService } from './service-inventory-store.js';

/**
 * The orders in Redis. Every change to an order is one script call that writes only what the
 * change changes, appends its events, and, where the change says so, writes its service's
 * inventory record, its audit entries and its service locks, all atomically. Decisions are taken
 * here in Node by the pure functions of orders/ on the order's progress; the scripts guard them:
 * a decision taken on an older progress (phase version) is refused and taken again, and a
 * transition of an execution that no longer owns its item (fence) writes nothing.
 */

export interface OrderStoreOptions {
  /** Approximate length each shard's events stream is trimmed to. */
  eventsMaxLength?: number;
  /** Decision retries before giving up with ORDER_CONCURRENT_UPDATE. */
  maxAttempts?: number;
}

export interface StoredEvent {
  /** The reader's cursor after this event (a stream id; one per shard, comma-separated, when sharded). */
  streamId: string;
  orderId: string;
  event: OrderEvent;
}

/** An execution's hold on its item: checked by every transition it makes. */
export interface Fence {
  itemId: string;
  n: number;
  /** The BullMQ lock of the job running the execution, and the job's token. */
  lockKey: string;
  token: string;
}

/** A decision on an order: the progress it leads to, and what must change with it. */
export interface Decision {
  progress: OrderProgress;
  /** Other progress-hash fields to write or remove (ledger entries, an item's run). */
  set?: Fields;
  del?: string[];
  service?: ServiceWrite;
  audit?: AuditRecord[];
  /** Start the order: take these services' locks, or wait behind the first one held (`held[i]`). */
  acquire?: { serviceIds: string[]; held: OrderProgress[] };
  /** The order is final: give these services' locks back and wake the next order waiting. */
  release?: string[];
  /** The order stops waiting for these services (it was cancelled while pending). */
  unwait?: string[];
  /**
   * The execution gives its job back alive (parked, or retried with backoff): the job's BullMQ
   * stall count starts again, in the same fenced step. BullMQ counts stalls over a job's whole
   * life, and a job parked at an NE's budget goes back to active many times: a worker paused on
   * three of those visits would fail it "stalled more than allowable limit", and the item would be
   * aborted, though the fence made every takeover safe. Counted from the last time the job was
   * given back alive, the limit still stops a job that kills every worker that runs it.
   */
  jobLives?: true;
}

export type TransitionResult =
  | { status: 'applied'; pv: number; validityMs: number; outcome: 'applied' | 'started' | 'held'; released: string[]; before: ProgressSnapshot; after: OrderProgress; snapshot: ProgressSnapshot }
  | { status: 'noop'; snapshot: ProgressSnapshot }
  | { status: 'stale'; why: string }
  | { status: 'missing' };

export interface ItemStart {
  fence: Fence;
  validityMs: number;
  snapshot: ProgressSnapshot;
  spec: ItemSpec;
  service?: VersionedService;
}

export interface CreateRequest {
  order: NewOrder;
  /** Due now: start it in the same step, taking the locks of `locks`. */
  startNow: boolean;
  /** The existing services the order changes: one change at a time per service. */
  locks: string[];
  now: string;
}

export interface CreateResult {
  created: boolean;
  orderId: string;
  outcome: 'created' | 'started' | 'held' | 'exists';
  /** What the order's transitions know of it (its items' actions and services). */
  ctx: OrderContext;
  /** What to enqueue for an order started now. */
  decision?: Advance;
}

/** Keys in the order a script receives them (1-based in Lua), each once. */
class KeyList {
  readonly keys: string[] = [];
  private readonly index = new Map<string, number>();
  add(key: string): number {
    let i = this.index.get(key);
    if (i === undefined) {
      this.keys.push(key);
      i = this.keys.length;
      this.index.set(key, i);
    }
    return i;
  }
}

function openScore(ctx: OrderContext): number {
  const expected = Date.parse(ctx.expectedCompletionDate ?? '');
  return Number.isFinite(expected) ? expected : Date.parse(ctx.orderDate) + 24 * 3600 * 1000;
}

export function eventContext(orderId: string, ctx: OrderContext): EventContext {
  return {
    id: orderId,
    ...(ctx.externalId ? { externalId: ctx.externalId } : {}),
    actions: Object.fromEntries(Object.entries(ctx.items).map(([id, [action]]) => [id, action])),
    serviceOf: (itemId) => ctx.items[itemId]?.[1],
  };
}

export class OrderStore {
  private readonly scripts: Record<ScriptName, ScriptCall>;
  private readonly eventsMaxLength: number;
  private readonly maxAttempts: number;
  private blocking: Redis | undefined;

  constructor(
    private readonly redis: Redis,
    readonly keys: Keyspace,
    private readonly audit: AuditTrail | undefined,
    options: OrderStoreOptions = {},
  ) {
    this.scripts = scriptsOn(redis);
    this.eventsMaxLength = options.eventsMaxLength ?? 100_000;
    this.maxAttempts = options.maxAttempts ?? 50;
  }

  /** Each shard's events stream. */
  get eventStreams(): string[] {
    return this.keys.allShards().map((s) => this.keys.events(s));
  }

  // --- intake ----------------------------------------------------------------------------

  /**
   * Stores a new order unless one with the same id or externalId exists. An order due now is
   * started in the same step: it takes its services' locks and its first items become ready, or,
   * when another order holds one of them, it is stored waiting (pending) behind that order.
   */
  async create(req: CreateRequest): Promise<CreateResult> {
    const { doc, specs, progress } = req.order;
    const id = doc.id;
    const shard = this.keys.shardOf(id);
    // (The order's href is in its doc: no transition needs it, so ctx, read by every one, leaves it out.)
    const ctx: OrderContext = {
      orderDate: doc.orderDate,
      ...(doc.externalId ? { externalId: doc.externalId } : {}),
      ...(doc.expectedCompletionDate ? { expectedCompletionDate: doc.expectedCompletionDate } : {}),
      ...(doc.priority ? { priority: doc.priority } : {}),
      ...(doc.requestedStartDate ? { requestedStartDate: doc.requestedStartDate } : {}),
      items: Object.fromEntries(doc.serviceOrderItem.map((i) => [i.id, [i.action, specs[i.id]?.serviceId ?? '']])),
      ...(req.locks.length > 0 ? { locks: req.locks } : {}),
    };
    const events = eventContext(id, ctx);
    const k = new KeyList();
    k.add(this.keys.order(id));
    k.add(this.keys.orderDoc(id));
    k.add(this.keys.orders(shard));
    k.add(this.keys.events(shard));
    // The create event once, in every variant; each variant is built only when it can be chosen.
    const created = orderEvents(events, undefined, progress, req.now, randomUUID).map((e) => JSON.stringify(e));
    const variant = (p: OrderProgress, ev: OrderEvent[]) => ({ fields: encodeProgress(p), events: [...created, ...ev.map((e) => JSON.stringify(e))], stateKey: k.add(this.keys.ordersInState(shard, p.state)) });
    let decision: Advance | undefined;
    let main: ReturnType<typeof variant>;
    const held: Array<ReturnType<typeof variant>> = [];
    const locks: Array<[number, number, string]> = [];
    if (req.startNow && !isFinalState(progress.state)) {
      decision = advance(startOrder(progress, req.now), req.now);
      main = variant(decision.progress, orderEvents(events, progress, decision.progress, req.now, randomUUID));
      for (const serviceId of req.locks) {
        locks.push([k.add(this.keys.serviceLock(serviceId)), k.add(this.keys.serviceWaiters(serviceId)), serviceId]);
        const waiting = holdOrder(progress, { serviceId, orderId: '', since: req.now });
        held.push(variant(waiting, orderEvents(events, progress, waiting, req.now, randomUUID)));
      }
    } else {
      main = variant(progress, []);
    }
    const control = {
      id,
      now: req.now,
      date: Date.parse(doc.orderDate),
      maxlen: this.eventsMaxLength,
      base: { ctx: JSON.stringify(ctx) },
      doc: encodeDoc(doc, specs),
      main,
      ...(decision ? { started: true } : {}),
      ...(locks.length > 0 ? { locks, held } : {}),
      ...(isFinalState(progress.state) ? {} : { open: [k.add(this.keys.openOrders(shard)), openScore(ctx)] }),
      ...(doc.externalId ? { ext: k.add(this.keys.externalId(shard, doc.externalId)) } : {}),
    };
    const reply = (await this.scripts['order-create'](k.keys.length, ...k.keys, packControl(control))) as [number, string, string, number];
    if (Number(reply[0]) === 0) return { created: false, orderId: reply[1], outcome: 'exists', ctx };
    const outcome = reply[1] as CreateResult['outcome'];
    return { created: true, orderId: id, outcome, ctx, ...(outcome === 'started' && decision ? { decision } : {}) };
  }

  // --- reads -----------------------------------------------------------------------------

  async snapshot(id: string): Promise<ProgressSnapshot | undefined> {
    const h = await this.redis.hgetall(this.keys.order(id));
    return Object.keys(h).length === 0 ? undefined : decodeProgress(h);
  }

  /** The order as TMF641 shows it, with its execution (items' specs, progress and runs). */
  async get(id: string): Promise<OrderRecord | undefined> {
    const [progressHash, docHash] = await Promise.all([this.redis.hgetall(this.keys.order(id)), this.redis.hgetall(this.keys.orderDoc(id))]);
    if (Object.keys(progressHash).length === 0 || Object.keys(docHash).length === 0) return undefined;
    return OrderStore.record(decodeProgress(progressHash), decodeDoc(docHash));
  }

  static record(snap: ProgressSnapshot, stored: { doc: StoredOrder; specs: Record<string, ItemSpec> }): OrderRecord {
    const items: Record<string, ItemRuntime> = {};
    for (const id of snap.progress.itemIds) {
      const spec = stored.specs[id] ?? { specId: '', lifecycle: 'add', serviceId: snap.ctx.items[id]?.[1] ?? '', values: {}, dependsOn: [], reliesOn: [] };
      const progress = snap.progress.items[id];
      if (!progress) continue;
      const run = snap.runs[id];
      items[id] = { ...spec, ...progress, fence: snap.fences[id] ?? 0, ...(run ? { run: fullRun(run, spec) } : {}) };
    }
    return { order: serviceOrderView(stored.doc, snap.progress, stored.specs), progress: snap.progress, items, policy: snap.progress.policy };
  }

  async require(id: string): Promise<OrderRecord> {
    const record = await this.get(id);
    if (!record) throw new FleetError('ORDER_NOT_FOUND', `no service order with id ${id}`);
    return record;
  }

  async getOrder(id: string): Promise<ServiceOrder | undefined> {
    return (await this.get(id))?.order;
  }

  // --- transitions -----------------------------------------------------------------------

  /**
   * Decides and applies one transition. `decide` sees the progress as stored (or `from`, the
   * caller's copy, which the script checks) and returns the decision, or undefined for nothing
   * to do. On a conflict it runs again on the fresh progress, so it must be pure.
   */
  async transition(
    orderId: string,
    decide: (snapshot: ProgressSnapshot) => Decision | undefined,
    options: { from?: ProgressSnapshot; fence?: Fence; now?: () => string } = {},
  ): Promise<TransitionResult> {
    const now = options.now ?? (() => new Date().toISOString());
    let snap = options.from ?? (await this.snapshot(orderId));
    if (!snap) return { status: 'missing' };
    // The script stores audit entries before it checks the phase version (what was sent to an NE
    // is recorded whatever happens to the decision), so a conflict's retry must not store them again.
    let auditStored = false;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const decided = decide(snap);
      if (!decided) return { status: 'noop', snapshot: snap };
      const decision: Decision = auditStored ? { ...decided, audit: [] } : decided;
      auditStored ||= (decision.audit?.length ?? 0) > 0;
      const at = now();
      const { keys, control } = this.controlOf(orderId, snap, decision, at, options.fence);
      const reply = (await this.scripts['order-apply'](keys.length, ...keys, packControl(control))) as unknown[];
      const code = Number(reply[0]);
      if (code === 1) {
        const outcome = String(reply[3]) as 'applied' | 'started' | 'held';
        const heldIndex = Number(reply[4]);
        const chosen = outcome === 'held' ? (decision.acquire?.held[heldIndex - 1] ?? decision.progress) : decision.progress;
        const after: ProgressSnapshot = { ...snap, progress: chosen, pv: Number(reply[1]) };
        return { status: 'applied', pv: Number(reply[1]), validityMs: Number(reply[2]), outcome, released: reply.slice(5).map(String), before: snap, after: chosen, snapshot: after };
      }
      if (code === 0) return { status: 'stale', why: String(reply[2]) };
      if (code === -2) throw new FleetError('ORDER_CONCURRENT_UPDATE', `service of order ${orderId} changed under a transition (version ${String(reply[1])}); retrying the item`);
      // The order moved on since `snap`: decide again on what it is now.
      snap = decodeProgress(fieldsOf(reply[1]));
    }
    throw new FleetError('ORDER_CONCURRENT_UPDATE', `order ${orderId} kept changing during ${this.maxAttempts} transition attempts`);
  }

  private controlOf(orderId: string, snap: ProgressSnapshot, d: Decision, now: string, fence: Fence | undefined): { keys: string[]; control: Record<string, unknown> } {
    const shard = this.keys.shardOf(orderId);
    const k = new KeyList();
    k.add(this.keys.order(orderId));
    const before = snap.progress;
    const ctx = eventContext(orderId, snap.ctx);
    const { set, del } = diffProgress(before, d.progress);
    Object.assign(set, d.set ?? {});
    del.push(...(d.del ?? []));
    const events = orderEvents(ctx, before, d.progress, now, randomUUID).map((e) => JSON.stringify(e));
    const stateMoves = before.state !== d.progress.state;
    const fromKey = k.add(this.keys.ordersInState(shard, before.state));
    // A change of phases, state or alerts bumps the phase version; a decision taken by anyone but
    // the item's own execution is always checked against it.
    const bump = movesPhases(before, d.progress) || d.acquire !== undefined || before.jeopardy.length !== d.progress.jeopardy.length;
    const control: Record<string, unknown> = {
      id: orderId,
      now,
      set,
      del,
      bump,
      date: Date.parse(snap.ctx.orderDate),
      ev: k.add(this.keys.events(shard)),
      maxlen: this.eventsMaxLength,
      ...(events.length > 0 ? { events } : {}),
      from: fromKey,
      to: stateMoves ? k.add(this.keys.ordersInState(shard, d.progress.state)) : fromKey,
    };
    if (bump || !fence) control.pv = snap.pv;
    if (stateMoves && isFinalState(d.progress.state)) control.open = [k.add(this.keys.openOrders(shard))];
    if (fence) control.fence = { field: `${fence.itemId}|fence`, n: fence.n, lock: k.add(fence.lockKey), token: fence.token };
    if (fence && d.jobLives) control.stalls = k.add(this.keys.jobOfLock(fence.lockKey));
    if (d.service) {
      const indexOf = (key: string) => k.add(key);
      d.service.keys.forEach(indexOf);
      control.service = d.service.control(indexOf);
    }
    if (d.audit && d.audit.length > 0 && this.audit) {
      const write = this.audit.writeOf(orderId, d.audit);
      if (write) {
        write.keys.forEach((key) => k.add(key));
        control.audit = write.control((key) => k.add(key));
      }
    }
    if (d.acquire) {
      control.acquire = {
        locks: d.acquire.serviceIds.map((sid) => [k.add(this.keys.serviceLock(sid)), k.add(this.keys.serviceWaiters(sid)), sid]),
        held: d.acquire.held.map((p) => {
          const diff = diffProgress(before, p);
          return { set: diff.set, events: orderEvents(ctx, before, p, now, randomUUID).map((e) => JSON.stringify(e)), to: k.add(this.keys.ordersInState(shard, p.state)) };
        }),
      };
    }
    // Locks go with the order's end, in the same step, whoever ends it.
    const release = [...(d.release ?? []), ...(!isFinalState(before.state) && isFinalState(d.progress.state) ? (snap.ctx.locks ?? []) : [])];
    if (release.length > 0) control.release = [...new Set(release)].map((sid) => [k.add(this.keys.serviceLock(sid)), k.add(this.keys.serviceWaiters(sid))]);
    // An order that stops waiting other than by starting (cancelled while pending) leaves the queue.
    const unwait = [...(d.unwait ?? []), ...(before.state === 'pending' && d.progress.state !== 'pending' && before.heldBy && !d.acquire ? [before.heldBy.serviceId] : [])];
    if (unwait.length > 0) control.unwait = [...new Set(unwait)].map((sid) => k.add(this.keys.serviceWaiters(sid)));
    return { keys: k.keys, control };
  }

  /**
   * Fails an order whose stored data cannot be read (ORDER_DATA_UNPROCESSABLE): once, with the
   * reason, from the raw fields, so a repair loop does not retry it forever. Returns the orders
   * handed one of its service locks: the caller starts them.
   */
  async failUnreadable(orderId: string, reason: string): Promise<string[]> {
    const shard = this.keys.shardOf(orderId);
    const [state, ctxText] = await this.redis.hmget(this.keys.order(orderId), 'st', 'ctx');
    if (!state || FINAL_STATES.has(state as OrderProgress['state'])) return [];
    // The services it holds go to their next waiters, as with any order's end: a poison order
    // must not keep the orders queued behind it waiting for ever. Its context may be what
    // cannot be read; then no lock is known (an order without one holds none).
    let locks: string[] = [];
    try {
      const ctx = JSON.parse(ctxText ?? '{}') as { locks?: unknown };
      if (Array.isArray(ctx.locks)) locks = ctx.locks.filter((l): l is string => typeof l === 'string');
    } catch {
      locks = [];
    }
    const now = new Date().toISOString();
    const error = errorMessage('order', 'ORDER_DATA_UNPROCESSABLE', `the order failed because its stored data cannot be processed: ${reason}`, now);
    const event: OrderEvent = {
      eventId: randomUUID(),
      eventTime: now,
      eventType: 'ServiceOrderStateChangeEvent',
      correlationId: orderId,
      domain: 'serviceOrdering',
      title: 'Service order state changed',
      description: `order ${orderId}: ${state} -> failed (its data cannot be processed)`,
      timeOcurred: now,
      fieldPath: 'state',
      event: { serviceOrder: { id: orderId, href: '', state: 'failed', completionDate: now, serviceOrderItem: [], '@type': 'ServiceOrder' } },
    };
    const k = new KeyList();
    k.add(this.keys.order(orderId));
    const control = {
      id: orderId,
      now,
      set: { st: 'failed', 't.c': now, errs: JSON.stringify([error]) },
      del: [],
      bump: true,
      date: Date.now(),
      ev: k.add(this.keys.events(shard)),
      maxlen: this.eventsMaxLength,
      events: [JSON.stringify(event)],
      from: k.add(this.keys.ordersInState(shard, state)),
      to: k.add(this.keys.ordersInState(shard, 'failed')),
      open: [k.add(this.keys.openOrders(shard))],
      ...(locks.length > 0 ? { release: locks.map((sid) => [k.add(this.keys.serviceLock(sid)), k.add(this.keys.serviceWaiters(sid))]) } : {}),
    };
    const reply = (await this.scripts['order-apply'](k.keys.length, ...k.keys, packControl(control))) as unknown[];
    // {1, pv, validity, outcome, held index, orders handed a lock...}
    return Number(reply[0]) === 1 ? reply.slice(5).map(String) : [];
  }

  // --- item executions -------------------------------------------------------------------

  /**
   * Begins an execution of an item: checks the phase and the job's lock, takes a new fence, and
   * returns what the execution needs (progress, spec, its service) in the same round trip.
   * Undefined when the job is stale (the item is not in the phase the job is for).
   */
  async startItem(
    orderId: string,
    itemId: string,
    job: { expectPhase: string; lockKey: string; token: string; countAttempt: boolean; now: string; serviceId?: string; markFirst?: boolean },
  ): Promise<ItemStart | { stale: true; phase: string; state: string }> {
    const keys = [this.keys.order(orderId), this.keys.orderDoc(orderId), job.lockKey, ...(job.serviceId ? [this.keys.service(job.serviceId)] : [])];
    const reply = (await this.scripts['item-start'](keys.length, ...keys, itemId, job.expectPhase, job.token, job.now, job.countAttempt ? '1' : '0', job.markFirst ? '1' : '0')) as unknown[];
    if (Number(reply[0]) !== 1) return { stale: true, phase: String(reply[1] ?? ''), state: String(reply[2] ?? '') };
    const snapshot = decodeProgress(fieldsOf(reply[3]));
    const specText = reply[4];
    if (typeof specText !== 'string') throw new FleetError('ORDER_DATA_UNPROCESSABLE', `order ${orderId} has no stored spec for item ${itemId}`);
    let spec: ItemSpec;
    try {
      spec = JSON.parse(specText) as ItemSpec;
    } catch {
      throw new FleetError('ORDER_DATA_UNPROCESSABLE', `order ${orderId}: the stored spec of item ${itemId} is not valid JSON`);
    }
    const fence: Fence = { itemId, n: Number(reply[1]), lockKey: job.lockKey, token: job.token };
    const serviceDoc = reply[5];
    return {
      fence,
      validityMs: Number(reply[2]),
      snapshot,
      spec,
      ...(typeof serviceDoc === 'string' ? { service: { service: JSON.parse(serviceDoc) as VersionedService['service'], version: Number(reply[6] ?? 0) } } : {}),
    };
  }

  /** The specs of an order's items, for decisions that need them (cancel, reconciler). */
  async specs(orderId: string): Promise<Record<string, ItemSpec>> {
    const h = await this.redis.hgetall(this.keys.orderDoc(orderId));
    const specs: Record<string, ItemSpec> = {};
    for (const [field, value] of Object.entries(h)) if (field.endsWith('|spec')) specs[field.slice(0, -5)] = JSON.parse(value) as ItemSpec;
    return specs;
  }

  async spec(orderId: string, itemId: string): Promise<ItemSpec | undefined> {
    const text = await this.redis.hget(this.keys.orderDoc(orderId), specField(itemId));
    return text === null ? undefined : (JSON.parse(text) as ItemSpec);
  }

  /**
   * Replaces the order as posted (PATCH of its client-owned attributes). `change` returns the new
   * doc (and an event to append, if any), or undefined when nothing changes. Returns the doc as stored.
   */
  async patchDoc(id: string, change: (doc: StoredOrder) => { doc: StoredOrder; event?: OrderEvent } | undefined): Promise<StoredOrder | undefined> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const text = await this.redis.hget(this.keys.orderDoc(id), 'doc');
      if (text === null) return undefined;
      const current = JSON.parse(text) as StoredOrder;
      const next = change(current);
      if (!next) return current;
      const stream = this.keys.events(this.keys.shardOf(id));
      const result = Number(await this.scripts['order-doc-cas'](2, this.keys.orderDoc(id), stream, id, text, JSON.stringify(next.doc), this.eventsMaxLength, next.event ? JSON.stringify(next.event) : ''));
      if (result === 1) return next.doc;
      if (result === -1) return undefined;
    }
    throw new FleetError('ORDER_CONCURRENT_UPDATE', `order ${id} kept changing during ${this.maxAttempts} update attempts`);
  }

  // --- indexes ---------------------------------------------------------------------------

  /** How many orders are open, and how many of them are past their expected completion. */
  async openCounts(nowMs = Date.now()): Promise<{ open: number; overdue: number }> {
    const counts = await Promise.all(this.keys.allShards().map(async (s) => [await this.redis.zcard(this.keys.openOrders(s)), await this.redis.zcount(this.keys.openOrders(s), '-inf', nowMs)]));
    return { open: counts.reduce((a, [o]) => a + (o ?? 0), 0), overdue: counts.reduce((a, [, d]) => a + (d ?? 0), 0) };
  }

  /** Ids of open orders expected to complete before `beforeMs` (epoch ms). */
  async openOrdersDueBefore(beforeMs: number, limit = 1000): Promise<string[]> {
    const perShard = await Promise.all(this.keys.allShards().map((s) => this.redis.zrangebyscore(this.keys.openOrders(s), '-inf', beforeMs, 'LIMIT', 0, limit)));
    return perShard.flat().slice(0, limit * this.keys.shards);
  }

  /** Every open order id (not final). */
  async openOrders(limit = 10_000): Promise<string[]> {
    const perShard = await Promise.all(this.keys.allShards().map((s) => this.redis.zrange(this.keys.openOrders(s), 0, limit - 1)));
    return perShard.flat();
  }

  /** When each order last changed (epoch ms, Redis's clock), for the reconciler. */
  async lastChanged(ids: string[]): Promise<Map<string, number>> {
    const values = await Promise.all(ids.map((id) => this.redis.hget(this.keys.order(id), 'chg')));
    return new Map(ids.map((id, i) => [id, Number(values[i] ?? 0)]));
  }

  /**
   * Order ids by order date (newest first unless `ascending`), from the date index or one
   * state's, optionally within a date range, paged in Redis: each shard is asked for its first
   * offset+limit and the pages are merged, so a listing never loads every order.
   */
  async list(options: { offset?: number; limit?: number; states?: string[]; fromMs?: number; toMs?: number; ascending?: boolean } = {}): Promise<{ ids: string[]; total: number }> {
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 100;
    const min = options.fromMs ?? '-inf';
    const max = options.toMs ?? '+inf';
    const keysOf = (s: number) => (options.states && options.states.length > 0 ? options.states.map((st) => this.keys.ordersInState(s, st)) : [this.keys.orders(s)]);
    const perKey = await Promise.all(
      this.keys.allShards().flatMap((s) =>
        keysOf(s).map(async (key) => {
          const [page, total] = await Promise.all([
            options.ascending
              ? this.redis.zrangebyscore(key, min, max, 'WITHSCORES', 'LIMIT', 0, offset + limit)
              : this.redis.zrevrangebyscore(key, max, min, 'WITHSCORES', 'LIMIT', 0, offset + limit),
            this.redis.zcount(key, min, max),
          ]);
          const entries: Array<[string, number]> = [];
          for (let i = 0; i + 1 < page.length; i += 2) entries.push([page[i] as string, Number(page[i + 1])]);
          return { entries, total };
        }),
      ),
    );
    const sign = options.ascending ? 1 : -1;
    const merged = perKey.flatMap((p) => p.entries).sort((a, b) => sign * (a[1] - b[1]) || sign * a[0].localeCompare(b[0]));
    return { ids: merged.slice(offset, offset + limit).map(([id]) => id), total: perKey.reduce((a, p) => a + p.total, 0) };
  }

  /** The order holding an externalId, if any. */
  async findByExternalId(externalId: string): Promise<string | undefined> {
    const found = await Promise.all(this.keys.allShards().map((s) => this.redis.get(this.keys.externalId(s, externalId))));
    return found.find((id): id is string => typeof id === 'string');
  }

  /**
   * Housekeeping removal of a final order (TMF641 DELETE). Its events stay in the stream and its
   * services in the inventory; its id and externalId become free again.
   */
  async deleteIfFinal(id: string): Promise<'deleted' | 'missing' | 'notFinal'> {
    const shard = this.keys.shardOf(id);
    const ctx = await this.redis.hget(this.keys.order(id), 'ctx');
    let ext: string | undefined;
    try {
      ext = ctx ? (JSON.parse(ctx) as OrderContext).externalId : undefined;
    } catch {
      ext = undefined;
    }
    const finals = [...FINAL_STATES];
    const keys = [
      this.keys.order(id),
      this.keys.orderDoc(id),
      this.keys.orders(shard),
      this.keys.openOrders(shard),
      this.keys.auditOfOrder(id),
      ext ? this.keys.externalId(shard, ext) : `${this.keys.order(id)}:no-external-id`,
      ...finals.map((st) => this.keys.ordersInState(shard, st)),
    ];
    const result = Number(await this.scripts['order-delete'](keys.length, ...keys, id, ...finals));
    return result === 1 ? 'deleted' : result === 0 ? 'missing' : 'notFinal';
  }

  // --- events ----------------------------------------------------------------------------

  /**
   * Events after `cursor` (`0` for all, `$` for only new ones; otherwise a `streamId` this
   * returned), waiting up to `blockMs` when there are none. With several shards the cursor
   * holds one stream id per shard.
   */
  async readEvents(cursor: string, options: { count?: number; blockMs?: number } = {}): Promise<StoredEvent[]> {
    const count = options.count ?? 100;
    const streams = this.eventStreams;
    const positions = await this.positions(cursor, streams);
    if (streams.length === 1 && options.blockMs !== undefined) {
      // A blocking read would stall every other command on the shared connection: use its own.
      const redis = (this.blocking ??= this.redis.duplicate());
      const reply = (await redis.call('XREAD', 'COUNT', count, 'BLOCK', options.blockMs, 'STREAMS', streams[0] as string, positions[0] as string)) as Array<[string, Array<[string, string[]]>]> | null;
      return (reply?.[0]?.[1] ?? []).map(([sid, fields]) => this.toEvent([sid], fields));
    }
    const deadline = Date.now() + (options.blockMs ?? 0);
    for (;;) {
      const perShard = await Promise.all(streams.map((stream, i) => this.redis.xrange(stream, `(${positions[i] ?? '0'}`, '+', 'COUNT', count)));
      const merged = perShard.flatMap((entries, shard) => entries.map(([sid, fields]) => ({ shard, sid, fields }))).sort((a, b) => compareIds(a.sid, b.sid));
      if (merged.length > 0 || Date.now() >= deadline) {
        const at = [...positions];
        return merged.slice(0, count).map(({ shard, sid, fields }) => {
          at[shard] = sid;
          return this.toEvent(streams.length === 1 ? [sid] : [...at], fields);
        });
      }
      await new Promise((r) => setTimeout(r, Math.min(200, Math.max(10, deadline - Date.now()))));
    }
  }

  /** A cursor at the end of every events stream: `readEvents` from it returns only what comes next. */
  async eventCursorNow(): Promise<string> {
    return (await this.positions('$', this.eventStreams)).join(',');
  }

  private async positions(cursor: string, streams: string[]): Promise<string[]> {
    if (cursor === '$') {
      return Promise.all(streams.map(async (s) => (await this.redis.xrevrange(s, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0'));
    }
    const parts = cursor.split(',');
    return streams.map((_, i) => (parts.length === streams.length ? (parts[i] ?? '0') : cursor === '0' ? '0' : (parts[0] ?? '0')));
  }

  private toEvent(cursor: string[], fields: string[]): StoredEvent {
    const map = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string);
    return { streamId: cursor.join(','), orderId: map.get('orderId') ?? '', event: JSON.parse(map.get('event') ?? '{}') as OrderEvent };
  }

  /** Closes the connection opened for blocking event reads (the main one belongs to the caller). */
  async close(): Promise<void> {
    await this.blocking?.quit().catch(() => undefined);
    this.blocking = undefined;
  }
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return (am ?? 0) - (bm ?? 0) || (as ?? 0) - (bs ?? 0);
}
