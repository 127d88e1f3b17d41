import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { RejectionReason } from '../../errors/index.js';
import { validateServiceOrder, type OrderValidation } from '../../orders/order-validation.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

const CATALOG_DIR = fileURLToPath(new URL('../../config/catalog', import.meta.url));
const MSISDN = '33612345678';

let catalog: ServiceCatalog;
beforeAll(async () => {
  catalog = await loadServiceCatalog(CATALOG_DIR);
});

function validate(order: unknown): OrderValidation {
  return validateServiceOrder(order, (id) => catalog.get(id));
}

function reasonsOf(order: unknown): RejectionReason[] {
  const result = validate(order);
  if (result.ok) throw new Error('expected the order to be rejected');
  return result.reasons;
}

type Ch = { name: string; value: unknown };

function item(id: string, specId: string, characteristics: Ch[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, action: 'add', service: { serviceSpecification: { id: specId }, serviceCharacteristic: characteristics }, ...extra };
}

const planChars = (overrides: Ch[] = []): Ch[] => {
  const base: Ch[] = [
    { name: 'msisdn', value: MSISDN },
    { name: 'plan', value: 'gold' },
  ];
  return [...base.filter((c) => !overrides.some((o) => o.name === c.name)), ...overrides];
};

function mobileBundle() {
  return {
    externalId: 'crm-42',
    priority: '2',
    requestedStartDate: '2025-06-01T08:00:00Z',
    serviceOrderItem: [
      item('number-porting', 'number-porting', [
        { name: 'msisdn', value: MSISDN },
        { name: 'donorOperator', value: 'Other Mobile' },
        { name: 'routingNumber', value: 'D042' },
      ]),
      item('mobile-plan', 'mobile-plan', planChars(), {
        serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'number-porting' } }],
      }),
      item('voicemail', 'voicemail', [{ name: 'msisdn', value: MSISDN }, { name: 'quotaMinutes', value: '60' }], {
        serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'mobile-plan' } }],
      }),
    ],
  };
}

describe('validateServiceOrder: a valid order', () => {
  it('accepts the mobile bundle and returns typed values with defaults filled', () => {
    const result = validate(mobileBundle());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.items).toMatchObject([
      { itemId: 'number-porting', specId: 'number-porting', lifecycle: 'add', values: { msisdn: MSISDN, donorOperator: 'Other Mobile', routingNumber: 'D042' } },
      { itemId: 'mobile-plan', specId: 'mobile-plan', lifecycle: 'add', values: { msisdn: MSISDN, plan: 'gold', dataCapGb: 20, apn: 'internet' } },
      { itemId: 'voicemail', specId: 'voicemail', lifecycle: 'add', values: { msisdn: MSISDN, quotaMinutes: 60, language: 'en' } },
    ]);
    expect(result.order.externalId).toBe('crm-42');
    expect(result.order.serviceOrderItem).toHaveLength(3);
  });

  it('keeps given values over defaults', () => {
    const result = validate({
      serviceOrderItem: [item('p', 'mobile-plan', planChars([{ name: 'dataCapGb', value: 50 }, { name: 'apn', value: 'corp.example' }]))],
    });
    expect(result.ok && result.items[0]?.values).toEqual({ msisdn: MSISDN, plan: 'gold', dataCapGb: 50, apn: 'corp.example' });
  });

  it('accepts a noChange item on any specification', () => {
    const result = validate({ serviceOrderItem: [{ ...item('v', 'voicemail', [{ name: 'msisdn', value: MSISDN }]), action: 'noChange' }] });
    expect(result.ok).toBe(true);
  });

  it('accepts non-ordering relationships between items', () => {
    const order = mobileBundle();
    order.serviceOrderItem[0] = { ...order.serviceOrderItem[0]!, serviceOrderItemRelationship: [{ relationshipType: 'bundles', orderItem: { itemId: 'voicemail' } }] };
    expect(validate(order).ok).toBe(true);
  });
});

