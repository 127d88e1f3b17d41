import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextMsisdn } from '../support/mobile-bundle.js';
import { BASES, eventually, startApiHarness, type ApiHarness } from './support/api-harness.js';

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness();
});
afterAll(async () => {
  await t?.stop();
});

const services = `${BASES.activation}/service`;

/** Every Service_Create attribute of TMF640 v4 a client may set, with a value. */
function fullCreate(state: string, plan = 'gold'): Record<string, unknown> {
  return {
    name: `Plan for ${state}`,
    description: 'A mobile plan, created through TMF640',
    category: 'CFS',
    serviceType: 'Mobile',
    isBundle: false,
    isServiceEnabled: true,
    hasStarted: false,
    isStateful: true,
    startMode: '1',
    serviceDate: '2024-01-15T12:26:11.747Z',
    startDate: '2024-01-15T12:26:11.747Z',
    state,
    serviceSpecification: { id: 'mobile-plan', href: 'https://catalog.example/serviceSpecification/mobile-plan', name: 'Mobile plan', version: '1.0', '@referredType': 'ServiceSpecification' },
    serviceCharacteristic: [
      { name: 'msisdn', valueType: 'string', value: nextMsisdn() },
      { name: 'plan', valueType: 'string', value: plan },
    ],
    serviceRelationship: [{ relationshipType: 'DependentOn', service: { id: 'other-1', href: 'https://inventory.example/service/other-1' } }],
    supportingService: [{ id: 'supporting-1', href: 'https://inventory.example/service/supporting-1' }],
    supportingResource: [{ id: 'rack-7', href: 'https://resources.example/resource/rack-7', name: 'rack', '@referredType': 'PhysicalResource' }],
    relatedParty: [{ id: 'customer-9', href: 'https://party.example/party/customer-9', role: 'customer', name: 'Ada', '@referredType': 'Individual' }],
    place: [{ id: 'site-3', href: 'https://places.example/place/site-3', role: 'InstallationAddress', name: 'Home' }],
    note: [{ author: 'ops', date: '2024-01-15T12:26:11.748Z', text: 'installed by the fleet' }],
    feature: [{ id: 'f1', name: 'roaming', isEnabled: true }],
    relatedEntity: [{ id: 'contract-1', role: 'contract', '@referredType': 'Agreement' }],
    serviceOrder: [{ id: 'upstream-42', href: 'https://bss.example/serviceOrder/upstream-42' }],
    '@type': 'MobilePlan',
    '@baseType': 'Service',
    '@schemaLocation': 'https://schemas.example/MobilePlan.json',
  };
}

function expectTmfErrorStatus(response: { status: number; body: any }, status: number): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body['@type']).toBe('Error');
}

/** What the client set comes back as set (the fleet may add to the lists, never change an element). */
function expectRoundTrip(got: Record<string, unknown>, sent: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(sent)) {
    if (key === 'state' || key === 'serviceCharacteristic') continue;
    if (Array.isArray(value)) expect(got[key], key).toEqual(expect.arrayContaining(value.map((v) => expect.objectContaining(v as object))));
    else if (value !== null && typeof value === 'object') expect(got[key], key).toMatchObject(value as object);
    else expect(got[key], key).toEqual(value);
  }
  for (const c of sent.serviceCharacteristic as Array<Record<string, unknown>>) {
    expect(got.serviceCharacteristic, c.name as string).toContainEqual(expect.objectContaining(c));
  }
}

