import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { createLogger } from '../../observability/logger.js';
import type { ServiceOrder } from '../../orders/service-order.js';
import { loadFleetConfig, type Role } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

// Items store their specification by reference (id, version, hash of the entry): a worker
// whose catalog entry changed since intake refuses the item before sending anything.
let redis: PrivateRedis;
let lab: SimulatedLab;
let intake: FleetProcess;
const prefix = `test-${randomBytes(4).toString('hex')}`;
const log = createLogger({ level: 'warn' }, new Writable({ write: (_c, _e, cb) => cb() }));
const config = () => loadFleetConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: prefix, ACTIVATION_ATTEMPTS: '2', ACTIVATION_BACKOFF_MS: '50', HTTP_PORT: '0' });
const start = (roles: Role[], catalog: ServiceCatalog) => startFleetProcess({ config: config(), roles, log, catalog, inventory: lab.inventory, credentials: lab.credentials, http: false });

async function final(id: string): Promise<ServiceOrder> {
  for (let i = 0; i < 800; i++) {
    const record = await intake.store.get(id);
    if (record && ['completed', 'failed', 'partial'].includes(record.order.state)) return record.order;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`order ${id} is not final`);
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  lab = await startSimulatedLab({ commandTimeoutMs: 5000 });
  intake = await start(['intake', 'orchestrator'], await loadServiceCatalog('config/catalog'));
});
afterAll(async () => {
  await intake?.stop();
  await lab?.close();
  await redis?.stop();
});

describe('an item stored by reference to its catalog entry', () => {
  it('is refused, before anything is sent, by a worker whose catalog entry changed since intake', async () => {
    const loaded = await loadServiceCatalog('config/catalog');
    const changed = new ServiceCatalog(loaded.ids().map((id) => ({ ...loaded.get(id)!, description: 'changed after intake' })));
    const worker = await start(['worker'], changed);
    try {
      const { order } = await intake.producer.submitServiceOrder(mobileBundle().order);
      const done = await final(order.id);
      expect(done.state).toBe('failed');
      const first = done.serviceOrderItem.find((i) => i.id === 'number-porting');
      expect(first?.errorMessage?.[0]?.code).toBe('ORDER_SPECIFICATION_CHANGED');
      expect(await intake.audit.listByOrder(order.id)).toEqual([]);
    } finally {
      await worker.stop();
    }
  });

  it("runs on an unchanged entry (loaded again: equal content) and the record carries that entry's text", async () => {
    const catalog = await loadServiceCatalog('config/catalog');
    const worker = await start(['worker'], catalog);
    try {
      const { order } = await intake.producer.submitServiceOrder(mobileBundle().order);
      const done = await final(order.id);
      expect(done.state).toBe('completed');
      const service = (await intake.services.query({ specification: 'mobile-plan' })).find((s) => s.serviceOrderItem.some((i) => i.serviceOrderId === order.id));
      const entry = catalog.get('mobile-plan')!;
      expect(service?.description).toBe(entry.description ?? entry.name);
      expect(service?.category).toBe(entry.category);
    } finally {
      await worker.stop();
    }
  });
});
