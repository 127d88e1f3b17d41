import type { ErrorCode } from '../errors/index.js';
import { FleetError } from '../errors/index.js';
import { errorMessage, type ItemPhase, type ItemRuntime, type OrderRecord } from './order-record.js';
import { canItemMove, canOrderMove, isFinalState, type ItemState, type OrderState } from './order-states.js';
import type { ServiceOrderItem } from './service-order.js';

/**
 * The order's execution as pure state transitions over an OrderRecord. Every function takes a
 * record and returns a new one (the caller stores it atomically); none does I/O. Workers and
 * the orchestrator call these and then act on what they return.
 */

/** What the orchestrator must enqueue after storing the record `advance` returned. */
export interface Advance {
  record: OrderRecord;
  /** Items to activate (their jobs must exist; re-adding an existing one is harmless). */
  activate: string[];
  /** Items to roll back, one at a time, in reverse order of completion. */
  compensate: string[];
}

const RUNNING: ReadonlySet<ItemPhase> = new Set(['activating', 'compensating']);

function clone(record: OrderRecord): OrderRecord {
  return structuredClone(record);
}

function item(record: OrderRecord, itemId: string): ServiceOrderItem {
  const found = record.order.serviceOrderItem.find((i) => i.id === itemId);
  if (!found) throw new FleetError('ORDER_NOT_FOUND', `order ${record.order.id} has no item ${itemId}`);
  return found;
}

function setItemState(record: OrderRecord, itemId: string, state: ItemState): void {
  const target = item(record, itemId);
  if (!canItemMove(target.state, state)) {
    throw new FleetError('ORDER_INVALID', `item ${itemId} of order ${record.order.id} cannot move from ${target.state} to ${state}`);
  }
  target.state = state;
}

function setOrderState(record: OrderRecord, state: OrderState, now: string): void {
  if (!canOrderMove(record.order.state, state)) {
    throw new FleetError('ORDER_INVALID', `order ${record.order.id} cannot move from ${record.order.state} to ${state}`);
  }
  record.order.state = state;
  if (isFinalState(state)) record.order.completionDate = now;
}

function addItemError(record: OrderRecord, itemId: string, code: ErrorCode, message: string, now: string): void {
  const target = item(record, itemId);
  target.errorMessage = [...(target.errorMessage ?? []), errorMessage('item', code, message, now)];
}

function runtime(record: OrderRecord, itemId: string) {
  const rt = record.items[itemId];
  if (!rt) throw new FleetError('ORDER_NOT_FOUND', `order ${record.order.id} has no item ${itemId}`);
  return rt;
}

/** The requested start has come: the order goes in progress (a no-op if it already has). */
export function startOrder(record: OrderRecord, now: string): OrderRecord {
  if (record.order.state !== 'acknowledged') return record;
  const next = clone(record);
  setOrderState(next, 'inProgress', now);
  next.order.startDate = now;
  return next;
}

/** Cancel requested (TMF641: the order assesses, then accepts, the cancellation). */
export function requestCancel(record: OrderRecord, now: string, reason?: string): OrderRecord {
  if (isFinalState(record.order.state)) {
    throw new FleetError('ORDER_NOT_CANCELLABLE', `order ${record.order.id} is ${record.order.state} and cannot be cancelled`);
  }
  if (record.cancelRequestedAt) return record;
  const next = clone(record);
  setOrderState(next, 'assessingCancellation', now);
  next.cancelRequestedAt = now;
  if (reason) next.cancellationReason = reason;
  return next;
}

/** A worker has begun an activation attempt. Returns undefined when the item is not activating (a stale job). */
export function itemAttemptStarted(
  record: OrderRecord,
  itemId: string,
  now: string,
  neIds: Record<string, string>,
  networkAction?: ItemRuntime['networkAction'],
): OrderRecord | undefined {
  if (runtime(record, itemId).phase !== 'activating') return undefined;
  const next = clone(record);
  const rt = runtime(next, itemId);
  if (networkAction) rt.networkAction = networkAction;
  rt.attempts += 1;
  rt.startedAt ??= now;
  rt.neIds = { ...rt.neIds, ...neIds };
  return next;
}

/** An attempt that waited for its NE's budget instead of running does not count. */
export function itemAttemptParked(record: OrderRecord, itemId: string): OrderRecord {
  if (runtime(record, itemId).phase !== 'activating' || runtime(record, itemId).attempts === 0) return record;
  const next = clone(record);
  runtime(next, itemId).attempts -= 1;
  return next;
}

export function itemCompleted(record: OrderRecord, itemId: string, now: string): OrderRecord {
  const next = clone(record);
  const rt = runtime(next, itemId);
  if (rt.phase !== 'activating') return record;
  next.seq += 1;
  rt.phase = 'activated';
  rt.completedSeq = next.seq;
  rt.finishedAt = now;
  setItemState(next, itemId, 'completed');
  return next;
}

export function itemFailed(record: OrderRecord, itemId: string, now: string, code: ErrorCode, message: string): OrderRecord {
  const next = clone(record);
  const rt = runtime(next, itemId);
  if (rt.phase !== 'activating') return record;
  rt.phase = 'failed';
  rt.finishedAt = now;
  setItemState(next, itemId, 'failed');
  addItemError(next, itemId, code, message, now);
  return next;
}

