// Lint rules that keep the layering from rotting: the order domain is pure, adapters know no queues.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noImport = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

const ADAPTERS_BANNED = ['bullmq', 'ioredis', ...['queues', 'workers', 'orders', 'catalog', 'inventory'].flatMap((folder) => [`../${folder}/*`, `../../${folder}/*`])];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-bench/', 'coverage/', 'bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['orders/**/*.ts'],
    rules: noImport(
      ['ssh2', 'net-snmp', 'bullmq', 'ioredis', 'node:net', 'node:fs', 'node:fs/*', 'pino', '../adapters/*', '../queues/*', '../workers/*'],
      'The order domain is pure: no I/O, no queues, no devices.',
    ),
  },
  {
    // The core imports adapters/ (the driver registry), so adapters/ importing the core back would make a folder cycle.
    files: ['adapters/**/*.ts'],
    rules: noImport(ADAPTERS_BANNED, 'Adapters know devices, not queues, and import nothing of the core (orders, catalog, inventory), which imports them.'),
  },
  {
    // What catalog/ and inventory/ import of a driver: the registry and the pure descriptors (test/unit/driver-registry.test.ts checks transitively).
    files: ['adapters/registry.ts', 'adapters/driver.ts', 'adapters/network-element.ts', 'adapters/ne-base.ts', 'adapters/ne-credentials.ts', 'adapters/change-set.ts', 'adapters/*/driver.ts', 'adapters/*/*-profile.ts', 'adapters/*/*-catalog-form.ts'],
    rules: noImport([...ADAPTERS_BANNED, 'ssh2', 'net-snmp', 'node:net', 'node:dgram', 'node:fs', 'node:fs/*'], 'A driver descriptor is pure: the core imports it. Its adapter module is loaded by createAdapter.'),
  },
  {
    // Build and check scripts run by node directly.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
