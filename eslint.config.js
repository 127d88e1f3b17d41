// Lint rules that keep the layering from rotting: the order domain is pure, adapters know no queues.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noImport = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

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
    files: ['adapters/**/*.ts'],
    rules: noImport(['bullmq', 'ioredis', '../queues/*', '../workers/*', '../../queues/*', '../../workers/*'], 'Adapters know devices, not queues.'),
  },
  {
    // The process wiring (runtime/fleet-process.ts) composes workers and the HTTP API; workers know neither.
    files: ['workers/**/*.ts'],
    rules: noImport(['../api/*', '../runtime/fleet-process.js'], 'Workers know no HTTP API: the wiring lives in runtime/.'),
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
