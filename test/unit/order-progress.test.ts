import { describe, expect, it } from 'vitest';
import { FleetError } from '../../errors/index.js';
import {
  advance,
  dispatchOf,
  errorMessage,
  holdOrder,
  ITEM_PHASES,
  itemAborting,
  itemAttemptParked,
  itemCompensated,
  itemCompleted,
  itemFailed,
  itemStepsApplied,
  itemTmfState,
  requestCancel,
  startOrder,
  type HeldBy,
  type ItemPhase,
  type OrderProgress,
} from '../../orders/order-progress.js';
import { newOrder, rejectedOrder } from '../../orders/order-record.js';
import { canItemMove, canOrderMove, FINAL_STATES, isFinalState, ORDER_STATES, type ItemState, type OrderState } from '../../orders/order-states.js';
import { milestonesOf } from '../../orders/order-tracking.js';
import { itemStatesOf, serviceOrderView } from '../../orders/order-view.js';
import type { ServiceOrderInput } from '../../orders/service-order.js';
import {
  bundle,
  ctxOf,
  expectDecision,
  fail,
  itemErrors,
  itemState,
  itemStates,
  MSISDN,
  orderItem,
  orderOf,
  succeed,
  T0,
  T1,
  T2,
  T3,
  T4,
  T5,
  T6,
  T7,
  T8,
  validated,
  view,
} from './order-fixtures.js';

/** The progress with one item's fields forced, as a store could hold them. */
function withItem(p: OrderProgress, id: string, change: Partial<OrderProgress['items'][string]>): OrderProgress {
  const current = p.items[id];
  if (!current) throw new Error(`no item ${id}`);
  return { ...p, items: { ...p.items, [id]: { ...current, ...change } } };
}

function caught(fn: () => unknown): FleetError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return error as FleetError;
  }
  throw new Error('expected a FleetError, nothing was thrown');
}

describe('newOrder', () => {
  it('stores the order as posted, a spec per item and the initial progress; the view is acknowledged', () => {
    const o = bundle();
    expect(o.doc).toMatchObject({
      id: 'order-1',
      href: '/tmf-api/serviceOrdering/v4/serviceOrder/order-1',
      externalId: 'crm-42',
      description: 'Mobile bundle',
      orderDate: T0,
      '@type': 'ServiceOrder',
    });
    expect('state' in o.doc).toBe(false);
    expect(o.doc.serviceOrderItem.map((i) => i.id)).toEqual(['number-porting', 'mobile-plan', 'voicemail']);

    const v = view(o, o.progress);
    expect(v).toMatchObject({ id: 'order-1', externalId: 'crm-42', state: 'acknowledged', orderDate: T0, '@type': 'ServiceOrder' });
    expect(v.startDate).toBeUndefined();
    expect(v.completionDate).toBeUndefined();
    expect(v.errorMessage).toBeUndefined();
    expect(v.milestone).toBeUndefined();
    expect(itemStates(o, o.progress)).toEqual([
      ['number-porting', 'acknowledged'],
      ['mobile-plan', 'acknowledged'],
      ['voicemail', 'acknowledged'],
    ]);

    expect(o.progress).toEqual({
      state: 'acknowledged',
      policy: 'atomic',
      seq: 0,
      itemIds: ['number-porting', 'mobile-plan', 'voicemail'],
      items: {
        'number-porting': { phase: 'waiting', dependsOn: [], noChange: false, attempts: 0, errors: [] },
        'mobile-plan': { phase: 'waiting', dependsOn: ['number-porting'], noChange: false, attempts: 0, errors: [] },
        voicemail: { phase: 'waiting', dependsOn: ['mobile-plan'], noChange: false, attempts: 0, errors: [] },
      },
      jeopardy: [],
    });
    expect(o.specs['number-porting']).toEqual({
      specId: 'number-porting',
      lifecycle: 'add',
      serviceId: 'svc-number-porting',
      values: { msisdn: MSISDN, donorOperator: 'Other Mobile', routingNumber: 'D042' },
      dependsOn: [],
      reliesOn: [],
      // What the item asked of its service record: only what says something is kept.
      service: { attributes: { serviceSpecification: { id: 'number-porting' } } },
    });
    expect(o.specs['mobile-plan']).toMatchObject({ dependsOn: ['number-porting'], reliesOn: ['svc-number-porting'], service: { supportingServiceIds: ['svc-number-porting'] } });
    expect(o.specs['voicemail']).toMatchObject({ dependsOn: ['mobile-plan'], reliesOn: ['svc-mobile-plan'] });
  });

  it('drops caller-sent state, errors, dates and activationPolicy; the order policy wins over the default', () => {
    const input: ServiceOrderInput = {
      id: 'caller-id',
      href: '/made/up',
      state: 'completed',
      orderDate: '2020-01-01T00:00:00Z',
      expectedCompletionDate: '2020-01-02T00:00:00Z',
      activationPolicy: 'partial',
      serviceOrderItem: [{ ...orderItem('a', 'voicemail'), state: 'completed', errorMessage: [{ code: 'X' }] }],
    };
    const o = newOrder(input, [validated('a', 'voicemail')], { ...ctxOf('order-9', '/o/9'), expectedCompletionDate: T8 });
    expect(o.doc.id).toBe('order-9');
    expect(o.doc.href).toBe('/o/9');
    expect(o.doc.orderDate).toBe(T0);
    expect(o.doc.expectedCompletionDate).toBe(T8);
    expect('state' in o.doc).toBe(false);
    expect('activationPolicy' in o.doc).toBe(false);
    expect(o.doc.serviceOrderItem[0]).not.toHaveProperty('state');
    expect(o.doc.serviceOrderItem[0]).not.toHaveProperty('errorMessage');
    expect(o.progress.policy).toBe('partial');

    const v = view(o, o.progress);
    expect(v.id).toBe('order-9');
    expect(v.state).toBe('acknowledged');
    expect(v.serviceOrderItem[0]?.state).toBe('acknowledged');
    expect(v.serviceOrderItem[0]?.errorMessage).toBeUndefined();
    expect('activationPolicy' in v).toBe(false);
  });

  it('uses the catalog default policy when the order names none', () => {
    expect(orderOf([orderItem('a', 'voicemail')], undefined, 'partial').progress.policy).toBe('partial');
    expect(orderOf([orderItem('a', 'voicemail')], undefined, 'atomic').progress.policy).toBe('atomic');
  });

  // TMF641 v4.1's ServiceOrder_Create lets a caller set cancellationDate and cancellationReason:
  // they are kept as posted (round-trip fidelity), and the fleet's own cancellation adds none.
  it('keeps cancellationDate and cancellationReason as sent: ServiceOrder_Create lets a caller set them', () => {
    const input: ServiceOrderInput = {
      cancellationDate: '2020-01-01T00:00:00Z',
      cancellationReason: 'made up',
      serviceOrderItem: [orderItem('a', 'voicemail')],
    };
    const o = newOrder(input, [validated('a', 'voicemail')], ctxOf('o', '/o'));
    expect(o.doc).toMatchObject({ cancellationDate: '2020-01-01T00:00:00Z', cancellationReason: 'made up' });
    expect(o.progress.cancellationReason).toBeUndefined();
    const v = view(o, o.progress);
    expect(v.cancellationDate).toBe('2020-01-01T00:00:00Z');
    expect(v.cancellationReason).toBe('made up');
  });

  it('uses the service id validation found, and dependents rely on it', () => {
    const items = [orderItem('a', 'voicemail'), orderItem('b', 'voicemail', ['a'])];
    const o = newOrder({ serviceOrderItem: items }, [{ ...validated('a', 'voicemail'), serviceId: 'existing-7' }, validated('b', 'voicemail')], ctxOf('o', '/o'));
    expect(o.specs['a']?.serviceId).toBe('existing-7');
    expect(o.specs['b']).toMatchObject({ serviceId: 'svc-b', dependsOn: ['a'], reliesOn: ['existing-7'] });
  });

  it('marks noChange items in the progress', () => {
    const o = orderOf([orderItem('keep', 'voicemail', [], 'noChange'), orderItem('b', 'voicemail', ['keep'])]);
    expect(o.progress.items['keep']?.noChange).toBe(true);
    expect(o.progress.items['b']?.noChange).toBe(false);
  });
});

