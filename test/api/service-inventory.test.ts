import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { BASES, expectTmfError, startApiHarness, TOKENS, type ApiHarness } from './support/api-harness.js';

let t: ApiHarness;
let msisdn: string;
let serviceIds: string[];
beforeAll(async () => {
  t = await startApiHarness();
  const bundle = mobileBundle({ extra: { relatedParty: [{ id: 'customer-7', role: 'customer' }] } });
  msisdn = bundle.msisdn;
  const order = (await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: bundle.order })).body;
  await t.fleet.waitForFinal(order.id);
  const record = await t.fleet.fleet.store.require(order.id);
  serviceIds = Object.values(record.items).map((i) => i.serviceId);
});
afterAll(async () => {
  await t?.stop();
});

const services = `${BASES.inventory}/service`;

describe('TMF638 service inventory', () => {
  it('lists the services an order created, with X-Total-Count and X-Result-Count', async () => {
    const all = await t.call('GET', services, { token: TOKENS.read });
    expect(all.status).toBe(200);
    expect(all.headers.get('x-total-count')).toBe('3');
    expect(all.headers.get('x-result-count')).toBe('3');
    expect(all.body.map((s: any) => s.id).sort()).toEqual([...serviceIds].sort());
    for (const service of all.body) {
      expect(service).toMatchObject({ state: 'active', href: `${t.baseUrl}${services}/${service.id}`, '@type': 'Service' });
    }
  });

  it('filters on attributes and dotted paths, projects fields and pages', async () => {
    const plan = await t.call('GET', `${services}?serviceSpecification.id=mobile-plan&fields=state,serviceSpecification.id`);
    // TMF638 answers id and href with every projection (its conformance kit checks both).
    expect(plan.body).toEqual([{ id: expect.any(String), href: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/tmf-api\/serviceInventory\/v4\/service\//), state: 'active', serviceSpecification: { id: 'mobile-plan' } }]);
    const byNe = await t.call('GET', `${services}?supportingResource.id=vms-1&fields=id`);
    expect(byNe.body).toHaveLength(1);
    const byValue = await t.call('GET', `${services}?serviceCharacteristic.value=${msisdn}&state=active&fields=id`);
    expect(byValue.headers.get('x-total-count')).toBe('3');
    const byCustomer = await t.call('GET', `${services}?relatedParty.id=customer-7&fields=id`);
    expect(byCustomer.headers.get('x-total-count')).toBe('3');
    expect((await t.call('GET', `${services}?state=suspended`)).body).toEqual([]);
    const either = await t.call('GET', `${services}?serviceSpecification.id=voicemail,number-porting&fields=serviceSpecification.id&sort=serviceSpecification.id`);
    expect(either.body.map((s: any) => s.serviceSpecification.id)).toEqual(['number-porting', 'voicemail']);
    const page = await t.call('GET', `${services}?offset=1&limit=1&fields=name`);
    expect(page.headers.get('x-total-count')).toBe('3');
    expect(page.headers.get('x-result-count')).toBe('1');
    expect(Object.keys(page.body[0]).sort()).toEqual(['href', 'id', 'name']);
    const beyond = await t.call('GET', `${services}?offset=10`);
    expect(beyond.body).toEqual([]);
    expect(beyond.headers.get('x-total-count')).toBe('3');
  });

  it('shows each record complete: catalog description and category, valueType, parties, supporting services, an href on every reference', async () => {
    expect((await t.call('GET', `${services}?category=CFS&fields=category`)).headers.get('x-total-count')).toBe('3');
    expect((await t.call('GET', `${services}?category=RFS`)).body).toEqual([]);
    const plan = (await t.call('GET', `${services}?serviceSpecification.id=mobile-plan`)).body[0];
    const porting = (await t.call('GET', `${services}?serviceSpecification.id=number-porting`)).body[0];
    expect(plan).toMatchObject({ category: 'CFS', description: expect.any(String), relatedParty: [{ id: 'customer-7', role: 'customer' }] });
    expect(plan.supportingService).toContainEqual(expect.objectContaining({ id: porting.id, href: `${t.baseUrl}${services}/${porting.id}` }));
    for (const c of plan.serviceCharacteristic) expect(c.valueType, c.name).toMatch(/^(string|integer|number|boolean|object)$/);
    const refs = [plan.serviceSpecification, ...plan.supportingService, ...plan.supportingResource, ...plan.relatedParty];
    for (const ref of refs) expect(ref.href, JSON.stringify(ref)).toMatch(/^http/);
  });

  it('finds one by id (fields trimmed), 404 with a TMF Error otherwise', async () => {
    const id = serviceIds[0]!;
    const one = await t.call('GET', `${services}/${id}/?fields=state,%20supportingResource`);
    expect(one.status).toBe(200);
    expect(Object.keys(one.body).sort()).toEqual(['href', 'id', 'state', 'supportingResource']);
    const missing = await t.call('GET', `${services}/not-a-service`);
    expectTmfError(missing, 404, 'not-a-service');
  });

  it('is read-only', async () => {
    expectTmfError(await t.call('POST', services, { body: { state: 'active' } }), 405, 'POST');
    expectTmfError(await t.call('PATCH', `${services}/${serviceIds[0]}`, { body: { state: 'terminated' } }), 405, 'PATCH');
  });
});
