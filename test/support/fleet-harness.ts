import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { escapedErrorCount, recentEscapedErrors } from '../../observability/escaped-error-guard.js';
import { createLogger } from '../../observability/logger.js';
import type { OrderRecord } from '../../orders/order-record.js';
import type { ServiceOrder } from '../../orders/service-order.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

export interface FleetHarness {
  redis: PrivateRedis;
  lab: SimulatedLab;
  fleet: FleetProcess;
  /** Every log line the fleet wrote, as text. */
  logs: string[];
  log: Logger;
  waitFor(orderId: string, done: (order: ServiceOrder, record: OrderRecord) => boolean, timeoutMs?: number): Promise<ServiceOrder>;
  waitForFinal(orderId: string, timeoutMs?: number): Promise<ServiceOrder>;
  /** Stops everything, then fails if an error escaped every handler meanwhile (a bug: see observability/escaped-error-guard.ts). */
  stop(): Promise<void>;
}

const FINAL = new Set(['completed', 'failed', 'partial', 'cancelled', 'rejected']);

/**
 * A whole fleet for one test file: a private redis-server on a random port, the simulated NEs,
 * and every role in this process, on a prefix of its own.
 */
export async function startFleetHarness(options: { env?: Record<string, string>; http?: boolean; logLevel?: string; catalog?: ServiceCatalog } = {}): Promise<FleetHarness> {
  const escapedBefore = escapedErrorCount();
  const redis = await startPrivateRedis();
  const lab = await startSimulatedLab({ commandTimeoutMs: 5000 });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  const log = createLogger({ level: options.logLevel ?? 'debug' }, sink);
  const config = loadFleetConfig({
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    ACTIVATION_ATTEMPTS: '2',
    ACTIVATION_BACKOFF_MS: '50',
    HTTP_PORT: '0',
    ...options.env,
  });
  const catalog = options.catalog ?? (await loadServiceCatalog('config/catalog'));
  const fleet = await startFleetProcess({ config, roles: ROLES, log, catalog, inventory: lab.inventory, credentials: lab.credentials, http: options.http ?? false });

  const waitFor: FleetHarness['waitFor'] = async (orderId, done, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: OrderRecord | undefined;
    while (Date.now() < deadline) {
      last = await fleet.store.get(orderId);
      if (last && done(last.order, last)) return last.order;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`order ${orderId} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last?.order, null, 1)}`);
  };
  return {
    redis,
    lab,
    fleet,
    logs,
    log,
    waitFor,
    waitForFinal: (orderId, timeoutMs) => waitFor(orderId, (o) => FINAL.has(o.state), timeoutMs),
    async stop() {
      await fleet.stop();
      await lab.close();
      await redis.stop();
      assertNoEscapedErrors(escapedBefore);
    },
  };
}

/** Fails when an error escaped every handler of this process since `before` (a count from escapedErrorCount()). */
export function assertNoEscapedErrors(before: number): void {
  const escaped = escapedErrorCount() - before;
  if (escaped === 0) return;
  const last = recentEscapedErrors()
    .slice(-escaped)
    .map((e) => `${e.kind}: ${e.error instanceof Error ? (e.error.stack ?? e.error.message) : String(e.error)}`);
  throw new Error(`${escaped} error(s) escaped every handler while the fleet ran (activation_escaped_errors_total moved):\n${last.join('\n')}`);
}
