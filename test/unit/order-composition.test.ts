import { describe, expect, it } from 'vitest';
import { newOrder } from '../../orders/order-record.js';
import type { ValidatedItem } from '../../orders/order-validation.js';
import { ctxOf, orderItem, validated } from './order-fixtures.js';

/** A CFS whose catalog entry is composedOf an RFS specification (TMF638 supportingService). */
function composed(id: string, specId: string, composedOf: string[]): ValidatedItem {
  return { ...validated(id, specId), catalog: { name: specId, version: '1.0', category: 'CFS', composedOf, hash: 'test' } };
}

describe("supportingService from the catalog's composition", () => {
  it('links a service to the services of the items whose specification its own is composed of, with no item relationship', () => {
    const items = [orderItem('internet', 'internet'), orderItem('line', 'access-line'), orderItem('mailbox', 'voicemail')];
    const order = newOrder({ serviceOrderItem: items }, [composed('internet', 'internet', ['access-line']), validated('line', 'access-line'), validated('mailbox', 'voicemail')], ctxOf('order-1', '/serviceOrder/order-1'));
    expect(order.specs['internet']?.service?.supportingServiceIds).toEqual(['svc-line']);
    expect(order.specs['line']?.service?.supportingServiceIds).toBeUndefined();
    expect(order.specs['mailbox']?.service?.supportingServiceIds).toBeUndefined();
  });

  it('adds the item relationships once, beside the composition', () => {
    const items = [orderItem('internet', 'internet', ['line']), orderItem('line', 'access-line'), orderItem('port', 'number-porting')];
    const order = newOrder({ serviceOrderItem: items }, [composed('internet', 'internet', ['access-line', 'number-porting']), validated('line', 'access-line'), validated('port', 'number-porting')], ctxOf('order-1', '/serviceOrder/order-1'));
    expect(order.specs['internet']?.service?.supportingServiceIds).toEqual(['svc-line', 'svc-port']);
  });
});
