import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CREDENTIAL_FIELDS } from '../../adapters/registry.js';
import { FleetError } from '../../errors/index.js';
import type { NeCredentials, NetworkElement } from '../../inventory/network-element.js';

/**
 * Resolves an NE's `credentialsRef`: `env:PREFIX` reads PREFIX_USERNAME, PREFIX_PASSWORD, ...;
 * `file:/dir` reads one file per field, as a mounted Kubernetes secret lays them out. Secrets
 * stay in memory; nothing here logs them.
 */
export async function resolveCredentials(ne: NetworkElement, env: NodeJS.ProcessEnv = process.env): Promise<NeCredentials> {
  const [scheme, ...rest] = ne.credentialsRef.split(':');
  const target = rest.join(':');
  const credentials: NeCredentials = {};
  if (scheme === 'env') {
    // Every registered driver's fields (adapters/registry.ts), whatever this NE's protocol.
    for (const { field, env: suffix } of CREDENTIAL_FIELDS) {
      const value = env[`${target}_${suffix}`];
      if (value !== undefined && value !== '') credentials[field] = value;
    }
  } else if (scheme === 'file') {
    await Promise.all(
      CREDENTIAL_FIELDS.map(async ({ field, file }) => {
        try {
          credentials[field] = (await readFile(join(target, file), 'utf8')).replace(/\r?\n$/, '');
        } catch {
          // A missing file is a field this NE does not use.
        }
      }),
    );
  }
  if (Object.keys(credentials).length === 0) {
    throw new FleetError('CREDENTIALS_UNAVAILABLE', `${ne.id}: credentials reference ${ne.credentialsRef} resolves to nothing`, { details: { neId: ne.id } });
  }
  return credentials;
}
