import type { ErrorCode } from '../errors/index.js';
import { FleetError } from '../errors/index.js';
import { canOrderMove, isFinalState, type ItemState, type OrderState } from './order-states.js';
import type { ActivationPolicy } from '../catalog/activation-policy.js';
import type { JeopardyAlert, TmfErrorMessage } from './service-order.js';

/**
 * The order's execution as pure transitions over a slim model: the order's state and each
 * item's phase, nothing of the TMF document. Every function returns a new value (the stores
 * keep only the fields that changed) and does no I/O. The TMF641 view is derived from this
 * model (order-view.ts): an item's TMF state is a function of its phase, never stored beside it.
 */

/**
 * Where an item is in the fleet's own execution, finer than its TMF state: a completed item
 * being rolled back is still `completed` to TMF until its undo steps have run.
 */
export type ItemPhase =
  | 'waiting'
  | 'activating'
  | 'activated'
  | 'failed'
  | 'compensating'
  | 'compensated'
  | 'compensationFailed'
  | 'cancelled'
  /** Its worker was lost for good: what the ledger says was sent is being undone. */
  | 'aborting'
  /** The whole order passed: its confirmed commits, pending on their NETCONF NEs, are being confirmed. */
  | 'confirming';

export const ITEM_PHASES: readonly ItemPhase[] = ['waiting', 'activating', 'activated', 'failed', 'compensating', 'compensated', 'compensationFailed', 'cancelled', 'aborting', 'confirming'];

export interface ItemProgress {
  phase: ItemPhase;
  /** Items of the same order this one waits for (dependsOn / reliesOn). */
  dependsOn: string[];
  /** A noChange item completes where it stands, without a job. */
  noChange: boolean;
  /** Activation attempts that reached the network (retries included; parked ones not). */
  attempts: number;
  /** Position in the order's completion sequence: compensation runs in reverse of it. */
  completedSeq?: number;
  startedAt?: string;
  finishedAt?: string;
  /** Milestones: every step applied, then every post-activation test passed. */
  activatedAt?: string;
  testedAt?: string;
  /**
   * The `committed-unconfirmed` milestone: the item's NETCONF changes are confirmed commits still
   * pending on their NEs (the order's window), confirmed once the whole order passed, cancelled
   * if it fails. Unset once confirmed.
   */
  unconfirmedAt?: string;
  errors: TmfErrorMessage[];
}

/** Why an order waits: another order is changing a service it changes too. */
export interface HeldBy {
  serviceId: string;
  orderId: string;
  since: string;
}

export interface OrderProgress {
  state: OrderState;
  policy: ActivationPolicy;
  /** Completions so far (the last completedSeq given). */
  seq: number;
  /** Item ids in the order's own order; `items` holds each one. */
  itemIds: string[];
  items: Record<string, ItemProgress>;
  startDate?: string;
  completionDate?: string;
  cancelRequestedAt?: string;
  cancellationReason?: string;
  cancellationDate?: string;
  heldBy?: HeldBy;
  jeopardy: JeopardyAlert[];
  /** Order-level errors that no item carries: the reasons a rejected order was refused. */
  errors?: TmfErrorMessage[];
}

/** What the caller must enqueue after storing the progress `advance` returned. */
export interface Advance {
  progress: OrderProgress;
  /** Items to activate (their jobs must exist; re-adding an existing one is harmless). */
  activate: string[];
  /** Items to roll back, one at a time, in reverse order of completion. */
  compensate: string[];
}

export interface ItemShape {
  id: string;
  dependsOn: string[];
  noChange: boolean;
}

const RUNNING: ReadonlySet<ItemPhase> = new Set(['activating', 'compensating', 'aborting', 'confirming']);
/** Phases whose item job is dispatched as an activation-queue job of its own kind (activate, abort, confirm). */
const FORWARD: ReadonlySet<ItemPhase> = new Set(['activating', 'aborting', 'confirming']);

