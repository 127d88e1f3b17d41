import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapterFactory } from '../../adapters/adapter-factory.js';
import { AdapterPool } from '../../adapters/adapter-pool.js';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { checkSync } from '../../workers/service-sync.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

/**
 * check-sync on the simulated lab: a bundle's services are in sync after it completes; a change
 * made on the PCRF behind the fleet's back shows as drift of that service only, with the
 * device's words; nothing is sent but reads.
 */
let h: FleetHarness;
let pool: AdapterPool;
let catalog: ServiceCatalog;

beforeAll(async () => {
  h = await startFleetHarness();
  pool = new AdapterPool(createAdapterFactory(h.lab.credentials));
  catalog = await loadServiceCatalog('config/catalog');
});
afterAll(async () => {
  await pool?.close();
  await h?.stop();
});

describe('check-sync', () => {
  it('finds every service of a fresh bundle in sync, then the plan changed behind the fleet', async () => {
    const { order, msisdn } = mobileBundle();
    const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
    expect((await h.waitForFinal(submitted.id)).state).toBe('completed');
    const record = await h.fleet.store.require(submitted.id);
    const ids = Object.values(record.items).map((i) => i.serviceId);
    const services = [...(await h.fleet.services.getMany(ids)).values()];
    const deps = { catalog, directory: h.lab.inventory, withAdapter: pool.withAdapter.bind(pool) } as Parameters<typeof checkSync>[0];

    const configBefore = h.lab.pcrf.runningConfig();
    const first = await checkSync(deps, services);
    expect(first.map((r) => [r.specId, r.status])).toEqual(expect.arrayContaining([['number-porting', 'in-sync'], ['mobile-plan', 'in-sync'], ['voicemail', 'in-sync']]));
    expect(first.every((r) => r.tests > 0)).toBe(true);
    expect(h.lab.pcrf.runningConfig()).toBe(configBefore);

    // Behind the fleet's back: someone lowers the plan on the PCRF.
    const pcrf = h.lab.inventory.get('pcrf-1');
    if (!pcrf) throw new Error('no pcrf-1');
    await pool.withAdapter(pcrf, (adapter) => adapter.apply({ protocol: 'ssh-cli', lines: [`subscriber ${msisdn}`, 'plan bronze', 'exit'] }));
    const second = await checkSync(deps, services);
    const plan = second.find((r) => r.specId === 'mobile-plan');
    expect(plan?.status).toBe('drift');
    expect(plan?.drift).toEqual([expect.objectContaining({ neId: 'pcrf-1', step: 'provision-subscriber-policy', test: `show running-config within "subscriber ${msisdn}" shows line "plan gold"` })]);
    expect(plan?.drift[0]?.observed).toContain('plan bronze');
    expect(second.filter((r) => r.specId !== 'mobile-plan').every((r) => r.status === 'in-sync')).toBe(true);
  });

  it('reports a service whose NE cannot be asked as unknown, never in sync', async () => {
    const { order } = mobileBundle();
    const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
    await h.waitForFinal(submitted.id);
    const record = await h.fleet.store.require(submitted.id);
    const services = [...(await h.fleet.services.getMany(Object.values(record.items).map((i) => i.serviceId))).values()];
    const failing = { catalog, directory: h.lab.inventory, withAdapter: () => Promise.reject(new Error('NE unreachable')) } as Parameters<typeof checkSync>[0];
    const results = await checkSync(failing, services);
    expect(results.every((r) => r.status === 'unknown' && r.error === 'NE unreachable')).toBe(true);
  });

  it('walks the service inventory a page at a time: every service once, as the whole query finds them', async () => {
    const ids = (list: Array<{ id: string }>) => list.map((s) => s.id).sort();
    const walk = async (query: Parameters<typeof h.fleet.services.pages>[0]) => {
      const pages: string[][] = [];
      for await (const page of h.fleet.services.pages(query, 1)) pages.push(page.map((s) => s.id));
      return pages;
    };
    const all = await walk({});
    expect(all.flat().length).toBeGreaterThanOrEqual(6);
    expect(new Set(all.flat()).size).toBe(all.flat().length);
    expect(all.flat().sort()).toEqual(ids(await h.fleet.services.query()));
    for (const query of [{ state: 'active' as const }, { state: 'active' as const, neId: 'pcrf-1' }, { specification: 'voicemail', state: 'active' as const }, { neId: 'no-such-ne' }]) {
      expect((await walk(query)).flat().sort()).toEqual(ids(await h.fleet.services.query(query)));
    }
  });
});