describe('rejectedOrder', () => {
  it('stores a rejected order with every reason, per order and per item', () => {
    const o = rejectedOrder(
      { externalId: 'ext-7', serviceOrderItem: [{ id: 'a' }, { id: 'b' }, { notAnId: 1 }] },
      [
        { code: 'ORDER_INVALID', message: 'priority: bad' },
        { code: 'ORDER_UNKNOWN_SPECIFICATION', message: 'unknown service specification nope', itemId: 'b' },
      ],
      { id: 'order-r', href: '/o/r', now: T0 },
    );
    expect(o.progress.state).toBe('rejected');
    expect(o.specs).toEqual({});
    const v = serviceOrderView(o.doc, o.progress, o.specs);
    expect(v.state).toBe('rejected');
    expect(v.completionDate).toBe(T0);
    expect(v.externalId).toBe('ext-7');
    expect(v.errorMessage?.map((e) => [e.code, e.message, e.serviceOrderItem, e['@type']])).toEqual([
      ['ORDER_INVALID', 'priority: bad', undefined, 'ServiceOrderErrorMessage'],
      ['ORDER_UNKNOWN_SPECIFICATION', 'unknown service specification nope', [{ itemId: 'b' }], 'ServiceOrderErrorMessage'],
    ]);
    expect(v.serviceOrderItem.map((i) => [i.id, i.state, i.errorMessage?.length ?? 0])).toEqual([
      ['a', 'rejected', 0],
      ['b', 'rejected', 1],
    ]);
    expect(v.serviceOrderItem[1]?.errorMessage?.[0]).toEqual({
      code: 'ORDER_UNKNOWN_SPECIFICATION',
      reason: 'ORDER_UNKNOWN_SPECIFICATION',
      message: 'unknown service specification nope',
      timestamp: T0,
      '@type': 'ServiceOrderItemErrorMessage',
    });
    // A rejected order is final: nothing runs, nothing can be cancelled.
    expect(advance(o.progress, T1).progress).toBe(o.progress);
    expect(caught(() => requestCancel(o.progress, T1)).code).toBe('ORDER_NOT_CANCELLABLE');
  });

  it.each<[string, unknown]>([
    ['a string', 'garbage'],
    ['null', null],
    ['a number', 42],
    ['an array', [1, 2]],
  ])('survives input that is %s', (_label, input) => {
    const o = rejectedOrder(input, [{ code: 'ORDER_INVALID', message: '(root): expected object' }], { id: 'x', href: '/x', now: T0 });
    const v = serviceOrderView(o.doc, o.progress);
    expect(v.serviceOrderItem).toEqual([]);
    expect(v.state).toBe('rejected');
    expect(v.errorMessage?.map((e) => e.message)).toEqual(['(root): expected object']);
  });

  it('keeps only usable item ids: strings of sane length, once each', () => {
    const o = rejectedOrder({ serviceOrderItem: [null, 5, { id: 7 }, { id: 'a' }, { id: 'a' }, { id: 'x'.repeat(300) }] }, [], { id: 'x', href: '/x', now: T0 });
    expect(o.doc.serviceOrderItem.map((i) => i.id)).toEqual(['a']);
    expect(o.progress.itemIds).toEqual(['a']);
  });

  // Regression test (was a bug): '@type' was picked from whether item ids were given, not from
  // where the message sits: an order-level reason without itemId landed on the order typed
  // 'ServiceOrderItemErrorMessage'. TMF641 types ServiceOrder.errorMessage as ServiceOrderErrorMessage.
  it('types every order-level error message as ServiceOrderErrorMessage', () => {
    const o = rejectedOrder({}, [{ code: 'ORDER_INVALID', message: 'serviceOrderItem: required' }], { id: 'x', href: '/x', now: T0 });
    expect(serviceOrderView(o.doc, o.progress).errorMessage?.[0]?.['@type']).toBe('ServiceOrderErrorMessage');
  });
});

describe('errorMessage and itemTmfState', () => {
  it('builds a TMF error message typed by where it sits', () => {
    expect(errorMessage('order', 'ORDER_ITEM_FAILED', 'boom', T1, ['a'])).toEqual({
      code: 'ORDER_ITEM_FAILED',
      reason: 'ORDER_ITEM_FAILED',
      message: 'boom',
      timestamp: T1,
      serviceOrderItem: [{ itemId: 'a' }],
      '@type': 'ServiceOrderErrorMessage',
    });
    const onItem = errorMessage('item', 'NE_TIMEOUT', 'late', T1);
    expect(onItem['@type']).toBe('ServiceOrderItemErrorMessage');
    expect(onItem).not.toHaveProperty('serviceOrderItem');
  });

  it('maps every phase to its TMF state', () => {
    const expected: Record<ItemPhase, ItemState> = {
      waiting: 'acknowledged',
      activating: 'inProgress',
      aborting: 'inProgress',
      confirming: 'inProgress',
      activated: 'completed',
      // Still completed to TMF until its undo steps have run.
      compensating: 'completed',
      failed: 'failed',
      compensationFailed: 'failed',
      compensated: 'cancelled',
      cancelled: 'cancelled',
    };
    expect(Object.fromEntries(ITEM_PHASES.map((phase) => [phase, itemTmfState(phase)]))).toEqual(expected);
  });
});

