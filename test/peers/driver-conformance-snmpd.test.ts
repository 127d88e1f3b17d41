import { describeDriverConformance } from '../drivers/driver-conformance.js';
import { snmpdPeerFixture } from '../drivers/fixtures/snmpd-peer.js';

describeDriverConformance(snmpdPeerFixture);
