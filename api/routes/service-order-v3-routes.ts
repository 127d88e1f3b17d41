import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceOrder } from '../../orders/service-order.js';
import type { ApiContext } from '../api-context.js';
import { withAbsoluteHrefs } from '../http/absolute-hrefs.js';
import { parseCollectionQuery, parseSingleQuery } from '../http/collection-query.js';
import { sendCollection, sendPage } from '../http/collection-response.js';
import { projectFields } from '../http/field-projection.js';
import { baseUrlOf } from '../http/public-url.js';
import { badRequest, conflict, TmfHttpError } from '../http/tmf-http-error.js';
import { tmfNotification } from '../notifications/tmf-notification.js';
import { patchOrder } from '../resources/order-patch.js';
import { parseBody, parseOrderBody } from '../schemas/parse-body.js';
import { JSON_SCHEMAS as S, listOf, responses } from '../schemas/route-schemas.js';
import { serviceOrderUpdateSchema } from '../schemas/service-ordering-schemas.js';
import { serviceOrderFromV3, serviceOrderToV3, serviceOrderUpdateFromV3, textToV3 } from '../v3/service-order-v3.js';

type IdParams = { Params: { id: string }; Querystring: Record<string, string | string[]> };
const tags = ['TMF641 Service Ordering v3'];

/** v3 kits and clients ask for exactly their fields (id always comes along). */
const ALWAYS_FIELDS = ['id'];

const orderNotFound = (id: string) => new TmfHttpError(404, 'ORDER_NOT_FOUND', `serviceOrder ${id} does not exist`);

/** Parses in v4.1 terms, and names the fields as the v3 client sent them when it refuses. */
function parseV3<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof TmfHttpError) throw new TmfHttpError(error.status, error.code, textToV3(error.message));
    throw error;
  }
}

/**
 * TMF641 v3 (R18.0) ServiceOrder over the same store and lifecycle as v4.1: a v3 body becomes
 * the v4.1 order (orderItem -> serviceOrderItem...), and every answer is that order in v3 shape.
 * Some v3 clients (the R18 conformance kit among them) write the collection `ServiceOrder`: both
 * spellings are served.
 */
export function serviceOrderV3Routes(ctx: ApiContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const present = (order: ServiceOrder, request: FastifyRequest) => withAbsoluteHrefs(serviceOrderToV3(order), baseUrlOf(request, ctx.options.publicUrl));

    app.post(
      '/serviceOrder',
      {
        config: { access: 'order' },
        schema: {
          operationId: 'createServiceOrderV3',
          tags,
          summary: 'Creates a ServiceOrder (v3 shape)',
          description:
            'A v3 ServiceOrder (orderItem, orderItemRelationship with type and id, orderRelationship with type). What the server sets (state, orderDate, startDate, completionDate, expectedCompletionDate, href) is ignored. Answered like v4.1: 201, rejected orders included, 400 for a body it cannot read.',
          body: S.serviceOrderCreateV3,
          response: responses({ 200: S.serviceOrderV3, 201: S.serviceOrderV3 }, [400, 413, 415]),
        },
      },
      async (request, reply) => {
        const input = parseV3(() => parseOrderBody(serviceOrderFromV3(request.body)));
        const { order, created } = await ctx.producer.submitServiceOrder(input);
        const body = present(order, request);
        return reply.code(created ? 201 : 200).header('location', body.href).send(body);
      },
    );

    for (const collection of ['/serviceOrder', '/ServiceOrder']) {
      app.get<{ Querystring: Record<string, string | string[]> }>(
        collection,
        {
          schema: {
            operationId: collection === '/serviceOrder' ? 'listServiceOrderV3' : 'listServiceOrderV3Capitalized',
            tags,
            summary: 'Lists or finds ServiceOrder objects (v3 shape, newest first)',
            ...(collection === '/ServiceOrder' ? { hide: true } : {}),
            querystring: S.collectionQuery,
            response: responses({ 200: listOf(S.serviceOrderV3) }, [400]),
          },
        },
        async (request, reply) => {
          const query = parseCollectionQuery(request.query);
          // v3 filters and sorts name v3 attributes: without them a page is cut in Redis as in v4.1.
          if (query.filters.length === 0 && query.sort.length === 0) {
            const { orders, total } = await ctx.listing.page(query);
            return sendPage(reply, orders.map((o) => present(o, request)), total, query, ALWAYS_FIELDS);
          }
          return sendCollection(reply, await ctx.listing.all(), query, (o) => present(o, request), ALWAYS_FIELDS);
        },
      );

      app.get<IdParams>(
        `${collection}/:id`,
        {
          schema: {
            operationId: collection === '/serviceOrder' ? 'retrieveServiceOrderV3' : 'retrieveServiceOrderV3Capitalized',
            tags,
            summary: 'Retrieves a ServiceOrder by id (v3 shape)',
            ...(collection === '/ServiceOrder' ? { hide: true } : {}),
            params: S.idParams,
            querystring: S.singleQuery,
            response: responses({ 200: S.serviceOrderV3 }, [400, 404]),
          },
        },
        async (request) => {
          const fields = parseSingleQuery(request.query);
          const record = await ctx.store.get(request.params.id);
          if (!record) throw orderNotFound(request.params.id);
          return projectFields(present(record.order, request), fields, ALWAYS_FIELDS);
        },
      );
    }

    app.patch<IdParams>(
      '/serviceOrder/:id',
      {
        config: { access: 'order' },
        schema: {
          operationId: 'patchServiceOrderV3',
          tags,
          summary: 'Updates partially a ServiceOrder (v3 shape, JSON merge patch)',
          description: 'As v4.1: description, notificationContact, note, externalReference and orderRelationship (type, id) can change.',
          params: S.idParams,
          body: S.serviceOrderUpdateV3,
          response: responses({ 200: S.serviceOrderV3 }, [400, 404, 413, 415]),
        },
      },
      async (request) => {
        const patch = parseV3(() => parseBody(serviceOrderUpdateSchema, serviceOrderUpdateFromV3(request.body)));
        const record = await patchOrder(ctx.store, ctx.events, request.params.id, patch);
        if (!record) throw orderNotFound(request.params.id);
        return present(record.order, request);
      },
    );

    app.delete<IdParams>(
      '/serviceOrder/:id',
      {
        config: { access: 'order' },
        schema: { operationId: 'deleteServiceOrderV3', tags, summary: 'Deletes a final ServiceOrder', params: S.idParams, response: responses({ 204: null }, [404, 409]) },
      },
      async (request, reply) => {
        const record = await ctx.store.get(request.params.id);
        if (!record) throw orderNotFound(request.params.id);
        const outcome = await ctx.store.deleteIfFinal(request.params.id);
        if (outcome === 'missing') throw orderNotFound(request.params.id);
        if (outcome === 'notFinal') throw conflict(`serviceOrder ${request.params.id} is ${record.order.state}: only final orders can be deleted`);
        await ctx.events.publish([
          tmfNotification('ServiceOrderDeleteEvent', { serviceOrder: record.order }, { correlationId: record.order.id, title: 'Service order deleted', description: `order ${record.order.id} deleted` }),
        ]);
        return reply.code(204).send();
      },
    );

    // A body that is not JSON object at all names itself in v3 terms too.
    app.addHook('preValidation', async (request) => {
      if (request.method === 'POST' && (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body))) {
        throw badRequest('body: must be a ServiceOrder object');
      }
    });
  };
}
