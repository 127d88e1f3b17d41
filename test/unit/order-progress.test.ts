import { describe, expect, it } from 'vitest';
import { FleetError } from '../../errors/index.js';
import {
  advance,
  itemAttemptStarted,
  itemCompensated,
  itemCompleted,
  itemFailed,
  requestCancel,
  startOrder,
  type Advance,
} from '../../orders/order-progress.js';
import { newOrderRecord, rejectedOrderRecord, type OrderRecord } from '../../orders/order-record.js';
import { canItemMove, canOrderMove, FINAL_STATES, isFinalState, ORDER_STATES, type OrderState } from '../../orders/order-states.js';
import type { ValidatedItem } from '../../orders/order-validation.js';
import type { ActivationPolicy, ServiceOrderInput, ServiceOrderItemInput } from '../../orders/service-order.js';

const T0 = '2025-01-01T10:00:00.000Z';
const T1 = '2025-01-01T10:00:01.000Z';
const T2 = '2025-01-01T10:00:02.000Z';
const T3 = '2025-01-01T10:00:03.000Z';
const T4 = '2025-01-01T10:00:04.000Z';
const T5 = '2025-01-01T10:00:05.000Z';
const T6 = '2025-01-01T10:00:06.000Z';
const T7 = '2025-01-01T10:00:07.000Z';
const T8 = '2025-01-01T10:00:08.000Z';

const MSISDN = '33612345678';

function orderItem(id: string, specId: string, reliesOn: string[] = [], action: ServiceOrderItemInput['action'] = 'add'): ServiceOrderItemInput {
  return {
    id,
    action,
    service: { serviceSpecification: { id: specId }, serviceCharacteristic: [{ name: 'msisdn', value: MSISDN }] },
    ...(reliesOn.length > 0 ? { serviceOrderItemRelationship: reliesOn.map((itemId) => ({ relationshipType: 'reliesOn', orderItem: { itemId } })) } : {}),
  };
}

function validated(id: string, specId: string, values: ValidatedItem['values'] = { msisdn: MSISDN }): ValidatedItem {
  return { itemId: id, specId, values, lifecycle: 'add' };
}

function recordOf(items: ServiceOrderItemInput[], policy?: ActivationPolicy, defaultPolicy: ActivationPolicy = 'atomic'): OrderRecord {
  const input: ServiceOrderInput = {
    externalId: 'ext-1',
    priority: '2',
    ...(policy ? { activationPolicy: policy } : {}),
    serviceOrderItem: items,
  };
  return newOrderRecord(
    input,
    items.map((i) => validated(i.id, i.service.serviceSpecification?.id ?? '')),
    { id: 'order-1', href: '/serviceOrder/order-1', now: T0, defaultPolicy, newServiceId: (itemId: string) => `svc-${itemId}` },
  );
}

/** number-porting <- mobile-plan <- voicemail, each relying on the previous one. */
function bundle(policy?: ActivationPolicy): OrderRecord {
  const input: ServiceOrderInput = {
    externalId: 'crm-42',
    description: 'Mobile bundle',
    priority: '2',
    ...(policy ? { activationPolicy: policy } : {}),
    serviceOrderItem: [
      {
        id: 'number-porting',
        action: 'add',
        service: {
          serviceSpecification: { id: 'number-porting' },
          serviceCharacteristic: [
            { name: 'msisdn', value: MSISDN },
            { name: 'donorOperator', value: 'Other Mobile' },
            { name: 'routingNumber', value: 'D042' },
          ],
        },
      },
      {
        id: 'mobile-plan',
        action: 'add',
        service: {
          serviceSpecification: { id: 'mobile-plan' },
          serviceCharacteristic: [
            { name: 'msisdn', value: MSISDN },
            { name: 'plan', value: 'gold' },
          ],
        },
        serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'number-porting' } }],
      },
      {
        id: 'voicemail',
        action: 'add',
        service: { serviceSpecification: { id: 'voicemail' }, serviceCharacteristic: [{ name: 'msisdn', value: MSISDN }] },
        serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'mobile-plan' } }],
      },
    ],
  };
  const items: ValidatedItem[] = [
    { itemId: 'number-porting', specId: 'number-porting', lifecycle: 'add', values: { msisdn: MSISDN, donorOperator: 'Other Mobile', routingNumber: 'D042' } },
    { itemId: 'mobile-plan', specId: 'mobile-plan', lifecycle: 'add', values: { msisdn: MSISDN, plan: 'gold', dataCapGb: 20, apn: 'internet' } },
    { itemId: 'voicemail', specId: 'voicemail', lifecycle: 'add', values: { msisdn: MSISDN, quotaMinutes: 30, language: 'en' } },
  ];
  return newOrderRecord(input, items, { id: 'order-1', href: '/tmf-api/serviceOrdering/v4/serviceOrder/order-1', now: T0, defaultPolicy: 'atomic', newServiceId: (itemId: string) => `svc-${itemId}` });
}

