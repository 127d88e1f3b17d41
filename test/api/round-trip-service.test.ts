import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextMsisdn } from '../support/mobile-bundle.js';
import { BASES, eventually, startApiHarness, type ApiHarness } from './support/api-harness.js';
import { fillSettable, lostAttributes, swaggerDefinitions } from './support/settable-attributes.js';

/**
 * TMF640 Service_Create and Service_Update round trip, rule-based (see round-trip-service-order):
 * every attribute the v4.0 swagger lets a client set comes back unchanged from POST, from
 * TMF640 GET and from TMF638 GET once the service is recorded, and after a PATCH.
 */
const NOT_ROUND_TRIPPED: Record<string, string> = {
  'serviceOrderItem': 'server-owned in practice: the fleet links the order items that created or changed the service',
};
const REAL_VALUES_ONLY: Record<string, string> = {
  'serviceSpecification.version': 'checked against the catalog (a version it does not hold is refused)',
  state: 'drives the lifecycle: the test picks it',
};

const defs = swaggerDefinitions('TMF640-ServiceActivation-v4.0.0.swagger.json');
const services = `${BASES.activation}/service`;
const rules = { skip: new Set(Object.keys(NOT_ROUND_TRIPPED)), fromBaseOnly: new Set(Object.keys(REAL_VALUES_ONLY)) };

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness();
});
afterAll(async () => {
  await t?.stop();
});

/** Arrays the fleet appends its own entries to, after the ones posted. */
const SERVER_ADDS: Record<string, string> = {
  serviceCharacteristic: 'the catalog defaults of characteristics not given',
  supportingResource: 'the NEs the fleet configured',
  supportingService: 'services of the order the item relies on or is composed of',
  serviceRelationship: 'reliesOn relationships from the order',
  relatedParty: "the order's parties",
};

function expectRoundTrip(sent: unknown, got: unknown, settable: readonly string[]): void {
  expect(lostAttributes(sent, got, settable, new Set(Object.keys(SERVER_ADDS)))).toEqual([]);
}

const monitorOf = (headers: Headers) => new URL(/^<(.+)>/.exec(headers.get('link') ?? '')?.[1] ?? '').pathname;

describe('TMF640 Service round trip', () => {
  it('walks a good share of the spec', () => {
    const { settable } = fillSettable('Service_Create', defs, {}, rules);
    expect(settable.length).toBeGreaterThan(80);
  });

  for (const state of ['active', 'designed'] as const) {
    it(`keeps every settable attribute of a Service_Create (${state}) on POST, TMF640 GET and TMF638 GET`, async () => {
      const base = { state, serviceSpecification: { id: 'mobile-plan', version: '1.0' }, serviceCharacteristic: [{ name: 'msisdn', value: nextMsisdn() }, { name: 'plan', value: 'gold' }] };
      const { body, settable } = fillSettable('Service_Create', defs, base, rules);
      const created = await t.call('POST', services, { body });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      // Until its order completes an active request shows inactive (operatingStatus starting).
      expectRoundTrip(body, created.body, state === 'active' ? settable.filter((p) => p !== 'state') : settable);
      if (state === 'active') expect(created.body).toMatchObject({ state: 'inactive', operatingStatus: 'starting' });
      const monitor = await eventually(() => t.call('GET', monitorOf(created.headers)), (r) => r.body.state !== 'inProgress');
      expect(monitor.body.state, JSON.stringify(monitor.body)).toBe('completed');
      expectRoundTrip(body, (await t.call('GET', `${services}/${created.body.id}`)).body, settable);
      expectRoundTrip(body, (await t.call('GET', `${BASES.inventory}/service/${created.body.id}`)).body, settable);
    });
  }

  it('keeps every settable attribute of a Service_Update', async () => {
    const base = { state: 'active', serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: [{ name: 'msisdn', value: nextMsisdn() }, { name: 'plan', value: 'gold' }] };
    const created = await t.call('POST', services, { body: base });
    await eventually(() => t.call('GET', monitorOf(created.headers)), (r) => r.body.state === 'completed');
    const { body, settable } = fillSettable('Service_Update', defs, { serviceCharacteristic: [], ...{ state: undefined } }, { ...rules, skip: new Set([...rules.skip, 'serviceCharacteristic', 'serviceSpecification']) });
    const patched = await t.call('PATCH', `${services}/${created.body.id}`, { body });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await eventually(() => t.call('GET', monitorOf(patched.headers)), (r) => r.body.state === 'completed');
    expectRoundTrip(body, (await t.call('GET', `${services}/${created.body.id}`)).body, settable);
    expectRoundTrip(body, (await t.call('GET', `${BASES.inventory}/service/${created.body.id}`)).body, settable);
  });

  it('refuses what the server owns', async () => {
    const base = { state: 'active', serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: [{ name: 'msisdn', value: nextMsisdn() }, { name: 'plan', value: 'gold' }] };
    expect((await t.call('POST', services, { body: { ...base, id: 'mine' } })).status).toBe(400);
    expect((await t.call('POST', services, { body: { ...base, href: '/elsewhere' } })).status).toBe(400);
  });
});
