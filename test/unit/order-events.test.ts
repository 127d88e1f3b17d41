import { describe, expect, it } from 'vitest';
import { orderEvents, type EventContext, type OrderEvent } from '../../orders/order-events.js';
import {
  advance,
  holdOrder,
  initialProgress,
  itemAttemptParked,
  itemCompensated,
  itemCompleted,
  itemStepsApplied,
  requestCancel,
  startOrder,
  type OrderProgress,
} from '../../orders/order-progress.js';
import { newOrder, rejectedOrder, type NewOrder } from '../../orders/order-record.js';
import { assessJeopardy } from '../../orders/order-tracking.js';
import { ctxOf, eventContext, fail, idGenerator, orderItem, orderOf, succeed, T0, T1, T2, T3, T4, T5, validated } from './order-fixtures.js';

const DUE = '2025-01-01T10:00:10.000Z';
const AT_RISK = '2025-01-01T10:00:09.000Z';
const LATE = '2025-01-01T10:00:11.000Z';

/** The events one stored change produces, for the order `o`. */
function eventsOf(o: NewOrder, before: OrderProgress | undefined, after: OrderProgress, now = T5, ctx: EventContext = eventContext(o)): OrderEvent[] {
  return orderEvents(ctx, before, after, now, idGenerator());
}

/** The only event of a change: a change that moved something emits exactly one. */
function single(events: OrderEvent[]): OrderEvent {
  expect(events).toHaveLength(1);
  const [event] = events;
  if (!event) throw new Error('no event');
  return event;
}

function statePath(id: string): string {
  return `serviceOrderItem[?(@.id=='${id}')].state`;
}

function started(o: NewOrder): OrderProgress {
  return advance(startOrder(o.progress, T1), T1).progress;
}

/** An order expected to complete at DUE. */
function dueOrder(): NewOrder {
  return newOrder({ serviceOrderItem: [orderItem('a', 'voicemail'), orderItem('b', 'voicemail', ['a'])] }, [validated('a', 'voicemail'), validated('b', 'voicemail')], {
    ...ctxOf('order-1', '/serviceOrder/order-1'),
    expectedCompletionDate: DUE,
  });
}

function assess(o: NewOrder, p: OrderProgress, now: string): OrderProgress {
  return assessJeopardy(p, { id: o.doc.id, orderDate: o.doc.orderDate, ...(o.doc.expectedCompletionDate ? { expectedCompletionDate: o.doc.expectedCompletionDate } : {}) }, now);
}

describe('orderEvents: creation', () => {
  it('emits one create event for a new order, listing every item', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('keep', 'voicemail', [], 'noChange')]);
    expect(eventsOf(o, undefined, o.progress, T0)).toEqual([
      {
        eventId: 'evt-1',
        eventTime: T0,
        eventType: 'ServiceOrderCreateEvent',
        description: 'acknowledged',
        event: {
          serviceOrder: {
            id: 'order-1',
            state: 'acknowledged',
            externalId: 'ext-1',
            serviceOrderItem: [
              { id: 'a', action: 'add', state: 'acknowledged' },
              { id: 'keep', action: 'noChange', state: 'acknowledged' },
            ],
            '@type': 'ServiceOrder',
          },
        },
      },
    ]);
  });

  it('describes a rejected order at creation, with each item its reasons', () => {
    const o = rejectedOrder(
      { serviceOrderItem: [{ id: 'a' }, { id: 'b' }] },
      [
        { code: 'ORDER_INVALID', message: 'priority: bad' },
        { code: 'ORDER_UNKNOWN_SPECIFICATION', message: 'unknown service specification nope', itemId: 'b' },
      ],
      { id: 'order-r', href: '/o/r', now: T0 },
    );
    const event = single(eventsOf(o, undefined, o.progress, T0));
    expect(event.eventType).toBe('ServiceOrderCreateEvent');
    expect(event.description).toBe('rejected');
    expect('fieldPath' in event).toBe(false);
    expect(event.event.serviceOrder).toMatchObject({ id: 'order-r', state: 'rejected', completionDate: T0 });
    expect(event.event.serviceOrder.serviceOrderItem.map((i) => [i.id, i.state, i.errorMessage?.map((e) => e.code)])).toEqual([
      ['a', 'rejected', undefined],
      ['b', 'rejected', ['ORDER_UNKNOWN_SPECIFICATION']],
    ]);
  });
});