/** A TMF error message; `level` says whether it sits on the order or on an item. */
export function errorMessage(level: 'order' | 'item', code: ErrorCode | string, message: string, now: string, itemIds: string[] = []): TmfErrorMessage {
  return {
    code,
    message,
    reason: code,
    timestamp: now,
    ...(itemIds.length > 0 ? { serviceOrderItem: itemIds.map((itemId) => ({ itemId })) } : {}),
    '@type': level === 'order' ? 'ServiceOrderErrorMessage' : 'ServiceOrderItemErrorMessage',
  };
}

export function initialProgress(items: readonly ItemShape[], policy: ActivationPolicy): OrderProgress {
  return {
    state: 'acknowledged',
    policy,
    seq: 0,
    itemIds: items.map((i) => i.id),
    items: Object.fromEntries(items.map((i) => [i.id, { phase: 'waiting', dependsOn: [...i.dependsOn], noChange: i.noChange, attempts: 0, errors: [] } satisfies ItemProgress])),
    jeopardy: [],
  };
}

/** The TMF641 state an item shows for its phase. */
export function itemTmfState(phase: ItemPhase): ItemState {
  switch (phase) {
    case 'waiting':
      return 'acknowledged';
    case 'activating':
    case 'aborting':
    case 'confirming':
      return 'inProgress';
    case 'activated':
    case 'compensating':
      return 'completed';
    case 'failed':
    case 'compensationFailed':
      return 'failed';
    case 'compensated':
    case 'cancelled':
      return 'cancelled';
  }
}

function item(p: OrderProgress, itemId: string): ItemProgress {
  const found = p.items[itemId];
  if (!found) throw new FleetError('ORDER_NOT_FOUND', `the order has no item ${itemId}`);
  return found;
}

/** A shallow copy whose items map may be changed; untouched items are shared. */
function copy(p: OrderProgress): OrderProgress {
  return { ...p, items: { ...p.items } };
}

function setItem(p: OrderProgress, itemId: string, change: Partial<ItemProgress>): void {
  p.items[itemId] = { ...item(p, itemId), ...change };
}

function addError(p: OrderProgress, itemId: string, code: ErrorCode, message: string, now: string): void {
  setItem(p, itemId, { errors: [...item(p, itemId).errors, errorMessage('item', code, message, now)] });
}

function setState(p: OrderProgress, state: OrderState, now: string): void {
  if (!canOrderMove(p.state, state)) throw new FleetError('ORDER_INVALID', `the order cannot move from ${p.state} to ${state}`);
  p.state = state;
  if (isFinalState(state)) p.completionDate = now;
}

/** The requested start has come and the order holds its services: it goes in progress. */
export function startOrder(p: OrderProgress, now: string): OrderProgress {
  if (p.state !== 'acknowledged' && p.state !== 'pending') return p;
  const next = copy(p);
  setState(next, 'inProgress', now);
  next.startDate = now;
  delete next.heldBy;
  return next;
}

/** Another order is changing a service this one changes: it waits, pending, until that one ends. */
export function holdOrder(p: OrderProgress, heldBy: HeldBy): OrderProgress {
  if (p.state !== 'acknowledged' && p.state !== 'pending') return p;
  const next = copy(p);
  setState(next, 'pending', heldBy.since);
  next.heldBy = heldBy;
  return next;
}

/** Cancel requested (TMF641: the order assesses, then accepts, the cancellation). */
export function requestCancel(p: OrderProgress, now: string, reason?: string): OrderProgress {
  if (isFinalState(p.state)) throw new FleetError('ORDER_NOT_CANCELLABLE', `the order is ${p.state} and cannot be cancelled`);
  if (p.cancelRequestedAt) return p;
  const next = copy(p);
  setState(next, 'assessingCancellation', now);
  next.cancelRequestedAt = now;
  delete next.heldBy;
  if (reason) next.cancellationReason = reason;
  return next;
}

/** Every step of the item is applied: the `itemActivated` milestone. */
export function itemStepsApplied(p: OrderProgress, itemId: string, now: string): OrderProgress {
  if (item(p, itemId).phase !== 'activating' || item(p, itemId).activatedAt) return p;
  const next = copy(p);
  setItem(next, itemId, { activatedAt: now });
  return next;
}

