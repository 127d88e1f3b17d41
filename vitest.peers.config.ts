import { defineConfig } from 'vitest/config';

/**
 * Tests against real NE software (FRRouting behind OpenSSH, yuma123 netconfd, Net-SNMP snmpd),
 * started on loopback by the tests. Needs root and the packages from peers/install-peers.sh;
 * .ci/run installs them and runs `npm run test:peers`. One file at a time: the daemons are heavy
 * for a 2-core machine.
 */
export default defineConfig({
  test: {
    include: ['test/peers/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
