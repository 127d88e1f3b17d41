import type { FastifyInstance } from 'fastify';
import type { ServiceInstance } from '../../inventory/service-instance.js';
import type { ApiContext } from '../api-context.js';
import type { AttributeFilter } from '../http/attribute-filter.js';
import { parseCollectionQuery, parseSingleQuery } from '../http/collection-query.js';
import { sendCollection } from '../http/collection-response.js';
import { projectFields } from '../http/field-projection.js';
import { withAbsoluteHrefs } from '../http/absolute-hrefs.js';
import { baseUrlOf } from '../http/public-url.js';
import { notFound } from '../http/tmf-http-error.js';
import { presentInventoryService } from '../resources/service-presentation.js';
import { JSON_SCHEMAS as S, listOf, responses } from '../schemas/route-schemas.js';
import type { ServiceQuery } from '../../stores/service-inventory-store.js';

type IdParams = { Params: { id: string }; Querystring: Record<string, string | string[]> };
const tags = ['TMF638 Service Inventory'];

/** Filters the inventory has an index for narrow the read; every filter is still applied after. */
function indexedQuery(filters: readonly AttributeFilter[]): ServiceQuery {
  const single = (path: string) => filters.find((f) => f.operator === 'eq' && f.values.length === 1 && f.path.join('.') === path)?.values[0];
  const state = single('state');
  const specification = single('serviceSpecification.id');
  const neId = single('supportingResource.id');
  return {
    ...(state ? { state: state as ServiceQuery['state'] } : {}),
    ...(specification ? { specification } : {}),
    ...(neId ? { neId } : {}),
  };
}

/** TMF638 answers `fields=` with id and href always (its conformance kit checks both). */
const ALWAYS_FIELDS = ['id', 'href'];

/** TMF638 Service, read-only: the fleet's service inventory, changed only by orders. */
export function serviceInventoryRoutes(ctx: ApiContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const present = (service: ServiceInstance, base: string): ServiceInstance => withAbsoluteHrefs(presentInventoryService(service, ctx.catalog), base);

    app.get<{ Querystring: Record<string, string | string[]> }>(
      '/service',
      { schema: { tags, summary: 'Lists or finds Service objects', querystring: S.collectionQuery, response: responses({ 200: listOf(S.service) }, [400]) } },
      async (request, reply) => {
        const query = parseCollectionQuery(request.query);
        const base = baseUrlOf(request, ctx.options.publicUrl);
        return sendCollection(reply, await ctx.services.query(indexedQuery(query.filters)), query, (s) => present(s, base), ALWAYS_FIELDS);
      },
    );

    app.get<IdParams>(
      '/service/:id',
      { schema: { tags, summary: 'Retrieves a Service by id', params: S.idParams, querystring: S.singleQuery, response: responses({ 200: S.service }, [400, 404]) } },
      async (request) => {
        const fields = parseSingleQuery(request.query);
        const service = await ctx.services.get(request.params.id);
        if (!service) throw notFound(`service ${request.params.id} does not exist`);
        return projectFields(present(service, baseUrlOf(request, ctx.options.publicUrl)), fields, ALWAYS_FIELDS);
      },
    );
  };
}
