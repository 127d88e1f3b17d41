import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { createLogger } from '../../observability/logger.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';
import { startFleetProcess, type FleetProcess } from '../../workers/fleet-process.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

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
    catalog: await ServiceCatalog.load('config/catalog'),
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
  it('runs the mobile bundle unchanged: every key carries the prefix as a hash tag', async () => {
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
    expect(fleet.queues.activation.opts.prefix).toBe('{cluster-test}');
  });
});
