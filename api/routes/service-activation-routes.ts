import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceInstance } from '../../inventory/service-instance.js';
import type { ApiContext } from '../api-context.js';
import { withAbsoluteHrefs } from '../http/absolute-hrefs.js';
import { parseCollectionQuery, parseSingleQuery } from '../http/collection-query.js';
import { sendCollection } from '../http/collection-response.js';
import { projectFields } from '../http/field-projection.js';
import { prefersAsync } from '../http/prefer-header.js';
import { baseUrlOf } from '../http/public-url.js';
import { notFound } from '../http/tmf-http-error.js';
import { presentMonitor } from '../resources/monitor-presentation.js';
import { startMonitoredOrder } from '../resources/monitored-order.js';
import { provisionalService } from '../resources/provisional-service.js';
import { activationOrder, lifecycleOrder, type LifecycleOrder } from '../resources/service-activation-order.js';
import { presentActivationService } from '../resources/service-presentation.js';
import { parseBody } from '../schemas/parse-body.js';
import { JSON_SCHEMAS as S, listOf, responses } from '../schemas/route-schemas.js';
import type { Monitor } from '../schemas/service-schemas.js';
import { serviceCreateSchema, serviceUpdateSchema } from '../schemas/service-schemas.js';

export { presentMonitor } from '../resources/monitor-presentation.js';

type IdParams = { Params: { id: string }; Querystring: Record<string, string | string[]> };
const tags = ['TMF640 Service Activation'];

/** TMF640's conformance kit checks that `fields=name,state` answers exactly those two. */
const ALWAYS_FIELDS: string[] = [];

/**
 * TMF640 Service. Activation, suspension, resumption, modification and termination each run as
 * a one-item service order on the network, so every one of them goes on after the answer. As
 * the v4.0 specification declares, POST answers 201 with the Service, PATCH 200 with it, DELETE
 * 204; the Monitor that follows the work is named in the Link header (rel="monitor"). A client
 * that sends `Prefer: respond-async` gets 202 with the Monitor itself.
 */
