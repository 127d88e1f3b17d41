import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { isFleetError } from '../../errors/index.js';
import { errorMessage } from '../../orders/order-progress.js';
import type { ApiContext } from '../api-context.js';
import { PATHS } from '../api-paths.js';
import { parseCollectionQuery, parseSingleQuery } from '../http/collection-query.js';
import { sendCollection } from '../http/collection-response.js';
import { projectFields } from '../http/field-projection.js';
import { absolute, baseUrlOf } from '../http/public-url.js';
import { badRequest, notFound } from '../http/tmf-http-error.js';
import { parseBody } from '../schemas/parse-body.js';
import { JSON_SCHEMAS as S, listOf, responses } from '../schemas/route-schemas.js';
import { cancelServiceOrderCreateSchema, type CancelServiceOrder } from '../schemas/service-ordering-schemas.js';

type IdParams = { Params: { id: string }; Querystring: Record<string, string | string[]> };
const tags = ['TMF641 Service Ordering'];

/** Clock skew the fleet tolerates on a requestedCancellationDate meant as "now". */
const NOW_TOLERANCE_MS = 60_000;

/**
 * TMF641 CancelServiceOrder: a task that asks the order to cancel and then follows it. The
 * task is stored (accepted) before the order is touched; the order's own events move it to
 * inProgress and then done, or terminatedWithError if the order ends otherwise. An order that
 * is already final refuses at once: the task ends terminatedWithError with the reason.
 */
export function cancelServiceOrderRoutes(ctx: ApiContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const present = (task: CancelServiceOrder, base: string): CancelServiceOrder => ({
      ...task,
      href: absolute(base, task.href ?? PATHS.cancelServiceOrder(task.id)),
      ...(task.serviceOrder ? { serviceOrder: { ...task.serviceOrder, href: absolute(base, task.serviceOrder.href ?? PATHS.serviceOrder(task.serviceOrder.id)) } } : {}),
    });

    app.post(
      '/cancelServiceOrder',
      {
        config: { access: 'order' },
        schema: {
          tags,
          summary: 'Creates a CancelServiceOrder',
          description: 'Cancellation is immediate; a requestedCancellationDate more than a minute in the future is refused (400).',
          body: S.cancelServiceOrderCreate,
          response: responses({ 201: S.cancelServiceOrder }, [400, 413, 415]),
        },
      },
      async (request, reply) => {
        const body = parseBody(cancelServiceOrderCreateSchema, request.body);
        if (body.requestedCancellationDate && Date.parse(body.requestedCancellationDate) > Date.now() + NOW_TOLERANCE_MS) {
          throw badRequest('requestedCancellationDate: cancellation at a future date is not supported; omit it to cancel now');
        }
        const orderId = body.serviceOrder.id;
        const record = await ctx.store.get(orderId);
        if (!record) throw badRequest(`serviceOrder.id: no service order with id ${orderId}`);
        const id = randomUUID();
        const task: CancelServiceOrder & { serviceOrder: { id: string } } = {
          id,
          href: PATHS.cancelServiceOrder(id),
          state: 'accepted',
          ...(body.cancellationReason !== undefined ? { cancellationReason: body.cancellationReason } : {}),
          ...(body.requestedCancellationDate !== undefined ? { requestedCancellationDate: body.requestedCancellationDate } : {}),
          serviceOrder: { id: orderId, href: PATHS.serviceOrder(orderId), '@referredType': 'ServiceOrder' },
          '@type': 'CancelServiceOrder',
        };
        // The order decides first: a task created `accepted` for an order that refuses would be
        // followed by the order's own (late) events to terminatedWithError without the reason,
        // racing this request's own ending of it. A refused task is created ended, with why.
        let refused: Pick<CancelServiceOrder, 'completionMessage' | 'errorMessage'> | undefined;
        try {
          await ctx.producer.cancelServiceOrder(orderId, body.cancellationReason);
        } catch (error) {
          if (!isFleetError(error) || error.code !== 'ORDER_NOT_CANCELLABLE') throw error;
          const em = errorMessage('order', error.code, error.message, new Date().toISOString());
          refused = { completionMessage: error.message, errorMessage: { ...em, code: em.code ?? error.code, message: em.message ?? error.message } };
        }
        await ctx.cancelTasks.create(refused ? { ...task, state: 'terminatedWithError', ...refused } : task);
        if (!refused) await ctx.follower.follow(orderId);
        const stored = (await ctx.cancelTasks.get(id)) ?? task;
        const out = present(stored, baseUrlOf(request, ctx.options.publicUrl));
        return reply.code(201).header('location', out.href).send(out);
      },
    );

    app.get<{ Querystring: Record<string, string | string[]> }>(
      '/cancelServiceOrder',
      { schema: { tags, summary: 'Lists or finds CancelServiceOrder objects (newest first)', querystring: S.collectionQuery, response: responses({ 200: listOf(S.cancelServiceOrder) }, [400]) } },
      async (request, reply) => {
        const base = baseUrlOf(request, ctx.options.publicUrl);
        return sendCollection(reply, await ctx.cancelTasks.all(), parseCollectionQuery(request.query), (t) => present(t, base), ['id', 'href']);
      },
    );

    app.get<IdParams>(
      '/cancelServiceOrder/:id',
      { schema: { tags, summary: 'Retrieves a CancelServiceOrder by id', params: S.idParams, querystring: S.singleQuery, response: responses({ 200: S.cancelServiceOrder }, [400, 404]) } },
      async (request) => {
        const fields = parseSingleQuery(request.query);
        const task = await ctx.cancelTasks.get(request.params.id);
        if (!task) throw notFound(`cancelServiceOrder ${request.params.id} does not exist`);
        return projectFields(present(task, baseUrlOf(request, ctx.options.publicUrl)), fields, ['id', 'href']);
      },
    );
  };
}