describe('orderEvents: one event per transition', () => {
  it('emits nothing when nothing changed', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail', ['a'])]);
    const p = started(o);
    expect(eventsOf(o, p, p)).toEqual([]);
    expect(eventsOf(o, p, structuredClone(p))).toEqual([]);
    // Re-listing what is already activating, or taking back a parked attempt, moves nothing TMF shows.
    expect(eventsOf(o, p, advance(p, T2).progress)).toEqual([]);
    const counted: OrderProgress = { ...p, items: { ...p.items, a: { ...p.items['a']!, attempts: 1 } } };
    expect(eventsOf(o, counted, itemAttemptParked(counted, 'a'))).toEqual([]);
  });

  it('emits a state-change event when the order starts, with the decomposed milestone', () => {
    const o = orderOf([orderItem('a', 'voicemail')]);
    const after = startOrder(o.progress, T1);
    const event = single(eventsOf(o, o.progress, after, T1));
    expect(event).toEqual({
      eventId: 'evt-1',
      eventTime: T1,
      eventType: 'ServiceOrderStateChangeEvent',
      description: 'acknowledged -> inProgress',
      fieldPath: 'state,milestone',
      event: {
        serviceOrder: {
          id: 'order-1',
          state: 'inProgress',
          startDate: T1,
          serviceOrderItem: [],
          // A milestone names what was reached; its description is in the order itself.
          milestone: [{ id: 'decomposed', name: 'decomposed', milestoneDate: T1, status: 'reached' }],
          '@type': 'ServiceOrder',
        },
      },
    });
  });

  it('emits one attribute-value-change event listing every item that moved, when the order state did not change', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail'), orderItem('c', 'voicemail', ['a'])]);
    const before = startOrder(o.progress, T1);
    const after = advance(before, T1).progress;
    const event = single(eventsOf(o, before, after));
    expect(event.eventType).toBe('ServiceOrderAttributeValueChangeEvent');
    expect(event.description).toBe('item a: acknowledged -> inProgress; item b: acknowledged -> inProgress');
    expect(event.fieldPath).toBe(`${statePath('a')},${statePath('b')}`);
    expect(event.event.serviceOrder).toMatchObject({ state: 'inProgress' });
    // The start date was told when it was set, not again.
    expect('startDate' in event.event.serviceOrder).toBe(false);
    // Only the items that moved, and no milestone when none was reached; actions are in the create event.
    expect(event.event.serviceOrder.serviceOrderItem).toEqual([
      { id: 'a', state: 'inProgress' },
      { id: 'b', state: 'inProgress' },
    ]);
    expect('milestone' in event.event.serviceOrder).toBe(false);
  });

  it('emits an attribute-value-change event for a milestone reached while no item moved', () => {
    const o = orderOf([orderItem('a', 'voicemail')]);
    const before = started(o);
    const after = itemStepsApplied(before, 'a', T2);
    const event = single(eventsOf(o, before, after, T2));
    expect(event.eventType).toBe('ServiceOrderAttributeValueChangeEvent');
    expect(event.description).toBe('milestone itemActivated');
    expect(event.fieldPath).toBe('milestone');
    expect(event.event.serviceOrder.serviceOrderItem).toEqual([]);
    expect(event.event.serviceOrder.milestone?.map((m) => [m.id, m.milestoneDate, m.serviceOrderItem])).toEqual([['itemActivated-a', T2, [{ itemId: 'a' }]]]);
  });

  it('carries the item that completed and only the milestones the change reached', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail')]);
    const before = itemStepsApplied(started(o), 'a', T2);
    const after = itemCompleted(before, 'a', T3, true);
    const event = single(eventsOf(o, before, after, T3));
    expect(event.eventType).toBe('ServiceOrderAttributeValueChangeEvent');
    expect(event.description).toBe('item a: inProgress -> completed');
    expect(event.fieldPath).toBe(`${statePath('a')},milestone`);
    expect(event.event.serviceOrder.serviceOrderItem).toEqual([{ id: 'a', state: 'completed' }]);
    // itemActivated-a was reached before: not repeated.
    expect(event.event.serviceOrder.milestone?.map((m) => m.id)).toEqual(['itemTested-a']);
  });

  it('emits a state-change event when the order ends, without items when none moved', () => {
    const o = orderOf([orderItem('a', 'voicemail')]);
    const before = succeed(started(o), 'a', T2);
    const after = advance(before, T3).progress;
    const event = single(eventsOf(o, before, after, T3));
    expect(event).toMatchObject({
      eventId: 'evt-1',
      eventType: 'ServiceOrderStateChangeEvent',
      description: 'inProgress -> completed',
      fieldPath: 'state',
      event: { serviceOrder: { state: 'completed', completionDate: T3, serviceOrderItem: [] } },
    });
  });

  it('folds the items that moved into the state-change event, each with its fresh error', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail', ['a']), orderItem('c', 'voicemail', ['b'])]);
    const before = requestCancel(started(o), T2);
    const after = advance(before, T2).progress;
    const event = single(eventsOf(o, before, after, T2));
    expect(event.eventType).toBe('ServiceOrderStateChangeEvent');
    expect(event.description).toBe('assessingCancellation -> pendingCancellation; item b: acknowledged -> cancelled; item c: acknowledged -> cancelled');
    expect(event.fieldPath).toBe(`state,${statePath('b')},${statePath('c')}`);
    expect(event.event.serviceOrder.state).toBe('pendingCancellation');
    expect(event.event.serviceOrder.serviceOrderItem.map((i) => [i.id, i.state, i.errorMessage?.map((e) => [e.code, e.message])])).toEqual([
      ['b', 'cancelled', [['ORDER_ITEM_NOT_STARTED', 'not started because the order was cancelled']]],
      ['c', 'cancelled', [['ORDER_ITEM_NOT_STARTED', 'not started because the order was cancelled']]],
    ]);
  });

  it('carries an errorMessage only for the items whose errors grew, and only the new ones', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail', ['a']), orderItem('c', 'voicemail', ['d']), orderItem('d', 'voicemail')], 'partial');
    let p = started(o);
    const beforeFailure = p;
    p = fail(p, 'a', T2, 'vms-1: noAccess');
    const failed = single(eventsOf(o, beforeFailure, p, T2));
    expect(failed.event.serviceOrder.serviceOrderItem).toEqual([
      {
        id: 'a',
        state: 'failed',
        errorMessage: [{ code: 'NE_COMMAND_REJECTED', reason: 'NE_COMMAND_REJECTED', message: 'vms-1: noAccess', timestamp: T2, '@type': 'ServiceOrderItemErrorMessage' }],
      },
    ]);

    p = succeed(p, 'd', T3);
    const before = p;
    const after = advance(before, T3).progress;
    const event = single(eventsOf(o, before, after, T3));
    expect(event.eventType).toBe('ServiceOrderAttributeValueChangeEvent');
    // b is cancelled with a reason, c starts without one; a (failed before) is not repeated.
    expect(event.event.serviceOrder.serviceOrderItem).toEqual([
      {
        id: 'b',
        state: 'cancelled',
        errorMessage: [
          {
            code: 'ORDER_DEPENDENCY_FAILED',
            reason: 'ORDER_DEPENDENCY_FAILED',
            message: 'not started because item a, which it relies on, did not complete',
            timestamp: T3,
            '@type': 'ServiceOrderItemErrorMessage',
          },
        ],
      },
      { id: 'c', state: 'inProgress' },
    ]);
  });

  it('carries only the error the rollback added to an item that already had one', () => {
    const o = orderOf([orderItem('a', 'voicemail')]);
    let p = succeed(started(o), 'a', T2);
    // An earlier error on the item (as a store could hold it) is not sent again.
    const earlier = { code: 'NE_TIMEOUT', reason: 'NE_TIMEOUT', message: 'retried', timestamp: T1, '@type': 'ServiceOrderItemErrorMessage' };
    p = { ...p, items: { ...p.items, a: { ...p.items['a']!, errors: [earlier] } } };
    p = advance(requestCancel(p, T3), T3).progress;
    const after = itemCompensated(p, 'a', T4);
    const event = single(eventsOf(o, p, after, T4));
    expect(event.description).toBe('item a: completed -> cancelled');
    expect(event.event.serviceOrder.serviceOrderItem[0]?.errorMessage?.map((e) => e.message)).toEqual(['rolled back because the order was cancelled']);
    expect(after.items['a']?.errors).toHaveLength(2);
  });

  it('reports a hold and its end, with the item whose service is busy going pending and back', () => {
    const o = orderOf([orderItem('a', 'voicemail'), orderItem('b', 'voicemail')]);
    const held = holdOrder(o.progress, { serviceId: 'svc-a', orderId: 'order-0', since: T1 });
    const hold = single(eventsOf(o, o.progress, held, T1));
    expect(hold.eventType).toBe('ServiceOrderStateChangeEvent');
    expect(hold.description).toBe('acknowledged -> pending; item a: acknowledged -> pending');
    expect(hold.fieldPath).toBe(`state,${statePath('a')}`);
    expect(hold.event.serviceOrder.serviceOrderItem).toEqual([{ id: 'a', state: 'pending' }]);

    const running = startOrder(held, T2);
    const start = single(eventsOf(o, held, running, T2));
    expect(start.description).toBe('pending -> inProgress; item a: pending -> acknowledged');
    expect(start.fieldPath).toBe(`state,${statePath('a')},milestone`);
    expect(start.event.serviceOrder.milestone?.map((m) => m.id)).toEqual(['decomposed']);
  });

  it('reports an item absent before as coming from none', () => {
    const ctx: EventContext = { id: 'order-1', actions: {}, serviceOf: () => undefined };
    const before = initialProgress([], 'atomic');
    const after = initialProgress([{ id: 'x', dependsOn: [], noChange: false }], 'atomic');
    const event = single(orderEvents(ctx, before, after, T1, idGenerator()));
    expect(event.description).toBe('item x: none -> acknowledged');
    expect(event.event.serviceOrder.serviceOrderItem).toEqual([{ id: 'x', state: 'acknowledged' }]);
    expect('externalId' in event.event.serviceOrder).toBe(false);
  });
});

