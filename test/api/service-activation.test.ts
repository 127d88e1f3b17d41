import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextMsisdn } from '../support/mobile-bundle.js';
import { BASES, eventually, expectTmfError, startApiHarness, type ApiHarness } from './support/api-harness.js';
import { TestListener } from './support/test-listener.js';

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness();
});
afterAll(async () => {
  await t?.stop();
});

const services = `${BASES.activation}/service`;
/** These tests follow the work through Monitors: RFC 7240 asks for them. */
const ASYNC = { prefer: 'respond-async' };
const monitors = `${BASES.activation}/monitor`;

function mobilePlan(plan = 'gold'): Record<string, unknown> {
  return {
    name: 'Mobile plan',
    state: 'active',
    serviceSpecification: { id: 'mobile-plan' },
    serviceCharacteristic: [
      { name: 'msisdn', value: nextMsisdn() },
      { name: 'plan', value: plan },
    ],
    relatedParty: [{ id: 'customer-42', role: 'customer' }],
  };
}

/** Waits for the monitor to settle, and returns it. */
async function settled(monitorHref: string): Promise<any> {
  const path = new URL(monitorHref).pathname;
  return (await eventually(() => t.call('GET', path), (r) => r.body.state !== 'inProgress')).body;
}

describe('TMF640 service activation', () => {
  it('activates, suspends, resumes and terminates a service, each through a Monitor', async () => {
    const listener = new TestListener();
    await listener.start();
    const hub = (await t.call('POST', `${BASES.activation}/hub`, { body: { callback: listener.url } })).body;

    const accepted = await t.call('POST', services, { headers: ASYNC, body: mobilePlan() });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('preference-applied')).toBe('respond-async');
    expect(accepted.body).toMatchObject({ state: 'inProgress', '@type': 'Monitor', request: { method: 'POST', to: `${t.baseUrl}${services}` } });
    expect(accepted.headers.get('location')).toBe(accepted.body.href);
    expect(accepted.body.href).toBe(`${t.baseUrl}${monitors}/${accepted.body.id}`);
    expect(accepted.body.request.header).not.toContainEqual(expect.objectContaining({ name: expect.stringMatching(/authorization/i) }));
    const created = await settled(accepted.body.href);
    expect(created.state).toBe('completed');
    expect(created.response.statusCode).toBe('201');
    const service = JSON.parse(created.response.body);
    expect(service).toMatchObject({ state: 'active', serviceSpecification: { id: 'mobile-plan' }, href: `${t.baseUrl}${services}/${service.id}` });
    expect(created.sourceHref).toBe(`${t.baseUrl}${services}/${service.id}`);

    const got = await t.call('GET', `${services}/${service.id}`);
    expect(got.body).toMatchObject({ id: service.id, state: 'active', href: `${t.baseUrl}${services}/${service.id}` });
    // TMF640 answers exactly the fields asked for (its conformance kit counts them).
    expect((await t.call('GET', `${services}/${service.id}?fields=state`)).body).toEqual({ state: 'active' });

    const suspend = await t.call('PATCH', `${services}/${service.id}`, {
      headers: ASYNC,
      body: { state: 'suspended', serviceCharacteristic: [{ name: 'suspensionReason', value: 'nonPayment' }, { name: 'suspensionInitiator', value: 'operator' }] },
      contentType: 'application/merge-patch+json',
    });
    expect(suspend.status).toBe(202);
    expect((await settled(suspend.body.href)).state).toBe('completed');
    const suspended = (await t.call('GET', `${services}/${service.id}`)).body;
    expect(suspended.state).toBe('suspended');
    expect(suspended.suspension).toEqual([expect.objectContaining({ reason: 'nonPayment', initiator: 'operator' })]);

    // A second suspension (the default: voluntary by the customer), then lifting both.
    expect((await settled((await t.call('PATCH', `${services}/${service.id}`, { headers: ASYNC, body: { state: 'suspended' } })).body.href)).state).toBe('completed');
    expectTmfError(await t.call('PATCH', `${services}/${service.id}`, { body: { state: 'active' } }), 400, 'name the suspension to lift');
    const resumeOne = await t.call('PATCH', `${services}/${service.id}`, { headers: ASYNC, body: { state: 'active', serviceCharacteristic: [{ name: 'suspensionReason', value: 'voluntary' }] } });
    expect((await settled(resumeOne.body.href)).state).toBe('completed');
    expect((await t.call('GET', `${services}/${service.id}?fields=state`)).body.state).toBe('suspended');
    const resumeLast = await t.call('PATCH', `${services}/${service.id}`, { headers: ASYNC, body: { state: 'active' } });
    const resumed = await settled(resumeLast.body.href);
    expect(resumed.response.statusCode).toBe('200');
    expect(JSON.parse(resumed.response.body).state).toBe('active');

    const modify = await t.call('PATCH', `${services}/${service.id}`, { headers: ASYNC, body: { serviceCharacteristic: [{ name: 'plan', value: 'silver' }] } });
    expect((await settled(modify.body.href)).state).toBe('completed');
    expect((await t.call('GET', `${services}/${service.id}`)).body.serviceCharacteristic).toContainEqual({ name: 'plan', valueType: 'string', value: 'silver' });
    const nothing = await t.call('PATCH', `${services}/${service.id}`, { body: { state: 'active' } });
    expect(nothing.status).toBe(200);
    expect(nothing.body.id).toBe(service.id);

    const terminate = await t.call('DELETE', `${services}/${service.id}`, { headers: ASYNC });
    expect(terminate.status).toBe(202);
    expect((await settled(terminate.body.href)).state).toBe('completed');
    expect((await t.call('GET', `${services}/${service.id}?fields=state`)).body.state).toBe('terminated');
    expectTmfError(await t.call('DELETE', `${services}/${service.id}`), 409, 'terminated');
    expectTmfError(await t.call('PATCH', `${services}/${service.id}`, { body: { state: 'suspended' } }), 409, 'terminated');

    await listener.waitFor((r) => r.some((e) => e.eventType === 'ServiceStateChangeEvent' && e.event.service.state === 'terminated'));
    const mine = listener.received.filter((e) => e.event.service?.id === service.id);
    expect(mine.map((e) => (e.eventType === 'ServiceAttributeValueChangeEvent' ? 'characteristics' : `${e.eventType}:${e.event.service.state}`))).toEqual([
      'ServiceCreateEvent:active',
      'ServiceStateChangeEvent:suspended',
      'ServiceStateChangeEvent:active',
      'characteristics',
      'ServiceStateChangeEvent:terminated',
    ]);
    const monitorEvents = listener.ofType('MonitorCreateEvent', 'MonitorStateChangeEvent').filter((e) => e.event.monitor.id === accepted.body.id);
    expect(monitorEvents.map((e) => [e.eventType, e.event.monitor.state])).toEqual([
      ['MonitorCreateEvent', 'inProgress'],
      ['MonitorStateChangeEvent', 'completed'],
    ]);
    await t.call('DELETE', `${BASES.activation}/hub/${hub.id}`);
    await listener.stop();
  });

  it('refuses what cannot be carried out with 400 naming the field, before anything is stored', async () => {
    const before = (await t.call('GET', `${monitors}?limit=0`)).headers.get('x-total-count');
    expectTmfError(await t.call('POST', services, { body: mobilePlan('platinum') }), 400, 'characteristic plan must be one of bronze, silver, gold');
    expectTmfError(await t.call('POST', services, { body: { ...mobilePlan(), state: 'suspended' } }), 400, 'state: must be one of feasibilityChecked, designed, reserved, inactive, active');
    expectTmfError(await t.call('POST', services, { body: { ...mobilePlan(), serviceSpecification: { id: 'no-such-spec' } } }), 400, 'no-such-spec');
    expectTmfError(await t.call('POST', services, { body: { ...mobilePlan(), colour: 'blue' } }), 400, 'colour: is not accepted here');
    const { state: _state, ...withoutState } = mobilePlan();
    expectTmfError(await t.call('POST', services, { body: withoutState }), 400, 'state: is required');
    expect((await t.call('GET', `${monitors}?limit=0`)).headers.get('x-total-count')).toBe(before);
    expectTmfError(await t.call('GET', `${services}/nope`), 404, 'nope');
    expectTmfError(await t.call('PATCH', `${services}/nope`, { body: { state: 'suspended' } }), 404, 'nope');
    expectTmfError(await t.call('DELETE', `${services}/nope`), 404, 'nope');
    expectTmfError(await t.call('GET', `${monitors}/nope`), 404, 'nope');
  });

  it('reports a failed activation in the monitor with the device\'s words', async () => {
    t.fleet.lab.pcrf.failOn(/plan bronze/, '% Invalid input: plan bronze is not provisioned');
    const accepted = await t.call('POST', services, { headers: ASYNC, body: mobilePlan('bronze') });
    expect(accepted.status).toBe(202);
    const failed = await settled(accepted.body.href);
    t.fleet.lab.pcrf.failOn(null);
    expect(failed.state).toBe('inError');
    expect(failed.response.statusCode).toBe('500');
    expect(JSON.parse(failed.response.body)).toMatchObject({ '@type': 'Error', message: expect.stringContaining('plan bronze is not provisioned') });
  });

  it('lists monitors and services with TMF630 filters, fields and paging', async () => {
    const list = await t.call('GET', `${monitors}?state=completed&fields=id,state&limit=2`);
    expect(list.status).toBe(200);
    expect(list.headers.get('x-result-count')).toBe('2');
    expect(Number(list.headers.get('x-total-count'))).toBeGreaterThanOrEqual(6);
    expect(list.body.every((m: any) => Object.keys(m).sort().join() === 'id,state' && m.state === 'completed')).toBe(true);
    const terminated = await t.call('GET', `${services}?state=terminated&fields=id,state,serviceSpecification.id`);
    expect(terminated.body).toEqual([{ id: expect.any(String), state: 'terminated', serviceSpecification: { id: 'mobile-plan' } }]);
  });
});
