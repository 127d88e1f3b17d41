import { chmod, cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { driverOf } from '../adapters/registry.js';
import { packageRoot } from '../observability/build-info.js';
import { startSimulatedLab, type SimulatedLab } from '../simulators/simulated-lab.js';

export interface LabServiceOptions {
  host: string;
  advertiseHost?: string;
  /** Fixed ports; each one not given is a free port. */
  ports?: { npdb?: number; pcrf?: number; vms?: number };
  /** Receives `lab.yaml` (a fleet CONFIG_DIR's inventory/). Default: inventory/ of a new CONFIG_DIR. */
  inventoryDir?: string;
  /** Receives the lab's credentials, one file per field (as a mounted secret). Default: beside the inventory. */
  secretsDir?: string;
}

export interface LabService {
  lab: SimulatedLab;
  inventoryDir: string;
  secretsDir: string;
  /** A complete CONFIG_DIR (catalog, policies, inventory) when the lab made one, for `CONFIG_DIR=... activation-fleet start`. */
  configDir?: string;
  /** One line per NE: id, protocol, address. */
  describe(): string[];
}

/**
 * The simulated NEs as a service (`activation-fleet lab`, docker-compose's `lab`): on free
 * ports unless told otherwise, so two labs share a host. It writes the inventory that points at
 * them and their credentials as a secret directory that the fleet reads by reference
 * (`credentialsRef: file:DIR`); with no directories given it makes a whole CONFIG_DIR.
 */
export async function startLabService(options: LabServiceOptions): Promise<LabService> {
  let configDir: string | undefined;
  let inventoryDir = options.inventoryDir;
  if (inventoryDir === undefined) {
    configDir = await mkdtemp(join(tmpdir(), 'activation-fleet-lab-'));
    const config = join(packageRoot(), 'config');
    await cp(join(config, 'catalog'), join(configDir, 'catalog'), { recursive: true });
    await cp(join(config, 'policies.yaml'), join(configDir, 'policies.yaml'));
    inventoryDir = join(configDir, 'inventory');
  }
  const secretsDir = options.secretsDir ?? join(configDir ?? inventoryDir, 'secrets');
  const lab = await startSimulatedLab({
    host: options.host,
    ...(options.ports ? { ports: options.ports } : {}),
    ...(options.advertiseHost ? { advertiseHost: options.advertiseHost } : {}),
    credentialsRef: `file:${secretsDir}`,
  });
  await mkdir(secretsDir, { recursive: true, mode: 0o700 });
  const pcrf = lab.credentials(lab.inventory.get('pcrf-1')!);
  const vms = lab.credentials(lab.inventory.get('vms-1')!);
  const files: Record<string, string | undefined> = { username: pcrf.username, password: pcrf.password, 'auth-key': vms.authKey, 'priv-key': vms.privKey };
  for (const [name, value] of Object.entries(files)) {
    if (value === undefined) continue;
    await writeFile(join(secretsDir, name), value, { mode: 0o600 });
    await chmod(join(secretsDir, name), 0o600);
  }
  await mkdir(inventoryDir, { recursive: true });
  await writeFile(join(inventoryDir, 'lab.yaml'), stringify({ networkElements: lab.inventory.all() }));
  return { lab, inventoryDir, secretsDir, ...(configDir ? { configDir } : {}), describe: () => describeLab(lab, options.host) };
}

/** `npdb-1 NETCONF 127.0.0.1:40123` per NE: where each simulated NE listens. */
export function describeLab(lab: SimulatedLab, host = '127.0.0.1'): string[] {
  const listening = { 'npdb-1': lab.npdb.port, 'pcrf-1': lab.pcrf.port, 'vms-1': lab.vms.port } as Record<string, number>;
  return lab.inventory.all().map((ne) => `${ne.id} ${driverOf(ne.protocol)?.title ?? ne.protocol} ${host}:${listening[ne.id] ?? ne.port}`);
}
