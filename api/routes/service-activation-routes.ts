import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ServiceInstance } from '../../inventory/service-instance.js';
import type { ApiContext } from '../api-context.js';
import { parseCollectionQuery, parseSingleQuery } from '../http/collection-query.js';
import { sendCollection } from '../http/collection-response.js';
import { projectFields } from '../http/field-projection.js';
import { absolute, baseUrlOf } from '../http/public-url.js';
import { notFound } from '../http/tmf-http-error.js';
import type { Monitor } from '../schemas/service-schemas.js';
import { startMonitoredOrder } from '../resources/monitored-order.js';
import { activationOrder, lifecycleOrder } from '../resources/service-activation-order.js';
import { presentActivationService } from '../resources/service-presentation.js';
import { parseBody } from '../schemas/parse-body.js';
import { JSON_SCHEMAS as S, listOf, responses } from '../schemas/route-schemas.js';
import { serviceCreateSchema, serviceUpdateSchema } from '../schemas/service-schemas.js';

type IdParams = { Params: { id: string }; Querystring: Record<string, string | string[]> };
const tags = ['TMF640 Service Activation'];

/** A monitor with absolute hrefs, as the API answers it. */
export function presentMonitor(monitor: Monitor, base: string): Monitor {
  return {
    ...monitor,
    href: absolute(base, monitor.href ?? ''),
    ...(monitor.sourceHref ? { sourceHref: absolute(base, monitor.sourceHref) } : {}),
    ...(monitor.request ? { request: { ...monitor.request, to: absolute(base, monitor.request.to) } } : {}),
  };
}

/**
 * TMF640 Service. Activation, suspension, resumption, modification and termination each run
 * as a one-item service order on the network, so every one of them is long work: the API
 * answers 202 with a Monitor (Location: the monitor), whose response holds the outcome.
 */
export function serviceActivationRoutes(ctx: ApiContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const present = (service: ServiceInstance, base: string): ServiceInstance => {
      const shown = presentActivationService(service);
      return { ...shown, href: absolute(base, shown.href) };
    };
    const accepted = (monitor: Monitor, base: string) => presentMonitor(monitor, base);
    const existing = async (id: string): Promise<ServiceInstance> => {
      const service = await ctx.services.get(id);
      if (!service) throw notFound(`service ${id} does not exist`);
      return service;
    };

    app.post(
      '/service',
      {
        config: { access: 'order' },
        schema: {
          tags,
          summary: 'Activates a new Service',
          description: 'Answered 202 with a Monitor; the Service (201) is the monitor response once activated. 400 when the request cannot be carried out (nothing is sent to the network).',
          body: S.serviceCreate,
          response: responses({ 202: S.monitor }, [400, 409, 413, 415]),
        },
      },
      async (request, reply) => {
        const body = parseBody(serviceCreateSchema, request.body);
        const serviceId = randomUUID();
        const lifecycle = activationOrder(body, { orderId: randomUUID(), serviceId });
        const monitor = accepted(await startMonitoredOrder(ctx, request, lifecycle, serviceId), baseUrlOf(request, ctx.options.publicUrl));
        return reply.code(202).header('location', monitor.href).send(monitor);
      },
    );

    app.get<{ Querystring: Record<string, string | string[]> }>(
      '/service',
      { schema: { tags, summary: 'Lists or finds Service objects', querystring: S.collectionQuery, response: responses({ 200: listOf(S.service) }, [400]) } },
      async (request, reply) => {
        const base = baseUrlOf(request, ctx.options.publicUrl);
        return sendCollection(reply, await ctx.services.query(), parseCollectionQuery(request.query), (s) => present(s, base));
      },
    );

    app.get<IdParams>(
      '/service/:id',
      { schema: { tags, summary: 'Retrieves a Service by id', params: S.idParams, querystring: S.singleQuery, response: responses({ 200: S.service }, [400, 404]) } },
      async (request) => {
        const fields = parseSingleQuery(request.query);
        return projectFields(present(await existing(request.params.id), baseUrlOf(request, ctx.options.publicUrl)), fields);
      },
    );

    app.patch<IdParams>(
      '/service/:id',
      {
        config: { access: 'order' },
        schema: {
          tags,
          summary: 'Changes a Service: state suspended, active (resume) or terminated, or characteristic values',
          description:
            'Answered 202 with a Monitor. A suspension takes characteristics suspensionReason and suspensionInitiator (default voluntary by customer); a resume names the suspensionReason to lift when several hold. 200 with the Service when nothing changes.',
          params: S.idParams,
          body: S.serviceUpdate,
          response: responses({ 200: S.service, 202: S.monitor }, [400, 404, 409, 413, 415]),
        },
      },
      async (request, reply) => {
        const body = parseBody(serviceUpdateSchema, request.body);
        const service = await existing(request.params.id);
        const base = baseUrlOf(request, ctx.options.publicUrl);
        const lifecycle = lifecycleOrder(service, body, randomUUID());
        if (!lifecycle) return reply.code(200).send(present(service, base));
        const monitor = accepted(await startMonitoredOrder(ctx, request, lifecycle, service.id), base);
        return reply.code(202).header('location', monitor.href).send(monitor);
      },
    );

    app.delete<IdParams>(
      '/service/:id',
      {
        config: { access: 'order' },
        schema: {
          tags,
          summary: 'Terminates a Service',
          description: 'Answered 202 with a Monitor: the catalog\'s delete steps run on the NEs the service was built on, and the service ends terminated (it stays in the inventory).',
          params: S.idParams,
          response: responses({ 202: S.monitor }, [404, 409]),
        },
      },
      async (request, reply) => {
        const service = await existing(request.params.id);
        const lifecycle = lifecycleOrder(service, 'terminate', randomUUID());
        if (!lifecycle) throw new Error('terminate always needs an order');
        const monitor = accepted(await startMonitoredOrder(ctx, request, lifecycle, service.id), baseUrlOf(request, ctx.options.publicUrl));
        return reply.code(202).header('location', monitor.href).send(monitor);
      },
    );

    app.get<{ Querystring: Record<string, string | string[]> }>(
      '/monitor',
      { schema: { tags, summary: 'Lists or finds Monitor objects (newest first)', querystring: S.collectionQuery, response: responses({ 200: listOf(S.monitor) }, [400]) } },
      async (request, reply) => {
        const base = baseUrlOf(request, ctx.options.publicUrl);
        return sendCollection(reply, await ctx.monitors.all(), parseCollectionQuery(request.query), (m) => presentMonitor(m.monitor, base));
      },
    );

    app.get<IdParams>(
      '/monitor/:id',
      { schema: { tags, summary: 'Retrieves a Monitor by id', params: S.idParams, querystring: S.singleQuery, response: responses({ 200: S.monitor }, [400, 404]) } },
      async (request) => {
        const fields = parseSingleQuery(request.query);
        const stored = await ctx.monitors.get(request.params.id);
        if (!stored) throw notFound(`monitor ${request.params.id} does not exist`);
        return projectFields(presentMonitor(stored.monitor, baseUrlOf(request, ctx.options.publicUrl)), fields);
      },
    );
  };
}