function itemState(record: OrderRecord, id: string) {
  return record.order.serviceOrderItem.find((i) => i.id === id)?.state;
}

function itemErrors(record: OrderRecord, id: string) {
  return record.order.serviceOrderItem.find((i) => i.id === id)?.errorMessage ?? [];
}

/** What a worker does for a successful activation: attempt started, then completed. */
function succeed(record: OrderRecord, id: string, now: string): OrderRecord {
  const started = itemAttemptStarted(record, id, now, { step: `${id}-ne` });
  expect(started).toBeDefined();
  return itemCompleted(started!, id, now);
}

function fail(record: OrderRecord, id: string, now: string, message = 'device said no'): OrderRecord {
  const started = itemAttemptStarted(record, id, now, { step: `${id}-ne` });
  expect(started).toBeDefined();
  return itemFailed(started!, id, now, 'NE_COMMAND_REJECTED', message);
}

function expectDecision(decision: Advance, activate: string[], compensate: string[]): OrderRecord {
  expect({ activate: decision.activate, compensate: decision.compensate }).toEqual({ activate, compensate });
  return decision.record;
}

describe('newOrderRecord', () => {
  it('builds the TMF view with fleet-owned state and the runtime per item', () => {
    const r = bundle();
    expect(r.order).toMatchObject({
      id: 'order-1',
      href: '/tmf-api/serviceOrdering/v4/serviceOrder/order-1',
      externalId: 'crm-42',
      state: 'acknowledged',
      orderDate: T0,
      '@type': 'ServiceOrder',
    });
    expect(r.order.startDate).toBeUndefined();
    expect(r.order.serviceOrderItem.map((i) => [i.id, i.state])).toEqual([
      ['number-porting', 'acknowledged'],
      ['mobile-plan', 'acknowledged'],
      ['voicemail', 'acknowledged'],
    ]);
    expect(r.policy).toBe('atomic');
    expect(r.seq).toBe(0);
    expect(r.items['number-porting']).toMatchObject({
      specId: 'number-porting',
      values: { msisdn: MSISDN, donorOperator: 'Other Mobile', routingNumber: 'D042' },
      lifecycle: 'add',
      serviceId: 'svc-number-porting',
      phase: 'waiting',
      dependsOn: [],
      attempts: 0,
    });
    // What the item asked of its service, for the service record.
    expect(r.items['mobile-plan']?.service?.supportingServiceIds).toEqual(['svc-number-porting']);
    expect(r.items['mobile-plan']?.dependsOn).toEqual(['number-porting']);
    expect(r.items['voicemail']?.dependsOn).toEqual(['mobile-plan']);
  });

  it('drops caller-sent state, errors and activationPolicy; the order policy wins over the default', () => {
    const input = {
      id: 'caller-id',
      state: 'completed',
      activationPolicy: 'partial',
      serviceOrderItem: [{ ...orderItem('a', 'voicemail'), state: 'completed', errorMessage: [{ code: 'X' }] }],
    } as ServiceOrderInput;
    const r = newOrderRecord(input, [validated('a', 'voicemail')], { id: 'order-9', href: '/o/9', now: T0, defaultPolicy: 'atomic', newServiceId: (itemId: string) => `svc-${itemId}` });
    expect(r.order.id).toBe('order-9');
    expect(r.order.state).toBe('acknowledged');
    expect(r.order.serviceOrderItem[0]?.state).toBe('acknowledged');
    expect(r.order.serviceOrderItem[0]?.errorMessage).toBeUndefined();
    expect('activationPolicy' in r.order).toBe(false);
    expect(r.policy).toBe('partial');
  });

  it('uses the catalog default policy when the order names none', () => {
    expect(recordOf([orderItem('a', 'voicemail')], undefined, 'partial').policy).toBe('partial');
  });

  // Regression test (was a bug): newOrderRecord strips the caller's `state` and errors ("State and errors are the fleet's
  // to set") but keeps caller-sent `cancellationDate` / `cancellationReason`, so a live (or later
  // completed) order reports a cancellation it never had.
  it('keeps cancellationDate and cancellationReason as sent: ServiceOrder_Create lets a caller set them', () => {
    const input: ServiceOrderInput = {
      cancellationDate: '2020-01-01T00:00:00Z',
      cancellationReason: 'made up',
      serviceOrderItem: [orderItem('a', 'voicemail')],
    };
    const r = newOrderRecord(input, [validated('a', 'voicemail')], { id: 'o', href: '/o', now: T0, defaultPolicy: 'atomic', newServiceId: (itemId: string) => `svc-${itemId}` });
    expect(r.order.cancellationDate).toBe('2020-01-01T00:00:00Z');
    expect(r.order.cancellationReason).toBe('made up');
  });
});

