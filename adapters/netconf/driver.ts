import type { Driver } from '../driver.js';
import { netconfChangeTemplate, netconfCheckWords, netconfTestShape, renderNetconfChange, renderNetconfTest, type NetconfChange, type NetconfCheck } from './netconf-catalog-form.js';
import { netconfProfile } from './netconf-profile.js';

interface NetconfTypes {
  protocol: 'netconf';
  profileKey: 'netconf';
  profile: typeof netconfProfile;
  changeTemplate: typeof netconfChangeTemplate;
  testShape: typeof netconfTestShape;
  change: NetconfChange;
  check: NetconfCheck;
  secret: 'username' | 'password' | 'privateKey' | 'passphrase';
}

/** NETCONF over SSH (RFC 6241/6242): edit-config through the candidate where offered, confirmed commits. */
export const netconfDriver: Driver<NetconfTypes> = {
  protocol: 'netconf',
  title: 'NETCONF',
  profileKey: 'netconf',
  profile: netconfProfile,
  // A commit is all or nothing; the adapter stages in :candidate and confirms commits where the hello offers them.
  capabilities: { atomicApply: true, candidateDatastore: true, confirmedCommit: true, readPrior: true, transactions: true },
  credentials: [
    { field: 'username', env: 'USERNAME', file: 'username', secret: false },
    { field: 'password', env: 'PASSWORD', file: 'password', secret: true },
    { field: 'privateKey', env: 'PRIVATE_KEY', file: 'private-key', secret: true },
    { field: 'passphrase', env: 'PASSPHRASE', file: 'passphrase', secret: true },
  ],
  catalog: { changeField: 'config', changeTemplate: netconfChangeTemplate, testShape: netconfTestShape, testNeeds: 'filter and contains' },
  renderChange: renderNetconfChange,
  renderTest: renderNetconfTest,
  describeCheck: (check) => `get-config ${check.absent ? 'holds none of' : 'holds'} ${check.contains.join(', ')}`,
  checkWords: netconfCheckWords,
  checkAbsent: (check) => check.absent === true,
  isCompleteTest: (test) => test.filter !== undefined && test.contains !== undefined,
  commitWindowMode: (ne) => ne.netconf.confirmedCommit,
  // ssh2 is loaded with the adapter, on first use: the core importing this descriptor stays free of I/O.
  createAdapter: async (ne, secrets, options) => new (await import('./netconf-adapter.js')).NetconfAdapter(ne, secrets, options),
};
