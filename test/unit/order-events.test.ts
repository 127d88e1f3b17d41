import { describe, expect, it } from 'vitest';
import { orderEvents } from '../../orders/order-events.js';
import type { ServiceOrder, ServiceOrderItem } from '../../orders/service-order.js';

const NOW = '2025-01-01T12:00:00.000Z';

function idGenerator(): () => string {
  let n = 0;
  return () => {
    n += 1;
    return `evt-${n}`;
  };
}

function order(state: ServiceOrder['state'], items: Array<[string, ServiceOrderItem['state']]>): ServiceOrder {
  return {
    id: 'order-1',
    href: '/serviceOrder/order-1',
    state,
    orderDate: '2025-01-01T10:00:00.000Z',
    serviceOrderItem: items.map(([id, itemState]) => ({ id, action: 'add', service: {}, state: itemState })),
    '@type': 'ServiceOrder',
  };
}

describe('orderEvents', () => {
  it('emits one create event for a new order', () => {
    const after = order('acknowledged', [['a', 'acknowledged']]);
    expect(orderEvents(undefined, after, NOW, idGenerator())).toEqual([
      {
        eventId: 'evt-1',
        eventTime: NOW,
        eventType: 'ServiceOrderCreateEvent',
        correlationId: 'order-1',
        domain: 'serviceOrdering',
        title: 'Service order created',
        description: 'order order-1 is acknowledged',
        timeOcurred: NOW,
        event: { serviceOrder: after },
      },
    ]);
  });

  it('describes a rejected order at creation', () => {
    const [event] = orderEvents(undefined, order('rejected', []), NOW, idGenerator());
    expect(event?.eventType).toBe('ServiceOrderCreateEvent');
    expect(event?.description).toBe('order order-1 is rejected');
    expect(event && 'fieldPath' in event).toBe(false);
  });

  it('emits nothing when nothing changed', () => {
    const before = order('inProgress', [['a', 'inProgress'], ['b', 'acknowledged']]);
    const after = structuredClone(before);
    after.startDate = NOW; // not a state change
    expect(orderEvents(before, after, NOW, idGenerator())).toEqual([]);
  });

  it('emits an attribute-value-change event per item whose state changed, with its fieldPath', () => {
    const before = order('inProgress', [['number-porting', 'inProgress'], ['mobile-plan', 'acknowledged'], ['voicemail', 'acknowledged']]);
    const after = order('inProgress', [['number-porting', 'completed'], ['mobile-plan', 'inProgress'], ['voicemail', 'acknowledged']]);
    const events = orderEvents(before, after, NOW, idGenerator());
    expect(events.map((e) => [e.eventId, e.eventType, e.title, e.description, e.fieldPath])).toEqual([
      [
        'evt-1',
        'ServiceOrderAttributeValueChangeEvent',
        'Service order item state changed',
        'item number-porting of order order-1: inProgress -> completed',
        "serviceOrderItem[?(@.id=='number-porting')].state",
      ],
      [
        'evt-2',
        'ServiceOrderAttributeValueChangeEvent',
        'Service order item state changed',
        'item mobile-plan of order order-1: acknowledged -> inProgress',
        "serviceOrderItem[?(@.id=='mobile-plan')].state",
      ],
    ]);
    for (const e of events) {
      expect(e.event.serviceOrder).toBe(after);
      expect(e.correlationId).toBe('order-1');
      expect(e.eventTime).toBe(NOW);
      expect(e.timeOcurred).toBe(NOW);
      expect(e.domain).toBe('serviceOrdering');
    }
  });

  it('emits a state-change event for the order, after the item events', () => {
    const before = order('inProgress', [['a', 'inProgress']]);
    const after = order('completed', [['a', 'completed']]);
    const events = orderEvents(before, after, NOW, idGenerator());
    expect(events.map((e) => e.eventType)).toEqual(['ServiceOrderAttributeValueChangeEvent', 'ServiceOrderStateChangeEvent']);
    expect(events[1]).toMatchObject({
      eventId: 'evt-2',
      title: 'Service order state changed',
      description: 'order order-1: inProgress -> completed',
      fieldPath: 'state',
      event: { serviceOrder: after },
    });
  });

  it('emits only the order event when items did not move', () => {
    const before = order('inProgress', [['a', 'inProgress']]);
    const after = order('assessingCancellation', [['a', 'inProgress']]);
    const events = orderEvents(before, after, NOW, idGenerator());
    expect(events).toHaveLength(1);
    expect(events[0]?.description).toBe('order order-1: inProgress -> assessingCancellation');
  });

  it('reports an item absent before as coming from none', () => {
    const events = orderEvents(order('acknowledged', []), order('acknowledged', [['x', 'acknowledged']]), NOW, idGenerator());
    expect(events.map((e) => e.description)).toEqual(['item x of order order-1: none -> acknowledged']);
  });

  it('gives every event its own id', () => {
    const before = order('inProgress', [['a', 'inProgress'], ['b', 'inProgress']]);
    const after = order('failed', [['a', 'failed'], ['b', 'cancelled']]);
    const ids = orderEvents(before, after, NOW, idGenerator()).map((e) => e.eventId);
    expect(ids).toEqual(['evt-1', 'evt-2', 'evt-3']);
  });
});