describe('validateServiceOrder: schema errors', () => {
  it('requires serviceOrderItem', () => {
    expect(reasonsOf({ description: 'no items' })).toEqual([
      { code: 'ORDER_INVALID', message: 'serviceOrderItem: Invalid input: expected array, received undefined', path: 'serviceOrderItem' },
    ]);
  });

  it('requires at least one item', () => {
    expect(reasonsOf({ serviceOrderItem: [] })).toEqual([
      { code: 'ORDER_INVALID', message: 'serviceOrderItem: an order needs at least one serviceOrderItem', path: 'serviceOrderItem' },
    ]);
  });

  it('refuses an input that is not an object', () => {
    const reasons = reasonsOf('not an order');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]?.code).toBe('ORDER_INVALID');
    expect(reasons[0]?.message).toMatch(/^\(root\): /);
  });

  it('refuses an unknown action with the item path', () => {
    const reasons = reasonsOf({ serviceOrderItem: [{ ...item('a', 'voicemail', []), action: 'destroy' }] });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({ code: 'ORDER_INVALID', path: 'serviceOrderItem[0].action' });
    expect(reasons[0]?.message).toMatch(/^serviceOrderItem\[0\]\.action: .*"add"\|"modify"\|"delete"\|"noChange"/);
  });

  it('refuses an unknown top-level field, naming it', () => {
    const reasons = reasonsOf({ ...mobileBundle(), prority: '1' });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]?.code).toBe('ORDER_INVALID');
    expect(reasons[0]?.message).toBe('(root): Unrecognized key: "prority"');
  });

  it('refuses an unknown item field, with the item path', () => {
    const order = mobileBundle();
    const reasons = reasonsOf({ ...order, serviceOrderItem: [order.serviceOrderItem[0], { ...order.serviceOrderItem[1], qty: 1 }] });
    expect(reasons.map((r) => r.message)).toEqual(['serviceOrderItem[1]: Unrecognized key: "qty"']);
  });

  it('refuses a priority outside "0".."4"', () => {
    expect(reasonsOf({ ...mobileBundle(), priority: '9' })).toEqual([
      { code: 'ORDER_INVALID', message: 'priority: must be "0" (highest) to "4" (lowest)', path: 'priority' },
    ]);
    expect(reasonsOf({ ...mobileBundle(), priority: 1 })[0]?.path).toBe('priority');
  });

  it('refuses a requestedStartDate that is not an ISO 8601 date-time', () => {
    expect(reasonsOf({ ...mobileBundle(), requestedStartDate: 'tomorrow' })).toEqual([
      { code: 'ORDER_INVALID', message: 'requestedStartDate: must be an ISO 8601 date-time', path: 'requestedStartDate' },
    ]);
    expect(reasonsOf({ ...mobileBundle(), requestedStartDate: '2025-06-01' })[0]?.path).toBe('requestedStartDate');
  });

  it('refuses an item id outside the safe alphabet', () => {
    const order = mobileBundle();
    const reasons = reasonsOf({ serviceOrderItem: [{ ...order.serviceOrderItem[0], id: 'bad id' }] });
    expect(reasons.map((r) => r.message)).toEqual(['serviceOrderItem[0].id: must be 1-128 characters: letters, digits, _ . - (starting with a letter or digit)']);
  });

  it('refuses an unknown activationPolicy', () => {
    expect(reasonsOf({ ...mobileBundle(), activationPolicy: 'sometimes' })[0]?.path).toBe('activationPolicy');
  });

  it('reports every schema problem at once, and stops before semantic checks', () => {
    const reasons = reasonsOf({
      priority: '7',
      requestedStartDate: 'soon',
      bogus: true,
      serviceOrderItem: [{ ...item('a', 'nope', []), action: 'destroy' }],
    });
    expect(reasons.map((r) => r.path).sort()).toEqual(['(root)', 'priority', 'requestedStartDate', 'serviceOrderItem[0].action']);
    expect(reasons.every((r) => r.code === 'ORDER_INVALID')).toBe(true);
  });
});

