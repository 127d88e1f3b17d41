import { defineConfig } from 'vitest/config';

/**
 * The chaos suite: worker processes killed mid-activation, Redis restarted under load, NEs that
 * drop sessions, hostile input. Bounded in time; each file adds its figures, and
 * test/chaos/print-figures.ts prints them as the last line (`npm run test:chaos`).
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    globalSetup: ['test/chaos/reset-figures.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