describe('advance: a three-item bundle that succeeds', () => {
  it('runs the items one after the other and completes the order', () => {
    const o = bundle();
    let p = o.progress;
    // Nothing happens before the order has started.
    const before = advance(p, T0);
    expect(before).toEqual({ progress: p, activate: [], compensate: [] });
    expect(before.progress).toBe(p);

    p = startOrder(p, T1);
    expect(p.state).toBe('inProgress');
    expect(view(o, p)).toMatchObject({ state: 'inProgress', startDate: T1 });
    expect(startOrder(p, T2)).toBe(p);

    p = expectDecision(advance(p, T1), ['number-porting'], []);
    expect(p.state).toBe('inProgress');
    expect(p.items['number-porting']?.phase).toBe('activating');
    expect(itemStates(o, p)).toEqual([
      ['number-porting', 'inProgress'],
      ['mobile-plan', 'acknowledged'],
      ['voicemail', 'acknowledged'],
    ]);

    p = succeed(p, 'number-porting', T3);
    expect(itemState(o, p, 'number-porting')).toBe('completed');
    expect(p.items['number-porting']).toMatchObject({ phase: 'activated', completedSeq: 1, finishedAt: T3 });
    expect(p.seq).toBe(1);

    p = expectDecision(advance(p, T3), ['mobile-plan'], []);
    expect(itemState(o, p, 'mobile-plan')).toBe('inProgress');
    expect(itemState(o, p, 'voicemail')).toBe('acknowledged');

    p = succeed(p, 'mobile-plan', T4);
    p = expectDecision(advance(p, T4), ['voicemail'], []);
    p = succeed(p, 'voicemail', T5);
    expect(p.items['voicemail']?.completedSeq).toBe(3);

    p = expectDecision(advance(p, T6), [], []);
    const v = view(o, p);
    expect(v.state).toBe('completed');
    expect(v.completionDate).toBe(T6);
    expect(v.errorMessage).toBeUndefined();
    expect(v.serviceOrderItem.every((i) => i.state === 'completed' && i.errorMessage === undefined)).toBe(true);

    // Final: advancing again changes nothing.
    const again = advance(p, T7);
    expect(again).toEqual({ progress: p, activate: [], compensate: [] });
    expect(again.progress).toBe(p);
  });

  it('never mutates the progress it is given', () => {
    const o = bundle();
    const seen: Array<{ input: OrderProgress; snapshot: OrderProgress }> = [];
    const step = (p: OrderProgress, fn: (q: OrderProgress) => OrderProgress): OrderProgress => {
      seen.push({ input: p, snapshot: structuredClone(p) });
      return fn(p);
    };
    let p = step(o.progress, (q) => holdOrder(q, { serviceId: 'svc-voicemail', orderId: 'order-0', since: T1 }));
    p = step(p, (q) => startOrder(q, T1));
    p = step(p, (q) => advance(q, T1).progress);
    p = step(p, (q) => withItem(q, 'number-porting', { attempts: 1 }));
    p = step(p, (q) => itemAttemptParked(q, 'number-porting'));
    p = step(p, (q) => itemStepsApplied(q, 'number-porting', T2));
    p = step(p, (q) => itemCompleted(q, 'number-porting', T2, true));
    p = step(p, (q) => advance(q, T2).progress);
    p = step(p, (q) => itemAborting(q, 'mobile-plan'));
    p = step(p, (q) => itemFailed(q, 'mobile-plan', T3, 'ORDER_EXECUTION_LOST', 'lost'));
    p = step(p, (q) => advance(q, T3).progress);
    p = step(p, (q) => itemCompensated(q, 'number-porting', T4));
    p = step(p, (q) => advance(q, T5).progress);
    expect(p.state).toBe('failed');
    expect(seen).toHaveLength(13);
    // Every transition left the progress it was given as it was.
    for (const { input, snapshot } of seen) expect(input).toEqual(snapshot);
    const cancelled = requestCancel(o.progress, T1, 'why');
    expect(o.progress.cancelRequestedAt).toBeUndefined();
    expect(cancelled.cancelRequestedAt).toBe(T1);
  });

  it('starts independent items together', () => {
    let p = startOrder(orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail'), orderItem('c', 'voicemail', ['a', 'b'])]).progress, T1);
    p = expectDecision(advance(p, T1), ['a', 'b'], []);
    p = succeed(p, 'a', T2);
    // c still waits for b; b is re-listed because it is still activating.
    p = expectDecision(advance(p, T2), ['b'], []);
    expect(p.items['c']?.phase).toBe('waiting');
    p = succeed(p, 'b', T3);
    expectDecision(advance(p, T3), ['c'], []);
  });
});

describe('advance: idempotence', () => {
  it('re-lists only the items already activating when called on its own result', () => {
    let p = startOrder(bundle().progress, T1);
    p = expectDecision(advance(p, T1), ['number-porting'], []);
    const again = advance(p, T2);
    // The same job again (the job id makes it harmless), nothing new, the progress unchanged in substance.
    expect(again.activate).toEqual(['number-porting']);
    expect(again.compensate).toEqual([]);
    expect(again.progress).toEqual(p);
  });

  it('re-lists the item being compensated, and only it', () => {
    let p = startOrder(bundle().progress, T1);
    p = advance(p, T1).progress;
    p = succeed(p, 'number-porting', T2);
    p = advance(p, T2).progress;
    p = fail(p, 'mobile-plan', T3);
    p = expectDecision(advance(p, T3), [], ['number-porting']);
    const again = advance(p, T4);
    expect(again.compensate).toEqual(['number-porting']);
    expect(again.activate).toEqual([]);
    expect(again.progress).toEqual(p);
  });

  it('ignores settlements for items that are not running', () => {
    let p = startOrder(bundle().progress, T1);
    p = advance(p, T1).progress;
    // mobile-plan is still waiting: stale reports change nothing.
    expect(itemCompleted(p, 'mobile-plan', T2, true)).toBe(p);
    expect(itemFailed(p, 'mobile-plan', T2, 'NE_TIMEOUT', 'late')).toBe(p);
    expect(itemCompensated(p, 'mobile-plan', T2)).toBe(p);
    expect(itemStepsApplied(p, 'mobile-plan', T2)).toBe(p);
    expect(itemAborting(p, 'mobile-plan')).toBe(p);
    expect(itemAttemptParked(withItem(p, 'mobile-plan', { attempts: 1 }), 'mobile-plan').items['mobile-plan']?.attempts).toBe(1);
    p = succeed(p, 'number-porting', T2);
    // A duplicate completion is ignored too, and does not bump the sequence; a late failure neither.
    expect(itemCompleted(p, 'number-porting', T3, true)).toBe(p);
    expect(itemFailed(p, 'number-porting', T3, 'NE_TIMEOUT', 'late')).toBe(p);
    expect(itemCompensated(p, 'number-porting', T3)).toBe(p);
    expect(p.seq).toBe(1);
  });

  it.each<[string, (p: OrderProgress) => unknown]>([
    ['itemCompleted', (p) => itemCompleted(p, 'ghost', T2, true)],
    ['itemFailed', (p) => itemFailed(p, 'ghost', T2, 'NE_TIMEOUT', 'x')],
    ['itemCompensated', (p) => itemCompensated(p, 'ghost', T2)],
    ['itemStepsApplied', (p) => itemStepsApplied(p, 'ghost', T2)],
    ['itemAttemptParked', (p) => itemAttemptParked(p, 'ghost')],
    ['itemAborting', (p) => itemAborting(p, 'ghost')],
    ['dispatchOf', (p) => dispatchOf({ activate: ['ghost'], compensate: [] }, p)],
  ])('%s refuses an item the order does not have with ORDER_NOT_FOUND', (_name, call) => {
    const p = startOrder(bundle().progress, T1);
    const error = caught(() => call(p));
    expect(error.code).toBe('ORDER_NOT_FOUND');
    expect(error.message).toBe('the order has no item ghost');
  });
});

describe('advance: atomic failure', () => {
  it('cancels what has not started, rolls back what completed, then fails the order', () => {
    const o = bundle();
    let p = startOrder(o.progress, T1);
    p = advance(p, T1).progress;
    p = succeed(p, 'number-porting', T2);
    p = advance(p, T2).progress;
    p = fail(p, 'mobile-plan', T3, 'pcrf-1: % Invalid plan');
    expect(itemState(o, p, 'mobile-plan')).toBe('failed');
    expect(itemErrors(o, p, 'mobile-plan').map((e) => [e.code, e.message])).toEqual([['NE_COMMAND_REJECTED', 'pcrf-1: % Invalid plan']]);

    p = expectDecision(advance(p, T4), [], ['number-porting']);
    expect(p.state).toBe('inProgress');
    expect(itemState(o, p, 'voicemail')).toBe('cancelled');
    expect(p.items['voicemail']?.phase).toBe('cancelled');
    expect(itemErrors(o, p, 'voicemail').map((e) => [e.code, e.message])).toEqual([['ORDER_ITEM_NOT_STARTED', 'not started because item mobile-plan failed']]);
    // Still completed to TMF until its undo steps have run.
    expect(itemState(o, p, 'number-porting')).toBe('completed');
    expect(p.items['number-porting']?.phase).toBe('compensating');

    p = itemCompensated(p, 'number-porting', T5);
    expect(itemState(o, p, 'number-porting')).toBe('cancelled');
    expect(p.items['number-porting']?.phase).toBe('compensated');
    expect(itemErrors(o, p, 'number-porting').map((e) => [e.code, e.message])).toEqual([['ORDER_ITEM_ROLLED_BACK', 'rolled back because item mobile-plan failed']]);

    p = expectDecision(advance(p, T6), [], []);
    const v = view(o, p);
    expect(v.state).toBe('failed');
    expect(v.completionDate).toBe(T6);
    expect(v.cancellationDate).toBeUndefined();
    expect(v.errorMessage).toEqual([
      {
        code: 'ORDER_ITEM_FAILED',
        reason: 'ORDER_ITEM_FAILED',
        message: 'item mobile-plan (mobile-plan) failed: pcrf-1: % Invalid plan',
        timestamp: T6,
        serviceOrderItem: [{ itemId: 'mobile-plan' }],
        '@type': 'ServiceOrderErrorMessage',
      },
    ]);
  });

  it('fails at once when the first item fails (nothing to roll back)', () => {
    const o = bundle();
    let p = startOrder(o.progress, T1);
    p = advance(p, T1).progress;
    p = fail(p, 'number-porting', T2);
    p = expectDecision(advance(p, T3), [], []);
    const v = view(o, p);
    expect(v.state).toBe('failed');
    expect(itemState(o, p, 'mobile-plan')).toBe('cancelled');
    expect(itemState(o, p, 'voicemail')).toBe('cancelled');
    expect(v.errorMessage?.map((e) => e.serviceOrderItem)).toEqual([[{ itemId: 'number-porting' }]]);
  });

  it('waits for an independent item still activating before rolling back', () => {
    let p = startOrder(orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail'), orderItem('c', 'voicemail')]).progress, T1);
    p = expectDecision(advance(p, T1), ['a', 'b', 'c'], []);
    p = succeed(p, 'a', T2);
    p = fail(p, 'b', T3);
    // c is still running: no rollback yet, c re-listed.
    p = expectDecision(advance(p, T3), ['c'], []);
    expect(p.items['a']?.phase).toBe('activated');
    p = succeed(p, 'c', T4);
    expectDecision(advance(p, T4), [], ['c']);
  });

  it('rolls back in reverse order of completion, one item at a time', () => {
    const o = orderOf([orderItem('first', 'voicemail'), orderItem('second', 'voicemail'), orderItem('third', 'voicemail')]);
    let p = startOrder(o.progress, T1);
    p = expectDecision(advance(p, T1), ['first', 'second', 'third'], []);
    // Completion order differs from item order: second, then first.
    p = succeed(p, 'second', T2);
    p = succeed(p, 'first', T3);
    expect(p.items['second']?.completedSeq).toBe(1);
    expect(p.items['first']?.completedSeq).toBe(2);
    p = fail(p, 'third', T4);

    p = expectDecision(advance(p, T5), [], ['first']);
    expect(p.items['second']?.phase).toBe('activated');
    p = itemCompensated(p, 'first', T5);
    p = expectDecision(advance(p, T6), [], ['second']);
    p = itemCompensated(p, 'second', T6);
    p = expectDecision(advance(p, T7), [], []);
    expect(view(o, p).state).toBe('failed');
    expect(itemStates(o, p)).toEqual([
      ['first', 'cancelled'],
      ['second', 'cancelled'],
      ['third', 'failed'],
    ]);
  });

  it('marks an item whose rollback failed as failed and fails the order with both causes', () => {
    const o = bundle();
    let p = startOrder(o.progress, T1);
    p = advance(p, T1).progress;
    p = succeed(p, 'number-porting', T2);
    p = advance(p, T2).progress;
    p = fail(p, 'mobile-plan', T3, 'boom');
    p = expectDecision(advance(p, T3), [], ['number-porting']);
    p = itemCompensated(p, 'number-porting', T4, { code: 'NE_TIMEOUT', message: 'npdb-1: no answer' });
    expect(itemState(o, p, 'number-porting')).toBe('failed');
    expect(p.items['number-porting']?.phase).toBe('compensationFailed');
    expect(itemErrors(o, p, 'number-porting').map((e) => [e.code, e.message])).toEqual([
      ['ORDER_COMPENSATION_FAILED', 'rollback failed, the network element may hold a remnant: npdb-1: no answer'],
    ]);
    p = expectDecision(advance(p, T5), [], []);
    const v = view(o, p);
    expect(v.state).toBe('failed');
    expect(v.errorMessage?.map((e) => [e.code, e.serviceOrderItem?.[0]?.itemId, e.message])).toEqual([
      ['ORDER_ITEM_FAILED', 'number-porting', 'item number-porting (number-porting) failed: rollback failed, the network element may hold a remnant: npdb-1: no answer'],
      ['ORDER_ITEM_FAILED', 'mobile-plan', 'item mobile-plan (mobile-plan) failed: boom'],
    ]);
  });
});

describe('advance: partial policy', () => {
  it('keeps what completed when an independent item fails: partial', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail')], 'partial');
    let p = startOrder(o.progress, T1);
    p = expectDecision(advance(p, T1), ['a', 'b'], []);
    p = succeed(p, 'a', T2);
    p = fail(p, 'b', T3, 'vms-1: noAccess');
    p = expectDecision(advance(p, T4), [], []);
    const v = view(o, p);
    expect(v.state).toBe('partial');
    expect(v.completionDate).toBe(T4);
    expect(itemState(o, p, 'a')).toBe('completed');
    expect(p.items['a']?.phase).toBe('activated');
    expect(v.errorMessage?.map((e) => [e.code, e.message])).toEqual([['ORDER_ITEM_FAILED', 'item b (voicemail) failed: vms-1: noAccess']]);
  });

  it('cancels the dependents (transitively) of a failed item and runs the rest', () => {
    const o = orderOf(
      [orderItem('porting', 'number-porting'), orderItem('plan', 'mobile-plan', ['porting']), orderItem('vm', 'voicemail', ['plan']), orderItem('other', 'voicemail')],
      'partial',
    );
    let p = startOrder(o.progress, T1);
    p = expectDecision(advance(p, T1), ['porting', 'other'], []);
    p = fail(p, 'porting', T2);
    p = expectDecision(advance(p, T2), ['other'], []);
    expect(itemState(o, p, 'plan')).toBe('cancelled');
    expect(itemState(o, p, 'vm')).toBe('cancelled');
    expect(itemErrors(o, p, 'plan').map((e) => [e.code, e.message])).toEqual([
      ['ORDER_DEPENDENCY_FAILED', 'not started because item porting, which it relies on, did not complete'],
    ]);
    expect(itemErrors(o, p, 'vm').map((e) => [e.code, e.message])).toEqual([['ORDER_DEPENDENCY_FAILED', 'not started because item plan, which it relies on, did not complete']]);
    p = succeed(p, 'other', T3);
    p = expectDecision(advance(p, T3), [], []);
    const v = view(o, p);
    expect(v.state).toBe('partial');
    // Only the item that failed is named as the cause.
    expect(v.errorMessage?.map((e) => e.serviceOrderItem?.[0]?.itemId)).toEqual(['porting']);
  });

  it('fails the order when nothing completed', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail', ['a'])], 'partial');
    let p = startOrder(o.progress, T1);
    p = advance(p, T1).progress;
    p = fail(p, 'a', T2);
    p = expectDecision(advance(p, T2), [], []);
    expect(view(o, p).state).toBe('failed');
    expect(itemState(o, p, 'b')).toBe('cancelled');
  });

  it('fails the order when every item failed', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail')], 'partial');
    let p = startOrder(o.progress, T1);
    p = advance(p, T1).progress;
    p = fail(p, 'a', T2);
    p = fail(p, 'b', T3);
    p = expectDecision(advance(p, T3), [], []);
    const v = view(o, p);
    expect(v.state).toBe('failed');
    expect(v.errorMessage?.map((e) => e.serviceOrderItem?.[0]?.itemId)).toEqual(['a', 'b']);
  });

  it('does not roll back completed items', () => {
    const o = bundle('partial');
    let p = startOrder(o.progress, T1);
    p = advance(p, T1).progress;
    p = succeed(p, 'number-porting', T2);
    p = advance(p, T2).progress;
    p = fail(p, 'mobile-plan', T3);
    const d = advance(p, T3);
    expect(d.compensate).toEqual([]);
    expect(d.progress.state).toBe('partial');
    expect(itemState(o, d.progress, 'number-porting')).toBe('completed');
    expect(itemErrors(o, d.progress, 'voicemail')[0]?.code).toBe('ORDER_DEPENDENCY_FAILED');
  });
});