export function serviceActivationRoutes(ctx: ApiContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const base = (request: FastifyRequest) => baseUrlOf(request, ctx.options.publicUrl);
    const present = (service: ServiceInstance, url: string): ServiceInstance => withAbsoluteHrefs(presentActivationService(service, ctx.catalog), url);
    /** The inventory's record, or the one a POST answered with while its order is running. */
    const find = async (id: string): Promise<ServiceInstance | undefined> => (await ctx.services.get(id)) ?? (await ctx.pendingServices.get(id))?.service;
    const existing = async (id: string): Promise<ServiceInstance> => {
      const service = await find(id);
      if (!service) throw notFound(`service ${id} does not exist`);
      return service;
    };
    const monitorLink = (reply: FastifyReply, monitor: Monitor): FastifyReply => reply.header('link', `<${monitor.href ?? ''}>; rel="monitor"`);
    const answerAsync = (reply: FastifyReply, monitor: Monitor) => reply.code(202).header('preference-applied', 'respond-async').header('location', monitor.href).send(monitor);
    const run = async (request: FastifyRequest, lifecycle: LifecycleOrder, serviceId: string, beforeSubmit?: () => Promise<void>) =>
      presentMonitor(await startMonitoredOrder(ctx, request, lifecycle, serviceId, beforeSubmit), base(request));

    app.post(
      '/service',
      {
        config: { access: 'order' },
        schema: {
          operationId: 'createService',
          tags,
          summary: 'Creates a Service',
          description:
            'Answered 201 with the Service at once (state inactive and operatingStatus starting while it is activated; a state asked for before active is recorded as such, with no device touched); the Link header names the Monitor. With Prefer: respond-async, 202 with the Monitor. 400 when the request cannot be carried out (nothing reaches the network).',
          headers: S.preferHeader,
          body: S.serviceCreate,
          response: responses({ 201: S.service, 202: S.monitor }, [400, 409, 413, 415]),
        },
      },
      async (request, reply) => {
        const body = parseBody(serviceCreateSchema, request.body);
        const ids = { orderId: randomUUID(), serviceId: randomUUID() };
        const service = provisionalService(body, ids, new Date().toISOString(), ctx.catalog);
        const monitor = await run(request, activationOrder(body, ids), ids.serviceId, () => ctx.pendingServices.put({ service, orderId: ids.orderId }));
        if (prefersAsync(request)) return answerAsync(reply, monitor);
        const shown = present((await ctx.services.get(ids.serviceId)) ?? service, base(request));
        return monitorLink(reply.code(201).header('location', shown.href), monitor).send(shown);
      },
    );

    app.get<{ Querystring: Record<string, string | string[]> }>(
      '/service',
      { schema: { operationId: 'listService', tags, summary: 'Lists or finds Service objects', querystring: S.collectionQuery, response: responses({ 200: listOf(S.service) }, [400]) } },
      async (request, reply) => {
        const url = base(request);
        const stored = await ctx.services.query();
        const known = new Set(stored.map((s) => s.id));
        const pending = (await ctx.pendingServices.all()).map((p) => p.service).filter((s) => !known.has(s.id));
        return sendCollection(reply, [...pending, ...stored], parseCollectionQuery(request.query), (s) => present(s, url), ALWAYS_FIELDS);
      },
    );

    app.get<IdParams>(
      '/service/:id',
      { schema: { operationId: 'retrieveService', tags, summary: 'Retrieves a Service by id', params: S.idParams, querystring: S.singleQuery, response: responses({ 200: S.service }, [400, 404]) } },
      async (request) => {
        const fields = parseSingleQuery(request.query);
        return projectFields(present(await existing(request.params.id), base(request)), fields, ALWAYS_FIELDS);
      },
    );

    app.patch<IdParams>(
      '/service/:id',
      {
        config: { access: 'order' },
        schema: {
          operationId: 'patchService',
          tags,
          summary: 'Updates partially a Service: its state (suspended, active to resume, terminated), its values, or its descriptive attributes',
          description:
            'Answered 200 with the Service as it is now; the change goes on, followed by the Monitor in the Link header (202 with the Monitor for Prefer: respond-async). A suspension takes characteristics suspensionReason and suspensionInitiator (default voluntary by customer); a resume names the suspensionReason to lift when several hold. Name, description, note, place and the other attributes change the record only.',
          params: S.idParams,
          headers: S.preferHeader,
          body: S.serviceUpdate,
          response: responses({ 200: S.service, 202: S.monitor }, [400, 404, 409, 413, 415]),
        },
      },
      async (request, reply) => {
        const body = parseBody(serviceUpdateSchema, request.body);
        const service = await existing(request.params.id);
        const lifecycle = lifecycleOrder(service, body, randomUUID());
        if (!lifecycle) return reply.code(200).send(present(service, base(request)));
        const monitor = await run(request, lifecycle, service.id);
        if (prefersAsync(request)) return answerAsync(reply, monitor);
        return monitorLink(reply.code(200), monitor).send(present(await existing(service.id), base(request)));
      },
    );

    app.delete<IdParams>(
      '/service/:id',
      {
        config: { access: 'order' },
        schema: {
          operationId: 'deleteService',
          tags,
          summary: 'Terminates a Service',
          description:
            "Answered 204: the catalog's delete steps run on the NEs the service was built on, and the service ends terminated (it stays in the inventory); the Link header names the Monitor. With Prefer: respond-async, 202 with the Monitor.",
          params: S.idParams,
          headers: S.preferHeader,
          response: responses({ 202: S.monitor, 204: null }, [404, 409]),
        },
      },
      async (request, reply) => {
        const service = await existing(request.params.id);
        const lifecycle = lifecycleOrder(service, 'terminate', randomUUID());
        if (!lifecycle) throw new Error('terminate always needs an order');
        const monitor = await run(request, lifecycle, service.id);
        if (prefersAsync(request)) return answerAsync(reply, monitor);
        return monitorLink(reply.code(204), monitor).send();
      },
    );

    app.get<{ Querystring: Record<string, string | string[]> }>(
      '/monitor',
      { schema: { operationId: 'listMonitor', tags, summary: 'Lists or finds Monitor objects (newest first)', querystring: S.collectionQuery, response: responses({ 200: listOf(S.monitor) }, [400]) } },
      async (request, reply) => {
        const url = base(request);
        return sendCollection(reply, await ctx.monitors.all(), parseCollectionQuery(request.query), (m) => presentMonitor(m.monitor, url), ALWAYS_FIELDS);
      },
    );

    app.get<IdParams>(
      '/monitor/:id',
      { schema: { operationId: 'retrieveMonitor', tags, summary: 'Retrieves a Monitor by id', params: S.idParams, querystring: S.singleQuery, response: responses({ 200: S.monitor }, [400, 404]) } },
      async (request) => {
        const fields = parseSingleQuery(request.query);
        const stored = await ctx.monitors.get(request.params.id);
        if (!stored) throw notFound(`monitor ${request.params.id} does not exist`);
        return projectFields(presentMonitor(stored.monitor, base(request)), fields, ALWAYS_FIELDS);
      },
    );
  };
}
