import type { FastifyInstance } from 'fastify';

type Plugin = (app: FastifyInstance) => Promise<void>;

/**
 * Gives a route plugin a name for Fastify (its `fastify.display-name`), which @fastify/otel puts
 * in the span name of every hook and handler run under it ("onRequest - tmf641-service-ordering").
 * Without one Fastify names an anonymous plugin by its whole source text.
 */
export function pluginNamed<T extends Plugin>(name: string, plugin: T): T {
  return Object.assign(plugin, { [Symbol.for('fastify.display-name')]: name });
}
