import type { Driver } from '../driver.js';
import { cliCheckWords, cliChangeTemplate, cliTestShape, describeCliCheck, renderCliChange, renderCliTest, type CliChange, type CliCheck } from './cli-catalog-form.js';
import { refineCliNe, sshProfile } from './ssh-profile.js';

interface SshCliTypes {
  protocol: 'ssh-cli';
  profileKey: 'ssh';
  profile: typeof sshProfile;
  changeTemplate: typeof cliChangeTemplate;
  testShape: typeof cliTestShape;
  change: CliChange;
  check: CliCheck;
  secret: 'username' | 'password' | 'privateKey' | 'passphrase';
}

/** SSH CLI driver: configuration lines in an interactive shell (Netmiko's discipline). */
export const sshCliDriver: Driver<SshCliTypes> = {
  protocol: 'ssh-cli',
  title: 'SSH CLI',
  profileKey: 'ssh',
  profile: sshProfile,
  // Lines are taken one by one: a dead run may have left part of a block.
  capabilities: { atomicApply: false, candidateDatastore: false, confirmedCommit: false, readPrior: false, transactions: false },
  credentials: [
    { field: 'username', env: 'USERNAME', file: 'username', secret: false },
    { field: 'password', env: 'PASSWORD', file: 'password', secret: true },
    { field: 'privateKey', env: 'PRIVATE_KEY', file: 'private-key', secret: true },
    { field: 'passphrase', env: 'PASSPHRASE', file: 'passphrase', secret: true },
  ],
  catalog: { changeField: 'lines', changeTemplate: cliChangeTemplate, testShape: cliTestShape, exclusiveTestFields: ['within'], testNeeds: 'command and contains/matches' },
  refineNe: refineCliNe,
  renderChange: renderCliChange,
  renderTest: renderCliTest,
  describeCheck: describeCliCheck,
  checkWords: cliCheckWords,
  checkAbsent: (check) => check.absent === true,
  isCompleteTest: (test) => test.command !== undefined && (test.contains !== undefined || test.matches !== undefined),
  // The adapter module (ssh2) is loaded on first use, so the core importing this descriptor stays free of I/O.
  createAdapter: async (ne, secrets, options) => new (await import('./ssh-cli-adapter.js')).SshCliAdapter(ne, secrets, options),
};
