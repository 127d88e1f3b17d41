import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { cancelServiceOrderSchema, serviceOrderSchema } from '../../api/schemas/service-ordering-schemas.js';
import { monitorSchema, serviceSchema } from '../../api/schemas/service-schemas.js';
import { eventSubscriptionSchema, tmfErrorSchema } from '../../api/schemas/tmf-common-schemas.js';
import { mobileBundle, nextMsisdn } from '../support/mobile-bundle.js';
import { BASES, eventually, startApiHarness, type ApiHarness } from './support/api-harness.js';

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness();
});
afterAll(async () => {
  await t?.stop();
});

/** The body matches the schema the OpenAPI description documents for it (both come from one zod schema). */
function conforms(schema: z.ZodType, body: unknown): void {
  const parsed = schema.safeParse(body);
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
}

describe('responses match their documented schemas', () => {
  it('for every resource and for errors', async () => {
    const order = await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: mobileBundle().order });
    conforms(serviceOrderSchema, order.body);
    const rejected = await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: mobileBundle({ plan: 'platinum' }).order });
    conforms(serviceOrderSchema, rejected.body);
    await t.fleet.waitForFinal(order.body.id);
    conforms(serviceOrderSchema, (await t.call('GET', `${BASES.ordering}/serviceOrder/${order.body.id}`)).body);

    const task = await t.call('POST', `${BASES.ordering}/cancelServiceOrder`, { body: { serviceOrder: { id: order.body.id } } });
    conforms(cancelServiceOrderSchema, task.body);

    const activation = () => ({ state: 'active', serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: [{ name: 'msisdn', value: nextMsisdn() }, { name: 'plan', value: 'gold' }] });
    conforms(serviceSchema, (await t.call('POST', `${BASES.activation}/service`, { body: activation() })).body);
    const monitor = await t.call('POST', `${BASES.activation}/service`, { body: activation(), headers: { prefer: 'respond-async' } });
    expect(monitor.status).toBe(202);
    conforms(monitorSchema, monitor.body);
    const settled = await eventually(() => t.call('GET', `${BASES.activation}/monitor/${monitor.body.id}`), (r) => r.body.state !== 'inProgress');
    conforms(monitorSchema, settled.body);
    const service = JSON.parse(settled.body.response.body);
    conforms(serviceSchema, service);
    conforms(serviceSchema, (await t.call('GET', `${BASES.inventory}/service/${service.id}`)).body);
    conforms(serviceSchema, (await t.call('GET', `${BASES.activation}/service/${service.id}`)).body);

    const hub = await t.call('POST', `${BASES.inventory}/hub`, { body: { callback: 'http://127.0.0.1:9/listener' } });
    conforms(eventSubscriptionSchema, hub.body);
    await t.call('DELETE', `${BASES.inventory}/hub/${hub.body.id}`);

    for (const failure of [
      await t.call('GET', `${BASES.ordering}/serviceOrder/missing`),
      await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: {} }),
      await t.call('GET', `${BASES.ordering}/serviceOrder`, { token: null }),
    ]) {
      conforms(tmfErrorSchema, failure.body);
    }
  });
});
