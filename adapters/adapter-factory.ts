import type { Logger } from 'pino';
import type { NeCredentials, NetworkElement } from '../inventory/network-element.js';
import type { NeAdapter } from './ne-adapter.js';
import { NetconfAdapter } from './netconf/netconf-adapter.js';
import { SnmpAdapter } from './snmp/snmp-adapter.js';
import { SshCliAdapter } from './ssh-cli/ssh-cli-adapter.js';

export type CredentialsLookup = (ne: NetworkElement) => Promise<NeCredentials> | NeCredentials;

/** Picks the driver by the NE's protocol in the resource inventory. */
export function createAdapterFactory(credentials: CredentialsLookup, log?: Logger) {
  return async (ne: NetworkElement): Promise<NeAdapter> => {
    const secrets = await credentials(ne);
    // Each adapter names its NE in its own log lines.
    const options = log ? { log } : {};
    switch (ne.protocol) {
      case 'ssh-cli':
        return new SshCliAdapter(ne, secrets, options);
      case 'snmp':
        return new SnmpAdapter(ne, secrets, options);
      case 'netconf':
        return new NetconfAdapter(ne, secrets, options);
    }
  };
}
