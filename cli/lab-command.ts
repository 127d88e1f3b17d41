import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startSimulatedLab } from '../simulators/simulated-lab.js';

export interface LabCommandOptions {
  host: string;
  advertiseHost?: string;
  /** Directory that receives `inventory/lab.yaml` (a fleet CONFIG_DIR's inventory, say). */
  inventoryDir: string;
  /** Directory that receives the lab's credentials, one file per field (a mounted secret). */
  secretsDir: string;
}

/**
 * Runs the simulated NEs as a service (docker-compose's `lab`): on fixed ports, writing the
 * inventory that points at them and their credentials as a secret directory the fleet reads by
 * reference. Runs until the process is stopped.
 */
export async function runLab(options: LabCommandOptions): Promise<void> {
  const lab = await startSimulatedLab({
    host: options.host,
    ports: { npdb: 8830, pcrf: 2222, vms: 16161 },
    ...(options.advertiseHost ? { advertiseHost: options.advertiseHost } : {}),
    credentialsRef: `file:${options.secretsDir}`,
  });
  await mkdir(options.secretsDir, { recursive: true, mode: 0o700 });
  const pcrf = lab.credentials(lab.inventory.get('pcrf-1')!);
  const vms = lab.credentials(lab.inventory.get('vms-1')!);
  const files: Record<string, string | undefined> = { username: pcrf.username, password: pcrf.password, 'auth-key': vms.authKey, 'priv-key': vms.privKey };
  for (const [name, value] of Object.entries(files)) {
    if (value === undefined) continue;
    await writeFile(join(options.secretsDir, name), value, { mode: 0o600 });
    await chmod(join(options.secretsDir, name), 0o600);
  }
  await mkdir(options.inventoryDir, { recursive: true });
  await writeFile(join(options.inventoryDir, 'lab.yaml'), stringify({ networkElements: lab.inventory.all() }));
  process.stdout.write(`simulated NEs up: npdb-1 NETCONF :8830, pcrf-1 SSH CLI :2222, vms-1 SNMP :16161; inventory in ${options.inventoryDir}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await lab.close();
}
