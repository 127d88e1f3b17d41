import { describe, expect, it } from 'vitest';
import { INPUT_LIMITS } from '../../orders/input-bounds.js';
import { isParsedServiceOrder, parsedFrom, parseServiceOrder } from '../../orders/posted-order.js';

const order = {
  id: 'po-1',
  externalId: 'ext-1',
  serviceOrderItem: [{ id: '1', action: 'add', service: { serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: [{ name: 'plan', value: 'gold' }] } }],
};

const nested = (depth: number): unknown => (depth === 0 ? 'x' : { inner: nested(depth - 1) });

describe('parseServiceOrder: the one parse of every intake path', () => {
  it('gives the typed order and the posted ids', () => {
    const posted = parseServiceOrder(order);
    expect(posted.ok && posted.order.serviceOrderItem[0]?.id).toBe('1');
    expect([posted.givenId, posted.externalId]).toEqual(['po-1', 'ext-1']);
    expect(isParsedServiceOrder(posted)).toBe(true);
  });

  it('gives the schema lines an API answers 400 with, and the same lines as ORDER_INVALID reasons', () => {
    const posted = parseServiceOrder({ ...order, priority: '9', bogus: true });
    expect(posted.ok).toBe(false);
    if (posted.ok) return;
    expect(posted.schemaIssues).toEqual(expect.arrayContaining([expect.stringMatching(/^priority: /), expect.stringMatching(/bogus/)]));
    expect(posted.reasons.map((r) => r.message)).toEqual(posted.schemaIssues);
    expect(posted.reasons.every((r) => r.code === 'ORDER_INVALID')).toBe(true);
  });

  it('puts the bounds first but still says what the schema refuses', () => {
    const deep = { ...order, note: [nested(INPUT_LIMITS.maxDepth + 2)], bogus: true };
    const posted = parseServiceOrder(deep);
    expect(posted.ok).toBe(false);
    if (posted.ok) return;
    expect(posted.reasons.map((r) => r.code)).toEqual(['ORDER_INPUT_TOO_DEEP']);
    expect(posted.schemaIssues?.some((line) => line.includes('bogus'))).toBe(true);
  });

  it('keeps the posted ids of an order it refuses, so the rejection is stored under them', () => {
    const posted = parseServiceOrder({ id: 'po-2', externalId: 'ext-2', serviceOrderItem: [] });
    expect(posted.ok).toBe(false);
    expect([posted.givenId, posted.externalId]).toEqual(['po-2', 'ext-2']);
  });

  it('is never mistaken for a raw order that came through JSON (a queue job)', () => {
    const roundTripped: unknown = JSON.parse(JSON.stringify(parseServiceOrder(order)));
    expect(isParsedServiceOrder(roundTripped)).toBe(false);
    expect(isParsedServiceOrder(order)).toBe(false);
  });

  it('takes an order the fleet built from a parsed one without parsing it again', () => {
    const first = parseServiceOrder(order);
    if (!first.ok) throw new Error('expected a valid order');
    const again = parsedFrom(first.order);
    expect(again.ok && again.order).toBe(first.order);
  });
});
