/** Redis stream ids (`<ms>-<seq>`) compared as the positions they are. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

export interface StreamEntry {
  id: string;
  fields: Map<string, string>;
}

/** XRANGE / XREADGROUP entries (`[id, [field, value, ...]]`) as id and field map. */
export function toEntries(raw: Array<[string, string[]]> | null | undefined): StreamEntry[] {
  return (raw ?? []).map(([id, flat]) => {
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] as string, flat[i + 1] as string);
    return { id, fields };
  });
}