describe('TMF640 answers as v4.0 declares: 201, 200, 204, the Monitor in a Link header', () => {
  it('creates an active service: 201 with the Service at once, every attribute as posted, then active', async () => {
    const sent = fullCreate('active');
    const created = await t.call('POST', services, { body: sent });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), href: `${t.baseUrl}${services}/${created.body.id}`, state: 'inactive', operatingStatus: 'starting' });
    expect(created.headers.get('location')).toBe(created.body.href);
    const link = /^<(.+)>; rel="monitor"$/.exec(created.headers.get('link') ?? '');
    expect(link?.[1]).toMatch(new RegExp(`^${t.baseUrl}${BASES.activation}/monitor/`));
    expectRoundTrip(created.body, sent);

    const active = await eventually(() => t.call('GET', `${services}/${created.body.id}`), (r) => r.body.state === 'active');
    expectRoundTrip(active.body, sent);
    // The fleet adds the NE it configured, with an href like every reference.
    expect(active.body.supportingResource).toContainEqual(expect.objectContaining({ id: 'pcrf-1', href: expect.stringMatching(/^http.*\/resource\/pcrf-1$/) }));
    const monitor = await eventually(() => t.call('GET', new URL(link?.[1] ?? '').pathname), (r) => r.body.state !== 'inProgress');
    expect(monitor.body).toMatchObject({ state: 'completed', sourceHref: created.body.href });
    expect(JSON.parse(monitor.body.response.body).href).toBe(created.body.href);
  });

  it('records a designed service without touching a device, and keeps it designed', async () => {
    const before = t.fleet.lab.pcrf.configHistory().length;
    const sent = fullCreate('designed');
    const created = await t.call('POST', services, { body: sent });
    expect(created.status).toBe(201);
    expect(created.body.state).toBe('designed');
    const monitorPath = new URL(/^<(.+)>/.exec(created.headers.get('link') ?? '')?.[1] ?? '').pathname;
    await eventually(() => t.call('GET', monitorPath), (r) => r.body.state === 'completed');
    const stored = await t.call('GET', `${BASES.inventory}/service/${created.body.id}`);
    expect(stored.body).toMatchObject({ state: 'designed', operatingStatus: 'pending' });
    expectRoundTrip(stored.body, sent);
    expect(t.fleet.lab.pcrf.configHistory().length).toBe(before);
  });

  it('records a service created feasibilityChecked, reserved or inactive as asked, without touching a device', async () => {
    // The ServiceStateType values of TMF640 v4 before active; each service has its own customer (policy: three plans each).
    for (const [n, state] of ['feasibilityChecked', 'reserved', 'inactive'].entries()) {
      const before = t.fleet.lab.pcrf.configHistory().length;
      const sent = { ...fullCreate(state), relatedParty: [{ id: `customer-state-${n}`, role: 'customer' }] };
      const created = await t.call('POST', services, { body: sent });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.state).toBe(state);
      const monitorPath = new URL(/^<(.+)>/.exec(created.headers.get('link') ?? '')?.[1] ?? '').pathname;
      expect((await eventually(() => t.call('GET', monitorPath), (r) => r.body.state !== 'inProgress')).body.state).toBe('completed');
      const stored = await t.call('GET', `${BASES.inventory}/service/${created.body.id}`);
      expect(stored.body.state, state).toBe(state);
      expectRoundTrip(stored.body, sent);
      expect(t.fleet.lab.pcrf.configHistory().length, state).toBe(before);
    }
  });

  it('moves a designed service through reserved to active: only active touches a device; a designed one ends without one', async () => {
    const monitorOf = (headers: Headers) => new URL(/^<(.+)>/.exec(headers.get('link') ?? '')?.[1] ?? '').pathname;
    const settled = async (headers: Headers) => (await eventually(() => t.call('GET', monitorOf(headers)), (r) => r.body.state !== 'inProgress')).body;
    // Another customer: the policy allows three mobile plans per customer.
    const ownParty = { relatedParty: [{ id: 'customer-10', role: 'customer' }] };
    const sent = { ...fullCreate('designed'), ...ownParty };
    const created = await t.call('POST', services, { body: sent });
    expect((await settled(created.headers)).state).toBe('completed');
    const id = created.body.id as string;
    const before = t.fleet.lab.pcrf.configHistory().length;

    const reserved = await t.call('PATCH', `${services}/${id}`, { body: { state: 'reserved', serviceCharacteristic: [{ name: 'plan', value: 'silver' }] } });
    expect(reserved.status, JSON.stringify(reserved.body)).toBe(200);
    expect((await settled(reserved.headers)).state).toBe('completed');
    const held = (await t.call('GET', `${BASES.inventory}/service/${id}`)).body;
    expect(held).toMatchObject({ state: 'reserved', operatingStatus: 'pending' });
    expect(held.serviceCharacteristic).toContainEqual(expect.objectContaining({ name: 'plan', value: 'silver' }));
    expect(t.fleet.lab.pcrf.configHistory().length).toBe(before);
    expectTmfErrorStatus(await t.call('PATCH', `${services}/${id}`, { body: { state: 'suspended' } }), 400);

    const activated = await t.call('PATCH', `${services}/${id}`, { body: { state: 'active' } });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    expect((await settled(activated.headers)).state).toBe('completed');
    const active = (await t.call('GET', `${BASES.inventory}/service/${id}`)).body;
    expect(active).toMatchObject({ state: 'active', operatingStatus: 'running' });
    expect(active.supportingResource).toContainEqual(expect.objectContaining({ '@referredType': 'PhysicalResource', name: 'pcrf' }));
    expectRoundTrip(active, { ...sent, serviceCharacteristic: [] });
    expect(t.fleet.lab.pcrf.configHistory().length).toBeGreaterThan(before);

    const other = await t.call('POST', services, { body: { ...fullCreate('designed'), ...ownParty } });
    await settled(other.headers);
    const quiet = t.fleet.lab.pcrf.configHistory().length;
    const ended = await t.call('DELETE', `${services}/${other.body.id}`);
    expect(ended.status).toBe(204);
    expect((await settled(ended.headers)).state).toBe('completed');
    expect((await t.call('GET', `${BASES.inventory}/service/${other.body.id}`)).body.state).toBe('terminated');
    expect(t.fleet.lab.pcrf.configHistory().length).toBe(quiet);
  });

  it('changes descriptive attributes with PATCH 200 (no device), terminates with DELETE 204', async () => {
    const created = await t.call('POST', services, { body: fullCreate('active') });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await eventually(() => t.call('GET', `${services}/${created.body.id}`), (r) => r.body.state === 'active');
    const before = t.fleet.lab.pcrf.configHistory().length;
    const patched = await t.call('PATCH', `${services}/${created.body.id}`, { body: { name: 'Renamed', note: [{ text: 'moved' }] }, contentType: 'application/merge-patch+json' });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('link')).toMatch(/rel="monitor"/);
    const renamed = await eventually(() => t.call('GET', `${services}/${created.body.id}`), (r) => r.body.name === 'Renamed');
    expect(renamed.body.note).toEqual([{ text: 'moved' }]);
    expect(t.fleet.lab.pcrf.configHistory().length).toBe(before);

    const deleted = await t.call('DELETE', `${services}/${created.body.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get('link')).toMatch(/rel="monitor"/);
    await eventually(() => t.call('GET', `${services}/${created.body.id}`), (r) => r.body.state === 'terminated');
  });
});