describe('cancellation', () => {
  it('cancels an order before it starts: nothing is dispatched', () => {
    const o = bundle();
    let p = requestCancel(o.progress, T1, 'customer changed their mind');
    expect(p.state).toBe('assessingCancellation');
    expect(view(o, p).state).toBe('assessingCancellation');
    expect(p.cancelRequestedAt).toBe(T1);
    expect(p.cancellationReason).toBe('customer changed their mind');
    // The reason shows only once the order is cancelled.
    expect(view(o, p).cancellationReason).toBeUndefined();
    // A second request is a no-op.
    expect(requestCancel(p, T2)).toBe(p);
    // The scheduled start comes too late.
    expect(startOrder(p, T2)).toBe(p);

    p = expectDecision(advance(p, T2), [], []);
    const v = view(o, p);
    expect(v.state).toBe('cancelled');
    expect(v.cancellationDate).toBe(T2);
    expect(v.completionDate).toBe(T2);
    expect(v.cancellationReason).toBe('customer changed their mind');
    expect(v.errorMessage).toBeUndefined();
    for (const i of v.serviceOrderItem) {
      expect(i.state).toBe('cancelled');
      expect(i.errorMessage?.map((e) => [e.code, e.message])).toEqual([['ORDER_ITEM_NOT_STARTED', 'not started because the order was cancelled']]);
    }
  });

  it('cancels in flight: the running item finishes, is rolled back, the rest never starts', () => {
    const o = bundle();
    let p = startOrder(o.progress, T1);
    p = advance(p, T1).progress;
    p = itemStepsApplied(p, 'number-porting', T2);
    p = requestCancel(p, T3);
    expect(p.state).toBe('assessingCancellation');
    expect(p.cancellationReason).toBeUndefined();

    p = expectDecision(advance(p, T3), ['number-porting'], []);
    expect(view(o, p).state).toBe('pendingCancellation');
    expect(itemStates(o, p)).toEqual([
      ['number-porting', 'inProgress'],
      ['mobile-plan', 'cancelled'],
      ['voicemail', 'cancelled'],
    ]);

    p = itemCompleted(p, 'number-porting', T4, true);
    p = expectDecision(advance(p, T4), [], ['number-porting']);
    expect(p.state).toBe('pendingCancellation');
    expect(itemState(o, p, 'number-porting')).toBe('completed');

    p = itemCompensated(p, 'number-porting', T5);
    expect(itemErrors(o, p, 'number-porting').map((e) => e.message)).toEqual(['rolled back because the order was cancelled']);
    p = expectDecision(advance(p, T6), [], []);
    const v = view(o, p);
    expect(v.state).toBe('cancelled');
    expect(v.cancellationDate).toBe(T6);
    expect(v.completionDate).toBe(T6);
    expect(v.cancellationReason).toBeUndefined();
    expect(v.errorMessage).toBeUndefined();
    expect(v.serviceOrderItem.every((i) => i.state === 'cancelled')).toBe(true);
    expect(caught(() => requestCancel(p, T8)).code).toBe('ORDER_NOT_CANCELLABLE');
  });

  it('fails a cancelled order whose rollback failed', () => {
    const o = orderOf([orderItem('a', 'voicemail')]);
    let p = startOrder(o.progress, T1);
    p = advance(p, T1).progress;
    p = succeed(p, 'a', T2);
    p = requestCancel(p, T3);
    p = expectDecision(advance(p, T3), [], ['a']);
    p = itemCompensated(p, 'a', T4, { code: 'NE_TIMEOUT', message: 'gone' });
    p = expectDecision(advance(p, T5), [], []);
    const v = view(o, p);
    expect(v.state).toBe('failed');
    expect(v.cancellationDate).toBeUndefined();
    expect(v.errorMessage?.[0]?.code).toBe('ORDER_ITEM_FAILED');
  });

  it.each(['completed', 'failed', 'partial', 'cancelled', 'rejected'] as const)('refuses to cancel a %s order with ORDER_NOT_CANCELLABLE', (state) => {
    const p: OrderProgress = { ...bundle().progress, state };
    const error = caught(() => requestCancel(p, T1));
    expect(error.code).toBe('ORDER_NOT_CANCELLABLE');
    expect(error.message).toBe(`the order is ${state} and cannot be cancelled`);
    expect(error.transient).toBe(false);
  });
});

