import { describeDriverConformance } from './driver-conformance.js';
import { restconfSimulatorFixture } from './fixtures/restconf-simulator.js';

/** The RESTCONF driver against its simulator (simulators/restconf), over HTTPS. */
describeDriverConformance(restconfSimulatorFixture);