describe('orderEvents: jeopardy', () => {
  it('emits a jeopardy event per new alert, once each', () => {
    const o = dueOrder();
    const p = started(o);
    // 8 s of 9 used: not yet at risk.
    expect(assess(o, p, '2025-01-01T10:00:08.000Z')).toBe(p);

    const risky = assess(o, p, AT_RISK);
    const event = single(eventsOf(o, p, risky, AT_RISK));
    const alert = risky.jeopardy[0];
    expect(alert).toMatchObject({ id: 'atRisk-order-1', jeopardyType: 'atRisk', alertDate: AT_RISK, serviceOrderItem: [{ itemId: 'a' }, { itemId: 'b' }] });
    expect(event).toEqual({
      eventId: 'evt-1',
      eventTime: AT_RISK,
      eventType: 'ServiceOrderJeopardyEvent',
      description: `order order-1 is at risk of missing its expected completion ${DUE}; items not done: a, b`,
      fieldPath: 'jeopardyAlert',
      event: {
        serviceOrder: {
          id: 'order-1',
          state: 'inProgress',
          serviceOrderItem: [],
          jeopardyAlert: [alert],
          '@type': 'ServiceOrder',
        },
      },
      title: 'Expected completion at risk',
    });
    // Raised once: assessing again raises nothing, so nothing is emitted.
    expect(assess(o, risky, AT_RISK)).toBe(risky);

    const missed = assess(o, risky, LATE);
    const escalation = single(eventsOf(o, risky, missed, LATE));
    expect(escalation.title).toBe('Expected completion missed');
    expect(escalation.description).toBe(`order order-1 missed its expected completion ${DUE} by 1 s; items not done: a, b`);
    expect(escalation.event.serviceOrder.jeopardyAlert?.map((a) => a.id)).toEqual(['missed-order-1']);
  });

  it('emits the change event first, then the jeopardy event, each with its own id', () => {
    const o = dueOrder();
    const before = started(o);
    const after = assess(o, succeed(before, 'a', LATE), LATE);
    const events = orderEvents(eventContext(o), before, after, LATE, idGenerator());
    expect(events.map((e) => [e.eventId, e.eventType, e.fieldPath])).toEqual([
      ['evt-1', 'ServiceOrderAttributeValueChangeEvent', `${statePath('a')},milestone`],
      ['evt-2', 'ServiceOrderJeopardyEvent', 'jeopardyAlert'],
    ]);
    expect(events[1]?.event.serviceOrder.jeopardyAlert?.[0]?.serviceOrderItem).toEqual([{ itemId: 'b' }]);
  });
});

describe('orderEvents: common fields', () => {
  it('gives every event its own id and the change time, and leaves the delivery fields to the API', () => {
    const o = dueOrder();
    const before = started(o);
    // The cancel request and the missed deadline are stored in one change.
    const after = assess(o, requestCancel(before, LATE), LATE);
    let n = 0;
    const events = orderEvents(eventContext(o), before, after, LATE, () => {
      n += 1;
      return `id-${n}-${Math.random().toString(36).slice(2)}`;
    });
    expect(events.map((e) => [e.eventType, e.fieldPath])).toEqual([
      ['ServiceOrderStateChangeEvent', 'state'],
      ['ServiceOrderJeopardyEvent', 'jeopardyAlert'],
    ]);
    expect(n).toBe(events.length);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    for (const e of events) {
      expect(e.eventTime).toBe(LATE);
      // correlationId, domain, timeOcurred and the href are filled in where events are delivered.
      expect('correlationId' in e || 'domain' in e || 'timeOcurred' in e).toBe(false);
      expect(e.event.serviceOrder).toMatchObject({ id: 'order-1', state: 'assessingCancellation', '@type': 'ServiceOrder' });
    }
  });
});