describe('rejectedOrderRecord', () => {
  it('stores a rejected order with every reason, per order and per item', () => {
    const r = rejectedOrderRecord(
      { externalId: 'ext-7', serviceOrderItem: [{ id: 'a' }, { id: 'b' }, { notAnId: 1 }] },
      [
        { code: 'ORDER_INVALID', message: 'priority: bad' },
        { code: 'ORDER_UNKNOWN_SPECIFICATION', message: 'unknown service specification nope', itemId: 'b' },
      ],
      { id: 'order-r', href: '/o/r', now: T0 },
    );
    expect(r.order.state).toBe('rejected');
    expect(r.order.completionDate).toBe(T0);
    expect(r.order.externalId).toBe('ext-7');
    expect(r.order.errorMessage?.map((e) => [e.code, e.message, e.serviceOrderItem])).toEqual([
      ['ORDER_INVALID', 'priority: bad', undefined],
      ['ORDER_UNKNOWN_SPECIFICATION', 'unknown service specification nope', [{ itemId: 'b' }]],
    ]);
    expect(r.order.serviceOrderItem.map((i) => [i.id, i.state, i.errorMessage?.length])).toEqual([
      ['a', 'rejected', 0],
      ['b', 'rejected', 1],
    ]);
    expect(r.items).toEqual({});
  });

  it('survives input that is not an object', () => {
    const r = rejectedOrderRecord('garbage', [{ code: 'ORDER_INVALID', message: '(root): expected object' }], { id: 'x', href: '/x', now: T0 });
    expect(r.order.serviceOrderItem).toEqual([]);
    expect(r.order.state).toBe('rejected');
  });

  // Regression test (was a bug): errorMessage() picks '@type' from whether item ids are given, not from where the message
  // sits: an order-level reason without itemId (e.g. a schema error) lands on order.errorMessage
  // typed 'ServiceOrderItemErrorMessage'. TMF641 types ServiceOrder.errorMessage as ServiceOrderErrorMessage.
  it('types every order-level error message as ServiceOrderErrorMessage', () => {
    const r = rejectedOrderRecord({}, [{ code: 'ORDER_INVALID', message: 'serviceOrderItem: required' }], { id: 'x', href: '/x', now: T0 });
    expect(r.order.errorMessage?.[0]?.['@type']).toBe('ServiceOrderErrorMessage');
  });
});

