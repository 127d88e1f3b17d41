import type { z } from 'zod';
import { formatIssues } from '../../errors/issue-format.js';
import { parseServiceOrder, type ParsedServiceOrder } from '../../orders/posted-order.js';
import { badRequest } from '../http/tmf-http-error.js';

/**
 * The typed body. Fastify has already checked it against the same schema's JSON Schema; this
 * catches what JSON Schema cannot say (e.g. a URL's protocol) with the same field-naming message.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw badRequest(formatIssues(parsed.error).join('; '));
  return parsed.data;
}

/**
 * A posted ServiceOrder_Create, parsed once for the whole intake (orders/posted-order.ts): the
 * schema's refusal is the 400 that parseBody gives, anything else goes to the producer as parsed.
 */
export function parseOrderBody(body: unknown): ParsedServiceOrder {
  const posted = parseServiceOrder(body);
  if (!posted.ok && posted.schemaIssues) throw badRequest(posted.schemaIssues.join('; '));
  return posted;
}
