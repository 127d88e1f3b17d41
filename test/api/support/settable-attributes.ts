import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Bodies with every client-settable attribute of a TMF swagger definition filled, so a round-trip
 * test covers each attribute the spec lets a client send, including ones added to the spec later.
 * Attributes a test must control (catalog ids, characteristic names) come from a base body; the
 * rest get a made-up value of the documented type. Paths are dotted, without array indexes.
 */
interface SwaggerSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: SwaggerSchema;
  properties?: Record<string, SwaggerSchema>;
  allOf?: SwaggerSchema[];
}

export interface SwaggerDefinitions {
  [name: string]: SwaggerSchema;
}

/** The TM Forum specifications beside the worktrees (TMF_SPECS_DIR to point elsewhere). */
const TMF_DIR = process.env.TMF_SPECS_DIR ?? fileURLToPath(new URL('../../../../shared/tmf/', import.meta.url));

export function swaggerDefinitions(file: string): SwaggerDefinitions {
  return (JSON.parse(readFileSync(`${TMF_DIR}${file}`, 'utf8')) as { definitions: SwaggerDefinitions }).definitions;
}

function resolved(schema: SwaggerSchema, defs: SwaggerDefinitions): SwaggerSchema {
  if (schema.$ref) return resolved(defs[schema.$ref.replace('#/definitions/', '')] ?? {}, defs);
  if (schema.allOf) return schema.allOf.reduce<SwaggerSchema>((all, s) => {
    const r = resolved(s, defs);
    return { ...all, ...r, properties: { ...all.properties, ...r.properties } };
  }, {});
  return schema;
}

function made(schema: SwaggerSchema, path: string): unknown {
  const name = path.split('.').pop() ?? 'value';
  if (schema.enum) return schema.enum[0];
  if (schema.format === 'date-time') return '2031-03-04T05:06:07.000Z';
  switch (schema.type) {
    case 'boolean':
      return true;
    case 'integer':
      return 1;
    case 'number':
      return 2.5;
    case 'object':
      return { [`${name}Key`]: `${name}-value` };
    default:
      return name.startsWith('@') ? `Rt${name.slice(1)}` : `rt-${name}`;
  }
}

/**
 * `base` with every settable attribute of `definition` added where it is missing, recursively
 * (a definition inside itself is filled once), except the paths in `skip`, and the paths in
 * `fromBaseOnly` where the base has nothing (values that must be real: item ids, catalog names).
 * Each is listed with its reason in the caller's table. `settable` lists every leaf path filled or kept, for the caller to
 * check one by one.
 */
export function fillSettable(
  definition: string,
  defs: SwaggerDefinitions,
  base: unknown,
  rules: { skip: ReadonlySet<string>; fromBaseOnly?: ReadonlySet<string> },
): { body: any; settable: string[] } {
  const settable = new Set<string>();
  const fill = (schema: SwaggerSchema, value: unknown, path: string, stack: readonly string[]): unknown => {
    const name = schema.$ref?.replace('#/definitions/', '');
    if (name && stack.includes(name) && value === undefined) return undefined;
    const inner = name ? [...stack, name] : stack;
    const s = resolved(schema, defs);
    if (s.type === 'array' || s.items) {
      const items = (Array.isArray(value) ? value : [undefined]).map((v) => fill(s.items ?? {}, v, path, inner)).filter((v) => v !== undefined);
      return items.length > 0 ? items : undefined;
    }
    if (s.properties) {
      const object: Record<string, unknown> = { ...((value as Record<string, unknown> | undefined) ?? {}) };
      for (const [key, child] of Object.entries(s.properties)) {
        const childPath = path ? `${path}.${key}` : key;
        if (rules.skip.has(childPath) || (object[key] === undefined && rules.fromBaseOnly?.has(childPath))) continue;
        const filled = fill(child, object[key], childPath, inner);
        if (filled !== undefined) object[key] = filled;
      }
      return object;
    }
    if (value !== undefined && typeof value === 'object') return value;
    settable.add(path);
    return value ?? made(s, path);
  };
  const body = fill({ $ref: `#/definitions/${definition}` }, base, '', []);
  return { body, settable: [...settable] };
}

/** The values at a dotted path (one per array element on the way). */
export function valuesAt(document: unknown, path: string): unknown[] {
  return path.split('.').reduce<unknown[]>(
    (nodes, key) =>
      nodes.flatMap((n) => (Array.isArray(n) ? n : [n])).flatMap((n) => (n !== null && typeof n === 'object' && key in n ? [(n as Record<string, unknown>)[key]] : [])),
    [document],
  );
}

/**
 * The settable paths whose values did not come back as sent. Under `serverAdds` (top-level
 * arrays the server appends its own entries to: catalog defaults, configured NEs...), what was
 * sent must come first, unchanged; everywhere else the values must be exactly those sent.
 */
export function lostAttributes(sent: unknown, got: unknown, settable: readonly string[], serverAdds: ReadonlySet<string> = new Set()): string[] {
  return settable.flatMap((path) => {
    const want = valuesAt(sent, path);
    const have = valuesAt(got, path);
    const compared = serverAdds.has(path.split('.')[0] ?? '') ? have.slice(0, want.length) : have;
    return JSON.stringify(compared) === JSON.stringify(want) ? [] : [`${path}: sent ${JSON.stringify(want)}, got ${JSON.stringify(have)}`];
  });
}
