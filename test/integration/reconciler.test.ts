import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { createLogger } from '../../observability/logger.js';
import { loadFleetConfig, type Role } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

let redis: PrivateRedis;
let lab: SimulatedLab;
let catalog: ServiceCatalog;
const processes: FleetProcess[] = [];
const env = () => ({ REDIS_URL: redis.url, QUEUE_PREFIX: 'reconcile', ACTIVATION_BACKOFF_MS: '50', RECONCILE_INTERVAL_MS: '200', RECONCILE_QUIET_MS: '600' });

async function start(roles: Role[]): Promise<FleetProcess> {
  const fleet = await startFleetProcess({ config: loadFleetConfig(env()), roles, log: createLogger({ level: 'silent' }), catalog, inventory: lab.inventory, credentials: lab.credentials, http: false });
  processes.push(fleet);
  return fleet;
}

async function waitFinal(fleet: FleetProcess, id: string) {
  for (let i = 0; i < 400; i++) {
    const order = await fleet.producer.getServiceOrder(id);
    if (['completed', 'failed'].includes(order.state)) return order;
    await new Promise((r) => setTimeout(r, 25));
  }
  return fleet.producer.getServiceOrder(id);
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  lab = await startSimulatedLab();
  catalog = await loadServiceCatalog('config/catalog');
});
afterAll(async () => {
  for (const p of processes) await p.stop();
  await lab?.close();
  await redis?.stop();
});

describe('the reconciler', () => {
  it('resumes orders whose jobs were lost (a failover dropped the queues), so none stays in progress', async () => {
    // A future-dated order waits for its delayed start job; that job is lost.
    const intake = await start(['intake']);
    const waiting = await intake.producer.submitServiceOrder(mobileBundle({ extra: { requestedStartDate: new Date(Date.now() + 300).toISOString() } }).order);
    await intake.queues.orchestration.drain(true);

    // An order due now is started at intake, its first item job queued; then that job is lost.
    const orchestrator = await start(['orchestrator']);
    const dispatched = await intake.producer.submitServiceOrder(mobileBundle().order);
    expect((await intake.store.require(dispatched.order.id)).items['number-porting']?.phase).toBe('activating');
    await intake.queues.activation.drain(true);
    expect(await intake.queues.activation.getJobCountByTypes('waiting', 'prioritized', 'delayed')).toBe(0);

    // Workers arrive; only the reconciler can bring the lost work back.
    await start(['worker']);
    const [first, second] = await Promise.all([waitFinal(orchestrator, waiting.order.id), waitFinal(orchestrator, dispatched.order.id)]);
    expect(first.state).toBe('completed');
    expect(second.state).toBe('completed');
    expect(Number((await orchestrator.metrics.registry.getSingleMetricAsString('activation_reconciler_resumed_total')).split(' ').at(-1))).toBeGreaterThanOrEqual(2);
  });
});
