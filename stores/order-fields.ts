import type { ChangeSet } from '../adapters/change-set.js';
import { ITEM_PHASES, type HeldBy, type ItemPhase, type ItemProgress, type OrderProgress } from '../orders/order-progress.js';
import type { ItemSpec, StoredOrder, StoredRun } from '../orders/order-record.js';
import { ORDER_STATES, type OrderState } from '../orders/order-states.js';
import type { JeopardyAlert, ServiceOrderItemInput, TmfErrorMessage } from '../orders/service-order.js';
import { FleetError } from '../errors/index.js';

/**
 * How an order lies in Redis: two hashes, both in the order's shard.
 *
 * The progress hash (`order:<id>`) holds one field per fact, so a transition writes only the
 * fields it changes and an item's run never rewrites its siblings':
 *   st pol seq ids t.s t.c t.cr t.cd c.why held jeop errs   the order
 *   pv chg                                                   phase version, last change (scripts)
 *   ctx                                                      href, dates, item actions (once)
 *   <item>|ph |att |seq |t0 |t1 |tA |tT |tU |err |run        an item (tU: committed-unconfirmed)
 *   <item>|fence                                             its fence (scripts only)
 *   <item>|L|<kind>|<step>  = "<fence>|pending|done|undoing|unconfirmed[|<persist-id>]" its change ledger
 * The doc hash (`order:<id>:doc`) holds what never changes: `doc` (the order as posted), and per
 * item `<item>|spec` and `<item>|first` (the first step of a plan rendered at intake).
 * Item ids cannot contain `|` (orders/service-order.ts ID_PATTERN), so fields never collide.
 */

export type Fields = Record<string, string>;

export interface LedgerEntry {
  fence: number;
  /**
   * pending: about to be sent (or sent, no answer yet); done: the NE took it; undoing: its undo is
   * being sent; unconfirmed: the NE took it as a confirmed commit that is still pending there;
   * cancelled: it had joined another item's confirmed commit, and its own failure took that
   * commit back with cancel-commit (the other item's later cancel finds nothing pending, and must
   * not count that as the device reverting by itself).
   */
  state: 'pending' | 'done' | 'undoing' | 'unconfirmed' | 'cancelled';
  /** The persist-id of the step's confirmed commit, when it is (or is about to be) one. */
  persistId?: string;
  /** What the NE held, read just before the change, as the change that puts it back (the default undo). */
  prior?: ChangeSet;
}

const STATES: ReadonlySet<string> = new Set(['pending', 'done', 'undoing', 'unconfirmed', 'cancelled']);

/**
 * A ledger field's value: `<fence>|<state>`, then `|<persistId>` (empty when none) and
 * `|<prior as JSON>` when either is there. A persist-id holds no `|` (persistIdOf keeps
 * [A-Za-z0-9._-]); the prior, last, may.
 */
export function encodeLedgerEntry(entry: LedgerEntry): string {
  const head = `${entry.fence}|${entry.state}`;
  if (entry.prior) return `${head}|${entry.persistId ?? ''}|${JSON.stringify(entry.prior)}`;
  return entry.persistId ? `${head}|${entry.persistId}` : head;
}

export function decodeLedgerEntry(value: string): LedgerEntry {
  const [fence = '0', state = 'pending', persistId = '', ...rest] = value.split('|');
  const priorText = rest.join('|');
  const prior = priorText ? (JSON.parse(priorText) as ChangeSet) : undefined;
  return {
    fence: Number(fence),
    state: STATES.has(state) ? (state as LedgerEntry['state']) : 'pending',
    ...(persistId ? { persistId } : {}),
    ...(prior ? { prior } : {}),
  };
}

/** Everything the progress hash holds, decoded. */
export interface ProgressSnapshot {
  progress: OrderProgress;
  /** The phase version: every transition that changes a phase or the order's state bumps it. */
  pv: number;
  fences: Record<string, number>;
  /** Each item's run as stored (an add's leaves out its values and plan: see its spec). */
  runs: Record<string, StoredRun>;
  /** `<item>|<kind>` -> step -> entry. */
  ledger: Record<string, Record<string, LedgerEntry>>;
  /** Epoch ms of the last change (Redis's clock). */
  changedAt: number;
  ctx: OrderContext;
}

/** What every transition of an order needs of it besides its progress: written once at intake. */
export interface OrderContext {
  externalId?: string;
  orderDate: string;
  expectedCompletionDate?: string;
  requestedStartDate?: string;
  priority?: string;
  /** Item id -> [TMF action, service id]. */
  items: Record<string, [ServiceOrderItemInput['action'], string]>;
  /** The services whose locks the order takes when it starts: those it changes. */
  locks?: string[];
}

