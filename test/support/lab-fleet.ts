import type { ResourceInventory } from '../../inventory/resource-inventory.js';
import { createLogger } from '../../observability/logger.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';
import type { SimulatedLab } from '../../simulators/simulated-lab.js';

/** One process with every role on the simulated lab (its NEs as given), the shipped catalog, and `env` over REDIS_URL. */
export async function startLabFleet(lab: SimulatedLab, inventory: ResourceInventory, env: Record<string, string>): Promise<FleetProcess> {
  return startFleetProcess({
    config: loadFleetConfig(env),
    roles: ROLES,
    log: createLogger({ level: 'silent' }),
    catalog: await loadServiceCatalog('config/catalog'),
    inventory,
    credentials: lab.credentials,
    http: false,
  });
}
