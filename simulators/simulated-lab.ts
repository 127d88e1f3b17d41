import { randomBytes } from 'node:crypto';
import type { NeCredentials, NetworkElement } from '../inventory/network-element.js';
import { ResourceInventory } from '../inventory/resource-inventory.js';
import { startNetconfSimulator, type NetconfSimulator } from './netconf/netconf-simulator.js';
import { startSnmpSimulator, type SnmpSimulator } from './snmp/snmp-simulator.js';
import { startSshCliSimulator, type SshCliSimulator } from './ssh-cli/ssh-cli-simulator.js';

/**
 * The three simulated NEs behind the mobile bundle, on loopback: a number-portability database
 * (NETCONF), a policy server (SSH CLI) and a voicemail server (SNMPv3 authPriv). Credentials
 * are random per lab and handed over in memory, never written anywhere.
 */
export interface SimulatedLab {
  npdb: NetconfSimulator;
  pcrf: SshCliSimulator;
  vms: SnmpSimulator;
  inventory: ResourceInventory;
  credentials: (ne: NetworkElement) => NeCredentials;
  /** Every secret of the lab, so tests can check none leaks into logs, jobs or events. */
  secrets: string[];
  close(): Promise<void>;
}

export interface SimulatedLabOptions {
  /** Max concurrent sessions each NE accepts and the fleet may open. */
  maxSessions?: number;
  commandTimeoutMs?: number;
  /** Where the simulators listen (default 127.0.0.1, free ports). */
  host?: string;
  ports?: { npdb?: number; pcrf?: number; vms?: number };
  /** The address the fleet reaches them at, when not `host` (a container name, say). */
  advertiseHost?: string;
  /** How the inventory refers to the lab's credentials. @defaultValue env:LAB */
  credentialsRef?: string;
}

export async function startSimulatedLab(options: SimulatedLabOptions = {}): Promise<SimulatedLab> {
  const secret = (): string => randomBytes(12).toString('base64url');
  const login = { username: 'fleet', password: secret() };
  const snmpUser = { name: 'fleet', authKey: secret(), privKey: secret() };
  const maxSessions = options.maxSessions ?? 4;
  const host = options.host;
  const at = (port: number | undefined) => ({ ...(host ? { host } : {}), ...(port ? { port } : {}) });
  const [npdb, pcrf, vms] = await Promise.all([
    startNetconfSimulator({ ...login, ...at(options.ports?.npdb) }),
    startSshCliSimulator({ ...login, hostname: 'pcrf-1', maxSessions, ...at(options.ports?.pcrf) }),
    startSnmpSimulator({ v3User: snmpUser, community: secret(), ...at(options.ports?.vms) }),
  ]);
  const common = { maxSessions, credentialsRef: options.credentialsRef ?? 'env:LAB', connectTimeoutMs: 5000, commandTimeoutMs: options.commandTimeoutMs ?? 10_000 };
  const reach = (simHost: string) => options.advertiseHost ?? simHost;
  const inventory = ResourceInventory.fromInputs([
    { id: 'npdb-1', role: 'npdb', protocol: 'netconf', host: reach(npdb.host), port: npdb.port, ssh: { hostKeys: [npdb.hostKey] }, ...common },
    { id: 'pcrf-1', role: 'pcrf', protocol: 'ssh-cli', host: reach(pcrf.host), port: pcrf.port, ssh: { hostKeys: [pcrf.hostKey] }, ...common },
    { id: 'vms-1', role: 'vms', protocol: 'snmp', host: reach(vms.host), port: vms.port, snmp: { version: '3' }, ...common },
  ]);
  return {
    npdb,
    pcrf,
    vms,
    inventory,
    credentials: (ne) =>
      ne.protocol === 'snmp' ? { username: snmpUser.name, authKey: snmpUser.authKey, privKey: snmpUser.privKey } : { username: login.username, password: login.password },
    secrets: [login.password, snmpUser.authKey, snmpUser.privKey],
    async close() {
      await Promise.allSettled([npdb.close(), pcrf.close(), vms.close()]);
    },
  };
}