describe('holdOrder: an order waiting for another one', () => {
  const heldBy: HeldBy = { serviceId: 'svc-a', orderId: 'order-0', since: T1 };
  const waitingText = 'waiting for order order-0, which is changing service svc-a; this order starts when that one ends';

  it('goes pending, and the view shows why on the order and on the item whose service is busy', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail')]);
    const p = holdOrder(o.progress, heldBy);
    expect(p.state).toBe('pending');
    expect(p.heldBy).toEqual(heldBy);
    expect(p.completionDate).toBeUndefined();
    expect(o.progress.heldBy).toBeUndefined();

    const v = view(o, p);
    expect(v.state).toBe('pending');
    expect(v.errorMessage).toEqual([
      { code: 'ORDER_WAITING_FOR_SERVICE', reason: 'ORDER_WAITING_FOR_SERVICE', message: waitingText, timestamp: T1, status: 'pending', '@type': 'ServiceOrderErrorMessage' },
    ]);
    expect(itemStates(o, p)).toEqual([
      ['a', 'pending'],
      ['b', 'acknowledged'],
    ]);
    expect(itemErrors(o, p, 'a')).toEqual([
      { code: 'ORDER_WAITING_FOR_SERVICE', reason: 'ORDER_WAITING_FOR_SERVICE', message: waitingText, timestamp: T1, status: 'pending', '@type': 'ServiceOrderItemErrorMessage' },
    ]);
    expect(v.serviceOrderItem[1]?.errorMessage).toBeUndefined();
    expect(itemStatesOf(p, (id) => o.specs[id]?.serviceId)).toEqual({ a: 'pending', b: 'acknowledged' });
    // Still waiting: nothing runs.
    expect(advance(p, T2)).toEqual({ progress: p, activate: [], compensate: [] });
  });

  it('can be held again by another order, but not once it runs', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail')]);
    const other: HeldBy = { serviceId: 'svc-b', orderId: 'order-5', since: T2 };
    const p = holdOrder(holdOrder(o.progress, heldBy), other);
    expect(p.heldBy).toEqual(other);
    expect(itemStates(o, p)).toEqual([
      ['a', 'acknowledged'],
      ['b', 'pending'],
    ]);
    const running = startOrder(o.progress, T1);
    expect(holdOrder(running, other)).toBe(running);
  });

  it('startOrder from pending clears heldBy and the waiting message', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail')]);
    let p = startOrder(holdOrder(o.progress, heldBy), T3);
    expect(p.state).toBe('inProgress');
    expect(p.startDate).toBe(T3);
    expect(p.heldBy).toBeUndefined();
    const v = view(o, p);
    expect(v.errorMessage).toBeUndefined();
    expect(v.serviceOrderItem.every((i) => i.state === 'acknowledged' && i.errorMessage === undefined)).toBe(true);
    p = expectDecision(advance(p, T3), ['a', 'b'], []);
    expect(itemStates(o, p)).toEqual([
      ['a', 'inProgress'],
      ['b', 'inProgress'],
    ]);
  });

  it('a cancel request while pending clears heldBy and cancels the order', () => {
    const o = orderOf([orderItem('a', 'voicemail')]);
    let p = requestCancel(holdOrder(o.progress, heldBy), T2);
    expect(p.state).toBe('assessingCancellation');
    expect(p.heldBy).toBeUndefined();
    expect(itemState(o, p, 'a')).toBe('acknowledged');
    p = expectDecision(advance(p, T3), [], []);
    expect(view(o, p).state).toBe('cancelled');
  });
});

