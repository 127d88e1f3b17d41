import { describeDriverConformance } from '../drivers/driver-conformance.js';
import { netconfdPeerFixture } from '../drivers/fixtures/netconfd-peer.js';

describeDriverConformance(netconfdPeerFixture);
