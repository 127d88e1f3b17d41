import { z } from 'zod';

/** Schemas every TMF API shares (TMF630): Error, EventSubscription, polymorphic attributes. */
export const polymorphic = {
  '@type': z.string().optional(),
  '@baseType': z.string().optional(),
  '@schemaLocation': z.string().optional(),
};

export const looseObject = z.record(z.string(), z.unknown());

export const tmfErrorSchema = z
  .object({
    code: z.string().describe('Stable error code from the fleet catalogue (errors/error-codes.ts).'),
    reason: z.string().describe('The HTTP reason phrase.'),
    message: z.string().describe('What is wrong, naming the offending field or resource.'),
    status: z.string().describe('The HTTP status code.'),
    referenceError: z.string().optional(),
    ...polymorphic,
  })
  .describe('TMF630 Error, returned with every 4xx and 5xx.');

export const eventSubscriptionInputSchema = z
  .object({
    callback: z.url({ protocol: /^https?$/ }).max(2048).describe('The listener URL; each notification is POSTed to it as JSON.'),
    query: z
      .string()
      .max(2048)
      .optional()
      .describe('Optional filter, e.g. `eventType=ServiceOrderStateChangeEvent&event.serviceOrder.state=completed`.'),
  })
  .strict();

export const eventSubscriptionSchema = z
  .object({ id: z.string(), callback: z.string(), query: z.string().optional() });

export const idParamsSchema = z.object({ id: z.string().min(1).max(128) }).strict();

export const collectionQuerySchema = z
  .object({
    fields: z.string().optional().describe('Comma-separated attributes to return (plus id), e.g. `state,orderDate`.'),
    offset: z.string().optional().describe('Index of the first result (default 0).'),
    limit: z.string().optional().describe('Results per page, 0 to 1000 (default 100).'),
    sort: z.string().optional().describe('Attributes to sort by, `-` for descending, e.g. `-orderDate`.'),
  })
  .catchall(z.union([z.string(), z.array(z.string())]))
  .describe('Any other parameter filters on an attribute path: `state=active`, `serviceSpecification.id=mobile-plan`, `orderDate.gte=...`.');