describe('validateServiceOrder: semantic errors', () => {
  it('refuses an unknown specification', () => {
    expect(reasonsOf({ serviceOrderItem: [item('a', 'fixed-line', [])] })).toEqual([
      { code: 'ORDER_UNKNOWN_SPECIFICATION', message: 'serviceOrderItem[0] (id a): unknown service specification fixed-line', itemId: 'a' },
    ]);
  });

  it('refuses an item without a specification reference', () => {
    expect(reasonsOf({ serviceOrderItem: [{ id: 'a', action: 'add', service: {} }] })).toEqual([
      { code: 'ORDER_INVALID', message: 'serviceOrderItem[0] (id a): service.serviceSpecification.id is required', itemId: 'a' },
    ]);
  });

  it('refuses a modify without the id of the service to change', () => {
    const order = mobileBundle();
    const reasons = reasonsOf({ serviceOrderItem: [{ ...order.serviceOrderItem[0], action: 'modify' }] });
    expect(reasons).toEqual([
      {
        code: 'ORDER_INVALID',
        message: 'serviceOrderItem[0] (id number-porting): action modify needs service.id, the service to change',
        itemId: 'number-porting',
      },
    ]);
  });

  it('refuses a duplicate item id', () => {
    const chars = [{ name: 'msisdn', value: MSISDN }];
    const reasons = reasonsOf({ serviceOrderItem: [item('vm', 'voicemail', chars), item('vm', 'voicemail', chars)] });
    expect(reasons).toEqual([{ code: 'ORDER_DUPLICATE_ITEM_ID', message: 'serviceOrderItem id vm is used more than once', itemId: 'vm' }]);
  });

  it('refuses a relationship to an item that is not in the order', () => {
    const order = mobileBundle();
    const reasons = reasonsOf({ serviceOrderItem: order.serviceOrderItem.slice(1) });
    expect(reasons).toEqual([
      {
        code: 'ORDER_UNKNOWN_RELATED_ITEM',
        message: 'serviceOrderItem mobile-plan has a relationship to item number-porting, which is not in the order',
        itemId: 'mobile-plan',
      },
    ]);
  });

  it('refuses a dependency cycle, showing its path', () => {
    const order = mobileBundle();
    order.serviceOrderItem[0] = { ...order.serviceOrderItem[0]!, serviceOrderItemRelationship: [{ relationshipType: 'dependsOn', orderItem: { itemId: 'voicemail' } }] };
    expect(reasonsOf(order)).toEqual([
      {
        code: 'ORDER_DEPENDENCY_CYCLE',
        message: 'serviceOrderItem relationships form a cycle: number-porting -> voicemail -> mobile-plan -> number-porting',
        itemId: 'number-porting',
      },
    ]);
  });

  it('refuses an item relying on itself', () => {
    const chars = [{ name: 'msisdn', value: MSISDN }];
    const reasons = reasonsOf({ serviceOrderItem: [item('vm', 'voicemail', chars, { serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'vm' } }] })] });
    expect(reasons).toEqual([{ code: 'ORDER_DEPENDENCY_CYCLE', message: 'serviceOrderItem relationships form a cycle: vm -> vm', itemId: 'vm' }]);
  });
});

