import type { FastifyInstance } from 'fastify';
import type { ServiceOrder } from '../../orders/service-order.js';
import type { ApiContext } from '../api-context.js';
import { parseCollectionQuery, parseSingleQuery } from '../http/collection-query.js';
import { sendPage } from '../http/collection-response.js';
import { projectFields } from '../http/field-projection.js';
import { withAbsoluteHrefs } from '../http/absolute-hrefs.js';
import { baseUrlOf } from '../http/public-url.js';
import { conflict, TmfHttpError } from '../http/tmf-http-error.js';
import { tmfNotification } from '../notifications/tmf-notification.js';
import { patchOrder } from '../resources/order-patch.js';
import { parseBody, parseOrderBody } from '../schemas/parse-body.js';
import { JSON_SCHEMAS as S, listOf, responses } from '../schemas/route-schemas.js';
import { serviceOrderUpdateSchema } from '../schemas/service-ordering-schemas.js';

type IdParams = { Params: { id: string }; Querystring: Record<string, string | string[]> };
const tags = ['TMF641 Service Ordering'];
/** TMF630: `fields=` answers carry id and href whatever was asked. */
const ALWAYS_FIELDS = ['id', 'href'];

const orderNotFound = (id: string) => new TmfHttpError(404, 'ORDER_NOT_FOUND', `serviceOrder ${id} does not exist`);

/**
 * TMF641 ServiceOrder. A malformed body (schema) is answered 400 and stores nothing; a
 * well-formed order the fleet cannot accept (catalog, characteristics, inventory,
 * qualification) is created in state rejected (201) with one errorMessage per reason, as
 * TMF641 models it, so upstream can look it up and its listeners hear about it.
 */
export function serviceOrderRoutes(ctx: ApiContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const present = (order: ServiceOrder, base: string): ServiceOrder => withAbsoluteHrefs(order, base);

    app.post(
      '/serviceOrder',
      {
        config: { access: 'order' },
        schema: {
          tags,
          summary: 'Creates a ServiceOrder',
          description:
            'Validated at once: 400 for a body that does not match the schema (nothing stored); 201 with state acknowledged, or rejected with an errorMessage per reason. Submitting the same id or externalId again answers 200 with the order already held.',
          body: S.serviceOrderCreate,
          response: responses({ 200: S.serviceOrder, 201: S.serviceOrder }, [400, 413, 415]),
        },
      },
      async (request, reply) => {
        const input = parseOrderBody(request.body);
        const { order, created } = await ctx.producer.submitServiceOrder(input);
        const body = present(order, baseUrlOf(request, ctx.options.publicUrl));
        return reply.code(created ? 201 : 200).header('location', body.href).send(body);
      },
    );

    app.get<{ Querystring: Record<string, string | string[]> }>(
      '/serviceOrder',
      { schema: { tags, summary: 'Lists or finds ServiceOrder objects (newest first)', querystring: S.collectionQuery, response: responses({ 200: listOf(S.serviceOrder) }, [400]) } },
      async (request, reply) => {
        const query = parseCollectionQuery(request.query);
        const base = baseUrlOf(request, ctx.options.publicUrl);
        const { orders, total } = await ctx.listing.page(query);
        return sendPage(reply, orders.map((o) => present(o, base)), total, query, ALWAYS_FIELDS);
      },
    );

    app.get<IdParams>(
      '/serviceOrder/:id',
      { schema: { tags, summary: 'Retrieves a ServiceOrder by id', params: S.idParams, querystring: S.singleQuery, response: responses({ 200: S.serviceOrder }, [400, 404]) } },
      async (request) => {
        const fields = parseSingleQuery(request.query);
        const record = await ctx.store.get(request.params.id);
        if (!record) throw orderNotFound(request.params.id);
        return projectFields(present(record.order, baseUrlOf(request, ctx.options.publicUrl)), fields, ALWAYS_FIELDS);
      },
    );

    app.patch<IdParams>(
      '/serviceOrder/:id',
      {
        config: { access: 'order' },
        schema: {
          tags,
          summary: 'Updates partially a ServiceOrder (JSON merge patch)',
          description: 'Only description, notificationContact, note, externalReference and orderRelationship can change; state is the fleet\'s.',
          params: S.idParams,
          body: S.serviceOrderUpdate,
          response: responses({ 200: S.serviceOrder }, [400, 404, 413, 415]),
        },
      },
      async (request) => {
        const patch = parseBody(serviceOrderUpdateSchema, request.body);
        const record = await patchOrder(ctx.store, ctx.events, request.params.id, patch);
        if (!record) throw orderNotFound(request.params.id);
        return present(record.order, baseUrlOf(request, ctx.options.publicUrl));
      },
    );

    app.delete<IdParams>(
      '/serviceOrder/:id',
      {
        config: { access: 'order' },
        schema: {
          tags,
          summary: 'Deletes a final ServiceOrder (housekeeping)',
          description: 'Only orders in a final state (completed, failed, partial, cancelled, rejected) can be deleted: 409 otherwise. To stop an order in flight, create a cancelServiceOrder.',
          params: S.idParams,
          response: responses({ 204: null }, [404, 409]),
        },
      },
      async (request, reply) => {
        const record = await ctx.store.get(request.params.id);
        if (!record) throw orderNotFound(request.params.id);
        const outcome = await ctx.store.deleteIfFinal(request.params.id);
        if (outcome === 'missing') throw orderNotFound(request.params.id);
        if (outcome === 'notFinal') throw conflict(`serviceOrder ${request.params.id} is ${record.order.state}: only final orders can be deleted; cancel it with POST /cancelServiceOrder`);
        await ctx.events.publish([
          tmfNotification('ServiceOrderDeleteEvent', { serviceOrder: record.order }, { correlationId: record.order.id, title: 'Service order deleted', description: `order ${record.order.id} deleted` }),
        ]);
        return reply.code(204).send();
      },
    );
  };
}
