import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASES, expectTmfError, startApiHarness, TOKENS, type ApiHarness } from './support/api-harness.js';

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness();
});
afterAll(async () => {
  await t?.stop();
});

const orders = `${BASES.ordering}/serviceOrder`;
const token = TOKENS.order;
const enc = encodeURIComponent(token);

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${t.baseUrl}${path}`, { headers });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

describe('credentials in a URL', () => {
  it.each([
    `${orders}?access_token=${enc}`,
    `${orders}?token=${enc}`,
    `${orders}?api_key=${enc}`,
    `${orders}?apikey=${enc}`,
    `${orders}?limit=5&ACCESS_TOKEN=${enc}`,
    `${orders}?state=${enc}`,
    `${orders}/${enc}`,
    `${BASES.activation}/monitor?key=anything`,
    `/queues?token=${enc}`,
    `/queues/api/queues?activeQueue=item-activation&access_token=${enc}`,
    `/metrics?token=${enc}`,
    `/readyz?api_key=x`,
  ])('%s is refused with 400 and a TMF Error that does not echo the token, with or without a valid header', async (path) => {
    for (const headers of [{}, { authorization: `Bearer ${token}` }] as Array<Record<string, string>>) {
      const response = await get(path, headers);
      expectTmfError({ status: response.status, headers: new Headers(), body: response.body }, 400);
      expect(response.body.code).toBe('API_CREDENTIALS_IN_URL');
      expect(response.body.message).toContain('Authorization header');
      expect(response.text).not.toContain(token);
      expect(response.text).not.toContain(token.slice(0, 12));
    }
  });

  it('names the parameter, so the caller knows what to fix', async () => {
    expect((await get(`${orders}?access_token=${enc}`)).body.message).toMatch(/^query parameter access_token: credentials are not accepted in the URL/);
    expect((await get(`${orders}/${enc}`)).body.message).toMatch(/^the path: /);
  });

  it('leaves ordinary queries alone, and the token in the header works', async () => {
    expect((await t.call('GET', `${orders}?limit=1&sort=-orderDate`)).status).toBe(200);
    expect((await get('/queues/api/queues?activeQueue=item-activation&status=completed&page=1', { authorization: `Bearer ${TOKENS.read}` })).status).toBe(200);
  });

  it('no log line holds a token, although every one of these requests was logged', () => {
    const logs = t.fleet.logs.join('');
    expect(logs).toContain('tmf api request');
    expect(logs).toContain('[redacted]');
    for (const secret of Object.values(TOKENS)) {
      expect(logs.includes(secret), 'token in logs').toBe(false);
      expect(logs.includes(encodeURIComponent(secret)), 'encoded token in logs').toBe(false);
    }
  });
});
