import type { Driver } from '../driver.js';
import { oidIndexFromString } from './oid-index.js';
import { renderSnmpChange, renderSnmpTest, snmpChangeTemplate, snmpCheckWords, snmpTestShape, type SnmpChange, type SnmpCheck } from './snmp-catalog-form.js';
import { snmpProfile } from './snmp-profile.js';

interface SnmpTypes {
  protocol: 'snmp';
  profileKey: 'snmp';
  profile: typeof snmpProfile;
  changeTemplate: typeof snmpChangeTemplate;
  testShape: typeof snmpTestShape;
  change: SnmpChange;
  check: SnmpCheck;
  secret: 'username' | 'community' | 'authKey' | 'privKey';
}

/** SNMP driver (v2c, v3 authPriv): a change is one SET PDU, read back by a GET. */
export const snmpDriver: Driver<SnmpTypes> = {
  protocol: 'snmp',
  title: 'SNMPv3',
  profileKey: 'snmp',
  profile: snmpProfile,
  // One SET PDU is applied as a whole by the agent (RFC 3416 4.2.5); scalars can be read before a write.
  capabilities: { atomicApply: true, candidateDatastore: false, confirmedCommit: false, readPrior: true, transactions: false },
  credentials: [
    { field: 'username', env: 'USERNAME', file: 'username', secret: false },
    { field: 'community', env: 'COMMUNITY', file: 'community', secret: true },
    { field: 'authKey', env: 'AUTH_KEY', file: 'auth-key', secret: true },
    { field: 'privKey', env: 'PRIV_KEY', file: 'priv-key', secret: true },
  ],
  catalog: { changeField: 'varbinds', changeTemplate: snmpChangeTemplate, testShape: snmpTestShape, testNeeds: 'oid and equals' },
  templateFilters: { oid_index: (value) => oidIndexFromString(String(value)) },
  renderChange: renderSnmpChange,
  renderTest: renderSnmpTest,
  describeCheck: (check) => `${check.oid} = ${check.equals}`,
  checkWords: snmpCheckWords,
  checkAbsent: () => false,
  isCompleteTest: (test) => test.oid !== undefined && test.equals !== undefined,
  // net-snmp is loaded with the adapter, on first use: the core importing this descriptor stays free of I/O.
  createAdapter: async (ne, secrets, options) => new (await import('./snmp-adapter.js')).SnmpAdapter(ne, secrets, options),
};
