import type { Driver } from '../driver.js';
import type { RestconfChange, RestconfCheck } from './restconf-change.js';
import { describeRestconfCheck, renderRestconfChange, renderRestconfTest, restconfChangeTemplate, restconfCheckWords, restconfTestShape } from './restconf-catalog-form.js';
import { restconfProfileSchema } from './restconf-profile.js';

interface RestconfTypes {
  protocol: 'restconf';
  profileKey: 'restconf';
  profile: typeof restconfProfileSchema;
  changeTemplate: typeof restconfChangeTemplate;
  testShape: typeof restconfTestShape;
  change: RestconfChange;
  check: RestconfCheck;
  secret: 'username' | 'password';
}

/** RESTCONF (RFC 8040) over HTTPS with basic auth: a change is one YANG Patch (RFC 8072). */
export const restconfDriver: Driver<RestconfTypes> = {
  protocol: 'restconf',
  title: 'RESTCONF',
  profileKey: 'restconf',
  profile: restconfProfileSchema,
  // A YANG Patch is applied all or nothing (RFC 8072 2.1); without it only one-edit changes go,
  // as one request. No candidate or confirmed commit in RFC 8040; resources can be read first.
  capabilities: { atomicApply: true, candidateDatastore: false, confirmedCommit: false, readPrior: true, transactions: false },
  credentials: [
    { field: 'username', env: 'USERNAME', file: 'username', secret: false },
    { field: 'password', env: 'PASSWORD', file: 'password', secret: true },
  ],
  catalog: { changeField: 'edits', changeTemplate: restconfChangeTemplate, testShape: restconfTestShape, exclusiveTestFields: ['path', 'field'], testNeeds: 'path, and field, contains or absent' },
  renderChange: renderRestconfChange,
  renderTest: renderRestconfTest,
  describeCheck: describeRestconfCheck,
  checkWords: restconfCheckWords,
  checkAbsent: (check) => check.absent === true,
  isCompleteTest: (test) => test.path !== undefined && (test.field !== undefined || test.contains !== undefined || test.absent !== undefined),
  createAdapter: async (ne, secrets, options) => new (await import('./restconf-adapter.js')).RestconfAdapter(ne, secrets, ne.restconf, options),
};
