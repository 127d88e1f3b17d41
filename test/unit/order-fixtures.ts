import { expect } from 'vitest';
import type { EventContext } from '../../orders/order-events.js';
import { itemCompleted, itemFailed, itemStepsApplied, type Advance, type OrderProgress } from '../../orders/order-progress.js';
import { newOrder, type NewOrder } from '../../orders/order-record.js';
import type { ItemState } from '../../orders/order-states.js';
import type { ValidatedItem } from '../../orders/order-validation.js';
import { serviceOrderView } from '../../orders/order-view.js';
import type { ActivationPolicy } from '../../catalog/activation-policy.js';
import type { ServiceOrder, ServiceOrderInput, ServiceOrderItemInput, TmfErrorMessage } from '../../orders/service-order.js';

/** Shared fixtures for the pure order domain tests (order-progress, order-events). */

export const T0 = '2025-01-01T10:00:00.000Z';
export const T1 = '2025-01-01T10:00:01.000Z';
export const T2 = '2025-01-01T10:00:02.000Z';
export const T3 = '2025-01-01T10:00:03.000Z';
export const T4 = '2025-01-01T10:00:04.000Z';
export const T5 = '2025-01-01T10:00:05.000Z';
export const T6 = '2025-01-01T10:00:06.000Z';
export const T7 = '2025-01-01T10:00:07.000Z';
export const T8 = '2025-01-01T10:00:08.000Z';

export const MSISDN = '33612345678';

export function orderItem(id: string, specId: string, reliesOn: string[] = [], action: ServiceOrderItemInput['action'] = 'add'): ServiceOrderItemInput {
  return {
    id,
    action,
    service: { serviceSpecification: { id: specId }, serviceCharacteristic: [{ name: 'msisdn', value: MSISDN }] },
    ...(reliesOn.length > 0 ? { serviceOrderItemRelationship: reliesOn.map((itemId) => ({ relationshipType: 'reliesOn', orderItem: { itemId } })) } : {}),
  };
}

export function validated(id: string, specId: string, values: ValidatedItem['values'] = { msisdn: MSISDN }): ValidatedItem {
  return { itemId: id, specId, values, lifecycle: 'add' };
}

export function ctxOf(id: string, href: string, defaultPolicy: ActivationPolicy = 'atomic'): Parameters<typeof newOrder>[2] {
  return { id, href, now: T0, defaultPolicy, newServiceId: (itemId: string) => `svc-${itemId}` };
}

export function orderOf(items: ServiceOrderItemInput[], policy?: ActivationPolicy, defaultPolicy: ActivationPolicy = 'atomic'): NewOrder {
  const input: ServiceOrderInput = {
    externalId: 'ext-1',
    priority: '2',
    ...(policy ? { activationPolicy: policy } : {}),
    serviceOrderItem: items,
  };
  return newOrder(
    input,
    items.map((i) => validated(i.id, i.service.serviceSpecification?.id ?? '')),
    ctxOf('order-1', '/serviceOrder/order-1', defaultPolicy),
  );
}

/** number-porting <- mobile-plan <- voicemail, each relying on the previous one. */
export function bundle(policy?: ActivationPolicy): NewOrder {
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
  return newOrder(input, items, ctxOf('order-1', '/tmf-api/serviceOrdering/v4/serviceOrder/order-1'));
}

/** The TMF641 view of an order at a given progress. */
export function view(o: NewOrder, p: OrderProgress): ServiceOrder {
  return serviceOrderView(o.doc, p, o.specs);
}

export function itemState(o: NewOrder, p: OrderProgress, id: string): ItemState | undefined {
  return view(o, p).serviceOrderItem.find((i) => i.id === id)?.state;
}

export function itemStates(o: NewOrder, p: OrderProgress): Array<[string, ItemState]> {
  return view(o, p).serviceOrderItem.map((i) => [i.id, i.state]);
}

export function itemErrors(o: NewOrder, p: OrderProgress, id: string): TmfErrorMessage[] {
  return view(o, p).serviceOrderItem.find((i) => i.id === id)?.errorMessage ?? [];
}

/** What a worker reports for a successful activation: every step applied, then the tests passed. */
export function succeed(p: OrderProgress, id: string, now: string, tested = true): OrderProgress {
  expect(p.items[id]?.phase).toBe('activating');
  return itemCompleted(itemStepsApplied(p, id, now), id, now, tested);
}

export function fail(p: OrderProgress, id: string, now: string, message = 'device said no'): OrderProgress {
  expect(p.items[id]?.phase).toBe('activating');
  return itemFailed(p, id, now, 'NE_COMMAND_REJECTED', message);
}

export function expectDecision(decision: Advance, activate: string[], compensate: string[]): OrderProgress {
  expect({ activate: decision.activate, compensate: decision.compensate }).toEqual({ activate, compensate });
  return decision.progress;
}

/** What orderEvents needs of an order beyond its progress, as the stores give it. */
export function eventContext(o: NewOrder): EventContext {
  return {
    id: o.doc.id,
    ...(o.doc.externalId ? { externalId: o.doc.externalId } : {}),
    actions: Object.fromEntries(o.doc.serviceOrderItem.map((i) => [i.id, i.action])),
    serviceOf: (itemId: string) => o.specs[itemId]?.serviceId,
  };
}

export function idGenerator(): () => string {
  let n = 0;
  return () => {
    n += 1;
    return `evt-${n}`;
  };
}
