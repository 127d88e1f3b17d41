import { describeDriverConformance } from './driver-conformance.js';
import { mockFixtures } from './fixtures/mock.js';

/** The mock driver passes the same suite, replaying each driver's recorded simulator sessions. */
for (const fixture of mockFixtures) describeDriverConformance(fixture);