type ItemKey = 'ph' | 'att' | 'seq' | 't0' | 't1' | 'tA' | 'tT' | 'tU' | 'err';

export const itemField = (itemId: string, name: string): string => `${itemId}|${name}`;
export const ledgerField = (itemId: string, kind: string, step: string): string => `${itemId}|L|${kind}|${step}`;
export const runField = (itemId: string): string => itemField(itemId, 'run');
export const specField = (itemId: string): string => itemField(itemId, 'spec');

function put(fields: Fields, name: string, value: string | number | undefined): void {
  if (value !== undefined) fields[name] = String(value);
}

function putJson(fields: Fields, name: string, value: unknown[] | object | undefined, skipEmpty = true): void {
  if (value === undefined) return;
  if (skipEmpty && Array.isArray(value) && value.length === 0) return;
  fields[name] = JSON.stringify(value);
}

/** The fields of a progress (not the script-managed pv, chg and fences, nor runs and ledger). */
export function encodeProgress(p: OrderProgress): Fields {
  const f: Fields = {};
  put(f, 'st', p.state);
  put(f, 'pol', p.policy);
  put(f, 'seq', p.seq);
  f.ids = JSON.stringify(p.itemIds.map((id) => ({ id, d: p.items[id]?.dependsOn ?? [], ...(p.items[id]?.noChange ? { n: 1 } : {}) })));
  put(f, 't.s', p.startDate);
  put(f, 't.c', p.completionDate);
  put(f, 't.cr', p.cancelRequestedAt);
  put(f, 't.cd', p.cancellationDate);
  put(f, 'c.why', p.cancellationReason);
  putJson(f, 'held', p.heldBy);
  putJson(f, 'jeop', p.jeopardy);
  putJson(f, 'errs', p.errors);
  for (const id of p.itemIds) {
    const item = p.items[id];
    if (!item) continue;
    put(f, itemField(id, 'ph'), item.phase);
    put(f, itemField(id, 'att'), item.attempts);
    put(f, itemField(id, 'seq'), item.completedSeq);
    put(f, itemField(id, 't0'), item.startedAt);
    put(f, itemField(id, 't1'), item.finishedAt);
    put(f, itemField(id, 'tA'), item.activatedAt);
    put(f, itemField(id, 'tT'), item.testedAt);
    put(f, itemField(id, 'tU'), item.unconfirmedAt);
    putJson(f, itemField(id, 'err'), item.errors);
  }
  return f;
}

/** The fields to write (and remove) to move the stored progress from `before` to `after`. */
export function diffProgress(before: OrderProgress, after: OrderProgress): { set: Fields; del: string[] } {
  const a = encodeProgress(before);
  const b = encodeProgress(after);
  const set: Fields = {};
  for (const [k, v] of Object.entries(b)) if (a[k] !== v) set[k] = v;
  const del = Object.keys(a).filter((k) => !(k in b));
  return { set, del };
}

/** Whether a change moves phases or the order's state: such changes bump the phase version. */
export function movesPhases(before: OrderProgress, after: OrderProgress): boolean {
  if (before.state !== after.state || before.cancelRequestedAt !== after.cancelRequestedAt) return true;
  return after.itemIds.some((id) => before.items[id]?.phase !== after.items[id]?.phase);
}

function parse<T>(text: string | undefined, what: string): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new FleetError('ORDER_DATA_UNPROCESSABLE', `stored field ${what} is not valid JSON`);
  }
}

function phaseOf(text: string | undefined, itemId: string): ItemPhase {
  const phase = (text ?? 'waiting') as ItemPhase;
  if (!ITEM_PHASES.includes(phase)) throw new FleetError('ORDER_DATA_UNPROCESSABLE', `item ${itemId} has an unknown phase ${text}`);
  return phase;
}

