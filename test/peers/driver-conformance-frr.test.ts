import { describeDriverConformance } from '../drivers/driver-conformance.js';
import { frrPeerFixture } from '../drivers/fixtures/frr-peer.js';

describeDriverConformance(frrPeerFixture);
