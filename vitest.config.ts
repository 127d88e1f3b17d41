import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real NE software (FRR, netconfd, snmpd) runs in `npm run test:peers`; the chaos suite
    // (killed workers, Redis restarts) in `npm run test:chaos`, alone, as its timings need.
    exclude: ['test/peers/**', 'test/chaos/**', 'node_modules/**'],
    // Integration tests start real servers (redis-server, simulated NEs): give them room, but
    // keep the default pool so a hung test is killed by its timeout, not by CI.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
