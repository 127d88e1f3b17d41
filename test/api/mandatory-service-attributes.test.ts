import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle, nextMsisdn } from '../support/mobile-bundle.js';
import { BASES, eventually, startApiHarness, type ApiHarness } from './support/api-harness.js';

/**
 * The attributes the TMF640/TMF638 R18.5 conformance profile makes mandatory in a Service GET
 * (as its kits check them: "Instance has all mandatory attributes", then the type of each and
 * of the first element of each list). Every Service the fleet shows has them, however it came
 * to be: a TMF641 order, a TMF640 activation, a TMF640 creation in a state before active.
 */
const MANDATORY = ['id', 'href', 'name', 'description', 'state', 'category', 'startDate', 'serviceRelationship', 'serviceCharacteristic', 'supportingService', 'supportingResource', 'serviceSpecification', 'relatedParty', 'place'];
const MANDATORY_IN_ELEMENTS: Record<string, string[]> = {
  serviceSpecification: ['id', 'href', 'version'],
  serviceCharacteristic: ['name', 'valueType', 'value'],
  serviceRelationship: ['relationshipType', 'service'],
  supportingService: ['id', 'href'],
  supportingResource: ['id', 'href'],
  relatedParty: ['id', 'href', 'role'],
  place: ['id', 'href'],
};

let t: ApiHarness;
const ids: Record<string, string> = {};
beforeAll(async () => {
  t = await startApiHarness();
  const place = [{ id: 'site-1', role: 'installationAddress', '@referredType': 'GeographicAddress' }];
  const { order } = mobileBundle({ extra: { relatedParty: [{ id: 'cust-mandatory', role: 'customer' }] } });
  const withPlace = { ...order, serviceOrderItem: order.serviceOrderItem.map((i) => ({ ...i, service: { ...i.service, place } })) };
  const created = (await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: withPlace })).body;
  await t.fleet.waitForFinal(created.id);
  const record = await t.fleet.fleet.store.require(created.id);
  ids.ordered = record.items['mobile-plan']?.serviceId ?? '';
  for (const state of ['active', 'designed']) {
    const body = { state, place, relatedParty: [{ id: 'cust-mandatory-2', role: 'customer' }], serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: [{ name: 'msisdn', value: nextMsisdn() }, { name: 'plan', value: 'gold' }], serviceRelationship: [{ relationshipType: 'reliesOn', service: { id: ids.ordered } }] };
    const service = await t.call('POST', `${BASES.activation}/service`, { body });
    await eventually(() => t.call('GET', `${BASES.inventory}/service/${service.body.id}`), (r) => r.status === 200 && r.body.state === state);
    ids[state] = service.body.id;
  }
});
afterAll(async () => {
  await t?.stop();
});

/** Lists a service may rightly have empty (the kits check their elements only when they posted some). */
function expectMandatory(service: Record<string, any>, where: string, mayBeEmpty: readonly string[] = []): void {
  expect(Object.keys(service), where).toEqual(expect.arrayContaining(MANDATORY));
  for (const [name, inner] of Object.entries(MANDATORY_IN_ELEMENTS)) {
    const elements = Array.isArray(service[name]) ? service[name] : [service[name]];
    if (!mayBeEmpty.includes(name)) expect(elements.length, `${where}: ${name} has no element`).toBeGreaterThan(0);
    for (const element of elements) expect(Object.keys(element), `${where}: ${name}`).toEqual(expect.arrayContaining(inner));
  }
  for (const name of ['id', 'href', 'name', 'description', 'state', 'category', 'startDate']) expect(typeof service[name], `${where}: ${name}`).toBe('string');
  expect(['CFS', 'RFS']).toContain(service.category);
}

describe('every Service has what the TMF640/TMF638 conformance profile makes mandatory', () => {
  for (const origin of ['ordered', 'active', 'designed']) {
    it(`a service ${origin === 'ordered' ? 'a TMF641 order created' : `TMF640 created ${origin}`}, through TMF638 and TMF640, by id and in lists`, async () => {
      const id = ids[origin] ?? '';
      // The ordered plan relies on its number porting; the others rely on no service of an order,
      // and a designed one runs on no NE yet.
      const mayBeEmpty = { ordered: [], active: ['supportingService'], designed: ['supportingService', 'supportingResource'] }[origin] ?? [];
      for (const base of [BASES.inventory, BASES.activation]) {
        expectMandatory((await t.call('GET', `${base}/service/${id}`)).body, `${base} ${origin}`, mayBeEmpty);
        const listed = (await t.call('GET', `${base}/service?id=${id}`)).body;
        expect(listed).toHaveLength(1);
        expectMandatory(listed[0], `${base} list ${origin}`, mayBeEmpty);
      }
    });
  }
});
