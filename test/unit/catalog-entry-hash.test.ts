import { describe, expect, it } from 'vitest';
import { catalogEntryHash } from '../../catalog/catalog-entry-hash.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

describe('catalogEntryHash', () => {
  it('is the same for an entry loaded twice and differs when any field changes', async () => {
    const [a, b] = [await loadServiceCatalog('config/catalog'), await loadServiceCatalog('config/catalog')];
    for (const id of a.ids()) {
      const entry = a.get(id)!;
      expect(catalogEntryHash(entry)).toBe(catalogEntryHash(b.get(id)!));
      expect(catalogEntryHash({ ...entry, description: `${entry.description ?? ''} (changed)` })).not.toBe(catalogEntryHash(entry));
      expect(catalogEntryHash({ ...entry, version: `${entry.version}.1` })).not.toBe(catalogEntryHash(entry));
    }
    const hashes = a.ids().map((id) => catalogEntryHash(a.get(id)!));
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});
