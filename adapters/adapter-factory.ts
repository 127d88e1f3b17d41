import type { Logger } from 'pino';
import type { NeCredentials } from './ne-credentials.js';
import type { NeAdapter } from './ne-adapter.js';
import type { NetworkElement } from './network-element.js';
import { driverFor } from './registry.js';

export type CredentialsLookup = (ne: NetworkElement) => Promise<NeCredentials> | NeCredentials;

/** Picks the driver by the NE's protocol in the resource inventory (adapters/registry.ts). */
export function createAdapterFactory(credentials: CredentialsLookup, log?: Logger) {
  return async (ne: NetworkElement): Promise<NeAdapter> => {
    const secrets = await credentials(ne);
    // Each adapter names its NE in its own log lines.
    return driverFor(ne.protocol).createAdapter(ne, secrets, log ? { log } : {});
  };
}
