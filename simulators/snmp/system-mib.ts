import snmp from 'net-snmp';
import type { AgentMib } from './net-snmp-agent.js';

/**
 * The writable scalars of the standard system group (SNMPv2-MIB, RFC 3418) that every agent
 * serves: sysContact.0 and sysLocation.0, which the system-contact service sets.
 */
export const SYSTEM_OIDS = {
  sysContact: '1.3.6.1.2.1.1.4.0',
  sysLocation: '1.3.6.1.2.1.1.6.0',
} as const;

const scalar = (name: string, oid: string) => ({
  name,
  type: snmp.MibProviderType.Scalar,
  oid,
  scalarType: snmp.ObjectType.OctetString,
  maxAccess: snmp.MaxAccess['read-write'],
});

export function registerSystemMib(mib: AgentMib): void {
  for (const [name, oid] of [
    ['sysContact', '1.3.6.1.2.1.1.4'],
    ['sysLocation', '1.3.6.1.2.1.1.6'],
  ] as const) {
    mib.registerProvider(scalar(name, oid));
    mib.setScalarValue(name, '');
  }
}