describe('validateServiceOrder: characteristics', () => {
  const one = (chars: Ch[]) => reasonsOf({ serviceOrderItem: [item('plan', 'mobile-plan', chars)] });

  it('refuses a missing mandatory characteristic', () => {
    expect(one([{ name: 'msisdn', value: MSISDN }])).toEqual([
      { code: 'ORDER_INVALID_CHARACTERISTIC', message: 'serviceOrderItem[0] (id plan): mandatory characteristic plan is missing', itemId: 'plan' },
    ]);
  });

  it('refuses a value failing its pattern', () => {
    expect(one(planChars([{ name: 'msisdn', value: '+33612345678' }]))).toEqual([
      {
        code: 'ORDER_INVALID_CHARACTERISTIC',
        message: 'serviceOrderItem[0] (id plan): characteristic msisdn "+33612345678" does not match the pattern [1-9][0-9]{7,14}',
        itemId: 'plan',
      },
    ]);
  });

  it('refuses a value holding a line break (command injection attempt)', () => {
    const reasons = one(planChars([{ name: 'apn', value: 'x\nreload' }]));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]?.code).toBe('ORDER_INVALID_CHARACTERISTIC');
    expect(reasons[0]?.message).toBe('serviceOrderItem[0] (id plan): characteristic apn "x\\nreload" holds control or line-break characters');
    // The message quotes the value: it carries no raw newline itself.
    expect(reasons[0]?.message).not.toContain('\n');
  });

  it('refuses a value outside its enum', () => {
    expect(one(planChars([{ name: 'plan', value: 'platinum' }]))[0]?.message).toBe(
      'serviceOrderItem[0] (id plan): characteristic plan must be one of bronze, silver, gold, got "platinum"',
    );
  });

  it('refuses an integer out of range', () => {
    expect(one(planChars([{ name: 'dataCapGb', value: 5000 }]))[0]?.message).toBe('serviceOrderItem[0] (id plan): characteristic dataCapGb must be at most 1000, got 5000');
    expect(one(planChars([{ name: 'dataCapGb', value: 0 }]))[0]?.message).toBe('serviceOrderItem[0] (id plan): characteristic dataCapGb must be at least 1, got 0');
    expect(one(planChars([{ name: 'dataCapGb', value: 2.5 }]))[0]?.message).toBe('serviceOrderItem[0] (id plan): characteristic dataCapGb must be an integer, got 2.5');
  });

  it('refuses an unknown characteristic name, listing the known ones', () => {
    expect(one(planChars([{ name: 'datacap', value: 10 }]))).toEqual([
      {
        code: 'ORDER_INVALID_CHARACTERISTIC',
        message: 'serviceOrderItem[0] (id plan): characteristic datacap is not defined by mobile-plan (known: msisdn, plan, dataCapGb, apn)',
        itemId: 'plan',
      },
    ]);
  });

  it('reports several problems together, across items and kinds', () => {
    const order = mobileBundle();
    const reasons = reasonsOf({
      serviceOrderItem: [
        order.serviceOrderItem[0],
        item('mobile-plan', 'mobile-plan', [
          { name: 'msisdn', value: 'x\nreload' },
          { name: 'plan', value: 'platinum' },
          { name: 'dataCapGb', value: 5000 },
          { name: 'colour', value: 'red' },
        ]),
        item('voicemail', 'voicemail', [{ name: 'msisdn', value: MSISDN }], { serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'ghost' } }] }),
        item('sms', 'sms-bundle', []),
      ],
    });
    expect(reasons.map((r) => [r.code, r.itemId])).toEqual([
      ['ORDER_UNKNOWN_RELATED_ITEM', 'voicemail'],
      ['ORDER_INVALID_CHARACTERISTIC', 'mobile-plan'],
      ['ORDER_INVALID_CHARACTERISTIC', 'mobile-plan'],
      ['ORDER_INVALID_CHARACTERISTIC', 'mobile-plan'],
      ['ORDER_INVALID_CHARACTERISTIC', 'mobile-plan'],
      ['ORDER_UNKNOWN_SPECIFICATION', 'sms'],
    ]);
    expect(reasons[1]?.message).toContain('control or line-break characters');
    expect(reasons[2]?.message).toContain('must be one of bronze, silver, gold');
    expect(reasons[3]?.message).toContain('must be at most 1000');
    expect(reasons[4]?.message).toContain('characteristic colour is not defined');
  });

  it('returns the parsed order along with the reasons', () => {
    const result = validate({ serviceOrderItem: [item('plan', 'mobile-plan', [])] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.order?.serviceOrderItem[0]?.id).toBe('plan');
  });
});
