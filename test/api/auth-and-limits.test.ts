import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileBundle } from '../support/mobile-bundle.js';
import { BASES, expectTmfError, startApiHarness, TOKENS, type ApiHarness } from './support/api-harness.js';

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness({ API_BODY_LIMIT_BYTES: '65536' });
});
afterAll(async () => {
  await t?.stop();
});

const orders = `${BASES.ordering}/serviceOrder`;
const total = async (): Promise<number> => Number((await t.call('GET', `${orders}?limit=0`)).headers.get('x-total-count'));

describe('bearer tokens', () => {
  it('answers 401 with a TMF Error and a Bearer challenge without a token or with an unknown one, and changes nothing', async () => {
    const before = await total();
    const none = await t.call('POST', orders, { body: mobileBundle().order, token: null });
    expectTmfError(none, 401, 'bearer token');
    expect(none.body.code).toBe('API_UNAUTHENTICATED');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="tmf-api"');
    const wrong = await t.call('POST', orders, { body: mobileBundle().order, token: 'not-a-known-token-at-all-0000' });
    expectTmfError(wrong, 401, 'not valid');
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expectTmfError(await t.call('GET', orders, { token: null }), 401);
    expectTmfError(await t.call('GET', `${BASES.inventory}/service`, { token: 'Basic abc' }), 401);
    // Unknown paths reveal nothing without a token.
    expectTmfError(await t.call('GET', '/tmf-api/nothing-here', { token: null }), 401);
    expect(await total()).toBe(before);
  });

  it('answers 403 when the token lacks the scope, and changes nothing', async () => {
    const before = await total();
    const readOnly = await t.call('POST', orders, { body: mobileBundle().order, token: TOKENS.read });
    expectTmfError(readOnly, 403, 'lacks scope order');
    expect(readOnly.body.code).toBe('API_FORBIDDEN');
    expect(readOnly.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="order"');
    expect(await total()).toBe(before);
    expectTmfError(await t.call('GET', orders, { token: TOKENS.orderOnly }), 403, 'lacks scope read');
    expectTmfError(await t.call('POST', `${BASES.activation}/service`, { body: {}, token: TOKENS.read }), 403);
    expect((await t.call('GET', orders, { token: TOKENS.read })).status).toBe(200);
  });

  it('keeps /healthz, /readyz and /metrics open on the same port', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(`${t.baseUrl}${path}`);
      expect(response.status).toBe(200);
    }
    const metrics = await fetch(`${t.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('activation_orders_submitted_total');
  });
});

describe('request limits and unknown paths', () => {
  it('refuses a body over the limit with 413 before reading it, and other media types with 415', async () => {
    const before = await total();
    const { order } = mobileBundle();
    const big = { ...order, description: 'x'.repeat(70_000) };
    const response = await t.call('POST', orders, { body: big });
    expectTmfError(response, 413, 'body');
    expect(response.body.code).toBe('API_PAYLOAD_TOO_LARGE');
    expectTmfError(await t.call('POST', orders, { rawBody: '<order/>', contentType: 'application/xml' }), 415, 'application/xml');
    expect(await total()).toBe(before);
  });

  it('answers unknown paths with 404 and known paths with another method with 405, both TMF Errors', async () => {
    const unknown = await t.call('GET', `${BASES.ordering}/productOrder`);
    expectTmfError(unknown, 404, '/productOrder');
    expect(unknown.body.code).toBe('API_NOT_FOUND');
    expectTmfError(await t.call('GET', '/tmf-api/serviceOrdering/v5/serviceOrder'), 404);
    const wrongMethod = await t.call('PUT', `${orders}/some-id`, { body: {} });
    expectTmfError(wrongMethod, 405, 'PUT');
    expect(wrongMethod.headers.get('allow')).toBe('GET, PATCH, DELETE');
    expectTmfError(await t.call('DELETE', `${BASES.inventory}/service/x`), 405);
  });

  it('accepts trailing slashes on every collection', async () => {
    for (const path of [`${orders}/`, `${BASES.ordering}/cancelServiceOrder/`, `${BASES.activation}/service/`, `${BASES.activation}/monitor/`, `${BASES.inventory}/service/`]) {
      const response = await t.call('GET', path);
      expect(response.status, path).toBe(200);
      expect(Array.isArray(response.body), path).toBe(true);
    }
  });
});

describe('the API description', () => {
  it('serves the OpenAPI document, derived from the validation schemas, without a token', async () => {
    const response = await t.call('GET', '/tmf-api/openapi.json', { token: null });
    expect(response.status).toBe(200);
    const doc = response.body;
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const paths = Object.keys(doc.paths);
    for (const path of [
      `${orders}`,
      `${orders}/{id}`,
      `${BASES.ordering}/cancelServiceOrder`,
      `${BASES.ordering}/cancelServiceOrder/{id}`,
      `${BASES.ordering}/hub`,
      `${BASES.ordering}/hub/{id}`,
      `${BASES.activation}/service`,
      `${BASES.activation}/service/{id}`,
      `${BASES.activation}/monitor`,
      `${BASES.activation}/monitor/{id}`,
      `${BASES.activation}/hub`,
      `${BASES.inventory}/service`,
      `${BASES.inventory}/service/{id}`,
      `${BASES.inventory}/hub/{id}`,
    ]) {
      expect(paths, path).toContain(path);
    }
    expect(Object.keys(doc.paths[orders])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths[`${orders}/{id}`])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    // The request schema is the intake's own: the action enum and the strictness show through.
    // Named TMF schemas, referenced from the operations.
    expect(doc.paths[orders].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ServiceOrder_Create' });
    const create = doc.components.schemas.ServiceOrder_Create;
    expect(create.properties.serviceOrderItem.items.properties.action.enum).toEqual(['add', 'modify', 'delete', 'noChange']);
    expect(create.additionalProperties).toBe(false);
    expect(doc.paths[orders].post.responses['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(doc.components.schemas.Error.required).toEqual(['code', 'reason', 'message', 'status']);
  });

  it('serves an interactive docs page', async () => {
    const page = await fetch(`${t.baseUrl}/tmf-api/docs`, { redirect: 'follow' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
  });
});
