import { resolve } from 'node:path';
import { resolveCredentials } from '../runtime/loading/credentials-resolver.js';
import type { NetworkElement } from '../inventory/network-element.js';
import { packageRoot } from '../observability/build-info.js';
import type { FleetConfig } from '../runtime/fleet-config.js';

export type LabDecision = { run: false } | { run: true; why: string };

/**
 * Whether `start` runs the simulated NEs in place of the inventory. SIMULATED_LAB=on always,
 * off never; auto (the default) only for a newcomer's first run: the repository's own sample
 * inventory (CONFIG_DIR unchanged), none of whose credentials is set, outside production
 * (NODE_ENV=production, as in the image). A misconfigured production fleet therefore fails on
 * its NEs, loudly, and never activates orders on simulators.
 */
export async function decideSimulatedLab(config: FleetConfig, nes: NetworkElement[], env: NodeJS.ProcessEnv = process.env): Promise<LabDecision> {
  if (config.simulatedLab === 'off') return { run: false };
  if (config.simulatedLab === 'on') return { run: true, why: 'SIMULATED_LAB=on' };
  if (env.NODE_ENV === 'production') return { run: false };
  if (resolve(config.configDir) !== resolve(packageRoot(), 'config')) return { run: false };
  const resolved = await Promise.all(nes.map((ne) => resolveCredentials(ne, env).then(() => true, () => false)));
  if (resolved.some(Boolean)) return { run: false };
  const refs = nes.map((ne) => ne.credentialsRef).join(', ');
  return { run: true, why: `no credentials are set for the sample inventory in ${config.configDir}/inventory (${refs || 'no NEs'})` };
}