/** An attempt that waited for its NE's budget instead of running does not count. */
export function itemAttemptParked(p: OrderProgress, itemId: string): OrderProgress {
  const current = item(p, itemId);
  if (current.phase !== 'activating' || current.attempts === 0) return p;
  const next = copy(p);
  setItem(next, itemId, { attempts: current.attempts - 1 });
  return next;
}

/** `unconfirmed`: its changes are confirmed commits pending on their NEs, confirmed at the order's end. */
export function itemCompleted(p: OrderProgress, itemId: string, now: string, tested: boolean, unconfirmed = false): OrderProgress {
  const current = item(p, itemId);
  if (current.phase !== 'activating') return p;
  const next = copy(p);
  next.seq += 1;
  setItem(next, itemId, {
    phase: 'activated',
    completedSeq: next.seq,
    finishedAt: now,
    activatedAt: current.activatedAt ?? now,
    ...(tested ? { testedAt: now } : {}),
    ...(unconfirmed ? { unconfirmedAt: now } : {}),
  });
  return next;
}

/** The item's pending confirmed commits are confirmed: it is completed for good. */
export function itemConfirmed(p: OrderProgress, itemId: string): OrderProgress {
  if (item(p, itemId).phase !== 'confirming') return p;
  const next = copy(p);
  const rest: ItemProgress = { ...item(next, itemId), phase: 'activated' };
  delete rest.unconfirmedAt;
  next.items[itemId] = rest;
  return next;
}

export function itemFailed(p: OrderProgress, itemId: string, now: string, code: ErrorCode, message: string): OrderProgress {
  const phase = item(p, itemId).phase;
  if (phase !== 'activating' && phase !== 'aborting' && phase !== 'confirming') return p;
  const next = copy(p);
  setItem(next, itemId, { phase: 'failed', finishedAt: now });
  addError(next, itemId, code, message, now);
  return next;
}

/** The item's worker was lost for good: what it sent is undone before it counts as failed. */
export function itemAborting(p: OrderProgress, itemId: string): OrderProgress {
  if (item(p, itemId).phase !== 'activating') return p;
  const next = copy(p);
  setItem(next, itemId, { phase: 'aborting' });
  return next;
}

function failedItems(p: OrderProgress): string[] {
  return p.itemIds.filter((id) => item(p, id).phase === 'failed');
}

/** The item's undo steps have run (or failed to). */
export function itemCompensated(p: OrderProgress, itemId: string, now: string, failure?: { code: ErrorCode; message: string }): OrderProgress {
  if (item(p, itemId).phase !== 'compensating') return p;
  const next = copy(p);
  if (failure) {
    setItem(next, itemId, { phase: 'compensationFailed', finishedAt: now });
    addError(next, itemId, 'ORDER_COMPENSATION_FAILED', `rollback failed, the network element may hold a remnant: ${failure.message}`, now);
  } else {
    setItem(next, itemId, { phase: 'compensated', finishedAt: now });
    const cause = next.cancelRequestedAt ? 'the order was cancelled' : `item ${failedItems(next).join(', ')} failed`;
    addError(next, itemId, 'ORDER_ITEM_ROLLED_BACK', `rolled back because ${cause}`, now);
  }
  return next;
}

function itemsIn(p: OrderProgress, phases: ReadonlySet<ItemPhase>): string[] {
  return p.itemIds.filter((id) => phases.has(item(p, id).phase));
}

function finish(p: OrderProgress, state: OrderState, now: string): void {
  if (state === 'cancelled') p.cancellationDate = now;
  setState(p, state, now);
}

/**
 * Decides what happens next, from the progress alone: which items can start now that what they
 * rely on has completed, which completed item to roll back, and whether the order is done.
 * Idempotent: calling it again on its own result asks for nothing new.
 */