describe('an item whose worker was lost: itemAborting', () => {
  it('is re-dispatched as an abort, then fails, and the bundle rolls back', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail')]);
    let p = startOrder(o.progress, T1);
    p = expectDecision(advance(p, T1), ['a', 'b'], []);
    p = succeed(p, 'b', T2);
    p = itemAborting(p, 'a');
    expect(p.items['a']?.phase).toBe('aborting');
    expect(itemState(o, p, 'a')).toBe('inProgress');
    // Only an activating item aborts; an aborting one completes no more.
    expect(itemAborting(p, 'a')).toBe(p);
    expect(itemAborting(p, 'b')).toBe(p);
    expect(itemCompleted(p, 'a', T3, true)).toBe(p);
    expect(itemStepsApplied(p, 'a', T3)).toBe(p);

    const d = advance(p, T3);
    p = expectDecision(d, ['a'], []);
    expect(dispatchOf(d, d.progress)).toEqual([{ itemId: 'a', kind: 'abort' }]);

    p = itemFailed(p, 'a', T4, 'ORDER_EXECUTION_LOST', "the item's worker was lost; nothing had been sent");
    expect(p.items['a']).toMatchObject({ phase: 'failed', finishedAt: T4 });
    expect(itemErrors(o, p, 'a').map((e) => [e.code, e.message])).toEqual([['ORDER_EXECUTION_LOST', "the item's worker was lost; nothing had been sent"]]);

    const rollback = advance(p, T4);
    p = expectDecision(rollback, [], ['b']);
    expect(dispatchOf(rollback, rollback.progress)).toEqual([{ itemId: 'b', kind: 'compensate' }]);
    p = itemCompensated(p, 'b', T5);
    p = expectDecision(advance(p, T6), [], []);
    expect(view(o, p).state).toBe('failed');
    expect(itemStates(o, p)).toEqual([
      ['a', 'failed'],
      ['b', 'cancelled'],
    ]);
  });

  it('keeps a rollback waiting while an item aborts', () => {
    let p = startOrder(orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail'), orderItem('c', 'voicemail')]).progress, T1);
    p = advance(p, T1).progress;
    p = succeed(p, 'a', T2);
    p = fail(p, 'b', T2);
    p = itemAborting(p, 'c');
    const d = advance(p, T3);
    expectDecision(d, ['c'], []);
    expect(dispatchOf(d, d.progress)).toEqual([{ itemId: 'c', kind: 'abort' }]);
  });
});

