import { readFile } from 'node:fs/promises';
import { CliExit } from './cli-errors.js';
import { EXIT } from './exit-codes.js';

/**
 * An order file, parsed with the schema the TMF641 API validates request bodies with: an order
 * the API would answer 400 is refused here the same way, before anything is sent to the fleet,
 * so nothing is stored.
 */
export async function readOrderFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliExit(EXIT.noInput, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliExit(EXIT.refused, `refused: ${path} is not JSON (${(error as Error).message}); nothing was stored`);
  }
  const [{ serviceOrderCreateSchema }, { formatIssues }] = await Promise.all([import('../api/schemas/service-ordering-schemas.js'), import('../errors/issue-format.js')]);
  const parsed = serviceOrderCreateSchema.safeParse(json);
  if (!parsed.success) {
    const problems = formatIssues(parsed.error).map((p) => `  ${p}`);
    throw new CliExit(EXIT.refused, [`refused: ${path} is not a valid TMF641 ServiceOrder_Create (as the API would answer 400); nothing was stored:`, ...problems].join('\n'));
  }
  // What the API hands the producer: the schema's output.
  return parsed.data;
}