/** Decodes the progress hash; throws ORDER_DATA_UNPROCESSABLE for data it cannot read. */
export function decodeProgress(h: Fields): ProgressSnapshot {
  const state = h.st as OrderState;
  if (!ORDER_STATES.includes(state)) throw new FleetError('ORDER_DATA_UNPROCESSABLE', `the order has an unknown state ${h.st}`);
  const shape = parse<Array<{ id: string; d: string[]; n?: number }>>(h.ids, 'ids') ?? [];
  const items: Record<string, ItemProgress> = {};
  const fences: Record<string, number> = {};
  const runs: ProgressSnapshot['runs'] = {};
  for (const { id, d, n } of shape) {
    const g = (name: ItemKey) => h[itemField(id, name)];
    const seq = g('seq');
    items[id] = {
      phase: phaseOf(g('ph'), id),
      dependsOn: d,
      noChange: n === 1,
      attempts: Number(g('att') ?? 0),
      ...(seq !== undefined ? { completedSeq: Number(seq) } : {}),
      ...(g('t0') !== undefined ? { startedAt: g('t0') as string } : {}),
      ...(g('t1') !== undefined ? { finishedAt: g('t1') as string } : {}),
      ...(g('tA') !== undefined ? { activatedAt: g('tA') as string } : {}),
      ...(g('tT') !== undefined ? { testedAt: g('tT') as string } : {}),
      ...(g('tU') !== undefined ? { unconfirmedAt: g('tU') as string } : {}),
      errors: parse<TmfErrorMessage[]>(g('err'), `${id}|err`) ?? [],
    };
    fences[id] = Number(h[itemField(id, 'fence')] ?? 0);
    const run = parse<ProgressSnapshot['runs'][string]>(h[runField(id)], `${id}|run`);
    if (run) runs[id] = run;
  }
  const ledger: ProgressSnapshot['ledger'] = {};
  for (const [field, value] of Object.entries(h)) {
    const parts = field.split('|');
    if (parts.length !== 4 || parts[1] !== 'L') continue;
    const [itemId, , kind, step] = parts as [string, string, string, string];
    (ledger[`${itemId}|${kind}`] ??= {})[step] = decodeLedgerEntry(value);
  }
  const heldBy = parse<HeldBy>(h.held, 'held');
  const errors = parse<TmfErrorMessage[]>(h.errs, 'errs');
  const progress: OrderProgress = {
    state,
    policy: h.pol === 'partial' ? 'partial' : 'atomic',
    seq: Number(h.seq ?? 0),
    itemIds: shape.map((s) => s.id),
    items,
    ...(h['t.s'] !== undefined ? { startDate: h['t.s'] } : {}),
    ...(h['t.c'] !== undefined ? { completionDate: h['t.c'] } : {}),
    ...(h['t.cr'] !== undefined ? { cancelRequestedAt: h['t.cr'] } : {}),
    ...(h['t.cd'] !== undefined ? { cancellationDate: h['t.cd'] } : {}),
    ...(h['c.why'] !== undefined ? { cancellationReason: h['c.why'] } : {}),
    ...(heldBy ? { heldBy } : {}),
    jeopardy: parse<JeopardyAlert[]>(h.jeop, 'jeop') ?? [],
    ...(errors ? { errors } : {}),
  };
  const ctx = parse<OrderContext>(h.ctx, 'ctx');
  if (!ctx) throw new FleetError('ORDER_DATA_UNPROCESSABLE', 'the order has no stored context');
  return { progress, pv: Number(h.pv ?? 0), fences, runs, ledger, changedAt: Number(h.chg ?? 0), ctx };
}

/** The doc hash of a new order. */
export function encodeDoc(doc: StoredOrder, specs: Record<string, ItemSpec>): Fields {
  const f: Fields = { doc: JSON.stringify(doc) };
  for (const [id, spec] of Object.entries(specs)) {
    f[specField(id)] = JSON.stringify(spec);
    // The start of the item's first execution records this step pending in the same round trip.
    const first = spec.lifecycle === 'add' ? spec.plan?.[0]?.name : undefined;
    if (first !== undefined) f[itemField(id, 'first')] = first;
  }
  return f;
}

/**
 * The doc hash, for reading the order. An item spec that cannot be read is left out (the view
 * shows the item without it): the order stays readable, so the failure its execution records
 * (ORDER_DATA_UNPROCESSABLE, see startItem) can be seen, and it can be cancelled.
 */
export function decodeDoc(h: Fields): { doc: StoredOrder; specs: Record<string, ItemSpec> } {
  const doc = parse<StoredOrder>(h.doc, 'doc');
  if (!doc) throw new FleetError('ORDER_DATA_UNPROCESSABLE', 'the order has no stored document');
  const specs: Record<string, ItemSpec> = {};
  for (const [field, value] of Object.entries(h)) {
    if (!field.endsWith('|spec')) continue;
    try {
      specs[field.slice(0, -'|spec'.length)] = JSON.parse(value) as ItemSpec;
    } catch {
      // Unreadable: its execution fails the order once with the reason.
    }
  }
  return { doc, specs };
}

/** A flat Redis reply ([k1, v1, k2, v2, ...]) as fields. */
export function fieldsOf(flat: unknown): Fields {
  const f: Fields = {};
  if (!Array.isArray(flat)) return f;
  for (let i = 0; i + 1 < flat.length; i += 2) f[String(flat[i])] = String(flat[i + 1]);
  return f;
}
