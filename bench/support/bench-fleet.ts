import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import type { AdapterFactory } from '../../adapters/adapter-pool.js';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { NetworkElementInput } from '../../inventory/network-element.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { createLogger } from '../../observability/logger.js';
import { loadFleetConfig, type Role } from '../../runtime/fleet-config.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** The product catalog plus bench/catalog (bench-item: one line to the NE the order names). */
export async function benchCatalog(): Promise<ServiceCatalog> {
  const [product, bench] = await Promise.all([loadServiceCatalog(`${REPO_DIR}config/catalog`), loadServiceCatalog(`${BENCH_DIR}catalog`)]);
  return new ServiceCatalog([...product.ids().map((id) => product.get(id)), ...bench.ids().map((id) => bench.get(id))].filter((s) => s !== undefined));
}

/** `count` NEs of role bench-ne (never dialled: fake adapters stand in for them). */
export function benchInventory(count: number, maxSessions: number): ResourceInventory {
  const nes: NetworkElementInput[] = Array.from({ length: count }, (_, i) => ({
    id: benchNeId(i),
    role: 'bench-ne',
    protocol: 'ssh-cli',
    host: '127.0.0.1',
    port: 22,
    maxSessions,
    credentialsRef: 'env:BENCH',
  }));
  return ResourceInventory.fromInputs(nes);
}

export const benchNeId = (i: number): string => `ne-${String(i).padStart(5, '0')}`;

/** A one-item order of bench-item on the given NE; `key` comes back in the NE's apply. */
export function benchOrder(neId: string, key: string): unknown {
  return {
    externalId: `bench-${key}`,
    priority: '2',
    serviceOrderItem: [
      {
        id: 'item-1',
        action: 'add',
        service: {
          serviceSpecification: { id: 'bench-item' },
          serviceCharacteristic: [
            { name: 'neId', value: neId },
            { name: 'key', value: key },
          ],
        },
      },
    ],
  };
}

/** Logs at the production default level (info) into /dev/null: the cost of logging stays in. */
export function benchLogger(): Logger {
  return createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
}

export interface BenchFleetOptions {
  redisUrl: string;
  prefix: string;
  roles: Role[];
  catalog: ServiceCatalog;
  inventory: ResourceInventory;
  factory: AdapterFactory;
  workerConcurrency?: number;
  env?: Record<string, string>;
}

/** One fleet process (the roles asked for) on the bench's private Redis, with fake NEs. */
export async function startBenchFleet(options: BenchFleetOptions): Promise<FleetProcess> {
  const config = loadFleetConfig({
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
    ...(options.workerConcurrency ? { WORKER_CONCURRENCY: String(options.workerConcurrency) } : {}),
    // Nothing here fails, so no retries; the jeopardy tracker would only add its own polling.
    JEOPARDY_CHECK_MS: '60000',
    ...options.env,
  });
  return startFleetProcess({
    config,
    roles: options.roles,
    log: benchLogger(),
    catalog: options.catalog,
    rules: [],
    inventory: options.inventory,
    adapterFactory: options.factory,
    http: false,
  });
}

export const newPrefix = (name: string): string => `bench-${name}-${randomBytes(3).toString('hex')}`;

export interface RedisStats {
  /** Commands run, from INFO commandstats (the calls of every command, those inside Lua scripts included). */
  commands: number;
  /** The same by command name (`evalsha`, `hset`, ...). */
  byCommand: Map<string, number>;
  /** Bytes Redis received (sent to it) and sent (replies), INFO stats total_net_input/output_bytes. */
  bytesIn: number;
  bytesOut: number;
}

/** Redis's own counters so far, read on a connection of its own: subtract two reads for a run's cost. */
export async function redisStats(admin: Redis): Promise<RedisStats> {
  const [stats, commandstats] = await Promise.all([admin.info('stats'), admin.info('commandstats')]);
  const field = (name: string): number => Number(new RegExp(`${name}:(\\d+)`).exec(stats)?.[1] ?? Number.NaN);
  const byCommand = new Map<string, number>();
  for (const [, name, calls] of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) byCommand.set(name as string, Number(calls));
  const commands = [...byCommand.values()].reduce((a, b) => a + b, 0);
  return { commands, byCommand, bytesIn: field('total_net_input_bytes'), bytesOut: field('total_net_output_bytes') };
}

/** What Redis did between two reads of its counters. */
export function redisDelta(before: RedisStats, after: RedisStats): RedisStats {
  const byCommand = new Map<string, number>();
  for (const [name, calls] of after.byCommand) {
    const d = calls - (before.byCommand.get(name) ?? 0);
    if (d > 0) byCommand.set(name, d);
  }
  return { commands: after.commands - before.commands, byCommand, bytesIn: after.bytesIn - before.bytesIn, bytesOut: after.bytesOut - before.bytesOut };
}

/**
 * CPU seconds used so far by this process and by redis-server (from /proc, by the pid Redis
 * reports): the two share this machine's cores, so both count in the cost of an item.
 */
export async function cpuSeconds(admin: Redis): Promise<{ node: number; redis: number }> {
  const pid = /process_id:(\d+)/.exec(await admin.info('server'))?.[1];
  let redis = Number.NaN;
  try {
    // utime and stime are fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second on Linux).
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    redis = (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    // Not Linux, or Redis runs elsewhere: no Redis CPU figure.
  }
  const usage = process.cpuUsage();
  return { node: (usage.user + usage.system) / 1e6, redis };
}

export async function sumCounter(metric: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, string | number> }> }> }, filter: (labels: Record<string, string | number>) => boolean = () => true): Promise<number> {
  const { values } = await metric.get();
  return values.filter((v) => filter(v.labels)).reduce((sum, v) => sum + v.value, 0);
}

export async function waitUntil(done: () => Promise<boolean> | boolean, timeoutMs: number, what: string, pollMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} did not happen within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Runs `work(i)` for i in [0, count) with at most `parallel` at once. */
export async function runParallel(count: number, parallel: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export function newAdminConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}
