import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_FIELDS, DRIVERS, NE_PROTOCOLS, commitWindowModeOf } from '../../adapters/registry.js';
import { stepSchema } from '../../catalog/service-specification.js';
import { networkElementSchema } from '../../inventory/network-element.js';
import { REDACTED_PATHS } from '../../observability/logger.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const IO_MODULES = ['ssh2', 'net-snmp', 'node:net', 'node:fs', 'node:fs/promises', 'node:dgram', 'ioredis', 'bullmq'];

/** Every bare module the static imports of `file` reach, following relative imports (dynamic `import()` is not followed). */
function staticImports(file: string, seen = new Set<string>(), bare = new Set<string>()): Set<string> {
  if (seen.has(file)) return bare;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gms)) {
    const spec = match[1] ?? match[2] ?? '';
    if (spec.startsWith('.')) staticImports(join(dirname(file), spec.replace(/\.js$/, '.ts')), seen, bare);
    else bare.add(spec);
  }
  return bare;
}

describe('the driver registry', () => {
  it('lists each protocol and profile key once', () => {
    expect(new Set(NE_PROTOCOLS).size).toBe(DRIVERS.length);
    expect(new Set(DRIVERS.map((d) => d.profileKey)).size).toBe(DRIVERS.length);
    expect(new Set(CREDENTIAL_FIELDS.map((f) => f.field)).size).toBe(CREDENTIAL_FIELDS.length);
  });

  it('is pure: its static imports reach no I/O module, so catalog/ and inventory/ may import it', () => {
    const reached = staticImports(join(root, 'adapters/registry.ts'));
    expect([...reached].filter((m) => IO_MODULES.includes(m))).toEqual([]);
    // The adapters themselves are reached, through createAdapter's dynamic import only.
    expect(staticImports(join(root, 'adapters/ssh-cli/ssh-cli-adapter.ts'))).toContain('ssh2');
  });

  it('gives every NE every profile, defaulted', () => {
    const ne = networkElementSchema.parse({ id: 'ne-1', role: 'r', protocol: 'snmp', host: '192.0.2.1', port: 161, credentialsRef: 'env:X' });
    for (const driver of DRIVERS) expect(ne[driver.profileKey]).toEqual(driver.profile.parse({}));
  });

  it('refuses a catalog step of a protocol no driver is registered for, naming the field', () => {
    const result = stepSchema.safeParse({ name: 's', neRole: 'r', protocol: 'tl1', apply: { lines: ['x'] } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain('protocol');
  });

  it('puts an NE in the commit window only when its driver offers confirmed commits', () => {
    const base = { id: 'ne-1', role: 'r', host: '192.0.2.1', port: 830, credentialsRef: 'env:X', netconf: { confirmedCommit: true } };
    expect(commitWindowModeOf(networkElementSchema.parse({ ...base, protocol: 'netconf' }))).toBe(true);
    expect(commitWindowModeOf(networkElementSchema.parse({ ...base, protocol: 'snmp' }))).toBe(false);
  });

  it('declares the capabilities its adapter offers (readPrior, confirmed commits)', async () => {
    for (const driver of DRIVERS) {
      const ne = networkElementSchema.parse({ id: 'ne-1', role: 'r', protocol: driver.protocol, host: '192.0.2.1', port: 1, credentialsRef: 'env:X' });
      // Building an adapter opens nothing.
      const adapter = await driver.createAdapter(ne, { username: 'u', password: 'p' }, {});
      expect({ protocol: driver.protocol, readPrior: typeof adapter.readPrior === 'function' }).toEqual({ protocol: driver.protocol, readPrior: driver.capabilities.readPrior });
      expect({ protocol: driver.protocol, confirmed: typeof adapter.applyConfirmed === 'function' }).toEqual({ protocol: driver.protocol, confirmed: driver.capabilities.confirmedCommit });
      expect(adapter.isOpen()).toBe(false);
    }
  });

  it('redacts every secret credential field from the logs', () => {
    for (const field of CREDENTIAL_FIELDS.filter((f) => f.secret)) expect(REDACTED_PATHS).toEqual(expect.arrayContaining([field.field, `*.${field.field}`]));
  });
});
