import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { PATHS, type ApiName } from '../api-paths.js';
import { absolute, baseUrlOf } from '../http/public-url.js';
import { notFound } from '../http/tmf-http-error.js';
import { parseHubQuery } from '../notifications/hub-query.js';
import { EVENT_TYPES } from '../notifications/tmf-notification.js';
import { parseBody } from '../schemas/parse-body.js';
import { JSON_SCHEMAS as S, responses } from '../schemas/route-schemas.js';
import { eventSubscriptionInputSchema } from '../schemas/tmf-common-schemas.js';

const TAGS: Record<ApiName, string> = {
  serviceOrdering: 'TMF641 Service Ordering',
  serviceOrderingV3: 'TMF641 Service Ordering v3',
  serviceActivation: 'TMF640 Service Activation',
  serviceInventory: 'TMF638 Service Inventory',
};

/**
 * TMF630 notification hub of one API. Registering needs the `read` scope: a listener hears
 * what its client could read. Each notification is POSTed to the callback as JSON; a listener
 * answers 2xx, or gets it again later (with backoff), in order.
 */
export function hubRoutes(ctx: ApiContext, api: ApiName) {
  return async (app: FastifyInstance): Promise<void> => {
    const tags = [TAGS[api]];
    app.post(
      '/hub',
      {
        schema: {
          tags,
          summary: 'Registers a listener',
          description: `Events of this API: ${EVENT_TYPES[api].join(', ')}. The optional query filters them, e.g. eventType=${EVENT_TYPES[api][1] ?? ''}.`,
          body: S.eventSubscriptionInput,
          response: responses({ 201: S.eventSubscription }, [400, 413, 415]),
        },
      },
      async (request, reply) => {
        const body = parseBody(eventSubscriptionInputSchema, request.body);
        parseHubQuery(api, body.query);
        const hub = await ctx.hubs.register(api, body.callback, body.query, baseUrlOf(request, ctx.options.publicUrl));
        ctx.log.info({ listenerId: hub.id, api, callback: hub.callback, client: request.apiClient?.clientId }, 'listener registered');
        return reply
          .code(201)
          .header('location', absolute(baseUrlOf(request, ctx.options.publicUrl), PATHS.hub(api, hub.id)))
          .send({ id: hub.id, callback: hub.callback, ...(hub.query !== undefined ? { query: hub.query } : {}) });
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/hub/:id',
      { schema: { tags, summary: 'Unregisters a listener', params: S.idParams, response: responses({ 204: null }, [404]) } },
      async (request, reply) => {
        const hub = await ctx.hubs.get(request.params.id);
        if (!hub || hub.api !== api) throw notFound(`hub ${request.params.id} does not exist`);
        await ctx.hubs.remove(hub.id);
        ctx.log.info({ listenerId: hub.id, api, client: request.apiClient?.clientId }, 'listener removed');
        return reply.code(204).send();
      },
    );
  };
}
