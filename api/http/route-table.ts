import type { FastifyInstance } from 'fastify';

/**
 * The API's routes as patterns, so that a request for a known path with an unsupported method
 * gets 405 with an Allow header instead of 404 (Fastify's router only answers "no match").
 */
export class RouteTable {
  private readonly routes: Array<{ method: string; pattern: RegExp }> = [];

  /** Records every route registered on `app` from now on. */
  watch(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const source = route.url
        .replace(/\/+$/, '')
        .split('/')
        .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      const pattern = new RegExp(`^${source}/?$`);
      for (const method of methods) if (method !== 'HEAD') this.routes.push({ method, pattern });
    });
  }

  methodsFor(path: string): string[] {
    return [...new Set(this.routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
  }
}
