/**
 * Runs the public TM Forum conformance kits (CTK), unmodified, with newman against a fleet
 * started here: a private redis-server, the simulated NEs, every role, the TMF APIs in lab mode
 * (API_AUTH=none on 127.0.0.1), and the catalog plus conformance/catalog (the kits' vCPE).
 *
 *   npx tsx conformance/run-kits.ts            # every kit found in conformance/kits
 *   npx tsx conformance/run-kits.ts tmf640     # one group
 *
 * The kits are not in the repository (they are TM Forum's): conformance/SOURCES.md says where
 * each comes from and its SHA-256, and where to put it. Results go to conformance/results/.
 * Exit code: the number of failed assertions (capped at 100), 0 when every kit passed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import newman, { type NewmanRunSummary } from 'newman';
import { ServiceCatalog } from '../catalog/service-catalog.js';
import { createLogger } from '../observability/logger.js';
import { loadFleetConfig, ROLES } from '../runtime/fleet-config.js';
import { startPrivateRedis } from '../runtime/private-redis.js';
import { startSimulatedLab } from '../simulators/simulated-lab.js';
import { startFleetProcess, type FleetProcess } from '../runtime/fleet-process.js';
import { loadServiceCatalog } from '../runtime/loading/catalog-files.js';

const KITS = 'conformance/kits';
const RESULTS = 'conformance/results';

interface Kit {
  name: string;
  collection: string;
  environment: string;
  /** Environment values pointing the kit at the fleet. */
  env: (baseUrl: string, port: number) => Record<string, string>;
}

const TMF641_V3: Kit = {
  name: 'TMF641 R18.0 (v3)',
  collection: 'CTK-TMF641-ServiceOrdering.postman_collection.json',
  environment: 'Local - Service Order R2018.0.postman_environment.json',
  env: (_base, port) => ({ scheme: 'http', host: '127.0.0.1', port: String(port) }),
};
const TMF640: Kit = {
  name: 'TMF640 R18.5',
  collection: 'CTK-TMF640-ServiceActivationAndConfiguration-R18-5.postman_collection.json',
  environment: 'CTK-TMFENV-V4.0.0.postman_environment.json',
  env: (base) => ({ ServiceActivationAPI: `${base}/tmf-api/ServiceActivationAndConfiguration/v4` }),
};
const TMF638: Kit = {
  name: 'TMF638 R18.5',
  collection: 'CTK-TMF638-ServiceInventory-R18-5.postman_collection.json',
  environment: 'CTK-TMFENV-V4.0.0.postman_environment.json',
  env: (base) => ({ ServiceInventoryAPI: `${base}/tmf-api/serviceInventory/v4` }),
};

/**
 * Each group runs on a fleet of its own (a fresh prefix): the TMF638 kit reads the services the
 * TMF640 kit created, and checks every CFS service it finds, so nothing else may be there.
 */
const GROUPS: Record<string, Kit[]> = { tmf641: [TMF641_V3], tmf640: [TMF640, TMF638] };

interface KitResult {
  kit: string;
  requests: number;
  assertions: number;
  failed: number;
  failures: Array<{ request: string; assertion: string; message: string }>;
}

function runNewman(kit: Kit, baseUrl: string, port: number): Promise<NewmanRunSummary> {
  const envVar = Object.entries(kit.env(baseUrl, port)).map(([key, value]) => ({ key, value }));
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: JSON.parse(readFileSync(join(KITS, kit.collection), 'utf8')) as object,
        environment: JSON.parse(readFileSync(join(KITS, kit.environment), 'utf8')) as object,
        envVar,
        reporters: ['cli'],
        timeoutRequest: 30_000,
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    );
  });
}

function resultOf(kit: Kit, summary: NewmanRunSummary): KitResult {
  const stats = summary.run.stats;
  return {
    kit: kit.name,
    requests: stats.requests.total ?? 0,
    assertions: stats.assertions.total ?? 0,
    failed: stats.assertions.failed ?? 0,
    failures: summary.run.failures.map((f) => ({
      request: f.source?.name ?? '?',
      assertion: (f.error as { test?: string }).test ?? f.error.name,
      message: f.error.message,
    })),
  };
}

async function startFleet(redisUrl: string, lab: Awaited<ReturnType<typeof startSimulatedLab>>): Promise<{ fleet: FleetProcess; baseUrl: string; port: number }> {
  const config = loadFleetConfig({
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `ctk-${randomBytes(4).toString('hex')}`,
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    API_AUTH: 'none',
    ACTIVATION_BACKOFF_MS: '50',
  });
  const catalog = new ServiceCatalog([...(await loadServiceCatalog('config/catalog')).specifications(), ...(await loadServiceCatalog('conformance/catalog')).specifications()]);
  const log = createLogger({ level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'warn' });
  const fleet = await startFleetProcess({ config, roles: ROLES, log, catalog, inventory: lab.inventory, credentials: lab.credentials });
  const port = (fleet.http?.server.address() as AddressInfo).port;
  return { fleet, baseUrl: `http://127.0.0.1:${port}`, port };
}

/** The TMF638 kit reads what the TMF640 kit created: wait until every order of this fleet has ended. */
async function settle(fleet: FleetProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { ids } = await fleet.store.list({ limit: 1000 });
    const records = await Promise.all(ids.map((id) => fleet.store.get(id)));
    if (records.every((r) => r && ['completed', 'failed', 'partial', 'cancelled', 'rejected'].includes(r.order.state))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('orders of the TMF640 kit did not end within 60 s');
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const groups = Object.entries(GROUPS).filter(([name]) => wanted.length === 0 || wanted.includes(name));
  const missing = groups.flatMap(([, kits]) => kits).flatMap((k) => [k.collection, k.environment]).filter((f) => !existsSync(join(KITS, f)));
  if (missing.length > 0) {
    console.error(`missing in ${KITS}: ${[...new Set(missing)].join(', ')} (see conformance/SOURCES.md)`);
    return 100;
  }
  mkdirSync(RESULTS, { recursive: true });
  const redis = await startPrivateRedis();
  const lab = await startSimulatedLab({ commandTimeoutMs: 5000 });
  const results: KitResult[] = [];
  try {
    for (const [, kits] of groups) {
      const { fleet, baseUrl, port } = await startFleet(redis.url, lab);
      try {
        for (const kit of kits) {
          if (kit === TMF638) await settle(fleet);
          results.push(resultOf(kit, await runNewman(kit, baseUrl, port)));
        }
      } finally {
        await fleet.stop();
      }
    }
  } finally {
    await lab.close();
    await redis.stop();
  }
  const kitsUsed = groups.flatMap(([, kits]) => kits).flatMap((k) => [k.collection, k.environment]);
  const report = { ranAt: new Date().toISOString(), kits: Object.fromEntries([...new Set(kitsUsed)].map((f) => [f, sha256(join(KITS, f))])), results };
  writeFileSync(join(RESULTS, 'summary.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('\nconformance kits:');
  for (const r of results) {
    console.log(`  ${r.kit}: ${r.requests} requests, ${r.assertions} assertions, ${r.failed} failed`);
    for (const f of r.failures) console.log(`    - ${f.request} / ${f.assertion}: ${f.message}`);
  }
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`${results.reduce((n, r) => n + r.assertions - r.failed, 0)} passed, ${failed} failed`);
  return Math.min(failed, 100);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(100);
  },
);