describe('advance: a three-item bundle that succeeds', () => {
  it('runs the items one after the other and completes the order', () => {
    let r = bundle();
    // Nothing happens before the order has started.
    expect(advance(r, T0)).toEqual({ record: r, activate: [], compensate: [] });

    r = startOrder(r, T1);
    expect(r.order.state).toBe('inProgress');
    expect(r.order.startDate).toBe(T1);
    expect(startOrder(r, T2)).toBe(r);

    r = expectDecision(advance(r, T1), ['number-porting'], []);
    expect(r.order.state).toBe('inProgress');
    expect(itemState(r, 'number-porting')).toBe('inProgress');
    expect(itemState(r, 'mobile-plan')).toBe('acknowledged');
    expect(itemState(r, 'voicemail')).toBe('acknowledged');
    expect(r.items['number-porting']?.phase).toBe('activating');

    const started = itemAttemptStarted(r, 'number-porting', T2, { 'register-ported-number': 'npdb-1' });
    expect(started?.items['number-porting']).toMatchObject({ attempts: 1, startedAt: T2, neIds: { 'register-ported-number': 'npdb-1' } });
    // A retry counts another attempt but keeps the first start time.
    const retried = itemAttemptStarted(started!, 'number-porting', T3, { other: 'npdb-2' });
    expect(retried?.items['number-porting']).toMatchObject({ attempts: 2, startedAt: T2, neIds: { 'register-ported-number': 'npdb-1', other: 'npdb-2' } });

    r = itemCompleted(retried!, 'number-porting', T3);
    expect(itemState(r, 'number-porting')).toBe('completed');
    expect(r.items['number-porting']).toMatchObject({ phase: 'activated', completedSeq: 1, finishedAt: T3 });

    r = expectDecision(advance(r, T3), ['mobile-plan'], []);
    expect(itemState(r, 'mobile-plan')).toBe('inProgress');
    expect(itemState(r, 'voicemail')).toBe('acknowledged');

    r = succeed(r, 'mobile-plan', T4);
    r = expectDecision(advance(r, T4), ['voicemail'], []);
    r = succeed(r, 'voicemail', T5);
    expect(r.items['voicemail']?.completedSeq).toBe(3);

    const done = advance(r, T6);
    r = expectDecision(done, [], []);
    expect(r.order.state).toBe('completed');
    expect(r.order.completionDate).toBe(T6);
    expect(r.order.errorMessage).toBeUndefined();
    expect(r.order.serviceOrderItem.every((i) => i.state === 'completed')).toBe(true);

    // Final: advancing again changes nothing.
    expect(advance(r, T7)).toEqual({ record: r, activate: [], compensate: [] });
  });

  it('never mutates the record it is given', () => {
    const r = startOrder(bundle(), T1);
    const snapshot = structuredClone(r);
    const next = advance(r, T1).record;
    itemCompleted(itemAttemptStarted(next, 'number-porting', T2, {})!, 'number-porting', T2);
    expect(r).toEqual(snapshot);
  });

  it('starts independent items together', () => {
    let r = startOrder(recordOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail'), orderItem('c', 'voicemail', ['a', 'b'])]), T1);
    r = expectDecision(advance(r, T1), ['a', 'b'], []);
    r = succeed(r, 'a', T2);
    // c still waits for b; b is re-listed because it is still activating.
    r = expectDecision(advance(r, T2), ['b'], []);
    expect(r.items['c']?.phase).toBe('waiting');
    r = succeed(r, 'b', T3);
    expectDecision(advance(r, T3), ['c'], []);
  });
});

describe('advance: idempotence', () => {
  it('re-lists only the items already activating when called on its own result', () => {
    let r = startOrder(bundle(), T1);
    const first = advance(r, T1);
    r = expectDecision(first, ['number-porting'], []);
    const again = advance(r, T2);
    // The same job again (the job id makes it harmless), nothing new, the record unchanged in substance.
    expect(again.activate).toEqual(['number-porting']);
    expect(again.compensate).toEqual([]);
    expect(again.record.order).toEqual(r.order);
    expect(again.record.items).toEqual(r.items);
  });

  it('re-lists the item being compensated, and only it', () => {
    let r = startOrder(bundle(), T1);
    r = advance(r, T1).record;
    r = succeed(r, 'number-porting', T2);
    r = advance(r, T2).record;
    r = fail(r, 'mobile-plan', T3);
    r = expectDecision(advance(r, T3), [], ['number-porting']);
    const again = advance(r, T4);
    expect(again.compensate).toEqual(['number-porting']);
    expect(again.activate).toEqual([]);
    expect(again.record.items).toEqual(r.items);
    expect(again.record.order.serviceOrderItem).toEqual(r.order.serviceOrderItem);
  });

  it('ignores settlements for items that are not running', () => {
    let r = startOrder(bundle(), T1);
    r = advance(r, T1).record;
    // mobile-plan is still waiting: stale completion/failure/compensation reports change nothing.
    expect(itemCompleted(r, 'mobile-plan', T2)).toBe(r);
    expect(itemFailed(r, 'mobile-plan', T2, 'NE_TIMEOUT', 'late')).toBe(r);
    expect(itemCompensated(r, 'mobile-plan', T2)).toBe(r);
    expect(itemAttemptStarted(r, 'mobile-plan', T2, {})).toBeUndefined();
    r = succeed(r, 'number-porting', T2);
    // A duplicate completion is ignored too, and does not bump the sequence.
    expect(itemCompleted(r, 'number-porting', T3)).toBe(r);
    expect(r.seq).toBe(1);
  });

  it('refuses an item the order does not have', () => {
    const r = startOrder(bundle(), T1);
    expect(() => itemCompleted(r, 'ghost', T2)).toThrow(FleetError);
    try {
      itemCompleted(r, 'ghost', T2);
    } catch (error) {
      expect((error as FleetError).code).toBe('ORDER_NOT_FOUND');
    }
  });
});

describe('advance: atomic failure', () => {
  it('cancels what has not started, rolls back what completed, then fails the order', () => {
    let r = startOrder(bundle(), T1);
    r = advance(r, T1).record;
    r = succeed(r, 'number-porting', T2);
    r = advance(r, T2).record;
    r = fail(r, 'mobile-plan', T3, 'pcrf-1: % Invalid plan');
    expect(itemState(r, 'mobile-plan')).toBe('failed');
    expect(itemErrors(r, 'mobile-plan').map((e) => [e.code, e.message])).toEqual([['NE_COMMAND_REJECTED', 'pcrf-1: % Invalid plan']]);

    r = expectDecision(advance(r, T4), [], ['number-porting']);
    expect(r.order.state).toBe('inProgress');
    expect(itemState(r, 'voicemail')).toBe('cancelled');
    expect(r.items['voicemail']?.phase).toBe('cancelled');
    expect(itemErrors(r, 'voicemail').map((e) => [e.code, e.message])).toEqual([['ORDER_ITEM_NOT_STARTED', 'not started because item mobile-plan failed']]);
    // Still completed to TMF until its undo steps have run.
    expect(itemState(r, 'number-porting')).toBe('completed');
    expect(r.items['number-porting']?.phase).toBe('compensating');

    r = itemCompensated(r, 'number-porting', T5);
    expect(itemState(r, 'number-porting')).toBe('cancelled');
    expect(r.items['number-porting']?.phase).toBe('compensated');
    expect(itemErrors(r, 'number-porting').map((e) => [e.code, e.message])).toEqual([
      ['ORDER_ITEM_ROLLED_BACK', 'rolled back because item mobile-plan failed'],
    ]);

    r = expectDecision(advance(r, T6), [], []);
    expect(r.order.state).toBe('failed');
    expect(r.order.completionDate).toBe(T6);
    expect(r.order.cancellationDate).toBeUndefined();
    expect(r.order.errorMessage).toEqual([
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
    let r = startOrder(bundle(), T1);
    r = advance(r, T1).record;
    r = fail(r, 'number-porting', T2);
    r = expectDecision(advance(r, T3), [], []);
    expect(r.order.state).toBe('failed');
    expect(itemState(r, 'mobile-plan')).toBe('cancelled');
    expect(itemState(r, 'voicemail')).toBe('cancelled');
    expect(r.order.errorMessage?.map((e) => e.serviceOrderItem)).toEqual([[{ itemId: 'number-porting' }]]);
  });

  it('waits for an independent item still activating before rolling back', () => {
    let r = startOrder(recordOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail'), orderItem('c', 'voicemail')]), T1);
    r = expectDecision(advance(r, T1), ['a', 'b', 'c'], []);
    r = succeed(r, 'a', T2);
    r = fail(r, 'b', T3);
    // c is still running: no rollback yet, c re-listed.
    r = expectDecision(advance(r, T3), ['c'], []);
    r = succeed(r, 'c', T4);
    expectDecision(advance(r, T4), [], ['c']);
  });

  it('rolls back in reverse order of completion, one item at a time', () => {
    let r = startOrder(recordOf([orderItem('first', 'voicemail'), orderItem('second', 'voicemail'), orderItem('third', 'voicemail')]), T1);
    r = expectDecision(advance(r, T1), ['first', 'second', 'third'], []);
    // Completion order differs from item order: second, then first.
    r = succeed(r, 'second', T2);
    r = succeed(r, 'first', T3);
    expect(r.items['second']?.completedSeq).toBe(1);
    expect(r.items['first']?.completedSeq).toBe(2);
    r = fail(r, 'third', T4);

    r = expectDecision(advance(r, T5), [], ['first']);
    expect(r.items['second']?.phase).toBe('activated');
    r = itemCompensated(r, 'first', T5);
    r = expectDecision(advance(r, T6), [], ['second']);
    r = itemCompensated(r, 'second', T6);
    r = expectDecision(advance(r, T7), [], []);
    expect(r.order.state).toBe('failed');
    expect(r.order.serviceOrderItem.map((i) => [i.id, i.state])).toEqual([
      ['first', 'cancelled'],
      ['second', 'cancelled'],
      ['third', 'failed'],
    ]);
  });

  it('marks an item whose rollback failed as failed and fails the order with both causes', () => {
    let r = startOrder(bundle(), T1);
    r = advance(r, T1).record;
    r = succeed(r, 'number-porting', T2);
    r = advance(r, T2).record;
    r = fail(r, 'mobile-plan', T3, 'boom');
    r = expectDecision(advance(r, T3), [], ['number-porting']);
    r = itemCompensated(r, 'number-porting', T4, { code: 'NE_TIMEOUT', message: 'npdb-1: no answer' });
    expect(itemState(r, 'number-porting')).toBe('failed');
    expect(r.items['number-porting']?.phase).toBe('compensationFailed');
    expect(itemErrors(r, 'number-porting').map((e) => [e.code, e.message])).toEqual([
      ['ORDER_COMPENSATION_FAILED', 'rollback failed, the network element may hold a remnant: npdb-1: no answer'],
    ]);
    r = expectDecision(advance(r, T5), [], []);
    expect(r.order.state).toBe('failed');
    expect(r.order.errorMessage?.map((e) => [e.code, e.serviceOrderItem?.[0]?.itemId, e.message])).toEqual([
      [
        'ORDER_ITEM_FAILED',
        'number-porting',
        'item number-porting (number-porting) failed: rollback failed, the network element may hold a remnant: npdb-1: no answer',
      ],
      ['ORDER_ITEM_FAILED', 'mobile-plan', 'item mobile-plan (mobile-plan) failed: boom'],
    ]);
  });
});

describe('advance: partial policy', () => {
  it('keeps what completed when an independent item fails: partial', () => {
    let r = startOrder(recordOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail')], 'partial'), T1);
    r = expectDecision(advance(r, T1), ['a', 'b'], []);
    r = succeed(r, 'a', T2);
    r = fail(r, 'b', T3, 'vms-1: noAccess');
    r = expectDecision(advance(r, T4), [], []);
    expect(r.order.state).toBe('partial');
    expect(r.order.completionDate).toBe(T4);
    expect(itemState(r, 'a')).toBe('completed');
    expect(r.items['a']?.phase).toBe('activated');
    expect(r.order.errorMessage?.map((e) => [e.code, e.message])).toEqual([['ORDER_ITEM_FAILED', 'item b (voicemail) failed: vms-1: noAccess']]);
  });

  it('cancels the dependents (transitively) of a failed item and runs the rest', () => {
    let r = startOrder(
      recordOf([orderItem('porting', 'number-porting'), orderItem('plan', 'mobile-plan', ['porting']), orderItem('vm', 'voicemail', ['plan']), orderItem('other', 'voicemail')], 'partial'),
      T1,
    );
    r = expectDecision(advance(r, T1), ['porting', 'other'], []);
    r = fail(r, 'porting', T2);
    r = expectDecision(advance(r, T2), ['other'], []);
    expect(itemState(r, 'plan')).toBe('cancelled');
    expect(itemState(r, 'vm')).toBe('cancelled');
    expect(itemErrors(r, 'plan').map((e) => [e.code, e.message])).toEqual([
      ['ORDER_DEPENDENCY_FAILED', 'not started because item porting, which it relies on, did not complete'],
    ]);
    expect(itemErrors(r, 'vm').map((e) => [e.code, e.message])).toEqual([
      ['ORDER_DEPENDENCY_FAILED', 'not started because item plan, which it relies on, did not complete'],
    ]);
    r = succeed(r, 'other', T3);
    r = expectDecision(advance(r, T3), [], []);
    expect(r.order.state).toBe('partial');
    // Only the item that failed is named as the cause.
    expect(r.order.errorMessage?.map((e) => e.serviceOrderItem?.[0]?.itemId)).toEqual(['porting']);
  });

  it('fails the order when nothing completed', () => {
    let r = startOrder(recordOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail', ['a'])], 'partial'), T1);
    r = advance(r, T1).record;
    r = fail(r, 'a', T2);
    r = expectDecision(advance(r, T2), [], []);
    expect(r.order.state).toBe('failed');
    expect(itemState(r, 'b')).toBe('cancelled');
  });

  it('fails the order when every item failed', () => {
    let r = startOrder(recordOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail')], 'partial'), T1);
    r = advance(r, T1).record;
    r = fail(r, 'a', T2);
    r = fail(r, 'b', T3);
    r = expectDecision(advance(r, T3), [], []);
    expect(r.order.state).toBe('failed');
    expect(r.order.errorMessage?.map((e) => e.serviceOrderItem?.[0]?.itemId)).toEqual(['a', 'b']);
  });

  it('does not roll back completed items', () => {
    let r = startOrder(bundle('partial'), T1);
    r = advance(r, T1).record;
    r = succeed(r, 'number-porting', T2);
    r = advance(r, T2).record;
    r = fail(r, 'mobile-plan', T3);
    const d = advance(r, T3);
    expect(d.compensate).toEqual([]);
    expect(d.record.order.state).toBe('partial');
    expect(itemState(d.record, 'number-porting')).toBe('completed');
    expect(itemErrors(d.record, 'voicemail')[0]?.code).toBe('ORDER_DEPENDENCY_FAILED');
  });
});

describe('cancellation', () => {
  it('cancels an order before it starts: nothing is dispatched', () => {
    let r = bundle();
    r = requestCancel(r, T1, 'customer changed their mind');
    expect(r.order.state).toBe('assessingCancellation');
    expect(r.cancelRequestedAt).toBe(T1);
    expect(r.cancellationReason).toBe('customer changed their mind');
    // A second request is a no-op.
    expect(requestCancel(r, T2)).toBe(r);
    // The scheduled start comes too late.
    expect(startOrder(r, T2)).toBe(r);

    r = expectDecision(advance(r, T2), [], []);
    expect(r.order.state).toBe('cancelled');
    expect(r.order.cancellationDate).toBe(T2);
    expect(r.order.completionDate).toBe(T2);
    expect(r.order.cancellationReason).toBe('customer changed their mind');
    expect(r.order.errorMessage).toBeUndefined();
    for (const i of r.order.serviceOrderItem) {
      expect(i.state).toBe('cancelled');
      expect(i.errorMessage?.map((e) => [e.code, e.message])).toEqual([['ORDER_ITEM_NOT_STARTED', 'not started because the order was cancelled']]);
    }
  });

  it('cancels in flight: the running item finishes, is rolled back, the rest never starts', () => {
    let r = startOrder(bundle(), T1);
    r = advance(r, T1).record;
    r = itemAttemptStarted(r, 'number-porting', T2, { 'register-ported-number': 'npdb-1' })!;
    r = requestCancel(r, T3);
    expect(r.order.state).toBe('assessingCancellation');
    expect(r.cancellationReason).toBeUndefined();

    r = expectDecision(advance(r, T3), ['number-porting'], []);
    expect(r.order.state).toBe('pendingCancellation');
    expect(itemState(r, 'number-porting')).toBe('inProgress');
    expect(itemState(r, 'mobile-plan')).toBe('cancelled');
    expect(itemState(r, 'voicemail')).toBe('cancelled');

    r = itemCompleted(r, 'number-porting', T4);
    r = expectDecision(advance(r, T4), [], ['number-porting']);
    expect(r.order.state).toBe('pendingCancellation');
    // The rollback keeps the NE chosen by the activation.
    expect(r.items['number-porting']?.neIds).toEqual({ 'register-ported-number': 'npdb-1' });

    r = itemCompensated(r, 'number-porting', T5);
    expect(itemErrors(r, 'number-porting').map((e) => e.message)).toEqual(['rolled back because the order was cancelled']);
    r = expectDecision(advance(r, T6), [], []);
    expect(r.order.state).toBe('cancelled');
    expect(r.order.cancellationDate).toBe(T6);
    expect(r.order.completionDate).toBe(T6);
    expect(r.order.cancellationReason).toBeUndefined();
    expect(r.order.serviceOrderItem.every((i) => i.state === 'cancelled')).toBe(true);
    expect(() => requestCancel(r, T8)).toThrow(FleetError);
  });

  it('fails a cancelled order whose rollback failed', () => {
    let r = startOrder(recordOf([orderItem('a', 'voicemail')]), T1);
    r = advance(r, T1).record;
    r = succeed(r, 'a', T2);
    r = requestCancel(r, T3);
    r = expectDecision(advance(r, T3), [], ['a']);
    r = itemCompensated(r, 'a', T4, { code: 'NE_TIMEOUT', message: 'gone' });
    r = expectDecision(advance(r, T5), [], []);
    expect(r.order.state).toBe('failed');
    expect(r.order.cancellationDate).toBeUndefined();
    expect(r.order.errorMessage?.[0]?.code).toBe('ORDER_ITEM_FAILED');
  });

  it.each(['completed', 'failed', 'partial', 'cancelled', 'rejected'] as const)('refuses to cancel a %s order with ORDER_NOT_CANCELLABLE', (state) => {
    const r = bundle();
    r.order.state = state;
    let caught: unknown;
    try {
      requestCancel(r, T1);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FleetError);
    expect((caught as FleetError).code).toBe('ORDER_NOT_CANCELLABLE');
    expect((caught as FleetError).message).toBe(`order order-1 is ${state} and cannot be cancelled`);
    expect((caught as FleetError).transient).toBe(false);
  });
});

describe('noChange items', () => {
  it('complete without any dispatch', () => {
    let r = startOrder(recordOf([orderItem('keep', 'voicemail', [], 'noChange'), orderItem('b', 'voicemail', ['keep'])]), T1);
    const d = advance(r, T1);
    r = expectDecision(d, ['b'], []);
    expect(itemState(r, 'keep')).toBe('completed');
    expect(r.items['keep']).toMatchObject({ phase: 'activated', completedSeq: 1, finishedAt: T1 });
    expect(itemState(r, 'b')).toBe('inProgress');
  });

  it('completes an order made only of noChange items at once', () => {
    const r = startOrder(recordOf([orderItem('a', 'voicemail', [], 'noChange'), orderItem('b', 'voicemail', ['a'], 'noChange')]), T1);
    const d = expectDecision(advance(r, T1), [], []);
    expect(d.order.state).toBe('completed');
  });

  // Regression test (was a bug): advance() makes a single pass over the waiting items in input order. When an item is
  // listed before the noChange item it relies on, the noChange item completes in that pass but
  // its dependent is skipped, and advance returns activate: [] with the dependent still waiting.
  // The orchestrator only calls advance again when an item settles, so the order hangs inProgress.
  it('dispatches a dependent listed before the noChange item it relies on', () => {
    const r = startOrder(recordOf([orderItem('b', 'voicemail', ['keep']), orderItem('keep', 'voicemail', [], 'noChange')]), T1);
    const d = advance(r, T1);
    expect(d.activate).toEqual(['b']);
  });

  // Regression test (was a bug): same single pass: an order made only of noChange items, listed in reverse dependency
  // order, stops with 'a' waiting and nothing dispatched instead of completing.
  it('completes an order of noChange items listed in reverse dependency order', () => {
    const r = startOrder(recordOf([orderItem('b', 'voicemail', ['a'], 'noChange'), orderItem('a', 'voicemail', [], 'noChange')]), T1);
    expect(advance(r, T1).record.order.state).toBe('completed');
  });
});

describe('order-states', () => {
  it('lists the final states', () => {
    expect([...FINAL_STATES].sort()).toEqual(['cancelled', 'completed', 'failed', 'partial', 'rejected']);
    expect(ORDER_STATES.filter((s) => isFinalState(s)).sort()).toEqual(['cancelled', 'completed', 'failed', 'partial', 'rejected']);
    expect(isFinalState('inProgress')).toBe(false);
    expect(isFinalState('assessingCancellation')).toBe(false);
    expect(isFinalState('pendingCancellation')).toBe(false);
  });

  it.each<[OrderState, OrderState, boolean]>([
    ['acknowledged', 'inProgress', true],
    ['acknowledged', 'rejected', true],
    ['inProgress', 'completed', true],
    ['inProgress', 'assessingCancellation', true],
    ['assessingCancellation', 'pendingCancellation', true],
    ['pendingCancellation', 'cancelled', true],
    ['pendingCancellation', 'failed', true],
    ['inProgress', 'inProgress', true],
    ['acknowledged', 'completed', false],
    ['inProgress', 'cancelled', false],
    ['inProgress', 'rejected', false],
    ['pendingCancellation', 'inProgress', false],
    ['completed', 'inProgress', false],
    ['failed', 'completed', false],
    ['cancelled', 'assessingCancellation', false],
  ])('order %s -> %s allowed: %s', (from, to, allowed) => {
    expect(canOrderMove(from, to)).toBe(allowed);
  });

  it.each<[OrderState, OrderState, boolean]>([
    ['acknowledged', 'inProgress', true],
    ['acknowledged', 'cancelled', true],
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

  it('refuses an illegal item move made through progress functions', () => {
    // A completed item whose runtime was forced back to activating cannot complete again.
    let r = startOrder(recordOf([orderItem('a', 'voicemail')]), T1);
    r = advance(r, T1).record;
    r = succeed(r, 'a', T2);
    const forced = structuredClone(r);
    forced.items['a']!.phase = 'activating';
    forced.order.serviceOrderItem[0]!.state = 'cancelled';
    expect(() => itemCompleted(forced, 'a', T3)).toThrow(/item a of order order-1 cannot move from cancelled to completed/);
  });
});
