/**
 * A fleet worker (and orchestrator) as an OS process of its own, for tests that kill it with
 * FLEET_CRASH_AT. Reads everything from the environment: REDIS_URL, QUEUE_PREFIX and the other
 * fleet settings, WINDOW_NES (inventory entries, JSON), WINDOW_CREDENTIALS (NE id -> login,
 * JSON), WINDOW_CATALOG (a catalog directory). Prints "ready" once it takes jobs.
 */
import type { NeCredentials, NetworkElementInput } from '../../inventory/network-element.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { createLogger } from '../../observability/logger.js';
import { loadFleetConfig } from '../../runtime/fleet-config.js';
import { startFleetProcess } from '../../runtime/fleet-process.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

const nes = JSON.parse(process.env.WINDOW_NES ?? '[]') as NetworkElementInput[];
const credentials = JSON.parse(process.env.WINDOW_CREDENTIALS ?? '{}') as Record<string, NeCredentials>;
const fleet = await startFleetProcess({
  config: loadFleetConfig(process.env),
  roles: ['orchestrator', 'worker'],
  log: createLogger({ level: 'warn' }),
  catalog: await loadServiceCatalog(process.env.WINDOW_CATALOG ?? ''),
  inventory: ResourceInventory.fromInputs(nes),
  credentials: (ne) => credentials[ne.id] ?? {},
  http: false,
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => void fleet.stop().then(() => process.exit(0)));
