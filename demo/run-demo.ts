/**
 * The fleet's main job on an embedded default: a private redis-server on a free port (or the
 * Redis at REDIS_URL when one is set), three simulated NEs on loopback, and every
 * fleet role in this process. It submits the mobile bundle (number porting, then the mobile
 * plan that relies on it, then voicemail that relies on the plan), prints each item's
 * progress from the events stream, then shows a bundle whose plan the PCRF refuses being
 * rolled back.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { formatOrder } from '../cli/order-report.js';
import { createLogger } from '../observability/logger.js';
import { isFinalState } from '../orders/order-states.js';
import type { ServiceOrder, ServiceOrderInput } from '../orders/service-order.js';
import { createRedisConnection, redactRedisUrl } from '../queues/redis-connection.js';
import { loadFleetConfig, ROLES } from '../runtime/fleet-config.js';
import { redisReachable, startPrivateRedis, type PrivateRedis } from '../runtime/private-redis.js';
import { startSimulatedLab } from '../simulators/simulated-lab.js';
import { startFleetProcess, type FleetProcess } from '../runtime/fleet-process.js';
import { loadServiceCatalog } from '../runtime/loading/catalog-files.js';

const say = (text = ''): void => void process.stdout.write(`${text}\n`);

function bundle(msisdn: string, plan: string): ServiceOrderInput {
  const characteristic = (name: string, value: string | number) => ({ name, value });
  return {
    externalId: `DEMO-${msisdn}`,
    description: 'Mobile bundle: port the number, then the plan, then voicemail',
    priority: '1',
    serviceOrderItem: [
      {
        id: 'number-porting',
        action: 'add',
        service: {
          serviceSpecification: { id: 'number-porting' },
          serviceCharacteristic: [characteristic('msisdn', msisdn), characteristic('donorOperator', 'Other Mobile'), characteristic('routingNumber', 'D042')],
        },
      },
      {
        id: 'mobile-plan',
        action: 'add',
        service: { serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: [characteristic('msisdn', msisdn), characteristic('plan', plan), characteristic('dataCapGb', 50)] },
        serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'number-porting' } }],
      },
      {
        id: 'voicemail',
        action: 'add',
        service: { serviceSpecification: { id: 'voicemail' }, serviceCharacteristic: [characteristic('msisdn', msisdn), characteristic('language', 'en')] },
        serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'mobile-plan' } }],
      },
    ],
  };
}

async function runOrder(fleet: FleetProcess, order: ServiceOrderInput): Promise<ServiceOrder> {
  const startedAt = Date.now();
  // Start after the newest event so only this order's progress is printed.
  let cursor = await fleet.store.eventCursorNow();
  const { order: submitted } = await fleet.producer.submitServiceOrder(order);
  say(`submitted order ${submitted.id} (externalId ${submitted.externalId}): ${submitted.state}`);
  for (const e of submitted.errorMessage ?? []) say(`  rejected: ${e.code}: ${e.message}`);
  let state = submitted.state;
  while (!isFinalState(state)) {
    for (const { streamId, orderId, event } of await fleet.store.readEvents(cursor, { blockMs: 1000 })) {
      cursor = streamId;
      if (orderId !== submitted.id || event.eventType === 'ServiceOrderCreateEvent') continue;
      const ms = String(Date.now() - startedAt).padStart(5);
      say(`  +${ms} ms  ${event.description.replace(`order ${submitted.id}: `, '')}`);
      state = event.event.serviceOrder.state;
    }
  }
  return (await fleet.store.require(submitted.id)).order;
}

async function main(): Promise<void> {
  const env = { ...process.env };
  // The embedded default is a Redis of the demo's own: the machine's Redis may hold another
  // fleet's keys or persist to disk. REDIS_URL set says which Redis to use instead.
  const wanted = env.REDIS_URL;
  let privateRedis: PrivateRedis | undefined;
  if (wanted !== undefined && (await redisReachable(wanted))) {
    say(`Redis: using ${redactRedisUrl(wanted)} (keys under a prefix of this demo's own, removed at the end)`);
  } else if (wanted !== undefined) {
    say(`No Redis answers at ${redactRedisUrl(wanted)} (REDIS_URL); unset it to run on a private redis-server.`);
    process.exitCode = 1;
    return;
  } else {
    try {
      privateRedis = await startPrivateRedis();
    } catch (error) {
      say(`A private redis-server could not be started: ${(error as Error).message}`);
      say('Install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), or set REDIS_URL to a Redis to use.');
      process.exitCode = 1;
      return;
    }
    env.REDIS_URL = privateRedis.url;
    say(`Redis: started a private redis-server at ${privateRedis.url}`);
  }
  const prefix = `activation-fleet-demo-${randomBytes(3).toString('hex')}`;
  const config = loadFleetConfig({ ...env, QUEUE_PREFIX: prefix, HTTP_PORT: env.HTTP_PORT ?? '0', ACTIVATION_BACKOFF_MS: env.ACTIVATION_BACKOFF_MS ?? '200' });
  // The fleet's JSON logs go to a file, so the terminal shows the order's progress only.
  const logFile = join(tmpdir(), `${prefix}.log`);
  const log = createLogger({ level: env.LOG_LEVEL ?? 'info' }, pino.destination({ dest: logFile, sync: true }));
  say(`Fleet logs (JSON, pino): ${logFile}`);
  const lab = await startSimulatedLab();
  say(`Simulated NEs: npdb-1 NETCONF :${lab.npdb.port}, pcrf-1 SSH CLI :${lab.pcrf.port}, vms-1 SNMPv3 :${lab.vms.port}`);
  const catalog = await loadServiceCatalog(`${config.configDir}/catalog`);
  const fleet = await startFleetProcess({ config, roles: ROLES, log, catalog, inventory: lab.inventory, credentials: lab.credentials });
  const address = fleet.http?.server.address();
  if (address && typeof address === 'object') say(`Fleet: roles ${ROLES.join(', ')}; metrics at http://127.0.0.1:${address.port}/metrics`);

  try {
    const msisdn = `4477009${String(Date.now()).slice(-5)}`;
    say('\n1) The mobile bundle');
    const done = await runOrder(fleet, bundle(msisdn, 'gold'));
    say(`\n${formatOrder(done)}`);
    say('\nOn the network:');
    say(`  npdb-1  ${lab.npdb.runningXml().includes(msisdn) ? `ported number ${msisdn} routed via D042` : 'nothing'}`);
    say(`  pcrf-1  ${lab.pcrf.runningConfig().split('\n').filter((l) => l.trim().length > 0 && !l.startsWith('!')).join(' | ')}`);
    say(`  vms-1   ${JSON.stringify(lab.vms.mailboxes())}`);

    const second = `4477008${String(Date.now()).slice(-5)}`;
    say('\n2) A bundle whose plan the PCRF refuses: the porting is rolled back, voicemail never starts');
    lab.pcrf.failOn(/^plan /, 'plan not provisioned on this PCRF');
    const failed = await runOrder(fleet, bundle(second, 'silver'));
    lab.pcrf.failOn(null);
    say(`\n${formatOrder(failed)}`);
    say(`\n  npdb-1 still holds ${second}? ${lab.npdb.runningXml().includes(second) ? 'yes (a remnant!)' : 'no: rolled back'}`);
    say(`\nFinal states: order 1 ${done.state}, order 2 ${failed.state}`);
    if (done.state !== 'completed' || failed.state !== 'failed') process.exitCode = 1;
  } finally {
    await fleet.stop();
    await lab.close();
    if (privateRedis) await privateRedis.stop();
    else {
      // Leave the shared Redis as it was.
      const redis = createRedisConnection(config.redisUrl, 'activation-fleet:demo-cleanup');
      // The keys carry the prefix as a hash tag: {activation-fleet-demo-...}:...
      let cursorScan = '0';
      do {
        const [next, keys] = await redis.scan(cursorScan, 'MATCH', `${config.queuePrefix}:*`, 'COUNT', 1000);
        cursorScan = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursorScan !== '0');
      await redis.quit();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
