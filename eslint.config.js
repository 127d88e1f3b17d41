// Lint rules that keep the layering from rotting: the order domain is pure, adapters know no queues.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The adapter modules the core may import: types, pure functions and the driver registry's pure
 * descriptors (named as the driver-registry work names them: registry.ts, driver.ts, each
 * <protocol>/driver.ts with its profile and catalog form). Everything else under adapters/, the
 * modules that open sockets and sessions, stays banned from the core.
 */
const CORE_ADAPTER_MODULES = [
  'change-set.js',
  'snmp/oid-index.js',
  'registry.js',
  'driver.js',
  'network-element.js',
  'ne-base.js',
  'ne-credentials.js',
  '*/driver.js',
  '*/*-profile.js',
  '*/*-catalog-form.js',
];

/**
 * runtime/ is the top layer: the process wiring, the config schema, file loading. It imports the
 * rest; nothing below imports it back. Only the folders that start or drive processes may: the
 * command (cli/, bin/), the demo, benches, conformance kits, scripts, tests and the real-NE peers.
 */
const RUNTIME_IMPORTERS = ['runtime', 'cli', 'bin', 'demo', 'bench', 'conformance', 'scripts', 'test', 'peers'];
const NO_RUNTIME = {
  group: ['**/runtime', '**/runtime/**'],
  message: 'runtime/ is the top layer (process wiring, config, file loading): only cli/, demo/, bench/, conformance/, scripts/, test/ and peers/ import it; the wiring passes in what a lower layer needs.',
};

// eslint applies one no-restricted-imports per file (the last matching config's), so every folder's
// own ban below repeats NO_RUNTIME.
const noImport = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [...patterns.map((group) => ({ group: [group], message })), NO_RUNTIME] }],
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
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    ignores: RUNTIME_IMPORTERS.map((folder) => `${folder}/**`),
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_RUNTIME] }] },
  },
  {
    // The core, in its one-way order: orders/ -> catalog/ -> inventory/ (-> errors/). orders/ may
    // import catalog/ and inventory/, catalog/ may import inventory/, inventory/ neither; any of them
    // may import the adapters' pure modules below. scripts/check-folder-cycles.mjs (run by
    // `npm run lint`) fails on any folder-level cycle: what the core imports cannot import it back.
    // The core does no I/O: files are read by runtime/loading/, devices reached by adapters/.
    files: ['orders/**/*.ts', 'catalog/**/*.ts', 'inventory/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['ssh2', 'net-snmp', 'bullmq', 'ioredis', 'pino', 'yaml', 'node:fs', 'node:fs/*', 'node:child_process', 'node:dgram', 'node:http', 'node:https'],
              message: 'The core (orders, catalog, inventory) is pure: no I/O; files are read by runtime/loading/.',
            },
            // isIP only parses a string; the sockets are what the core must not reach.
            { group: ['node:net'], allowImportNames: ['isIP'], message: 'The core is pure: no sockets (isIP, a string check, is allowed).' },
            {
              group: ['**/queues', '**/queues/**', '**/workers', '**/workers/**', '**/stores', '**/stores/**', '**/runtime', '**/runtime/**', '**/api', '**/api/**'],
              message: 'The core is pure: no queues, workers, stores, runtime or HTTP; they import the core, not the other way.',
            },
            {
              // Only the adapters' pure modules (types, descriptors, string encoders); their I/O modules stay out.
              // Files, not folders, are banned: gitignore syntax cannot re-allow a file inside a banned folder.
              group: ['**/adapters/**/*.js', ...CORE_ADAPTER_MODULES.map((m) => `!**/adapters/${m}`)],
              message: 'The core imports only pure adapter modules (CORE_ADAPTER_MODULES in eslint.config.js), never a driver that does I/O.',
            },
          ],
        },
      ],
      // no-restricted-imports sees static imports only: a dynamic import() would slip past the ban.
      'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'The core imports statically, so the I/O ban above sees every import.' }],
    },
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
    // The process wiring (runtime/fleet-process.ts) composes workers and the HTTP API; workers know neither.
    files: ['workers/**/*.ts'],
    rules: noImport(['../api/*'], 'Workers know no HTTP API: the wiring lives in runtime/.'),
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
