import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../observability/logger.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

let cluster: RedisCluster;
let lab: SimulatedLab;
let fleet: FleetProcess;

beforeAll(async () => {
  cluster = await startRedisCluster();
  lab = await startSimulatedLab();
  const config = loadFleetConfig({ REDIS_URL: cluster.url, REDIS_CLUSTER: 'true', QUEUE_PREFIX: 'cluster-test', ACTIVATION_BACKOFF_MS: '50' });
  fleet = await startFleetProcess({
    config,
    roles: ROLES,
    log: createLogger({ level: 'silent' }),
    catalog: await loadServiceCatalog('config/catalog'),
    inventory: lab.inventory,
    credentials: lab.credentials,
    http: false,
  });
});

afterAll(async () => {
  await fleet?.stop();
  await lab?.close();
  await cluster?.stop();
});

describe('on a real 3-master Redis Cluster', () => {
  it('runs the mobile bundle unchanged, each order in its own shard', async () => {
    const { order, msisdn } = mobileBundle();
    const { order: submitted } = await fleet.producer.submitServiceOrder(order);
    let done = submitted;
    for (let i = 0; i < 400 && !['completed', 'failed'].includes(done.state); i++) {
      await new Promise((r) => setTimeout(r, 25));
      done = await fleet.producer.getServiceOrder(submitted.id);
    }
    expect(done.state).toBe('completed');
    expect(lab.pcrf.runningConfig()).toContain(`subscriber ${msisdn}`);
    expect(await fleet.services.query({ state: 'active', characteristic: { name: 'msisdn', value: msisdn } })).toHaveLength(3);
    expect((await fleet.audit.listByOrder(submitted.id)).length).toBeGreaterThan(0);
    expect(fleet.keys.shards).toBe(16);
  });

  it('spreads orders, their services and their activation queues over every master', async () => {
    const orders = await Promise.all(Array.from({ length: 24 }, () => fleet.producer.submitServiceOrder(mobileBundle().order)));
    // Bounded by a deadline for all of them, not by a count of polls: on a machine running several
    // CI runs at once, 24 bundles over three masters took longer than 800 polls of 25 ms.
    const deadline = Date.now() + 150_000;
    for (const { order } of orders) {
      let state = order.state;
      while (!['completed', 'failed'].includes(state) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        state = (await fleet.producer.getServiceOrder(order.id)).state;
      }
      expect(state).toBe('completed');
    }
    // Each master's own keys: orders, services and BullMQ activation jobs are on all three.
    const perMaster = await Promise.all(
      cluster.ports.map(async (port) => {
        const node = new Redis(port, '127.0.0.1');
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await node.scan(cursor, 'MATCH', '{cluster-test:*', 'COUNT', 1000);
          cursor = next;
          keys.push(...batch);
        } while (cursor !== '0');
        await node.quit();
        return {
          orders: keys.filter((k) => /:order:[^:]+$/.test(k)).length,
          services: keys.filter((k) => /:service:[^:]+$/.test(k)).length,
          activationJobs: keys.filter((k) => /:item-activation:[^:]+~activate$/.test(k)).length,
        };
      }),
    );
    for (const master of perMaster) {
      expect(master.orders).toBeGreaterThan(0);
      expect(master.services).toBeGreaterThan(0);
      expect(master.activationJobs).toBeGreaterThan(0);
    }
    expect(perMaster.reduce((a, m) => a + m.orders, 0)).toBe(25);
    console.log(`orders per master: ${perMaster.map((m) => m.orders).join(' / ')}; services: ${perMaster.map((m) => m.services).join(' / ')}`);
  }, 240_000);
});
