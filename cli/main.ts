import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { FleetError, isFleetError } from '../errors/index.js';
import { ResourceInventory } from '../inventory/resource-inventory.js';
import type { ServiceState } from '../inventory/service-instance.js';
import { createLogger } from '../observability/logger.js';
import { loadQualificationRules } from '../catalog/policy-file.js';
import { ServiceCatalog } from '../catalog/service-catalog.js';
import { AuditTrail } from '../queues/audit-trail.js';
import { openServiceOrderFront, type ServiceOrderFront } from '../queues/service-order-front.js';
import { createRedisConnection, lastRedisError } from '../queues/redis-connection.js';
import { isRedisUnavailable, redisUnavailable } from '../queues/redis-unavailable.js';
import { epochCommand } from './epoch-command.js';
import { loadFleetConfig, ROLES, type FleetConfig, type Role } from '../runtime/fleet-config.js';
import { startFleetProcess } from '../workers/fleet-process.js';
import { runLab } from './lab-command.js';
import { formatAuditRecord, formatOrder } from './order-report.js';

const USAGE = `usage: activation-fleet <command>

  start [--role all|intake,orchestrator,worker,api]   run fleet roles in this process (default all)
  submit ORDER.json [--json]                          submit a TMF641 service order; prints its id
  status ORDER_ID [--json]                            the order with its items, states and errors
  cancel ORDER_ID [--reason TEXT]                     cancel an order in flight
  events [--follow]                                   order events (TMF641 notifications) from the stream
  audit --order ORDER_ID | --ne NE_ID [--json]        every command/set/RPC sent to NEs, with replies
  dry-run ORDER.json                                  validate and render every step; sends and stores nothing
  services [--state S] [--spec ID] [--ne NE_ID] [--char NAME=VALUE]   the service inventory (TMF638 JSON lines)
  nes [--role ROLE]                                   the resource inventory (no credentials: references only)
  lab [--host H] [--advertise NAME] --inventory DIR --secrets DIR   run the simulated NEs as a service
  epoch [--acknowledge-loss] [--json]                 the fleet epoch and any recorded loss of Redis state;
                                                      --acknowledge-loss ends it, once the NEs are reconciled

environment: REDIS_URL, CONFIG_DIR, HTTP_HOST, HTTP_PORT, LOG_LEVEL, QUEUE_PREFIX, WORKER_CONCURRENCY,
             ACTIVATION_ATTEMPTS, ACTIVATION_BACKOFF_MS, ACTIVATION_LOCK_MS (README: Configuration)`;

function parseRoles(value: string): Role[] {
  if (value === 'all') return [...ROLES];
  const roles = value.split(',').map((r) => r.trim());
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new FleetError('CONFIG_INVALID', `unknown role ${unknown.join(', ')}: use all or ${ROLES.join(', ')}`);
  return roles as Role[];
}

async function start(roleArg: string): Promise<void> {
  const config = loadFleetConfig();
  const log = createLogger({ level: config.logLevel });
  const fleet = await startFleetProcess({ config, roles: parseRoles(roleArg), log });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new jobs, finishing running ones');
    // A job still running after the deadline is left to BullMQ's stalled-job recovery elsewhere.
    const deadline = setTimeout(() => {
      log.warn('shutdown deadline passed; exiting with jobs still running');
      process.exit(1);
    }, 30_000);
    deadline.unref();
    fleet.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGHUP', () => void fleet.reloadInventory());
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function readOrderFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    throw new FleetError('ORDER_INVALID', `${path}: not a readable JSON file: ${(error as Error).message}`);
  }
}

type CliClient = ServiceOrderFront & { audit: AuditTrail };

/**
 * The embedded client's pieces (queues/service-order-client.ts) on a fail-fast connection the
 * command owns, so that every failure of it is reported as the one line below.
 */
