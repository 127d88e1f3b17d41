import { badRequest } from './tmf-http-error.js';

/**
 * TMF630 `fields=`: the resource with exactly the attributes asked for, plus the ones an API
 * always returns (`always`: id and href for TMF641 v4 and TMF638; TMF640's conformance profile
 * wants exactly what was asked). Names are trimmed; dotted names pick inside objects and inside
 * every element of an array (`fields=serviceOrderItem.state`), which keeps its id.
 */
type FieldTree = { [name: string]: FieldTree | true };

export function parseFields(raw: string | string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw badRequest('fields: give it once, as a comma-separated list');
  const names = raw
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (names.length === 0) throw badRequest('fields: name at least one attribute, e.g. fields=state,orderDate');
  return names;
}

function treeOf(fields: readonly string[], always: readonly string[]): FieldTree {
  const tree: FieldTree = Object.fromEntries(always.map((name) => [name, true as const]));
  for (const field of fields) {
    let node = tree;
    const parts = field.split('.');
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = true;
        return;
      }
      const next = node[part];
      if (next === true) return;
      node = node[part] = next ?? {};
    });
  }
  return tree;
}

function pick(value: unknown, tree: FieldTree): unknown {
  // Elements of a list keep their id (an item's state means little without the item).
  if (Array.isArray(value)) return value.map((v) => pick(v, v !== null && typeof v === 'object' && 'id' in v ? { id: true, ...tree } : tree));
  if (value === null || typeof value !== 'object') return undefined;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, sub] of Object.entries(tree)) {
    if (!(name in source)) continue;
    const picked = sub === true ? source[name] : pick(source[name], sub);
    if (picked !== undefined) out[name] = picked;
  }
  return out;
}

export function projectFields<T>(resource: T, fields: readonly string[] | undefined, always: readonly string[] = ['id']): T | Record<string, unknown> {
  return fields === undefined ? resource : (pick(resource, treeOf(fields, always)) as Record<string, unknown>);
}
