import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFleetConfig } from '../../runtime/fleet-config.js';
import { BASES, startApiHarness, type ApiHarness } from './support/api-harness.js';

let t: ApiHarness;
beforeAll(async () => {
  t = await startApiHarness({ API_AUTH: 'none', HTTP_HOST: '127.0.0.1' });
});
afterAll(async () => {
  await t?.stop();
});

describe('lab mode (API_AUTH=none)', () => {
  it('answers without a token on a loopback bind, for reads and orders', async () => {
    expect((await t.call('GET', `${BASES.ordering}/serviceOrder?limit=1`, { token: null })).status).toBe(200);
    expect((await t.call('GET', `${BASES.inventory}/service?limit=1`, { token: null })).status).toBe(200);
    expect((await t.call('POST', `${BASES.ordering}/serviceOrder`, { token: null, body: {} })).status).toBe(400);
  });

  it('refuses to start on any other bind', () => {
    for (const host of ['0.0.0.0', '::', '10.1.2.3']) {
      expect(() => loadFleetConfig({ REDIS_URL: 'redis://127.0.0.1:6379', API_AUTH: 'none', HTTP_HOST: host })).toThrow(/API_AUTH=none/);
    }
  });
});
