import { describe, expect, it } from 'vitest';
import { matchesAll, parseAttributeFilter } from '../../api/http/attribute-filter.js';
import { parseCollectionQuery } from '../../api/http/collection-query.js';
import { parseFields, projectFields } from '../../api/http/field-projection.js';
import { TmfHttpError } from '../../api/http/tmf-http-error.js';
import { describeViolations } from '../../api/http/validation-message.js';
import { matchesHubQuery, parseHubQuery } from '../../api/notifications/hub-query.js';

const order = {
  id: 'o1',
  href: '/x/o1',
  state: 'completed',
  orderDate: '2024-05-01T10:00:00.000Z',
  priority: '2',
  serviceOrderItem: [
    { id: 'a', state: 'completed', service: { serviceSpecification: { id: 'mobile-plan' } } },
    { id: 'b', state: 'failed', service: { serviceSpecification: { id: 'voicemail' } } },
  ],
};

const filters = (query: Record<string, string>) => Object.entries(query).map(([k, v]) => parseAttributeFilter(k, v));

describe('TMF630 attribute filtering', () => {
  it('matches plain and dotted attributes, through arrays, with any-of values', () => {
    expect(matchesAll(order, filters({ state: 'completed' }))).toBe(true);
    expect(matchesAll(order, filters({ state: 'failed,completed' }))).toBe(true);
    expect(matchesAll(order, filters({ state: 'failed' }))).toBe(false);
    expect(matchesAll(order, filters({ 'serviceOrderItem.state': 'failed' }))).toBe(true);
    expect(matchesAll(order, filters({ 'serviceOrderItem.service.serviceSpecification.id': 'voicemail' }))).toBe(true);
    expect(matchesAll(order, filters({ 'serviceOrderItem.service.serviceSpecification.id': 'bgp' }))).toBe(false);
    expect(matchesAll(order, filters({ unknownAttribute: 'x' }))).toBe(false);
  });

  it('compares numbers and dates with .gt .gte .lt .lte, and excludes with .ne', () => {
    expect(matchesAll(order, filters({ 'orderDate.gte': '2024-05-01T10:00:00Z' }))).toBe(true);
    expect(matchesAll(order, filters({ 'orderDate.gt': '2024-05-01T10:00:00Z' }))).toBe(false);
    expect(matchesAll(order, filters({ 'orderDate.lt': '2024-06-01' }))).toBe(true);
    expect(matchesAll(order, filters({ 'priority.lte': '10' }))).toBe(true);
    expect(matchesAll(order, filters({ 'state.ne': 'failed' }))).toBe(true);
    expect(matchesAll(order, filters({ 'serviceOrderItem.state.ne': 'failed' }))).toBe(false);
  });

  it('refuses what is not an attribute path or has no value', () => {
    expect(() => parseAttributeFilter('state[0]', 'x')).toThrow(TmfHttpError);
    expect(() => parseAttributeFilter('state', '')).toThrow(/state: needs a value/);
    expect(() => parseAttributeFilter('orderDate.gt', 'a,b')).toThrow(/takes one value/);
  });
});

describe('TMF630 fields and paging', () => {
  it('projects exactly the fields asked for plus id, trimming spaces, into arrays', () => {
    expect(projectFields(order, parseFields(' state ,  priority'))).toEqual({ id: 'o1', state: 'completed', priority: '2' });
    expect(projectFields(order, parseFields('serviceOrderItem.id,serviceOrderItem.service.serviceSpecification.id'))).toEqual({
      id: 'o1',
      serviceOrderItem: [
        { id: 'a', service: { serviceSpecification: { id: 'mobile-plan' } } },
        { id: 'b', service: { serviceSpecification: { id: 'voicemail' } } },
      ],
    });
    expect(projectFields(order, parseFields('nothing'))).toEqual({ id: 'o1' });
    expect(projectFields(order, undefined)).toBe(order);
  });

  it('parses offset, limit, sort and filters, refusing bad values by name', () => {
    expect(parseCollectionQuery({ offset: '5', limit: '10', sort: '-orderDate', state: 'active' })).toEqual({
      filters: [{ path: ['state'], operator: 'eq', values: ['active'] }],
      sort: [{ path: ['orderDate'], descending: true }],
      offset: 5,
      limit: 10,
    });
    expect(parseCollectionQuery({}).limit).toBe(100);
    expect(() => parseCollectionQuery({ limit: '1001' })).toThrow(/limit: must be an integer from 0 to 1000/);
    expect(() => parseCollectionQuery({ offset: '-2' })).toThrow(/offset/);
    expect(() => parseCollectionQuery({ fields: ' , ' })).toThrow(/fields: name at least one/);
  });
});

describe('schema violations', () => {
  it('name the field, even when ajv reports on its parent', () => {
    expect(
      describeViolations([
        { instancePath: '/serviceOrderItem/0', keyword: 'required', params: { missingProperty: 'service' } },
        { instancePath: '/serviceOrderItem/1', keyword: 'additionalProperties', params: { additionalProperty: 'servce' } },
        { instancePath: '/serviceOrderItem/2/action', keyword: 'enum', params: { allowedValues: ['add', 'delete'] } },
        { instancePath: '', keyword: 'type', message: 'must be object', params: {} },
      ]),
    ).toBe(
      'serviceOrderItem[0].service: is required; serviceOrderItem[1].servce: is not accepted here (unknown or read-only field); serviceOrderItem[2].action: must be one of add, delete; (root): must be object',
    );
    expect(describeViolations([{ instancePath: '/id', keyword: 'maxLength', message: 'must NOT have more than 128 characters', params: {} }], 'params')).toBe(
      'params.id: must NOT have more than 128 characters',
    );
  });
});

describe('listener queries', () => {
  const event = { eventType: 'ServiceOrderStateChangeEvent', event: { serviceOrder: { id: 'o1', state: 'completed' } } } as any;

  it('pick event types and filter on the notification, spaces allowed', () => {
    expect(matchesHubQuery(parseHubQuery('serviceOrdering', 'eventType = ServiceOrderStateChangeEvent'), event)).toBe(true);
    expect(matchesHubQuery(parseHubQuery('serviceOrdering', '?eventType=ServiceOrderCreateEvent'), event)).toBe(false);
    expect(matchesHubQuery(parseHubQuery('serviceOrdering', 'eventType=ServiceOrderStateChangeEvent&event.serviceOrder.state=failed'), event)).toBe(false);
    expect(matchesHubQuery(parseHubQuery('serviceOrdering', 'event.serviceOrder.state=completed'), event)).toBe(true);
    expect(matchesHubQuery(parseHubQuery('serviceOrdering', undefined), event)).toBe(true);
  });

  it('refuse event types of another API and malformed parts', () => {
    expect(() => parseHubQuery('serviceInventory', 'eventType=ServiceOrderStateChangeEvent')).toThrow(/query: eventType ServiceOrderStateChangeEvent is not an event of this API/);
    expect(() => parseHubQuery('serviceOrdering', 'justaword')).toThrow(/query: "justaword" is not name=value/);
  });
});