describe('dispatchOf', () => {
  it('maps each decided item to its job kind: activate, abort (aborting items) or compensate', () => {
    let p = startOrder(orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail'), orderItem('c', 'voicemail')]).progress, T1);
    p = advance(p, T1).progress;
    p = itemAborting(p, 'b');
    expect(dispatchOf({ activate: ['a', 'b'], compensate: ['c'] }, p)).toEqual([
      { itemId: 'a', kind: 'activate' },
      { itemId: 'b', kind: 'abort' },
      { itemId: 'c', kind: 'compensate' },
    ]);
    expect(dispatchOf({ activate: [], compensate: [] }, p)).toEqual([]);
  });
});

describe('itemAttemptParked', () => {
  it('takes back an attempt that waited for its NE budget instead of running', () => {
    const o = orderOf([orderItem('a', 'voicemail')]);
    let p = startOrder(o.progress, T1);
    p = advance(p, T1).progress;
    // The store counts the attempt when it starts.
    const started = withItem(p, 'a', { attempts: 2 });
    const parked = itemAttemptParked(started, 'a');
    expect(parked.items['a']).toMatchObject({ phase: 'activating', attempts: 1 });
    expect(started.items['a']?.attempts).toBe(2);
    expect(view(o, parked)).toEqual(view(o, started));
    expect(itemAttemptParked(itemAttemptParked(parked, 'a'), 'a').items['a']?.attempts).toBe(0);
  });

  it('never counts below zero, and leaves items that are not activating alone', () => {
    let p = startOrder(orderOf([orderItem('a', 'voicemail')]).progress, T1);
    p = advance(p, T1).progress;
    expect(p.items['a']?.attempts).toBe(0);
    expect(itemAttemptParked(p, 'a')).toBe(p);
    const done = withItem(succeed(p, 'a', T2), 'a', { attempts: 1 });
    expect(itemAttemptParked(done, 'a')).toBe(done);
  });
});

describe('milestones: itemStepsApplied and itemCompleted', () => {
  it('reaches decomposed at start, itemActivated when every step is applied, itemTested when the tests passed', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail')]);
    expect(milestonesOf(o.progress)).toEqual([]);
    let p = startOrder(o.progress, T1);
    expect(milestonesOf(p)).toEqual([
      { id: 'decomposed', name: 'decomposed', description: 'The order was decomposed into activation steps per item and NE', milestoneDate: T1, status: 'reached' },
    ]);
    p = expectDecision(advance(p, T1), ['a', 'b'], []);

    p = itemStepsApplied(p, 'b', T2);
    expect(p.items['b']).toMatchObject({ phase: 'activating', activatedAt: T2 });
    expect(itemState(o, p, 'b')).toBe('inProgress');
    // Only the first report counts.
    expect(itemStepsApplied(p, 'b', T3)).toBe(p);
    expect(milestonesOf(p).at(-1)).toEqual({
      id: 'itemActivated-b',
      name: 'itemActivated',
      description: 'Every activation step of the item was applied on its NEs',
      milestoneDate: T2,
      status: 'reached',
      serviceOrderItem: [{ itemId: 'b' }],
    });

    // Completed without a separate report: activated then, and tested.
    p = itemCompleted(p, 'a', T3, true);
    expect(p.items['a']).toMatchObject({ activatedAt: T3, testedAt: T3 });
    // Completed untested: its activation time is kept, no itemTested milestone.
    p = itemCompleted(p, 'b', T4, false);
    expect(p.items['b']).toMatchObject({ activatedAt: T2, finishedAt: T4 });
    expect(p.items['b']?.testedAt).toBeUndefined();

    // Oldest first, whatever the item order.
    expect(milestonesOf(p).map((m) => [m.id, m.milestoneDate])).toEqual([
      ['decomposed', T1],
      ['itemActivated-b', T2],
      ['itemActivated-a', T3],
      ['itemTested-a', T3],
    ]);
    expect(milestonesOf(p).find((m) => m.id === 'itemTested-a')).toMatchObject({
      name: 'itemTested',
      description: 'The post-activation tests of the item passed',
      serviceOrderItem: [{ itemId: 'a' }],
    });
    expect(view(o, p).milestone).toEqual(milestonesOf(p));
  });

  it('reaches no item milestone for a noChange item', () => {
    const o = orderOf([orderItem('keep', 'voicemail', [], 'noChange')]);
    const p = advance(startOrder(o.progress, T1), T1).progress;
    expect(p.items['keep']?.activatedAt).toBe(T1);
    expect(milestonesOf(p).map((m) => m.id)).toEqual(['decomposed']);
  });
});