async function openCliClient(config: FleetConfig): Promise<CliClient> {
  const [catalog, inventory, rules] = await Promise.all([
    ServiceCatalog.load(`${config.configDir}/catalog`),
    ResourceInventory.load(`${config.configDir}/inventory`),
    loadQualificationRules(config.configDir),
  ]);
  const redis = createRedisConnection(config.redisUrl, 'activation-fleet:cli', { cluster: config.redisCluster });
  const front = openServiceOrderFront(redis, { prefix: config.queuePrefix, catalog, inventory, rules });
  return {
    ...front,
    audit: new AuditTrail(redis, { prefix: config.queuePrefix }),
    async close() {
      await front.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Waits for `work`, but no longer than `ms` (closing a connection to an absent Redis may hang). */
async function atMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * Runs `work` with the embedded client, whose connection fails fast: when Redis does not answer,
 * the command ends with one line naming the URL (without its password) and what failed.
 */
async function withClient<T>(work: (client: CliClient) => Promise<T>): Promise<T> {
  const config = loadFleetConfig();
  const client = await openCliClient(config);
  let failed = false;
  try {
    return await work(client);
  } catch (error) {
    failed = true;
    if (isRedisUnavailable(error)) throw redisUnavailable(config.redisUrl, error, lastRedisError(config.redisUrl));
    throw error;
  } finally {
    await atMost(client.close(), failed ? 500 : 5000);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      // start: the fleet roles to run (default all); nes: the NE role to list.
      role: { type: 'string' },
      json: { type: 'boolean', default: false },
      reason: { type: 'string' },
      follow: { type: 'boolean', default: false },
      order: { type: 'string' },
      ne: { type: 'string' },
      state: { type: 'string' },
      spec: { type: 'string' },
      char: { type: 'string' },
      host: { type: 'string' },
      advertise: { type: 'string' },
      inventory: { type: 'string' },
      secrets: { type: 'string' },
      'acknowledge-loss': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 1 : 0;
  }
  switch (command) {
    case 'start':
      await start(values.role ?? 'all');
      return -1; // keeps running until a signal
    case 'submit': {
      if (!arg) throw new FleetError('CONFIG_INVALID', 'submit needs the path of an order JSON file');
      const order = await readOrderFile(arg);
      const result = await withClient((c) => c.producer.submitServiceOrder(order));
      if (values.json) console.log(JSON.stringify(result.order, null, 2));
      else console.log(result.order.id);
      if (result.order.state === 'rejected') {
        for (const e of result.order.errorMessage ?? []) console.error(`rejected: ${e.code}: ${e.message}`);
        return 2;
      }
      if (!result.created) console.error(`order ${result.order.id} already existed (idempotent submission): ${result.order.state}`);
      return 0;
    }
    case 'status': {
      if (!arg) throw new FleetError('CONFIG_INVALID', 'status needs an order id');
      const record = await withClient((c) => c.store.require(arg));
      console.log(values.json ? JSON.stringify(record.order, null, 2) : formatOrder(record.order, record.items));
      return 0;
    }
    case 'cancel': {
      if (!arg) throw new FleetError('CONFIG_INVALID', 'cancel needs an order id');
      const order = await withClient((c) => c.producer.cancelServiceOrder(arg, values.reason));
      console.log(`${order.id}: ${order.state}`);
      return 0;
    }
    case 'events':
      await withClient(async ({ store }) => {
        let cursor = '0';
        for (;;) {
          // Polled rather than blocking, so that every read is bounded by the fail-fast timeout.
          const events = await store.readEvents(cursor);
          for (const e of events) {
            cursor = e.streamId;
            console.log(JSON.stringify({ id: e.streamId, type: e.event.eventType, description: e.event.description }));
          }
          if (!values.follow && events.length === 0) return;
          if (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
        }
      });
      return 0;
    case 'dry-run': {
      if (!arg) throw new FleetError('CONFIG_INVALID', 'dry-run needs the path of an order JSON file');
      const order = await readOrderFile(arg);
      const result = await withClient((c) => c.producer.dryRunServiceOrder(order));
      console.log(JSON.stringify(result, null, 2));
      return result.valid ? 0 : 2;
    }
    case 'services': {
      const [name, ...rest] = (values.char ?? '').split('=');
      const query = {
        ...(values.state ? { state: values.state as ServiceState } : {}),
        ...(values.spec ? { specification: values.spec } : {}),
        ...(values.ne ? { neId: values.ne } : {}),
        ...(values.char ? { characteristic: { name: name ?? '', value: rest.join('=') } } : {}),
      };
      for (const service of await withClient((c) => c.services.query(query))) console.log(JSON.stringify(service));
      return 0;
    }
    case 'nes': {
      const config = loadFleetConfig();
      const inventory = await ResourceInventory.load(`${config.configDir}/inventory`);
      for (const ne of values.role ? inventory.byRole(values.role) : inventory.all()) console.log(JSON.stringify(ne));
      return 0;
    }
    case 'lab':
      if (!values.inventory || !values.secrets) throw new FleetError('CONFIG_INVALID', 'lab needs --inventory DIR and --secrets DIR');
      await runLab({ host: values.host ?? '127.0.0.1', inventoryDir: values.inventory, secretsDir: values.secrets, ...(values.advertise ? { advertiseHost: values.advertise } : {}) });
      return 0;
    case 'epoch':
      return epochCommand(loadFleetConfig(), { acknowledge: values['acknowledge-loss'] ?? false, json: values.json ?? false });
    case 'audit': {
      const { order, ne } = values;
      if ((order === undefined) === (ne === undefined)) throw new FleetError('CONFIG_INVALID', 'audit needs exactly one of --order ORDER_ID or --ne NE_ID');
      const records = await withClient((c) => (order !== undefined ? c.audit.listByOrder(order) : c.audit.listByNe(ne ?? '')));
      for (const r of records) {
        if (values.json) console.log(JSON.stringify(r));
        else console.log(formatAuditRecord(r));
      }
      return 0;
    }
    default:
      console.error(`unknown command ${command}\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    // One line a person or a script can act on; the stack only for what we did not foresee.
    if (isFleetError(error)) console.error(`error ${error.code}: ${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);
