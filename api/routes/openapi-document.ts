import { API_BASES, type ApiName } from '../api-paths.js';

/**
 * What turns the generated OpenAPI description into one tools can use: an operationId on every
 * operation (TMF's names: createServiceOrder, retrieveService, registerListener...), and every
 * schema that has a TMF name (its `title`) listed once under components/schemas and referenced.
 */

/** Each API's word in operationIds where two APIs share a resource name (TMF640 and TMF638 both have Service). */
const QUALIFIER: Record<ApiName, string> = {
  serviceOrdering: '',
  serviceOrderingV3: 'V3',
  serviceActivation: '',
  serviceInventory: 'InInventory',
};

const VERBS: Record<string, [collection: string, item: string]> = {
  GET: ['list', 'retrieve'],
  POST: ['create', 'create'],
  PATCH: ['patch', 'patch'],
  DELETE: ['delete', 'delete'],
};

export function operationIdFor(method: string, url: string): string | undefined {
  const api = (Object.entries(API_BASES) as Array<[ApiName, string]>)
    .filter(([, base]) => url.startsWith(`${base}/`))
    .sort((a, b) => b[1].length - a[1].length)[0];
  const verbs = VERBS[method.toUpperCase()];
  if (!api || !verbs) return undefined;
  const segments = url.slice(api[1].length + 1).split('/').filter((s) => s !== '');
  const resource = segments[0];
  if (!resource) return undefined;
  const byId = segments.length > 1;
  const qualifier = QUALIFIER[api[0]];
  if (resource === 'hub') {
    const hubApi = api[0].charAt(0).toUpperCase() + api[0].slice(1);
    return `${byId ? 'unregisterListener' : 'registerListener'}${hubApi}`;
  }
  const name = resource.charAt(0).toUpperCase() + resource.slice(1);
  return `${byId ? verbs[1] : verbs[0]}${name}${qualifier}`;
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The description with every titled schema moved to components/schemas and replaced by a $ref (titles are unique). */
export function withNamedSchemas<T extends Node>(document: T): T {
  const components = (isNode(document.components) ? document.components : {}) as Node;
  const schemas = (isNode(components.schemas) ? components.schemas : {}) as Node;
  const walk = (node: unknown, inSchema: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, inSchema));
    if (!isNode(node)) return node;
    if (inSchema && typeof node.title === 'string') {
      const { description: _description, ...schema } = node;
      if (!(node.title in schemas)) schemas[node.title] = walk(schema, false);
      return { $ref: `#/components/schemas/${node.title}` };
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value, key === 'schema' || key === 'items' || inSchema)]));
  };
  const paths = walk(document.paths, false);
  return { ...document, paths, components: { ...components, schemas } };
}
