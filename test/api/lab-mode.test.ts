import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../observability/logger.js';
import { loadFleetConfig } from '../../runtime/fleet-config.js';
import { startFleetProcess } from '../../runtime/fleet-process.js';
import { BASES, startApiHarness, type ApiHarness } from './support/api-harness.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

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

  it('warns at start that the APIs answer without a token', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const config = loadFleetConfig({ REDIS_URL: t.fleet.redis.url, QUEUE_PREFIX: t.fleet.fleet.keys.name, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', API_AUTH: 'none' });
    const catalog = await loadServiceCatalog('config/catalog');
    const api = await startFleetProcess({ config, roles: ['api'], log, catalog, inventory: t.fleet.lab.inventory, credentials: t.fleet.lab.credentials });
    await api.stop();
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((l) => l.level === 40);
    expect(warnings.map((w) => w.msg)).toContainEqual(expect.stringMatching(/^API_AUTH=none: the TMF APIs answer without any token/));
  });

  it('refuses to start on any other bind', () => {
    for (const host of ['0.0.0.0', '::', '10.1.2.3']) {
      expect(() => loadFleetConfig({ REDIS_URL: 'redis://127.0.0.1:6379', API_AUTH: 'none', HTTP_HOST: host })).toThrow(/API_AUTH=none/);
    }
  });
});
