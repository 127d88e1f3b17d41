import { jsonSchemaOf, type JsonSchema } from './json-schema.js';
import { REQUEST_EXAMPLES as EX } from './request-examples.js';
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

/**
 * A schema under its TMF name (`title`): the OpenAPI description lists it once under
 * components/schemas by that name. `example` is a body that can be sent as it is.
 */
function named(title: string, schema: JsonSchema, example?: unknown): JsonSchema {
  return { ...schema, title, ...(example !== undefined ? { examples: [example] } : {}) };
}

/**
 * A resource as the API answers it: like TMF's own definitions it requires no attribute, since
 * a `fields=` answer carries only those asked for (every resource has its id otherwise).
 */
function answered(title: string, schema: JsonSchema): JsonSchema {
  const { required: _required, ...rest } = schema;
  return named(title, rest);
}

/** The JSON Schemas the routes validate with and the OpenAPI description shows, derived once from the zod schemas. */
export const JSON_SCHEMAS = {
  error: named('Error', jsonSchemaOf(tmfErrorSchema, 'output')),
  serviceOrderCreate: named('ServiceOrder_Create', jsonSchemaOf(serviceOrderCreateSchema), EX.serviceOrderCreate),
  serviceOrderUpdate: named('ServiceOrder_Update', jsonSchemaOf(serviceOrderUpdateSchema), EX.serviceOrderUpdate),
  serviceOrder: answered('ServiceOrder', jsonSchemaOf(serviceOrderSchema, 'output')),
  serviceOrderCreateV3: named('ServiceOrder_Create_v3', jsonSchemaOf(serviceOrderCreateV3Schema), EX.serviceOrderCreateV3),
  serviceOrderUpdateV3: named('ServiceOrder_Update_v3', jsonSchemaOf(serviceOrderUpdateSchema), EX.serviceOrderUpdate),
  serviceOrderV3: answered('ServiceOrder_v3', jsonSchemaOf(serviceOrderV3Schema, 'output')),
  cancelServiceOrderCreate: named('CancelServiceOrder_Create', jsonSchemaOf(cancelServiceOrderCreateSchema), EX.cancelServiceOrderCreate),
  cancelServiceOrder: answered('CancelServiceOrder', jsonSchemaOf(cancelServiceOrderSchema, 'output')),
  serviceCreate: named('Service_Create', jsonSchemaOf(serviceCreateSchema), EX.serviceCreate),
  serviceUpdate: named('Service_Update', jsonSchemaOf(serviceUpdateSchema), EX.serviceUpdate),
  service: answered('Service', jsonSchemaOf(serviceSchema, 'output')),
  monitor: answered('Monitor', jsonSchemaOf(monitorSchema, 'output')),
  eventSubscriptionInput: named('EventSubscriptionInput', jsonSchemaOf(eventSubscriptionInputSchema), EX.eventSubscriptionInput),
  eventSubscription: named('EventSubscription', jsonSchemaOf(eventSubscriptionSchema, 'output')),
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
  503: "Service Unavailable: the fleet's Redis is not answering; nothing was changed, retry after Retry-After seconds",
};

/** Response schemas: the given successes plus the TMF Error for each failure status. */
export function responses(success: Record<number, JsonSchema | null>, failures: readonly number[] = []): Record<number, JsonSchema> {
  const out: Record<number, JsonSchema> = {};
  for (const [status, schema] of Object.entries(success)) out[Number(status)] = schema ?? { type: 'null', description: 'No content' };
  for (const status of [401, 403, 500, 503, ...failures]) out[status] = { ...JSON_SCHEMAS.error, description: ERROR_DESCRIPTIONS[status] ?? 'Error' };
  return out;
}

export const listOf = (item: JsonSchema): JsonSchema => ({ type: 'array', items: item });
