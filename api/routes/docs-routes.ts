import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { API_BASES, API_PREFIX } from '../api-paths.js';
import { operationIdFor, withNamedSchemas } from './openapi-document.js';

export const DOCS_PREFIX = `${API_PREFIX}/docs`;
export const OPENAPI_PATH = `${API_PREFIX}/openapi.json`;

/**
 * The OpenAPI 3 description, generated from the same route schemas that validate requests, and
 * Swagger UI over it. Both are public: they describe the API, they hold no data.
 */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    transform: ({ schema, url, route }) => {
      const method = Array.isArray(route.method) ? String(route.method[0]) : String(route.method);
      const operationId = (schema as { operationId?: string } | undefined)?.operationId ?? operationIdFor(method, url);
      return { schema: { ...schema, ...(operationId ? { operationId } : {}) } as typeof schema, url };
    },
    transformObject: (documents) => ('openapiObject' in documents ? withNamedSchemas(documents.openapiObject as Record<string, unknown>) : documents.swaggerObject) as never,
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'activation-fleet TMF Open APIs',
        version: '4.0.0',
        description: [
          'TMF641 Service Ordering v4.1 at ' + API_BASES.serviceOrdering,
          'TMF641 Service Ordering v3 (R18.0) at ' + API_BASES.serviceOrderingV3 + ': the same orders in v3 shape',
          'TMF640 Service Activation and Configuration v4 at ' + API_BASES.serviceActivation,
          'TMF638 Service Inventory v4 at ' + API_BASES.serviceInventory,
          '',
          'Every request needs `Authorization: Bearer <token>`; GETs and hubs need scope read, changes need scope order.',
          'Collections take TMF630 fields=, offset/limit (X-Total-Count, X-Result-Count), sort= and attribute filters (state=active, serviceSpecification.id=..., orderDate.gte=...).',
        ].join('\n'),
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Static access token of an API client (OAuth2 client-credentials shape).' } } },
      security: [{ bearer: [] }],
      tags: [{ name: 'TMF641 Service Ordering' }, { name: 'TMF641 Service Ordering v3' }, { name: 'TMF640 Service Activation' }, { name: 'TMF638 Service Inventory' }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get(OPENAPI_PATH, { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
