// Rewrites the README's settings tables from the config schema (runtime/fleet-config.ts);
// test/unit/fleet-settings-readme.test.ts fails when they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTables } from '../runtime/fleet-settings-doc.js';

const before = readFileSync('README.md', 'utf8');
const after = withSettingsTables(before);
writeFileSync('README.md', after);
console.log(before === after ? 'README.md: settings tables already match runtime/fleet-config.ts' : 'README.md: settings tables rewritten from runtime/fleet-config.ts');
