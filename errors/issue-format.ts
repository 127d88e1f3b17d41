import type { z } from 'zod';

/** Formats zod issues as `path: message` lines, the shape every rejection in the fleet uses. */
export function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
      prefix,
    );
    return `${path || '(root)'}: ${issue.message}`;
  });
}
