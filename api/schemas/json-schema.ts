import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** Drops what only adds noise to the docs: zod's long date-time regex (format says it) and `propertyNames: string`. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === '$schema') continue;
    if (key === 'pattern' && (node as Record<string, unknown>).format === 'date-time') continue;
    if (key === 'propertyNames') continue;
    out[key] = tidy(value);
  }
  return out;
}

/**
 * The JSON Schema (draft-07, what Fastify's ajv speaks) of a zod schema: one definition serves
 * request validation, the OpenAPI description and the TypeScript types.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  return tidy(z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' })) as JsonSchema;
}
