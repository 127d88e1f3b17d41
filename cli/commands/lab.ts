import { defineCommand } from '../cli-command.js';
import { UsageError } from '../cli-errors.js';
import { startLabService } from '../lab-service.js';

const NES = ['npdb', 'pcrf', 'vms'] as const;

/** `npdb=8830,pcrf=2222,vms=16161` (any subset). */
function parsePorts(value: string | undefined): Partial<Record<(typeof NES)[number], number>> | undefined {
  if (value === undefined) return undefined;
  const ports: Partial<Record<(typeof NES)[number], number>> = {};
  for (const part of value.split(',')) {
    const [ne, port] = part.split('=');
    const n = Number(port);
    if (!(NES as readonly string[]).includes(ne ?? '') || !/^\d+$/.test(port ?? '') || n < 1 || n > 65535) {
      throw new UsageError(`--ports takes NE=PORT pairs for ${NES.join(', ')} (e.g. npdb=8830,pcrf=2222,vms=16161), got ${JSON.stringify(part)}`);
    }
    ports[ne as (typeof NES)[number]] = n;
  }
  return ports;
}

export const command = defineCommand({
  usage: 'lab [--host H] [--advertise NAME] [--ports npdb=P,pcrf=P,vms=P] [--inventory DIR --secrets DIR]',
  help: `Runs the simulated NEs (npdb-1 over NETCONF, pcrf-1 over SSH CLI, vms-1 over SNMPv3) until
stopped, and prints where each listens. Ports are free ones unless --ports fixes them, so two
labs can share a host. It writes the inventory pointing at them (lab.yaml) and their
credentials as one file per field (a secret directory the inventory refers to by file:DIR).

With neither --inventory nor --secrets it makes a whole CONFIG_DIR (the catalog, the policies,
the lab's inventory and secrets) in a new temporary directory and prints it: run the fleet
against it with CONFIG_DIR=that-dir activation-fleet start.

options:
  --host H          where the NEs listen (default 127.0.0.1; 0.0.0.0 in a container)
  --advertise NAME  the address the fleet reaches them at, when not H (a container name)
  --ports LIST      fixed ports, e.g. npdb=8830,pcrf=2222,vms=16161 (the others stay free)
  --inventory DIR   where lab.yaml goes (a fleet CONFIG_DIR's inventory/)
  --secrets DIR     where the credentials go (mode 0700, files 0600)`,
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    advertise: { type: 'string' },
    ports: { type: 'string' },
    inventory: { type: 'string' },
    secrets: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  async run({ values }) {
    if ((values.inventory === undefined) !== (values.secrets === undefined)) throw new UsageError('give both --inventory DIR and --secrets DIR, or neither');
    const ports = parsePorts(values.ports);
    const service = await startLabService({
      host: values.host,
      ...(values.advertise ? { advertiseHost: values.advertise } : {}),
      ...(ports ? { ports } : {}),
      ...(values.inventory ? { inventoryDir: values.inventory } : {}),
      ...(values.secrets ? { secretsDir: values.secrets } : {}),
    });
    const lines = ['simulated NEs up:', ...service.describe().map((l) => `  ${l}`), `inventory: ${service.inventoryDir}/lab.yaml (credentials in ${service.secretsDir})`];
    if (service.configDir) lines.push(`CONFIG_DIR=${service.configDir}`, `run the fleet against it: CONFIG_DIR=${service.configDir} activation-fleet start`);
    process.stdout.write(`${lines.join('\n')}\n`);
    const stop = async (): Promise<void> => {
      await service.lab.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
    return 'running';
  },
});
