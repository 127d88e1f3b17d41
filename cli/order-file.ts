import { readFile } from 'node:fs/promises';
import type { ParsedServiceOrder } from '../orders/posted-order.js';
import { CliExit } from './cli-errors.js';
import { EXIT } from './exit-codes.js';

/**
 * An order file, parsed once by the intake's own parse (orders/posted-order.ts), as the TMF641
 * API parses request bodies: an order the API would answer 400 is refused here the same way,
 * before anything is sent to the fleet, so nothing is stored. The parsed order goes to the
 * producer, which does not parse it again.
 */
export async function readOrderFile(path: string): Promise<ParsedServiceOrder> {
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
  const { parseServiceOrder } = await import('../orders/posted-order.js');
  const posted = parseServiceOrder(json);
  if (!posted.ok && posted.schemaIssues) {
    const problems = posted.schemaIssues.map((p) => `  ${p}`);
    throw new CliExit(EXIT.refused, [`refused: ${path} is not a valid TMF641 ServiceOrder_Create (as the API would answer 400); nothing was stored:`, ...problems].join('\n'));
  }
  return posted;
}
