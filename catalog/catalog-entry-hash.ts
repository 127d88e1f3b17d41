import { createHash } from 'node:crypto';
import type { ServiceSpecification } from './service-specification.js';

const hashes = new WeakMap<ServiceSpecification, string>();

/**
 * A content hash of one catalog entry (every field, as loaded), so an item stored by reference
 * to its specification can tell, when it runs, that the entry is still the one it was validated
 * against: a catalog reload that changed it must not silently change a running order. Computed
 * once per loaded entry.
 */
export function catalogEntryHash(spec: ServiceSpecification): string {
  let hash = hashes.get(spec);
  if (hash === undefined) {
    hash = createHash('sha256').update(JSON.stringify(spec)).digest('base64url').slice(0, 16);
    hashes.set(spec, hash);
  }
  return hash;
}