describe('noChange items', () => {
  it('complete without any dispatch', () => {
    const o = orderOf([orderItem('keep', 'voicemail', [], 'noChange'), orderItem('b', 'voicemail', ['keep'])]);
    let p = startOrder(o.progress, T1);
    p = expectDecision(advance(p, T1), ['b'], []);
    expect(itemState(o, p, 'keep')).toBe('completed');
    expect(p.items['keep']).toMatchObject({ phase: 'activated', completedSeq: 1, finishedAt: T1 });
    expect(itemState(o, p, 'b')).toBe('inProgress');
  });

  it('completes an order made only of noChange items at once', () => {
    const o = orderOf([orderItem('a', 'voicemail', [], 'noChange'), orderItem('b', 'voicemail', ['a'], 'noChange')]);
    const p = expectDecision(advance(startOrder(o.progress, T1), T1), [], []);
    expect(view(o, p).state).toBe('completed');
    expect(itemStates(o, p)).toEqual([
      ['a', 'completed'],
      ['b', 'completed'],
    ]);
  });

  // Regression test (was a bug): a single pass over the waiting items in input order completed a
  // noChange item but skipped its dependent listed before it, leaving the order hanging inProgress.
  it('dispatches a dependent listed before the noChange item it relies on', () => {
    const p = startOrder(orderOf([orderItem('b', 'voicemail', ['keep']), orderItem('keep', 'voicemail', [], 'noChange')]).progress, T1);
    expect(advance(p, T1).activate).toEqual(['b']);
  });

  // Regression test (was a bug): same single pass: noChange items listed in reverse dependency
  // order stopped with one waiting and nothing dispatched instead of completing.
  it('completes an order of noChange items listed in reverse dependency order', () => {
    const o = orderOf([orderItem('b', 'voicemail', ['a'], 'noChange'), orderItem('a', 'voicemail', [], 'noChange')]);
    const p = advance(startOrder(o.progress, T1), T1).progress;
    expect(view(o, p).state).toBe('completed');
  });
});

describe('order-states', () => {
  it('lists the final states', () => {
    expect([...FINAL_STATES].sort()).toEqual(['cancelled', 'completed', 'failed', 'partial', 'rejected']);
    expect(ORDER_STATES.filter((s) => isFinalState(s)).sort()).toEqual(['cancelled', 'completed', 'failed', 'partial', 'rejected']);
    expect(isFinalState('inProgress')).toBe(false);
    expect(isFinalState('pending')).toBe(false);
    expect(isFinalState('assessingCancellation')).toBe(false);
    expect(isFinalState('pendingCancellation')).toBe(false);
  });

  it.each<[OrderState, OrderState, boolean]>([
    ['acknowledged', 'inProgress', true],
    ['acknowledged', 'pending', true],
    ['acknowledged', 'rejected', true],
    ['pending', 'inProgress', true],
    ['pending', 'assessingCancellation', true],
    ['inProgress', 'completed', true],
    ['inProgress', 'assessingCancellation', true],
    ['assessingCancellation', 'pendingCancellation', true],
    ['pendingCancellation', 'cancelled', true],
    ['pendingCancellation', 'failed', true],
    ['inProgress', 'inProgress', true],
    ['acknowledged', 'completed', false],
    ['pending', 'completed', false],
    ['inProgress', 'cancelled', false],
    ['inProgress', 'rejected', false],
    ['pendingCancellation', 'inProgress', false],
    ['completed', 'inProgress', false],
    ['failed', 'completed', false],
    ['cancelled', 'assessingCancellation', false],
  ])('order %s -> %s allowed: %s', (from, to, allowed) => {
    expect(canOrderMove(from, to)).toBe(allowed);
  });

  it.each<[ItemState, ItemState, boolean]>([
    ['acknowledged', 'inProgress', true],
    ['acknowledged', 'pending', true],
    ['acknowledged', 'cancelled', true],
    ['pending', 'inProgress', true],
    ['inProgress', 'completed', true],
    ['inProgress', 'failed', true],
    ['completed', 'cancelled', true],
    ['completed', 'failed', true],
    ['acknowledged', 'completed', false],
    ['completed', 'inProgress', false],
    ['cancelled', 'inProgress', false],
    ['failed', 'completed', false],
    ['rejected', 'acknowledged', false],
  ])('item %s -> %s allowed: %s', (from, to, allowed) => {
    expect(canItemMove(from, to)).toBe(allowed);
  });

  it('lets no final order state move anywhere else', () => {
    for (const from of FINAL_STATES) {
      for (const to of ORDER_STATES) expect(canOrderMove(from, to)).toBe(from === to);
    }
  });

  it('refuses an illegal order move made through progress functions', () => {
    // An order forced back to held with every item done cannot complete from there.
    let p = startOrder(orderOf([orderItem('a', 'voicemail')]).progress, T1);
    p = advance(p, T1).progress;
    p = succeed(p, 'a', T2);
    const forced: OrderProgress = { ...p, state: 'held' };
    const error = caught(() => advance(forced, T3));
    expect(error.code).toBe('ORDER_INVALID');
    expect(error.message).toBe('the order cannot move from held to completed');
  });
});
