import type { RejectionReason } from '../errors/index.js';

/**
 * Bounds on what an order may carry in the fields the fleet passes through without reading
 * (notes, relatedParty, characteristic values as objects, extensions). The schema checks their
 * type, not their shape; without a bound, one order nested thousands of levels deep is accepted
 * and then breaks whatever walks it later. Checked before the schema, so it never recurses deep.
 */
export const INPUT_LIMITS = {
  /** Objects and arrays nested in one another, counted from the order itself. */
  maxDepth: 32,
  /** Values (object entries, array elements, scalars) in the whole order. */
  maxValues: 50_000,
} as const;

export function inputBoundsProblems(input: unknown): RejectionReason[] {
  let values = 0;
  let deepest: { path: string; depth: number } | undefined;
  // Iterative walk: the input may be deeper than the stack.
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: input, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    values += 1;
    if (values > INPUT_LIMITS.maxValues) {
      return [{ code: 'ORDER_INPUT_TOO_DEEP', message: `the order holds more than ${INPUT_LIMITS.maxValues} values; the limit keeps one order from exhausting the fleet`, path: '' }];
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= INPUT_LIMITS.maxDepth) {
      deepest = { path, depth };
      break;
    }
    const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value);
    for (const [key, child] of entries) stack.push({ value: child, path: key.startsWith('[') ? `${path}${key}` : path ? `${path}.${key}` : key, depth: depth + 1 });
  }
  if (!deepest) return [];
  const field = deepest.path.split(/[.[]/)[0] || 'the order';
  return [
    {
      code: 'ORDER_INPUT_TOO_DEEP',
      message: `${deepest.path}: nests deeper than ${INPUT_LIMITS.maxDepth} levels (in ${field}); pass-through fields may nest at most ${INPUT_LIMITS.maxDepth} levels`,
      path: deepest.path,
    },
  ];
}