/** The item's undo steps have run (or failed to). */
export function itemCompensated(record: OrderRecord, itemId: string, now: string, failure?: { code: ErrorCode; message: string }): OrderRecord {
  const next = clone(record);
  const rt = runtime(next, itemId);
  if (rt.phase !== 'compensating') return record;
  rt.finishedAt = now;
  if (failure) {
    rt.phase = 'compensationFailed';
    setItemState(next, itemId, 'failed');
    addItemError(next, itemId, 'ORDER_COMPENSATION_FAILED', `rollback failed, the network element may hold a remnant: ${failure.message}`, now);
  } else {
    rt.phase = 'compensated';
    setItemState(next, itemId, 'cancelled');
    const cause = next.cancelRequestedAt ? 'the order was cancelled' : `item ${failedItems(next).join(', ')} failed`;
    addItemError(next, itemId, 'ORDER_ITEM_ROLLED_BACK', `rolled back because ${cause}`, now);
  }
  return next;
}

function failedItems(record: OrderRecord): string[] {
  return Object.entries(record.items)
    .filter(([, rt]) => rt.phase === 'failed')
    .map(([id]) => id);
}

function itemsIn(record: OrderRecord, phases: ReadonlySet<ItemPhase>): string[] {
  return record.order.serviceOrderItem.map((i) => i.id).filter((id) => phases.has(runtime(record, id).phase));
}

function finish(record: OrderRecord, state: OrderState, now: string): void {
  const failed = itemsIn(record, new Set(['failed', 'compensationFailed']));
  if (state === 'failed' || state === 'partial') {
    record.order.errorMessage = failed.map((id) => {
      const cause = item(record, id).errorMessage?.at(-1)?.message ?? 'failed';
      return errorMessage('order', 'ORDER_ITEM_FAILED', `item ${id} (${runtime(record, id).specId}) failed: ${cause}`, now, [id]);
    });
  }
  if (state === 'cancelled') {
    record.order.cancellationDate = now;
    if (record.cancellationReason) record.order.cancellationReason = record.cancellationReason;
  }
  setOrderState(record, state, now);
}

/**
 * Decides what happens next, from the record alone: which items can start now that what they
 * rely on has completed, which completed item to roll back, and whether the order is done.
 * Idempotent: calling it again on its own result asks for nothing new.
 */
export function advance(record: OrderRecord, now: string): Advance {
  const none = { record, activate: [], compensate: [] };
  const started = record.order.startDate !== undefined;
  if (isFinalState(record.order.state) || (!started && !record.cancelRequestedAt)) return none;

  const next = clone(record);
  const failed = failedItems(next);
  const halting = next.cancelRequestedAt !== undefined || (next.policy === 'atomic' && failed.length > 0);
  if (next.order.state === 'assessingCancellation') setOrderState(next, 'pendingCancellation', now);

  if (halting) {
    for (const id of itemsIn(next, new Set(['waiting']))) {
      runtime(next, id).phase = 'cancelled';
      setItemState(next, id, 'cancelled');
      const why = next.cancelRequestedAt ? 'the order was cancelled' : `item ${failed.join(', ')} failed`;
      addItemError(next, id, 'ORDER_ITEM_NOT_STARTED', `not started because ${why}`, now);
    }
    const running = itemsIn(next, RUNNING);
    if (running.length > 0) {
      return { record: next, activate: itemsIn(next, new Set(['activating'])), compensate: itemsIn(next, new Set(['compensating'])) };
    }
    const toUndo = itemsIn(next, new Set(['activated'])).sort((a, b) => (runtime(next, b).completedSeq ?? 0) - (runtime(next, a).completedSeq ?? 0));
    const first = toUndo[0];
    if (first !== undefined) {
      runtime(next, first).phase = 'compensating';
      return { record: next, activate: [], compensate: [first] };
    }
    const clean = failed.length === 0 && itemsIn(next, new Set(['compensationFailed'])).length === 0;
    finish(next, next.cancelRequestedAt && clean ? 'cancelled' : 'failed', now);
    return { record: next, activate: [], compensate: [] };
  }

  // Partial policy: an item whose dependency failed (or was cancelled for that reason) cannot run.
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of itemsIn(next, new Set(['waiting']))) {
      const blocker = runtime(next, id).dependsOn.find((dep) => ['failed', 'cancelled'].includes(runtime(next, dep).phase));
      if (blocker !== undefined) {
        runtime(next, id).phase = 'cancelled';
        setItemState(next, id, 'cancelled');
        addItemError(next, id, 'ORDER_DEPENDENCY_FAILED', `not started because item ${blocker}, which it relies on, did not complete`, now);
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
      const rt = runtime(next, id);
      if (!rt.dependsOn.every((dep) => runtime(next, dep).phase === 'activated')) continue;
      rt.phase = 'activating';
      setItemState(next, id, 'inProgress');
      if (item(next, id).action === 'noChange') {
        Object.assign(next, itemCompleted(next, id, now));
        progressed = true;
      }
    }
  }
  // Re-dispatch items already activating too: a crash between storing and enqueuing loses no job.
  const activating = itemsIn(next, new Set(['activating']));
  if (activating.length > 0 || itemsIn(next, new Set(['waiting'])).length > 0) {
    return { record: next, activate: activating, compensate: [] };
  }
  const completed = itemsIn(next, new Set(['activated'])).length;
  const total = next.order.serviceOrderItem.length;
  finish(next, completed === total ? 'completed' : completed === 0 ? 'failed' : 'partial', now);
  return { record: next, activate: [], compensate: [] };
}
