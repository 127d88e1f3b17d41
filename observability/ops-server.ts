import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { FleetMetrics } from './fleet-metrics.js';

export interface OpsServerOptions {
  port: number;
  host?: string;
  metrics: FleetMetrics;
  /** Readiness: Redis reachable and not draining. Throws or returns a reason when not ready. */
  ready: () => Promise<string | undefined>;
  log: Logger;
}

/** /healthz (alive), /readyz (can take work) and /metrics, on every process. */
export async function startOpsServer(options: OpsServerOptions): Promise<FastifyInstance> {
  // Fastify's own request logging stays off: scrapes every few seconds would drown the job logs.
  const app = Fastify({ logger: false });
  app.setErrorHandler((error, _request, reply) => {
    options.log.error({ err: error }, 'ops endpoint failed');
    void reply.code(500).send({ status: 'error' });
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    let reason: string | undefined;
    try {
      reason = await options.ready();
    } catch (error) {
      reason = (error as Error).message;
    }
    if (reason !== undefined) return reply.code(503).send({ status: 'unavailable', reason });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  return app;
}
