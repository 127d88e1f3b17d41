import { jsonSchemaOf, type JsonSchema } from './json-schema.js';
import {
  cancelServiceOrderCreateSchema,
  cancelServiceOrderSchema,
  serviceOrderCreateSchema,
  serviceOrderSchema,
  serviceOrderUpdateSchema,
} from './service-ordering-schemas.js';
import { serviceOrderCreateV3Schema, serviceOrderV3Schema } from './service-ordering-v3-schemas.js';
import { monitorSchema, serviceCreateSchema, serviceSchema, serviceUpdateSchema } from './service-schemas.js';
import { collectionQuerySchema, eventSubscriptionInputSchema, eventSubscriptionSchema, idParamsSchema, tmfErrorSchema } from './tmf-common-schemas.js';

/** The JSON Schemas the routes validate with and the OpenAPI description shows, derived once from the zod schemas. */
export const JSON_SCHEMAS = {
  error: jsonSchemaOf(tmfErrorSchema, 'output'),
  serviceOrderCreate: jsonSchemaOf(serviceOrderCreateSchema),
  serviceOrderUpdate: jsonSchemaOf(serviceOrderUpdateSchema),
  serviceOrder: jsonSchemaOf(serviceOrderSchema, 'output'),
  serviceOrderCreateV3: jsonSchemaOf(serviceOrderCreateV3Schema),
  serviceOrderV3: jsonSchemaOf(serviceOrderV3Schema, 'output'),
  cancelServiceOrderCreate: jsonSchemaOf(cancelServiceOrderCreateSchema),
  cancelServiceOrder: jsonSchemaOf(cancelServiceOrderSchema, 'output'),
  serviceCreate: jsonSchemaOf(serviceCreateSchema),
  serviceUpdate: jsonSchemaOf(serviceUpdateSchema),
  service: jsonSchemaOf(serviceSchema, 'output'),
  monitor: jsonSchemaOf(monitorSchema, 'output'),
  eventSubscriptionInput: jsonSchemaOf(eventSubscriptionInputSchema),
  eventSubscription: jsonSchemaOf(eventSubscriptionSchema, 'output'),
  idParams: jsonSchemaOf(idParamsSchema),
  collectionQuery: jsonSchemaOf(collectionQuerySchema),
  singleQuery: { type: 'object', properties: { fields: { type: 'string', description: 'Comma-separated attributes to return.' } } },
  preferHeader: {
    type: 'object',
    properties: { prefer: { type: 'string', description: 'respond-async: answer 202 with the Monitor instead of the resource (RFC 7240).' } },
  },
} satisfies Record<string, JsonSchema>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request: the message names each offending field',
  401: 'Unauthorized: no bearer token, or an unknown one',
  403: 'Forbidden: the token lacks the scope this operation needs',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict with the state of the resource',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

/** Response schemas: the given successes plus the TMF Error for each failure status. */
export function responses(success: Record<number, JsonSchema | null>, failures: readonly number[] = []): Record<number, JsonSchema> {
  const out: Record<number, JsonSchema> = {};
  for (const [status, schema] of Object.entries(success)) out[Number(status)] = schema ?? { type: 'null', description: 'No content' };
  for (const status of [401, 403, 500, ...failures]) out[status] = { ...JSON_SCHEMAS.error, description: ERROR_DESCRIPTIONS[status] ?? 'Error' };
  return out;
}

export const listOf = (item: JsonSchema): JsonSchema => ({ type: 'array', items: item });
