import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASES, eventually, startApiHarness, type ApiHarness } from './support/api-harness.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

let t: ApiHarness;
let doc: Record<string, any>;
beforeAll(async () => {
  t = await startApiHarness();
  doc = (await t.call('GET', '/tmf-api/openapi.json', { token: null })).body;
});
afterAll(async () => {
  await t?.stop();
});

const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));

/** Attributes only the server sets, on any resource of these APIs. */
const SERVER_OWNED = ['href', 'orderDate', 'completionDate', 'startDate', 'expectedCompletionDate', 'errorMessage', 'effectiveCancellationDate'];

describe('the OpenAPI description, for tools', () => {
  it('gives every operation a unique operationId, TMF-style', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['createServiceOrder', 'listServiceOrder', 'retrieveServiceOrder', 'patchServiceOrder', 'createService', 'retrieveMonitor', 'listServiceInInventory']));
  });

  it('names its schemas as TMF does, and references them', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['ServiceOrder', 'ServiceOrder_Create', 'ServiceOrder_Update', 'CancelServiceOrder', 'CancelServiceOrder_Create', 'Service', 'Service_Create', 'Service_Update', 'Monitor', 'EventSubscription', 'EventSubscriptionInput', 'Error']),
    );
    expect(doc.paths[`${BASES.activation}/service/{id}`].patch.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Service_Update' });
    expect(doc.paths[`${BASES.inventory}/service`].get.responses['200'].content['application/json'].schema).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Service' } });
  });

  it('shows request examples that match their schema, carry nothing server-owned and no placeholders', () => {
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const bodies = operations().filter(({ op }) => op.requestBody);
    expect(bodies.length).toBeGreaterThanOrEqual(8);
    for (const { path, method, op } of bodies) {
      const media = op.requestBody.content['application/json'];
      const where = `${method} ${path}`;
      expect(media.example, where).toBeDefined();
      const validate = ajv.compile({ ...media.schema, components: doc.components });
      expect(validate(media.example), `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      const text = JSON.stringify(media.example);
      expect(text, where).not.toMatch(/additionalProp\d/);
      for (const owned of SERVER_OWNED) expect(text, `${where} sends ${owned}`).not.toContain(`"${owned}"`);
    }
  });

  it('has examples that work when sent as they are', async () => {
    const example = (path: string, method: string) => doc.paths[path][method].requestBody.content['application/json'].example;
    const order = await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: example(`${BASES.ordering}/serviceOrder`, 'post') });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body.state).toBe('acknowledged');
    const patched = await t.call('PATCH', `${BASES.ordering}/serviceOrder/${order.body.id}`, { body: example(`${BASES.ordering}/serviceOrder/{id}`, 'patch') });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const v3 = await t.call('POST', `${BASES.ordering.replace('/v4', '/v3')}/serviceOrder`, { body: example(`${BASES.ordering.replace('/v4', '/v3')}/serviceOrder`, 'post') });
    expect(v3.status, JSON.stringify(v3.body)).toBe(201);
    expect(v3.body.state).toBe('acknowledged');
    const cancel = example(`${BASES.ordering}/cancelServiceOrder`, 'post');
    const held = await t.call('POST', `${BASES.ordering}/serviceOrder`, { body: { ...example(`${BASES.ordering}/serviceOrder`, 'post'), id: cancel.serviceOrder.id, externalId: 'BSS-749', requestedStartDate: '2031-01-01T00:00:00Z' } });
    expect(held.status, JSON.stringify(held.body)).toBe(201);
    const cancelled = await t.call('POST', `${BASES.ordering}/cancelServiceOrder`, { body: cancel });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(201);

    const service = await t.call('POST', `${BASES.activation}/service`, { body: example(`${BASES.activation}/service`, 'post') });
    expect(service.status, JSON.stringify(service.body)).toBe(201);
    await eventually(() => t.call('GET', `${BASES.inventory}/service/${service.body.id}`), (r) => r.body.state === 'active');
    const changed = await t.call('PATCH', `${BASES.activation}/service/${service.body.id}`, { body: example(`${BASES.activation}/service/{id}`, 'patch') });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    for (const base of [BASES.ordering, BASES.activation, BASES.inventory]) {
      const hub = await t.call('POST', `${base}/hub`, { body: example(`${base}/hub`, 'post') });
      expect(hub.status, JSON.stringify(hub.body)).toBe(201);
    }
  });
});
