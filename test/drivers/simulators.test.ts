import { describeDriverConformance } from './driver-conformance.js';
import { netconfSimulatorFixture } from './fixtures/netconf-simulator.js';
import { snmpSimulatorFixture } from './fixtures/snmp-simulator.js';
import { sshCliSimulatorFixture } from './fixtures/ssh-cli-simulator.js';

/** Every driver against its simulator (and the hostile peers of simulators/hostile/). */
describeDriverConformance(sshCliSimulatorFixture);
describeDriverConformance(netconfSimulatorFixture);
describeDriverConformance(snmpSimulatorFixture);