export function advance(p: OrderProgress, now: string): Advance {
  const none: Advance = { progress: p, activate: [], compensate: [] };
  if (isFinalState(p.state) || (p.startDate === undefined && !p.cancelRequestedAt)) return none;

  const next = copy(p);
  const failed = failedItems(next);
  const halting = next.cancelRequestedAt !== undefined || (next.policy === 'atomic' && failed.length > 0);
  if (next.state === 'assessingCancellation') setState(next, 'pendingCancellation', now);

  if (halting) {
    for (const id of itemsIn(next, new Set(['waiting']))) {
      setItem(next, id, { phase: 'cancelled' });
      const why = next.cancelRequestedAt ? 'the order was cancelled' : `item ${failed.join(', ')} failed`;
      addError(next, id, 'ORDER_ITEM_NOT_STARTED', `not started because ${why}`, now);
    }
    if (itemsIn(next, RUNNING).length > 0) {
      return { progress: next, activate: itemsIn(next, FORWARD), compensate: itemsIn(next, new Set(['compensating'])) };
    }
    const toUndo = itemsIn(next, new Set(['activated'])).sort((a, b) => (item(next, b).completedSeq ?? 0) - (item(next, a).completedSeq ?? 0));
    const first = toUndo[0];
    if (first !== undefined) {
      setItem(next, first, { phase: 'compensating' });
      return { progress: next, activate: [], compensate: [first] };
    }
    const clean = failed.length === 0 && itemsIn(next, new Set(['compensationFailed'])).length === 0;
    finish(next, next.cancelRequestedAt && clean ? 'cancelled' : 'failed', now);
    return { progress: next, activate: [], compensate: [] };
  }

  // Partial policy: an item whose dependency failed (or was cancelled for that reason) cannot run.
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of itemsIn(next, new Set(['waiting']))) {
      const blocker = item(next, id).dependsOn.find((dep) => ['failed', 'cancelled'].includes(item(next, dep).phase));
      if (blocker !== undefined) {
        setItem(next, id, { phase: 'cancelled' });
        addError(next, id, 'ORDER_DEPENDENCY_FAILED', `not started because item ${blocker}, which it relies on, did not complete`, now);
        changed = true;
      }
    }
  }

  // Repeat until nothing more can start: a noChange item completes on the spot and may free
  // items listed before it.
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const id of itemsIn(next, new Set(['waiting']))) {
      const current = item(next, id);
      if (!current.dependsOn.every((dep) => item(next, dep).phase === 'activated')) continue;
      setItem(next, id, { phase: 'activating' });
      if (current.noChange) {
        Object.assign(next, itemCompleted(next, id, now, false));
        progressed = true;
      }
    }
  }
  // Re-dispatch items already activating too: a crash between storing and enqueuing loses no job.
  const activating = itemsIn(next, FORWARD);
  if (activating.length > 0 || itemsIn(next, new Set(['waiting'])).length > 0) {
    return { progress: next, activate: activating, compensate: [] };
  }
  // Everything that could complete did: the order's window closes, its pending commits are confirmed last.
  const toConfirm = itemsIn(next, new Set(['activated'])).filter((id) => item(next, id).unconfirmedAt !== undefined);
  if (toConfirm.length > 0) {
    for (const id of toConfirm) setItem(next, id, { phase: 'confirming' });
    return { progress: next, activate: toConfirm, compensate: [] };
  }
  const completed = itemsIn(next, new Set(['activated'])).length;
  finish(next, completed === next.itemIds.length ? 'completed' : completed === 0 ? 'failed' : 'partial', now);
  return { progress: next, activate: [], compensate: [] };
}

/** Items whose jobs a decision asks for, as (item, kind) pairs. */
export function dispatchOf(decision: Pick<Advance, 'activate' | 'compensate'>, p: OrderProgress): Array<{ itemId: string; kind: 'activate' | 'compensate' | 'abort' | 'confirm' }> {
  const kindOf = (phase: ItemPhase) => (phase === 'aborting' ? ('abort' as const) : phase === 'confirming' ? ('confirm' as const) : ('activate' as const));
  return [
    ...decision.activate.map((itemId) => ({ itemId, kind: kindOf(item(p, itemId).phase) })),
    ...decision.compensate.map((itemId) => ({ itemId, kind: 'compensate' as const })),
  ];
}
