/** One schema violation as Fastify's ajv reports it. */
export interface SchemaViolation {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `/serviceOrderItem/0/service` -> `serviceOrderItem[0].service`: the path style of every rejection in the fleet. */
export function dottedPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function join(path: string, field: unknown): string {
  return path ? `${path}.${String(field)}` : String(field);
}

/** `field: what is wrong`, naming the field even when ajv reports on its parent object. */
export function describeViolation(violation: SchemaViolation, context?: string): string {
  const path = dottedPath(violation.instancePath);
  const where = (p: string): string => (context && context !== 'body' ? `${context}${p ? `.${p}` : ''}` : p || '(root)');
  switch (violation.keyword) {
    case 'required':
      return `${where(join(path, violation.params.missingProperty))}: is required`;
    case 'additionalProperties':
      return `${where(join(path, violation.params.additionalProperty))}: is not accepted here (unknown or read-only field)`;
    case 'enum':
      return `${where(path)}: must be one of ${(violation.params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${where(path)}: ${violation.message ?? 'is invalid'}`;
  }
}

/**
 * Every violation once, `anyOf` noise dropped when a more precise one is there (ajv reports
 * each failed branch of a union, then the union itself).
 */
export function describeViolations(violations: SchemaViolation[], context?: string, max = 10): string {
  const precise = violations.filter((v) => v.keyword !== 'anyOf' && v.keyword !== 'oneOf');
  const lines = [...new Set((precise.length > 0 ? precise : violations).map((v) => describeViolation(v, context)))];
  const shown = lines.slice(0, max);
  return lines.length > max ? `${shown.join('; ')}; and ${lines.length - max} more` : shown.join('; ');
}
